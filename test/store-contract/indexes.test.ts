import { it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoBulkWriteError, MongoServerError } from 'mongodb';
import type { Collection, Document } from 'mongodb';
import { describeStoreContract, expectServerError } from './harness.ts';

type Doc = Document & { _id?: number | string };

describeStoreContract(import.meta.url, (context) => {
  let counter = 0;
  function fresh(): Collection<Doc> {
    return context.db.collection<Doc>(`indexed${++counter}`);
  }

  it('creates, lists and drops indexes; createIndex is idempotent', async () => {
    const c = fresh();
    assert.equal(await c.createIndex({ email: 1 }, { unique: true }), 'email_1');
    assert.equal(await c.createIndex({ email: 1 }, { unique: true }), 'email_1');
    assert.equal(await c.createIndex({ tenant: 1, at: -1 }, { name: 'by_tenant' }), 'by_tenant');
    const indexes = await c.listIndexes().toArray();
    assert.deepEqual(
      indexes.map((index) => [index.name, index.key, index.unique ?? false]),
      [
        ['_id_', { _id: 1 }, false],
        ['email_1', { email: 1 }, true],
        ['by_tenant', { tenant: 1, at: -1 }, false],
      ],
    );
    assert.equal(await c.indexExists('by_tenant'), true);
    await c.dropIndex('by_tenant');
    assert.equal(await c.indexExists('by_tenant'), false);
    const missing = await expectServerError(() => c.dropIndex('nope'));
    assert.equal(missing.code, 27);
    const idIndex = await expectServerError(() => c.dropIndex('_id_'));
    assert.equal(idIndex.code, 72);
    const sameNameOtherKey = await expectServerError(() => c.createIndex({ other: 1 }, { name: 'email_1' }));
    assert.equal(sameNameOtherKey.code, 86);
    await c.dropIndexes();
    assert.deepEqual((await c.listIndexes().toArray()).map((index) => index.name), ['_id_']);
    const noCollection = await expectServerError(() => context.db.collection('neverCreatedIdx').listIndexes().toArray());
    assert.equal(noCollection.code, 26);
  });

  it('rejects a duplicate on a unique index with the MongoDB 11000 shape (insert, update, findOneAndUpdate upsert)', async () => {
    const c = fresh();
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertOne({ _id: 1, email: 'a@x.test' });
    await c.insertOne({ _id: 2, email: 'b@x.test' });

    const insertError = await expectServerError(() => c.insertOne({ _id: 3, email: 'a@x.test' }));
    assert.equal(insertError.code, 11000);
    assert.equal(
      insertError.message,
      `E11000 duplicate key error collection: ${context.db.databaseName}.${c.collectionName} index: email_1 dup key: { email: "a@x.test" }`,
    );
    assert.deepEqual(insertError.keyPattern, { email: 1 });
    assert.deepEqual(insertError.keyValue, { email: 'a@x.test' });

    const updateError = await expectServerError(() => c.updateOne({ _id: 2 }, { $set: { email: 'a@x.test' } }));
    assert.equal(updateError.code, 11000);
    assert.deepEqual(updateError.keyValue, { email: 'a@x.test' });
    assert.equal((await c.findOne({ _id: 2 }))!.email, 'b@x.test', 'the failed update changed nothing');

    const upsertError = await expectServerError(() =>
      c.findOneAndUpdate({ _id: 9 }, { $set: { email: 'b@x.test' } }, { upsert: true }),
    );
    assert.ok(upsertError instanceof MongoServerError);
    assert.equal(upsertError.code, 11000);
    assert.deepEqual(upsertError.keyPattern, { email: 1 });
    assert.deepEqual(upsertError.keyValue, { email: 'b@x.test' });
    assert.equal(await c.countDocuments(), 2);

    // A document may keep its own key.
    await c.updateOne({ _id: 1 }, { $set: { email: 'a@x.test', other: 1 } });
    assert.equal((await c.findOne({ _id: 1 }))!.other, 1);
  });

  it('enforces compound unique indexes on the whole key', async () => {
    const c = fresh();
    await c.createIndex({ tenant: 1, phone: 1 }, { unique: true });
    await c.insertMany([
      { tenant: 't1', phone: '+1' },
      { tenant: 't2', phone: '+1' },
      { tenant: 't1', phone: '+2' },
    ]);
    const error = await expectServerError(() => c.insertOne({ tenant: 't2', phone: '+1' }));
    assert.equal(error.code, 11000);
    assert.deepEqual(error.keyPattern, { tenant: 1, phone: 1 });
    assert.deepEqual(error.keyValue, { tenant: 't2', phone: '+1' });
    assert.equal(await c.countDocuments({ tenant: 't1' }), 2);
    assert.deepEqual((await c.find({ tenant: 't1', phone: '+2' }).toArray()).length, 1);
  });

  it('treats a missing field as null in a unique index unless the index is sparse or partial', async () => {
    const plain = fresh();
    await plain.createIndex({ code: 1 }, { unique: true });
    await plain.insertOne({ name: 'first' });
    const error = await expectServerError(() => plain.insertOne({ name: 'second' }));
    assert.equal(error.code, 11000);
    assert.deepEqual(error.keyValue, { code: null });

    const sparse = fresh();
    await sparse.createIndex({ code: 1 }, { unique: true, sparse: true });
    await sparse.insertMany([{ name: 'a' }, { name: 'b' }, { code: 1 }]);
    assert.equal((await expectServerError(() => sparse.insertOne({ code: 1 }))).code, 11000);

    const partial = fresh();
    await partial.createIndex({ phone: 1 }, { unique: true, partialFilterExpression: { verified: { $eq: true } } });
    await partial.insertMany([
      { phone: '+1', verified: false },
      { phone: '+1', verified: false },
      { phone: '+1', verified: true },
    ]);
    assert.equal((await expectServerError(() => partial.insertOne({ phone: '+1', verified: true }))).code, 11000);
    assert.equal(await partial.countDocuments({ phone: '+1' }), 3);
  });

  it('indexes array elements: a unique index rejects a document sharing any element', async () => {
    const c = fresh();
    await c.createIndex({ aliases: 1 }, { unique: true });
    await c.insertOne({ aliases: ['a', 'b'] });
    await c.insertOne({ aliases: ['c'] });
    assert.equal((await expectServerError(() => c.insertOne({ aliases: ['x', 'b'] }))).code, 11000);
    assert.equal(await c.countDocuments({ aliases: 'b' }), 1);
  });

  it('refuses to build a unique index over existing duplicates, leaving no index behind', async () => {
    const c = fresh();
    await c.insertMany([{ k: 1 }, { k: 1 }]);
    const error = await expectServerError(() => c.createIndex({ k: 1 }, { unique: true }));
    assert.equal(error.code, 11000);
    assert.deepEqual((await c.listIndexes().toArray()).map((index) => index.name), ['_id_']);
  });

  it('keeps indexes in step with updates and deletes', async () => {
    const c = fresh();
    await c.createIndex({ slot: 1 }, { unique: true });
    await c.insertOne({ _id: 1, slot: 'a' });
    await c.updateOne({ _id: 1 }, { $set: { slot: 'b' } });
    await c.insertOne({ _id: 2, slot: 'a' }); // 'a' was released by the update
    assert.equal((await expectServerError(() => c.insertOne({ _id: 3, slot: 'b' }))).code, 11000);
    await c.deleteOne({ _id: 1 });
    await c.insertOne({ _id: 3, slot: 'b' }); // released by the delete
    await c.replaceOne({ _id: 3 }, { other: true });
    await c.insertOne({ _id: 4, slot: 'b' }); // released by the replacement
    assert.deepEqual((await c.find({ slot: { $in: ['a', 'b'] } }, { sort: { _id: 1 } }).toArray()).map((doc) => doc._id), [2, 4]);
  });

  it('keeps a compound index right when an update changes only some of its fields, or none', async () => {
    const c = fresh();
    await c.createIndex({ owner: 1, state: 1 }, { unique: true });
    await c.insertOne({ _id: 1, owner: 'u1', state: 'open', n: 0 });
    await c.updateOne({ _id: 1 }, { $inc: { n: 1 } }); // no indexed field changed
    assert.equal((await expectServerError(() => c.insertOne({ _id: 2, owner: 'u1', state: 'open' }))).code, 11000);
    await c.updateOne({ _id: 1 }, { $set: { state: 'done' } }); // the second field only
    await c.insertOne({ _id: 2, owner: 'u1', state: 'open' }); // ('u1', 'open') was released
    assert.equal((await expectServerError(() => c.updateOne({ _id: 2 }, { $set: { state: 'done' } }))).code, 11000);
    assert.deepEqual((await c.find({ owner: 'u1' }, { sort: { _id: 1 } }).toArray()).map((doc) => [doc._id, doc.state, doc.n]), [[1, 'done', 1], [2, 'open', undefined]]);
    assert.deepEqual((await c.find({ owner: 'u1', state: 'done' }).toArray()).map((doc) => doc._id), [1]);
  });

  it('reports unordered bulk duplicate errors per statement', async () => {
    const c = fresh();
    await c.createIndex({ u: 1 }, { unique: true });
    const error = await c
      .insertMany([{ u: 1 }, { u: 1 }, { u: 2 }, { u: 2 }], { ordered: false })
      .then(() => undefined, (caught: unknown) => caught);
    assert.ok(error instanceof MongoBulkWriteError);
    const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    assert.deepEqual(writeErrors.map((writeError) => [writeError.index, writeError.code]), [[1, 11000], [3, 11000]]);
  });

  it('removes documents whose TTL index date has passed', { skip: !context.target.fastTtl && 'the TTL monitor of a real MongoDB runs only every 60 s' }, async () => {
    const c = fresh();
    await c.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
    await c.createIndex({ createdAt: 1 }, { expireAfterSeconds: 3600 });
    const now = Date.now();
    await c.insertMany([
      { _id: 'expired', expiresAt: new Date(now - 1000) },
      { _id: 'soon', expiresAt: new Date(now + 300) },
      { _id: 'later', expiresAt: new Date(now + 60_000) },
      { _id: 'notADate', expiresAt: 'tomorrow' },
      { _id: 'old', createdAt: new Date(now - 2 * 3600_000) },
      { _id: 'young', createdAt: new Date(now - 60_000) },
    ]);
    const ttl = (await c.listIndexes().toArray()).find((index) => index.name === 'expiresAt_1');
    assert.equal(ttl?.expireAfterSeconds, 0);
    const deadline = Date.now() + 3000;
    let remaining: unknown[] = [];
    while (Date.now() < deadline) {
      remaining = (await c.find({}, { sort: { _id: 1 } }).toArray()).map((doc) => doc._id);
      if (remaining.length === 3) break;
      await sleep(50);
    }
    assert.deepEqual(remaining, ['later', 'notADate', 'young']);
  });
});
