import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import { Binary, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp } from 'mongodb';
import type { Collection, Document, Filter } from 'mongodb';
import { describeStoreContract } from './harness.ts';

describeStoreContract(import.meta.url, (context) => {
  let docs: Collection<Document>;
  const oid = new ObjectId('65f000000000000000000001');

  before(async () => {
    docs = context.db.collection('docs');
    await docs.insertMany([
      { _id: 1, n: 1, s: 'apple', tags: ['red', 'fruit'], sizes: [1, 5, 10], nested: { x: 1, y: { z: 'deep' } }, when: new Date('2024-01-01T00:00:00Z') },
      { _id: 2, n: 2.5, s: 'banana', tags: ['yellow', 'fruit'], sizes: [2], nested: { x: 2 }, when: new Date('2024-06-01T00:00:00Z') },
      { _id: 3, n: Long.fromNumber(3), s: 'cherry', tags: [], items: [{ sku: 'a', qty: 1 }, { sku: 'b', qty: 7 }], ref: oid },
      { _id: 4, n: null, s: 'Date', tags: ['red'], items: [{ sku: 'a', qty: 9 }], bin: new Binary(Buffer.from([1, 2, 3])) },
      { _id: 5, s: 'elder', pair: [1, 2], matrix: [[1, 2], [3]], flag: true },
      { _id: 6, n: '7', s: 'fig', flag: false, items: [{ sku: 'c', qty: 2 }] },
    ] as unknown as Document[]);
  });

  async function ids(filter: Filter<Document>): Promise<number[]> {
    return (await docs.find(filter, { sort: { _id: 1 } }).toArray()).map((doc) => doc._id as unknown as number);
  }

  it('compares with $eq $ne $gt $gte $lt $lte, bracketing by type', async () => {
    assert.deepEqual(await ids({ n: 1 }), [1]);
    assert.deepEqual(await ids({ n: { $eq: 3 } }), [3]); // a Long equals a double
    assert.deepEqual(await ids({ n: { $gt: 1 } }), [2, 3]); // the string '7' is not a number
    assert.deepEqual(await ids({ n: { $gte: 2.5, $lt: 3 } }), [2]);
    assert.deepEqual(await ids({ n: { $lte: 2.5 } }), [1, 2]);
    assert.deepEqual(await ids({ n: { $gt: '1' } }), [6]);
    assert.deepEqual(await ids({ n: { $ne: 1 } }), [2, 3, 4, 5, 6]);
    assert.deepEqual(await ids({ s: { $gte: 'b', $lt: 'd' } }), [2, 3]); // 'Date' < 'b' (byte order)
  });

  it('treats null as null-or-missing, and $exists as presence', async () => {
    assert.deepEqual(await ids({ n: null }), [4, 5]);
    assert.deepEqual(await ids({ n: { $ne: null } }), [1, 2, 3, 6]);
    assert.deepEqual(await ids({ n: { $exists: true } }), [1, 2, 3, 4, 6]);
    assert.deepEqual(await ids({ n: { $exists: false } }), [5]);
    assert.deepEqual(await ids({ n: { $gte: null } }), [4, 5]);
    assert.deepEqual(await ids({ 'nested.y.z': { $exists: true } }), [1]);
  });

  it('matches $in and $nin, including null and regexes', async () => {
    assert.deepEqual(await ids({ n: { $in: [1, 3, 'x'] } }), [1, 3]);
    assert.deepEqual(await ids({ n: { $in: [null] } }), [4, 5]);
    assert.deepEqual(await ids({ s: { $in: [/^b/, 'fig'] } }), [2, 6]);
    assert.deepEqual(await ids({ tags: { $in: ['red'] } }), [1, 4]);
    assert.deepEqual(await ids({ tags: { $nin: ['red', 'yellow'] } }), [3, 5, 6]);
    assert.deepEqual(await ids({ _id: { $in: [] } }), []);
  });

  it('combines with $and $or $nor $not', async () => {
    assert.deepEqual(await ids({ $or: [{ n: 1 }, { s: 'fig' }] }), [1, 6]);
    assert.deepEqual(await ids({ $and: [{ tags: 'fruit' }, { n: { $gt: 2 } }] }), [2]);
    assert.deepEqual(await ids({ $nor: [{ tags: 'red' }, { n: { $exists: false } }] }), [2, 3, 6]);
    assert.deepEqual(await ids({ n: { $not: { $gt: 1 } } }), [1, 4, 5, 6]);
    assert.deepEqual(await ids({ s: { $not: /a/ } }), [3, 5, 6]);
  });

  it('applies MongoDB array semantics: any element, exact array equality, $size, $elemMatch, $all', async () => {
    assert.deepEqual(await ids({ tags: 'fruit' }), [1, 2]);
    assert.deepEqual(await ids({ tags: ['red'] }), [4]); // exact array equality
    assert.deepEqual(await ids({ tags: ['fruit', 'red'] }), []); // order matters
    assert.deepEqual(await ids({ tags: [] }), [3]);
    assert.deepEqual(await ids({ sizes: { $gt: 6 } }), [1]);
    assert.deepEqual(await ids({ sizes: { $gt: 3, $lt: 4 } }), [1]); // different elements may satisfy each bound
    assert.deepEqual(await ids({ sizes: { $elemMatch: { $gt: 3, $lt: 4 } } }), []); // one element must satisfy both
    assert.deepEqual(await ids({ sizes: { $elemMatch: { $gt: 4, $lt: 6 } } }), [1]);
    assert.deepEqual(await ids({ tags: { $size: 2 } }), [1, 2]);
    assert.deepEqual(await ids({ tags: { $size: 0 } }), [3]);
    assert.deepEqual(await ids({ tags: { $all: ['red', 'fruit'] } }), [1]);
    assert.deepEqual(await ids({ matrix: [1, 2] }), [5]); // an element equal to the array
    assert.deepEqual(await ids({ pair: 2 }), [5]);
  });

  it('follows dotted paths into sub-documents and arrays of sub-documents', async () => {
    assert.deepEqual(await ids({ 'nested.x': 2 }), [2]);
    assert.deepEqual(await ids({ 'nested.y.z': 'deep' }), [1]);
    assert.deepEqual(await ids({ nested: { x: 2 } }), [2]); // whole sub-document equality
    assert.deepEqual(await ids({ nested: { x: 1 } }), []); // field-for-field, not a subset
    assert.deepEqual(await ids({ 'items.sku': 'a' }), [3, 4]);
    assert.deepEqual(await ids({ 'items.qty': { $gt: 8 } }), [4]);
    assert.deepEqual(await ids({ 'items.0.qty': 1 }), [3]);
    assert.deepEqual(await ids({ 'sizes.1': 5 }), [1]);
    // Different elements may satisfy the two conditions without $elemMatch…
    assert.deepEqual(await ids({ 'items.sku': 'a', 'items.qty': 7 }), [3]);
    // …but not with it.
    assert.deepEqual(await ids({ items: { $elemMatch: { sku: 'a', qty: 7 } } }), []);
    assert.deepEqual(await ids({ items: { $elemMatch: { sku: 'a', qty: { $gte: 9 } } } }), [4]);
  });

  it('matches by BSON type with $type', async () => {
    assert.deepEqual(await ids({ n: { $type: 'string' } }), [6]);
    assert.deepEqual(await ids({ n: { $type: 'number' } }), [1, 2, 3]);
    assert.deepEqual(await ids({ n: { $type: 'long' } }), [3]);
    assert.deepEqual(await ids({ n: { $type: 'double' } }), [2]);
    assert.deepEqual(await ids({ n: { $type: 'null' } }), [4]);
    assert.deepEqual(await ids({ tags: { $type: 'array' } }), [1, 2, 3, 4]);
    assert.deepEqual(await ids({ flag: { $type: 8 } }), [5, 6]);
    assert.deepEqual(await ids({ when: { $type: 'date' } }), [1, 2]);
  });

  it('compares Dates, ObjectIds, Binary and booleans', async () => {
    assert.deepEqual(await ids({ when: { $gt: new Date('2024-03-01T00:00:00Z') } }), [2]);
    assert.deepEqual(await ids({ when: new Date('2024-01-01T00:00:00Z') }), [1]);
    assert.deepEqual(await ids({ ref: new ObjectId(oid.toHexString()) }), [3]);
    assert.deepEqual(await ids({ ref: { $gt: new ObjectId('65f000000000000000000000') } }), [3]);
    assert.deepEqual(await ids({ bin: new Binary(Buffer.from([1, 2, 3])) }), [4]);
    assert.deepEqual(await ids({ bin: new Binary(Buffer.from([1, 2, 4])) }), []);
    assert.deepEqual(await ids({ flag: false }), [6]);
    assert.deepEqual(await ids({ flag: { $gt: false } }), [5]);
  });

  it('matches regular expressions, as values and with $regex/$options', async () => {
    assert.deepEqual(await ids({ s: /an/ }), [2]);
    assert.deepEqual(await ids({ s: /^d/i }), [4]);
    assert.deepEqual(await ids({ s: { $regex: '^D' } }), [4]);
    assert.deepEqual(await ids({ s: { $regex: '^d', $options: 'i' } }), [4]);
    assert.deepEqual(await ids({ tags: /^yel/ }), [2]);
  });

  it('sorts across types in BSON order, numbers numerically, arrays by their extreme element', async () => {
    const mixed = context.db.collection('mixed');
    const values: [string, unknown][] = [
      ['maxKey', new MaxKey()],
      ['regex', /x/],
      ['timestamp', new Timestamp({ t: 1, i: 1 })],
      ['date', new Date(0)],
      ['true', true],
      ['false', false],
      ['objectId', new ObjectId('65f000000000000000000002')],
      ['binary', new Binary(Buffer.from([0]))],
      ['array', [[]]],
      ['object', { a: 1 }],
      ['string', 'text'],
      ['long', Long.fromNumber(10)],
      ['double', new Double(2.5)],
      ['int', new Int32(-3)],
      ['decimal', Decimal128.fromString('4')],
      ['null', null],
      ['minKey', new MinKey()],
    ];
    await mixed.insertMany(values.map(([label, v]) => ({ label, v })));
    await mixed.insertOne({ label: 'missing' });
    const ascending = (await mixed.find({}, { sort: { v: 1, label: 1 } }).toArray()).map((doc) => doc.label);
    // Missing sorts like null: the label breaks the tie.
    assert.deepEqual(ascending, [
      'minKey',
      'missing',
      'null',
      'int',
      'double',
      'decimal',
      'long',
      'string',
      'object',
      'array',
      'binary',
      'objectId',
      'false',
      'true',
      'date',
      'timestamp',
      'regex',
      'maxKey',
    ]);
    assert.deepEqual(
      (await mixed.find({ v: { $gt: new MinKey() } }, { sort: { v: -1 }, limit: 2 }).toArray()).map((doc) => doc.label),
      ['maxKey', 'regex'],
    );

    const arrays = context.db.collection('arraySort');
    await arrays.insertMany([
      { _id: 'a', v: [3, 9] },
      { _id: 'b', v: [5] },
      { _id: 'c', v: 1 },
    ] as unknown as Document[]);
    assert.deepEqual((await arrays.find({}, { sort: { v: 1 } }).toArray()).map((doc) => doc._id), ['c', 'a', 'b']);
    assert.deepEqual((await arrays.find({}, { sort: { v: -1 } }).toArray()).map((doc) => doc._id), ['a', 'b', 'c']);
  });

  it('rejects unknown operators with BadValue (2)', async () => {
    await assert.rejects(docs.findOne({ n: { $bogus: 1 } } as Filter<Document>), (error: Document) => error.code === 2);
    await assert.rejects(docs.findOne({ $bogus: 1 } as Filter<Document>), (error: Document) => error.code === 2);
    await assert.rejects(docs.findOne({ $or: [] }), (error: Document) => error.code === 2);
  });
});
