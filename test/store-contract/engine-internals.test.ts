/**
 * White-box checks of the embedded engine that the driver cannot observe directly: that
 * equality lookups use indexes instead of scanning, and the value order/encoding underneath.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { Double, Int32, Long, MongoClient, ObjectId } from 'mongodb';
import type { Document } from 'mongodb';
import { Collection } from '../../server/embedded-mongo/collection.ts';
import { SecondaryIndex } from '../../server/embedded-mongo/indexes.ts';
import { compileFilter } from '../../server/embedded-mongo/matcher.ts';
import { compareValues, encodeKey } from '../../server/embedded-mongo/values.ts';
import { startEmbeddedMongo } from '../../server/embedded-mongo/index.ts';

console.log('store contract against: embedded engine (internals)');

/** Runs a query and reports how many stored documents the predicate had to look at. */
function examined(collection: Collection, filter: Document): { matched: number; examined: number } {
  const predicate = compileFilter(filter);
  let calls = 0;
  const matched = collection.find(filter, (doc) => {
    calls++;
    return predicate(doc);
  });
  return { matched: matched.length, examined: calls };
}

function populated(size: number): Collection {
  const collection = new Collection('db', 'c');
  collection.addIndex(new SecondaryIndex({ key: { tenant: 1, phone: 1, window: 1 }, name: 'compound', unique: true }));
  collection.addIndex(new SecondaryIndex({ key: { email: 1 }, name: 'email_1' }));
  for (let i = 0; i < size; i++) {
    collection.insert({ _id: i, tenant: `t${i % 10}`, phone: `+1${i % 100}`, window: i, email: `u${i}@x.test`, plain: i % 7 });
  }
  return collection;
}

describe('embedded engine internals', () => {
  const big = populated(10_000);

  it('answers _id equality (and $in) from the _id map without scanning', () => {
    assert.deepEqual(examined(big, { _id: 1234 }), { matched: 1, examined: 1 });
    assert.deepEqual(examined(big, { _id: 1234, plain: 99 }), { matched: 0, examined: 1 });
    assert.deepEqual(examined(big, { _id: { $in: [1, 2, 3, 10_000_000] } }), { matched: 3, examined: 3 });
    assert.deepEqual(examined(big, { _id: { $eq: 5 }, window: { $lt: 100 } }), { matched: 1, examined: 1 });
  });

  it('answers equality on an indexed field or a compound-index prefix without scanning', () => {
    assert.deepEqual(examined(big, { email: 'u77@x.test' }), { matched: 1, examined: 1 });
    assert.deepEqual(examined(big, { tenant: 't3', phone: '+133' }), { matched: 100, examined: 100 });
    assert.deepEqual(examined(big, { tenant: 't3', phone: '+133', window: 33 }), { matched: 1, examined: 1 });
    assert.deepEqual(examined(big, { $and: [{ tenant: 't3' }, { phone: '+133' }] }), { matched: 100, examined: 100 });
    // A non-prefix field cannot use the compound index: this one scans, which proves the counter counts.
    assert.deepEqual(examined(big, { phone: '+133' }), { matched: 100, examined: 10_000 });
    assert.deepEqual(examined(big, { plain: 3 }).examined, 10_000);
  });

  it('keeps index entries in step with replacements and deletions', () => {
    const collection = populated(100);
    const [entry] = collection.find({ _id: 5 }, compileFilter({ _id: 5 }));
    collection.replace(entry, { ...entry.doc, email: 'changed@x.test' });
    assert.deepEqual(examined(collection, { email: 'u5@x.test' }), { matched: 0, examined: 0 });
    assert.deepEqual(examined(collection, { email: 'changed@x.test' }), { matched: 1, examined: 1 });
    collection.delete(entry);
    assert.deepEqual(examined(collection, { email: 'changed@x.test' }), { matched: 0, examined: 0 });
    assert.equal(collection.size, 99);
  });

  it('encodes equal values of different numeric types alike and orders types as MongoDB', () => {
    const one = [1, new Int32(1), new Double(1), Long.fromNumber(1)].map(encodeKey);
    assert.equal(new Set(one).size, 1);
    assert.notEqual(encodeKey('1'), encodeKey(1));
    assert.notEqual(encodeKey({ a: 1, b: 2 }), encodeKey({ b: 2, a: 1 }));
    assert.equal(encodeKey(Long.fromString('9007199254740993')), encodeKey(Long.fromString('9007199254740993')));
    assert.notEqual(encodeKey(Long.fromString('9007199254740993')), encodeKey(Long.fromString('9007199254740992')));
    assert.ok(compareValues(Long.fromString('9007199254740993'), 9007199254740992) > 0);
    assert.ok(compareValues(null, 0) < 0);
    assert.ok(compareValues(1e9, 'a') < 0);
    assert.ok(compareValues('\uffff', '\u{10000}') < 0, 'strings compare by code point like UTF-8 bytes');
    assert.ok(compareValues(new ObjectId(), true) < 0);
    assert.ok(compareValues(true, new Date(0)) < 0);
    assert.equal(compareValues(Number.NaN, Number.NaN), 0);
    assert.ok(compareValues(Number.NaN, -Infinity) < 0);
  });

  it('TTL expiry removes only documents past their date', () => {
    const collection = new Collection('db', 'ttl');
    collection.addIndex(new SecondaryIndex({ key: { at: 1 }, name: 'at_1', expireAfterSeconds: 10 }));
    collection.insert({ _id: 'old', at: new Date(1_000) });
    collection.insert({ _id: 'new', at: new Date(50_000) });
    collection.insert({ _id: 'array', at: [new Date(60_000), new Date(2_000)] });
    assert.equal(collection.expire(20_000), 2);
    assert.deepEqual([...collection.entries.values()].map((entry) => entry.doc._id), ['new']);
  });

  it('TTL sweeps follow updates and touch only what is due', () => {
    const collection = new Collection('db', 'ttl-moves');
    collection.addIndex(new SecondaryIndex({ key: { at: 1 }, name: 'at_1', expireAfterSeconds: 0 }));
    assert.equal(collection.expire(0), 0, 'the first sweep builds the deadlines');
    collection.insert({ _id: 'moved-later', at: new Date(1_000) });
    collection.insert({ _id: 'moved-sooner', at: new Date(90_000) });
    collection.insert({ _id: 'stays', at: new Date(5_000) });
    const entry = (id: string) => collection.entries.get([...collection.entries.keys()].find((key) => collection.entries.get(key)!.doc._id === id)!)!;
    collection.replace(entry('moved-later'), { _id: 'moved-later', at: new Date(60_000) });
    collection.replace(entry('moved-sooner'), { _id: 'moved-sooner', at: new Date(2_000) });
    assert.equal(collection.expire(3_000), 1);
    assert.deepEqual([...collection.entries.values()].map((e) => e.doc._id).sort(), ['moved-later', 'stays']);
    assert.equal(collection.expire(10_000), 1);
    assert.equal(collection.expire(59_999), 0, 'the old deadline of an updated document removes nothing');
    assert.equal(collection.expire(60_000), 1);
    assert.equal(collection.size, 0);
    // A second TTL index makes the next sweep rebuild its deadlines from every document.
    collection.insert({ _id: 'two-clocks', at: new Date(100_000), other: new Date(1_000) });
    collection.addIndex(new SecondaryIndex({ key: { other: 1 }, name: 'other_1', expireAfterSeconds: 0 }));
    assert.equal(collection.expire(2_000), 1);
    // A budget spreads a large expiry over several sweeps.
    for (let i = 0; i < 5; i++) collection.insert({ _id: `batch-${i}`, at: new Date(1_000) });
    assert.deepEqual([collection.expire(3_000, 2), collection.expire(3_000, 2), collection.expire(3_000, 2), collection.expire(3_000, 2)], [2, 2, 1, 0]);
  });

  it('keeps an indexed lookup through the driver flat as the collection grows', async () => {
    const engine = await startEmbeddedMongo();
    const client = new MongoClient(engine.uri);
    try {
      const db = client.db('internals');
      const timeLookups = async (name: string, size: number): Promise<number> => {
        const collection = db.collection(name);
        await collection.createIndex({ key: 1 });
        for (let start = 0; start < size; start += 5000) {
          await collection.insertMany(Array.from({ length: Math.min(5000, size - start) }, (_, i) => ({ key: start + i, pad: 'x'.repeat(20) })));
        }
        const lookups = 300;
        const begin = performance.now();
        for (let i = 0; i < lookups; i++) {
          // Keys near the end: a scan would have to pass almost every document first.
          await collection.findOneAndUpdate({ key: size - 1 - (i % 100) }, { $inc: { hits: 1 } });
        }
        return (performance.now() - begin) / lookups;
      };
      await timeLookups('warmup', 200);
      const small = await timeLookups('small', 200);
      const large = await timeLookups('large', 20_000);
      // A scan of 20,000 documents per lookup would be tens of times slower.
      console.log(`indexed findOneAndUpdate: ${small.toFixed(3)} ms at 200 docs, ${large.toFixed(3)} ms at 20k docs`);
      assert.ok(large < small * 3, `lookup ${large.toFixed(3)} ms at 20k docs vs ${small.toFixed(3)} ms at 200`);
    } finally {
      await client.close();
      await engine.stop();
    }
  });
});
