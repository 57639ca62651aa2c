import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Double, Long, MongoBulkWriteError, ObjectId } from 'mongodb';
import type { CommandStartedEvent, Document } from 'mongodb';
import { describeStoreContract, expectServerError as expectError } from './harness.ts';

describeStoreContract(import.meta.url, (context) => {
  it('inserts documents, generates ObjectId _ids and keeps _id first', async () => {
    const people = context.db.collection('people');
    const one = await people.insertOne({ name: 'Ada', age: 36 });
    assert.ok(one.insertedId instanceof ObjectId);
    // A document whose _id is not first is stored with _id first.
    await context.db.command({ insert: 'people', documents: [{ name: 'Grace', _id: 'g' }] });
    const grace = await people.findOne({ _id: 'g' as unknown as ObjectId });
    assert.deepEqual(Object.keys(grace!), ['_id', 'name']);
    const ada = await people.findOne({ _id: one.insertedId });
    assert.deepEqual(ada, { _id: one.insertedId, name: 'Ada', age: 36 });
  });

  it('stores copies: changing a returned document changes nothing stored', async () => {
    const items = context.db.collection('copies');
    await items.insertOne({ _id: 1 as unknown as ObjectId, tags: ['a'], nested: { n: 1 } });
    const first = await items.findOne({});
    first!.tags.push('mutated');
    first!.nested.n = 99;
    assert.deepEqual(await items.findOne({}), { _id: 1, tags: ['a'], nested: { n: 1 } });
    // An upserted document and the filter value it came from do not share arrays.
    await items.updateOne({ _id: 2 as unknown as ObjectId, list: { $eq: [1] } }, { $push: { list: 2 } } as Document, { upsert: true });
    await items.updateOne({ _id: 3 as unknown as ObjectId, list: { $eq: [1] } }, { $set: { x: 1 } }, { upsert: true });
    assert.deepEqual((await items.findOne({ _id: 2 as unknown as ObjectId }))!.list, [1, 2]);
    assert.deepEqual((await items.findOne({ _id: 3 as unknown as ObjectId }))!.list, [1]);
  });

  it('rejects a duplicate _id with 11000 and keeps the first document', async () => {
    const items = context.db.collection('dupIds');
    await items.insertOne({ _id: 'x' as unknown as ObjectId, v: 1 });
    await assert.rejects(items.insertOne({ _id: 'x' as unknown as ObjectId, v: 2 }), (error: Document) => {
      assert.equal(error.code, 11000);
      assert.match(error.message, /E11000 duplicate key error collection: \S+\.dupIds index: _id_ dup key: \{ _id: "x" \}/);
      return true;
    });
    assert.equal((await items.findOne({ _id: 'x' as unknown as ObjectId }))!.v, 1);
  });

  it('ordered insertMany stops at the first error, unordered continues; writeErrors carry the index', async () => {
    const ordered = context.db.collection('orderedInsert');
    const error = await ordered
      .insertMany([{ _id: 1 }, { _id: 2 }, { _id: 1 }, { _id: 3 }] as unknown as Document[])
      .then(() => undefined, (caught: unknown) => caught);
    assert.ok(error instanceof MongoBulkWriteError);
    assert.equal(error.writeErrors instanceof Array ? error.writeErrors[0].index : (error.writeErrors as unknown as { index: number }).index, 2);
    assert.equal(error.result.insertedCount, 2);
    assert.equal(await ordered.countDocuments(), 2);

    const unordered = context.db.collection('unorderedInsert');
    const unorderedError = await unordered
      .insertMany([{ _id: 1 }, { _id: 1 }, { _id: 2 }, { _id: 2 }, { _id: 3 }] as unknown as Document[], { ordered: false })
      .then(() => undefined, (caught: unknown) => caught);
    assert.ok(unorderedError instanceof MongoBulkWriteError);
    const indexes = (Array.isArray(unorderedError.writeErrors) ? unorderedError.writeErrors : [unorderedError.writeErrors]).map((w) => w.index);
    assert.deepEqual(indexes, [1, 3]);
    assert.equal(await unordered.countDocuments(), 3);
  });

  it('finds with sort, skip, limit and projections', async () => {
    const scores = context.db.collection('scores');
    await scores.insertMany(
      [5, 3, 9, 1, 7].map((score, i) => ({ _id: i, score, name: `p${i}`, meta: { a: i, b: 10 * i }, secret: 's' })) as unknown as Document[],
    );
    const sorted = await scores.find({}, { sort: { score: -1 }, skip: 1, limit: 3 }).toArray();
    assert.deepEqual(sorted.map((doc) => doc.score), [7, 5, 3]);

    const included = await scores.find({ _id: 0 as unknown as ObjectId }, { projection: { score: 1, 'meta.b': 1 } }).toArray();
    assert.deepEqual(included, [{ _id: 0, score: 5, meta: { b: 0 } }]);
    const withoutId = await scores.findOne({ _id: 1 as unknown as ObjectId }, { projection: { _id: 0, name: 1 } });
    assert.deepEqual(withoutId, { name: 'p1' });
    const excluded = await scores.findOne({ _id: 2 as unknown as ObjectId }, { projection: { secret: 0, 'meta.a': 0 } });
    assert.deepEqual(excluded, { _id: 2, score: 9, name: 'p2', meta: { b: 20 } });
    const onlyIdExcluded = await scores.findOne({ _id: 3 as unknown as ObjectId }, { projection: { _id: 0 } });
    assert.deepEqual(Object.keys(onlyIdExcluded!), ['score', 'name', 'meta', 'secret']);
    await assert.rejects(scores.findOne({}, { projection: { score: 1, secret: 0 } }), (error: Document) => {
      assert.ok(typeof error.code === 'number');
      return true;
    });
    const compound = await scores
      .find({})
      .sort({ secret: 1, score: 1 })
      .map((doc) => doc._id)
      .toArray();
    assert.deepEqual(compound, [3, 1, 0, 4, 2]);
  });

  it('selects the first documents of a sort with skip and limit exactly as a full sort', async () => {
    const random = context.db.collection('randomOrder');
    let seed = 7;
    const next = (): number => (seed = (seed * 48271) % 2147483647) % 50;
    const docs = Array.from({ length: 300 }, (_, i) => ({ _id: i, a: next(), b: next() }));
    await random.insertMany(docs as unknown as Document[]);
    const expected = [...docs].sort((x, y) => x.a - y.a || y.b - x.b || x._id - y._id);
    for (const [skip, limit] of [[0, 1], [3, 7], [0, 299], [290, 50]]) {
      const found = await random.find({}, { sort: { a: 1, b: -1, _id: 1 }, skip, limit }).toArray();
      assert.deepEqual(found.map((doc) => doc._id), expected.slice(skip, skip + limit).map((doc) => doc._id), `skip ${skip} limit ${limit}`);
    }
    const first = await random.findOneAndUpdate({ a: { $gte: 10 } }, { $set: { picked: true } }, { sort: { b: -1, _id: -1 } });
    const expectedFirst = docs.filter((doc) => doc.a >= 10).sort((x, y) => y.b - x.b || y._id - x._id)[0];
    assert.equal(first!._id, expectedFirst._id);
  });

  it('walks a cursor across batches with getMore and closes it with killCursors', async () => {
    const many = context.db.collection('many');
    await many.insertMany(Array.from({ length: 250 }, (_, i) => ({ _id: i, i })) as unknown as Document[]);
    const monitored = await context.newClient({ monitorCommands: true });
    const commands: string[] = [];
    monitored.on('commandStarted', (event: CommandStartedEvent) => commands.push(event.commandName));
    const collection = monitored.db(context.db.databaseName).collection('many');

    const all = await collection.find({}, { batchSize: 100 }).sort({ i: 1 }).toArray();
    assert.equal(all.length, 250);
    assert.deepEqual(all.map((doc) => doc.i), Array.from({ length: 250 }, (_, i) => i));
    assert.deepEqual(commands.filter((name) => name === 'find' || name === 'getMore'), ['find', 'getMore', 'getMore']);

    commands.length = 0;
    const cursor = collection.find({}, { batchSize: 10 });
    assert.equal((await cursor.next())!.i, 0);
    await cursor.close();
    assert.ok(commands.includes('killCursors'));

    const limited = await collection.find({}, { batchSize: 7, limit: 20 }).toArray();
    assert.equal(limited.length, 20);
    assert.equal((await collection.findOne({ i: 249 }))!._id, 249);
  });

  it('answers getMore for an unknown cursor with CursorNotFound (43)', async () => {
    await assert.rejects(
      context.db.command({ getMore: 123456789n as unknown as number, collection: 'many' }),
      (error: Document) => error.code === 43,
    );
  });

  it('counts: countDocuments (aggregate), estimatedDocumentCount (count) and count with skip/limit', async () => {
    const counted = context.db.collection('counted');
    await counted.insertMany(Array.from({ length: 30 }, (_, i) => ({ i, even: i % 2 === 0 })));
    assert.equal(await counted.countDocuments(), 30);
    assert.equal(await counted.countDocuments({ even: true }), 15);
    assert.equal(await counted.countDocuments({ even: true }, { skip: 5, limit: 4 }), 4);
    assert.equal(await counted.countDocuments({ nothing: 1 }), 0);
    assert.equal(await counted.estimatedDocumentCount(), 30);
    const reply = await context.db.command({ count: 'counted', query: { i: { $gte: 10 } }, skip: 5 });
    assert.equal(reply.n, 15);
    assert.equal(await context.db.collection('neverCreated').countDocuments(), 0);
  });

  it('distinct flattens arrays and de-duplicates across numeric types', async () => {
    const tagged = context.db.collection('tagged');
    await tagged.insertMany([
      { tags: ['a', 'b'], n: 1 },
      { tags: 'b', n: Long.fromNumber(1) },
      { tags: ['c'], n: new Double(2) },
      { tags: [], n: 2 },
      { other: true },
    ]);
    assert.deepEqual((await tagged.distinct('tags')).sort(), ['a', 'b', 'c']);
    assert.deepEqual((await tagged.distinct('n')).sort(), [1, 2]);
    assert.deepEqual(await tagged.distinct('tags', { n: 2 }), ['c']);
  });

  it('aggregates with $match $group ($sum) $sort $limit $skip $project $addFields', async () => {
    const sales = context.db.collection('sales');
    await sales.insertMany([
      { shop: 'a', amount: 5, item: 'x' },
      { shop: 'b', amount: 7, item: 'y' },
      { shop: 'a', amount: 3, item: 'z' },
      { shop: 'c', amount: 1, item: 'x' },
      { shop: 'a', amount: 10, item: 'y' },
    ]);
    const grouped = await sales
      .aggregate([
        { $match: { amount: { $gte: 2 } } },
        { $group: { _id: '$shop', total: { $sum: '$amount' }, count: { $sum: 1 } } },
        { $sort: { total: -1 } },
      ])
      .toArray();
    assert.deepEqual(grouped, [
      { _id: 'a', total: 18, count: 3 },
      { _id: 'b', total: 7, count: 1 },
    ]);
    const overall = await sales.aggregate([{ $group: { _id: null, total: { $sum: '$amount' } } }]).toArray();
    assert.deepEqual(overall, [{ _id: null, total: 26 }]);
    const paged = await sales
      .aggregate([{ $sort: { amount: 1 } }, { $skip: 1 }, { $limit: 2 }, { $project: { _id: 0, amount: 1 } }])
      .toArray();
    assert.deepEqual(paged, [{ amount: 3 }, { amount: 5 }]);
    const computed = await sales
      .aggregate([{ $match: { shop: 'b' } }, { $project: { _id: 0, shop: 1, value: '$amount' } }, { $addFields: { double: { $add: ['$value', '$value'] } } }])
      .toArray();
    assert.deepEqual(computed, [{ shop: 'b', value: 7, double: 14 }]);
    // The exact pipeline countDocuments sends.
    const counted = await sales.aggregate([{ $match: { shop: 'a' } }, { $group: { _id: 1, n: { $sum: 1 } } }]).toArray();
    assert.deepEqual(counted, [{ _id: 1, n: 3 }]);
    const manyBatches = await sales.aggregate([{ $sort: { amount: -1 } }], { batchSize: 2 }).toArray();
    assert.deepEqual(manyBatches.map((doc) => doc.amount), [10, 7, 5, 3, 1]);
  });

  it('deletes one or many', async () => {
    const doomed = context.db.collection('doomed');
    await doomed.insertMany(Array.from({ length: 6 }, (_, i) => ({ i, group: i < 4 ? 'x' : 'y' })));
    assert.equal((await doomed.deleteOne({ group: 'x' })).deletedCount, 1);
    assert.equal((await doomed.deleteMany({ group: 'x' })).deletedCount, 3);
    assert.equal((await doomed.deleteMany({ group: 'nope' })).deletedCount, 0);
    assert.deepEqual((await doomed.find({}).toArray()).map((doc) => doc.i), [4, 5]);
    assert.equal((await context.db.collection('neverCreated').deleteMany({})).deletedCount, 0);
  });

  it('creates, lists and drops collections and databases', async () => {
    await context.db.createCollection('explicit');
    await assert.rejects(
      context.db.command({ create: 'explicit' }),
      (error: Document) => error.code === 48 && error.codeName === 'NamespaceExists',
    );
    const names = (await context.db.listCollections({}, { nameOnly: true }).toArray()).map((info) => info.name);
    assert.ok(names.includes('explicit'));
    assert.ok(names.includes('people'));
    const filtered = await context.db.listCollections({ name: 'explicit' }).toArray();
    assert.equal(filtered.length, 1);
    assert.equal(filtered[0].type, 'collection');
    assert.equal(await context.db.collection('explicit').drop(), true);
    assert.ok(!(await context.db.listCollections({ name: 'explicit' }).toArray()).length);

    const renamed = context.db.collection('toRename');
    await renamed.createIndex({ k: 1 }, { unique: true });
    await renamed.insertOne({ k: 1 });
    const target = await renamed.rename('renamedTarget');
    assert.equal(await target.countDocuments({ k: 1 }), 1);
    assert.equal(await context.db.collection('toRename').countDocuments(), 0);
    assert.equal((await expectError(() => target.insertOne({ k: 1 }))).code, 11000, 'indexes moved with the collection');
    await context.db.collection('blocker').insertOne({});
    assert.equal((await expectError(() => target.rename('blocker'))).code, 48);

    const scratch = context.client.db(`${context.db.databaseName}_x`);
    await scratch.collection('c').insertOne({ a: 1 });
    const databases = await context.client.db('admin').admin().listDatabases();
    assert.ok(databases.databases.some((info) => info.name === scratch.databaseName));
    await scratch.dropDatabase();
    assert.equal(await scratch.collection('c').countDocuments(), 0);
    assert.deepEqual(await context.db.command({ ping: 1 }), { ok: 1 });
  });
});
