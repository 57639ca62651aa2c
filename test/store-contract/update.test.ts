import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Long, ObjectId } from 'mongodb';
import type { Collection, Document } from 'mongodb';
import { describeStoreContract } from './harness.ts';

type Doc = Document & { _id?: number | string };

describeStoreContract(import.meta.url, (context) => {
  let counter = 0;
  /** A fresh collection per test, seeded with the given documents. */
  async function seeded(docs: Doc[] = []): Promise<Collection<Doc>> {
    const collection = context.db.collection<Doc>(`updates${++counter}`);
    if (docs.length > 0) await collection.insertMany(docs);
    return collection;
  }

  it('applies $set (nested, creating paths) and $unset', async () => {
    const c = await seeded([{ _id: 1, a: 1, keep: true, sub: { x: 1, y: 2 }, list: [1, 2, 3] }]);
    const result = await c.updateOne({ _id: 1 }, { $set: { a: 2, 'sub.x': 10, 'new.deep.path': 'v', 'list.1': 20 }, $unset: { 'sub.y': '', missing: 1 } });
    assert.equal(result.matchedCount, 1);
    assert.equal(result.modifiedCount, 1);
    assert.deepEqual(await c.findOne({ _id: 1 }), { _id: 1, a: 2, keep: true, sub: { x: 10 }, list: [1, 20, 3], new: { deep: { path: 'v' } } });
    const noop = await c.updateOne({ _id: 1 }, { $set: { a: 2 } });
    assert.equal(noop.matchedCount, 1);
    assert.equal(noop.modifiedCount, 0, 'setting the same value modifies nothing');
    await assert.rejects(c.updateOne({ _id: 1 }, { $set: { 'a.b': 1 } }), (error: Document) => error.code === 28);
  });

  it('applies $inc, $min, $max and keeps Int64 counters as Int64', async () => {
    const c = await seeded([{ _id: 1, n: 5, low: 10, high: 10, big: Long.fromString('9007199254740993') }]);
    await c.updateOne({ _id: 1 }, { $inc: { n: 2, fresh: 3, big: 1 }, $min: { low: 4, newLow: 1 }, $max: { high: 4 } });
    const doc = await c.findOne({ _id: 1 }, { promoteLongs: false });
    assert.equal(doc!.n, 7);
    assert.equal(doc!.fresh, 3);
    assert.equal(doc!.low, 4);
    assert.equal(doc!.high, 10);
    assert.equal(doc!.newLow, 1);
    assert.ok(Long.isLong(doc!.big));
    assert.equal(doc!.big.toString(), '9007199254740994');
    await c.updateOne({ _id: 1 }, { $inc: { n: -0.5 } });
    assert.equal((await c.findOne({ _id: 1 }))!.n, 6.5);
    await assert.rejects(c.updateOne({ _id: 1 }, { $inc: { n: 'x' as unknown as number } }), (error: Document) => error.code === 14);
    await c.updateOne({ _id: 1 }, { $set: { text: 'a' } });
    await assert.rejects(c.updateOne({ _id: 1 }, { $inc: { text: 1 } }), (error: Document) => error.code === 14);
  });

  it('applies $push (with $each/$slice/$sort/$position), $addToSet and $pull', async () => {
    const c = await seeded([{ _id: 1, list: [3, 1], set: ['a'], items: [{ k: 1 }, { k: 2 }, { k: 3 }], scores: [5, 8, 1, 9] }]);
    await c.updateOne({ _id: 1 }, { $push: { list: 2, created: 'x' }, $addToSet: { set: { $each: ['a', 'b', 'b'] } } } as Document);
    assert.deepEqual(await c.findOne({ _id: 1 }, { projection: { list: 1, created: 1, set: 1 } }), { _id: 1, list: [3, 1, 2], set: ['a', 'b'], created: ['x'] });
    await c.updateOne({ _id: 1 }, { $push: { list: { $each: [9, 0], $sort: 1, $slice: -3 } } } as Document);
    assert.deepEqual((await c.findOne({ _id: 1 }))!.list, [2, 3, 9]);
    await c.updateOne({ _id: 1 }, { $push: { list: { $each: [7], $position: 0 } } } as Document);
    assert.deepEqual((await c.findOne({ _id: 1 }))!.list, [7, 2, 3, 9]);
    const unchanged = await c.updateOne({ _id: 1 }, { $addToSet: { set: 'a' } });
    assert.equal(unchanged.modifiedCount, 0);
    await c.updateOne({ _id: 1 }, { $pull: { items: { k: { $gte: 2 } }, scores: { $gt: 6 }, set: 'a' } } as Document);
    const pulled = await c.findOne({ _id: 1 });
    assert.deepEqual(pulled!.items, [{ k: 1 }]);
    assert.deepEqual(pulled!.scores, [5, 1]);
    assert.deepEqual(pulled!.set, ['b']);
    await assert.rejects(c.updateOne({ _id: 1 }, { $push: { created: 1, 'created.0': 2 } as Document }), (error: Document) => error.code === 40);
    await c.updateOne({ _id: 1 }, { $set: { scalar: 1 } });
    await assert.rejects(c.updateOne({ _id: 1 }, { $push: { scalar: 2 } as Document }), (error: Document) => error.code === 2);
  });

  it('replaces whole documents, keeping _id, and refuses to change _id', async () => {
    const c = await seeded([{ _id: 1, a: 1, b: 2 }]);
    await c.replaceOne({ _id: 1 }, { c: 3 });
    assert.deepEqual(await c.findOne({ _id: 1 }), { _id: 1, c: 3 });
    await assert.rejects(c.replaceOne({ _id: 1 }, { _id: 2, c: 4 }), (error: Document) => error.code === 66);
    await assert.rejects(c.updateOne({ _id: 1 }, { $set: { _id: 2 } }), (error: Document) => error.code === 66);
    assert.deepEqual(await c.findOne({ _id: 1 }), { _id: 1, c: 3 });
  });

  it('updates many with multi and counts matched vs modified', async () => {
    const c = await seeded([
      { _id: 1, g: 'x', v: 0 },
      { _id: 2, g: 'x', v: 1 },
      { _id: 3, g: 'y', v: 0 },
    ]);
    const result = await c.updateMany({ g: 'x' }, { $set: { v: 1 } });
    assert.equal(result.matchedCount, 2);
    assert.equal(result.modifiedCount, 1);
    assert.deepEqual((await c.find({ v: 1 }).toArray()).map((doc) => doc._id), [1, 2]);
    const single = await c.updateOne({ v: 0 }, { $set: { v: 5 } });
    assert.equal(single.matchedCount, 1);
  });

  it('upserts: seeds from the filter equalities (incl. $eq and $and), applies $setOnInsert, reports upserted ids', async () => {
    const c = await seeded();
    const inserted = await c.updateOne(
      { tenant: 't1', 'who.id': 7, $and: [{ kind: { $eq: 'sms' } }], count: { $lt: 5 } },
      { $inc: { count: 1 }, $setOnInsert: { createdAt: 'now' } },
      { upsert: true },
    );
    assert.equal(inserted.upsertedCount, 1);
    assert.ok((inserted.upsertedId as unknown) instanceof ObjectId);
    const doc = await c.findOne({ tenant: 't1' });
    assert.deepEqual(doc, { _id: inserted.upsertedId, tenant: 't1', who: { id: 7 }, kind: 'sms', count: 1, createdAt: 'now' });
    const again = await c.updateOne({ tenant: 't1', 'who.id': 7 }, { $inc: { count: 1 }, $setOnInsert: { createdAt: 'later' } }, { upsert: true });
    assert.equal(again.upsertedCount, 0);
    assert.equal(again.matchedCount, 1);
    assert.equal((await c.findOne({ tenant: 't1' }))!.createdAt, 'now');

    const withId = await c.updateOne({ _id: 'fixed' }, { $set: { v: 1 } }, { upsert: true });
    assert.equal(withId.upsertedId, 'fixed');
    const replaced = await c.replaceOne({ _id: 'r', ignored: 1 }, { v: 2 }, { upsert: true });
    assert.equal(replaced.upsertedId, 'r');
    assert.deepEqual(await c.findOne({ _id: 'r' }), { _id: 'r', v: 2 });

    const bulk = await c.bulkWrite([
      { updateOne: { filter: { _id: 'b1' }, update: { $set: { v: 1 } }, upsert: true } },
      { updateOne: { filter: { _id: 'fixed' }, update: { $set: { v: 2 } }, upsert: true } },
      { updateOne: { filter: { _id: 'b2' }, update: { $set: { v: 1 } }, upsert: true } },
    ]);
    assert.equal(bulk.upsertedCount, 2);
    assert.deepEqual(bulk.upsertedIds, { 0: 'b1', 2: 'b2' });
    assert.equal(bulk.matchedCount, 1);
  });

  it('findOneAndUpdate returns the document before or after, honours sort, projection and upsert', async () => {
    const c = await seeded([
      { _id: 1, q: 'a', rank: 2, n: 0, secret: 's' },
      { _id: 2, q: 'a', rank: 1, n: 0, secret: 's' },
    ]);
    const before = await c.findOneAndUpdate({ q: 'a' }, { $inc: { n: 1 } }, { sort: { rank: 1 } });
    assert.deepEqual(before, { _id: 2, q: 'a', rank: 1, n: 0, secret: 's' });
    const after = await c.findOneAndUpdate({ q: 'a' }, { $inc: { n: 1 } }, { sort: { rank: -1 }, returnDocument: 'after', projection: { secret: 0 } });
    assert.deepEqual(after, { _id: 1, q: 'a', rank: 2, n: 1 });
    assert.equal(await c.findOneAndUpdate({ q: 'none' }, { $inc: { n: 1 } }), null);

    const upserted = await c.findOneAndUpdate({ q: 'new' }, { $set: { n: 9 } }, { upsert: true, returnDocument: 'after' });
    assert.equal(upserted!.q, 'new');
    assert.equal(upserted!.n, 9);
    const upsertedBefore = await c.findOneAndUpdate({ q: 'newer' }, { $set: { n: 9 } }, { upsert: true });
    assert.equal(upsertedBefore, null);

    const raw = await c.findOneAndUpdate({ q: 'newest' }, { $set: { n: 1 } }, { upsert: true, includeResultMetadata: true });
    assert.equal(raw.ok, 1);
    assert.equal(raw.value, null);
    assert.equal(raw.lastErrorObject?.n, 1);
    assert.equal(raw.lastErrorObject?.updatedExisting, false);
    assert.ok(raw.lastErrorObject?.upserted instanceof ObjectId);
    const existing = await c.findOneAndUpdate({ q: 'newest' }, { $set: { n: 2 } }, { includeResultMetadata: true });
    assert.deepEqual(existing.lastErrorObject, { n: 1, updatedExisting: true });
  });

  it('findOneAndReplace and findOneAndDelete', async () => {
    const c = await seeded([
      { _id: 1, v: 'old', order: 2 },
      { _id: 2, v: 'other', order: 1 },
    ]);
    const replacedBefore = await c.findOneAndReplace({ _id: 1 }, { v: 'new' });
    assert.deepEqual(replacedBefore, { _id: 1, v: 'old', order: 2 });
    assert.deepEqual(await c.findOne({ _id: 1 }), { _id: 1, v: 'new' });
    const replacedAfter = await c.findOneAndReplace({ _id: 3 }, { v: 'upserted' }, { upsert: true, returnDocument: 'after' });
    assert.deepEqual(replacedAfter, { _id: 3, v: 'upserted' });

    const deleted = await c.findOneAndDelete({}, { sort: { _id: -1 }, projection: { _id: 1 } });
    assert.deepEqual(deleted, { _id: 3 });
    assert.equal(await c.findOneAndDelete({ _id: 99 }), null);
    assert.equal(await c.countDocuments(), 2);
  });

  it('pipeline updates judge a code and count a failure in one findOneAndUpdate ($cond, $eq, $add, $$NOW)', async () => {
    const c = await seeded([{ _id: 1, codeHash: 'h1', failedAttempts: 0, status: 'pending' }]);
    const verify = (hash: string) => {
      const right = { $eq: ['$codeHash', hash] };
      return c.findOneAndUpdate(
        { _id: 1, status: 'pending', failedAttempts: { $lt: 5 } },
        [
          {
            $set: {
              failedAttempts: { $cond: [right, '$failedAttempts', { $add: ['$failedAttempts', 1] }] },
              status: { $cond: { if: right, then: 'verified', else: '$status' } },
              verifiedAt: { $cond: [right, '$$NOW', '$$REMOVE'] },
            },
          },
        ],
        { returnDocument: 'after' },
      );
    };
    const wrong = await verify('nope');
    assert.deepEqual(wrong, { _id: 1, codeHash: 'h1', failedAttempts: 1, status: 'pending' });
    const right = await verify('h1');
    assert.equal(right!.status, 'verified');
    assert.equal(right!.failedAttempts, 1);
    assert.ok(right!.verifiedAt instanceof Date);
    assert.equal(await verify('h1'), null, 'a verified challenge no longer matches');
  });

  it('pipeline updates: $set/$addFields, $unset, $project, $replaceWith, upsert, and the expression operators', async () => {
    const c = await seeded([{ _id: 1, a: 2, b: 3, sub: { x: 1 }, tags: ['p', 'q'], name: 'n' }]);
    const result = await c.updateOne({ _id: 1 }, [
      {
        $set: {
          sum: { $add: ['$a', '$b', 1] },
          diff: { $subtract: ['$b', '$a'] },
          both: { $and: [{ $gt: ['$b', '$a'] }, { $lte: ['$a', 2] }, { $not: [{ $ne: ['$a', 2] }] }] },
          either: { $or: [{ $lt: ['$b', 0] }, { $gte: ['$b', 3] }] },
          fallback: { $ifNull: ['$missing', 'dflt'] },
          high: { $max: ['$a', '$b', null] },
          low: { $min: ['$a', '$b'] },
          label: { $concat: ['$name', '-', { $toString: '$a' }] },
          member: { $in: ['q', '$tags'] },
          count: { $size: '$tags' },
          merged: { $mergeObjects: ['$sub', { y: 2 }] },
          literal: { $literal: '$notAPath' },
          'sub.z': 9,
        },
      },
      { $unset: ['name'] },
      { $addFields: { root: '$$ROOT.a' } },
    ]);
    assert.equal(result.modifiedCount, 1);
    assert.deepEqual(await c.findOne({ _id: 1 }), {
      _id: 1, a: 2, b: 3, sub: { x: 1, z: 9 }, tags: ['p', 'q'],
      sum: 6, diff: 1, both: true, either: true, fallback: 'dflt', high: 3, low: 2, label: 'n-2', member: true, count: 2,
      merged: { x: 1, y: 2 }, literal: '$notAPath', root: 2,
    });
    assert.equal((await c.updateOne({ _id: 1 }, [{ $set: { a: '$a' } }])).modifiedCount, 0, 'the same value modifies nothing');
    await c.updateOne({ _id: 1 }, [{ $project: { a: 1, total: { $add: ['$a', '$b'] } } }]);
    assert.deepEqual(await c.findOne({ _id: 1 }), { _id: 1, a: 2, total: 5 });
    await c.updateOne({ _id: 1 }, [{ $replaceWith: { kept: '$a' } }]);
    assert.deepEqual(await c.findOne({ _id: 1 }), { _id: 1, kept: 2 }, '$replaceWith keeps _id');
    const upsert = await c.updateOne({ _id: 2 }, [{ $set: { n: { $add: [{ $ifNull: ['$n', 0] }, 1] } } }], { upsert: true });
    assert.equal(upsert.upsertedId, 2);
    assert.deepEqual(await c.findOne({ _id: 2 }), { _id: 2, n: 1 });
    await assert.rejects(c.updateOne({ _id: 1 }, [{ $set: { _id: 5 } }]), (error: Document) => error.code === 66);
    await assert.rejects(c.updateOne({ _id: 1 }, [{ $set: { x: { $frobnicate: 1 } } }]), (error: Document) => error.code === 168);
    await assert.rejects(c.updateOne({ _id: 1 }, [{ $match: {} }]), (error: Document) => error.code === 72);
    assert.deepEqual(await c.findOne({ _id: 1 }), { _id: 1, kept: 2 }, 'refused updates changed nothing');
  });

  it('rejects malformed updates without changing anything', async () => {
    const c = await seeded([{ _id: 1, a: 1 }]);
    await assert.rejects(context.db.command({ update: c.collectionName, updates: [{ q: { _id: 1 }, u: { $bogus: { a: 1 } } }] }).then((reply) => {
      if (reply.writeErrors) throw Object.assign(new Error(reply.writeErrors[0].errmsg), reply.writeErrors[0]);
    }), (error: Document) => error.code === 9);
    await assert.rejects(c.updateOne({ _id: 1 }, { $set: { a: 2 }, $inc: { a: 1 } }), (error: Document) => error.code === 40);
    await assert.rejects(
      context.db.command({ findAndModify: c.collectionName, query: { _id: 1 }, update: { $set: { a: 2 } }, remove: true }),
      (error: Document) => typeof error.code === 'number',
    );
    assert.deepEqual(await c.findOne({ _id: 1 }), { _id: 1, a: 1 });
  });
});
