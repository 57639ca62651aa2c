import { it } from 'node:test';
import assert from 'node:assert/strict';
import { MongoServerError } from 'mongodb';
import type { Document } from 'mongodb';
import { describeStoreContract } from './harness.ts';

describeStoreContract(import.meta.url, (context) => {
  it('100 parallel conditional increments never pass the limit in the filter', async () => {
    const limits = context.db.collection<Document>('limits');
    await limits.insertOne({ _id: 'challenge' as never, n: 0 });
    // Two clients, so the requests really arrive on many connections at once.
    const other = await context.newClient({ maxPoolSize: 50 });
    const clients = [context.client, other];
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        clients[i % 2]
          .db(context.db.databaseName)
          .collection<Document>('limits')
          .findOneAndUpdate({ _id: 'challenge' as never, n: { $lt: 5 } }, { $inc: { n: 1 } }, { returnDocument: 'after' }),
      ),
    );
    const granted = results.filter((result) => result !== null);
    assert.equal(granted.length, 5);
    assert.deepEqual(granted.map((doc) => doc!.n).sort(), [1, 2, 3, 4, 5]);
    assert.equal((await limits.findOne({ _id: 'challenge' as never }))!.n, 5);
  });

  it('parallel unconditional increments all count', async () => {
    const counters = context.db.collection<Document>('counters');
    await Promise.all(
      Array.from({ length: 200 }, () => counters.updateOne({ _id: 'c' as never }, { $inc: { n: 1 } }, { upsert: true })),
    );
    assert.equal((await counters.findOne({ _id: 'c' as never }))!.n, 200);
  });

  it('parallel upserts on a unique key leave one document; losers get 11000 and succeed on retry', async () => {
    const users = context.db.collection<Document>('users');
    await users.createIndex({ email: 1 }, { unique: true });
    let duplicates = 0;
    const upsert = async (): Promise<void> => {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await users.findOneAndUpdate({ email: 'race@x.test' }, { $inc: { logins: 1 } }, { upsert: true });
          return;
        } catch (error) {
          if (!(error instanceof MongoServerError) || error.code !== 11000) throw error;
          duplicates++;
        }
      }
      throw new Error('upsert kept failing');
    };
    await Promise.all(Array.from({ length: 50 }, upsert));
    const docs = await users.find({ email: 'race@x.test' }).toArray();
    assert.equal(docs.length, 1);
    assert.equal(docs[0].logins, 50, 'every upsert counted exactly once');
    // The engine serialises commands, so no upsert ever races; a real server may report some.
    if (context.target.embedded) assert.equal(duplicates, 0);

    // Plain inserts of the same key: exactly one wins.
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => users.insertOne({ email: 'once@x.test' })));
    assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') assert.equal((outcome.reason as MongoServerError).code, 11000);
    }
  });

  it('parallel findOneAndDelete hands each document to exactly one caller', async () => {
    const queue = context.db.collection<Document>('queue');
    await queue.insertMany(Array.from({ length: 30 }, (_, i) => ({ i })));
    const taken = await Promise.all(Array.from({ length: 50 }, () => queue.findOneAndDelete({}, { sort: { i: 1 } })));
    const values = taken.filter((doc) => doc !== null).map((doc) => doc!.i);
    assert.equal(values.length, 30);
    assert.equal(new Set(values).size, 30);
    assert.equal(await queue.countDocuments(), 0);
  });
});

