import { it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { BSON } from 'mongodb';
import type { Document } from 'mongodb';
import { describeStoreContract, expectServerError } from './harness.ts';

describeStoreContract(import.meta.url, (context) => {
  it('refuses transactions with IllegalOperation (20) and applies nothing', async (t) => {
    const hello = await context.hello();
    if (hello.setName !== undefined || hello.msg === 'isdbgrid') {
      t.skip('this deployment supports transactions');
      return;
    }
    const c = context.db.collection('txn');
    const session = context.client.startSession();
    try {
      session.startTransaction();
      const readError = await expectServerError(() => c.findOne({}, { session }));
      assert.equal(readError.code, 20);
      assert.equal(readError.codeName, 'IllegalOperation');
      await session.abortTransaction().catch(() => {});
      session.startTransaction();
      // For writes the driver wraps IllegalOperation in its "does not support retryable writes" error.
      const writeError = await expectServerError(() => c.insertOne({ a: 1 }, { session }));
      assert.equal(writeError.code ?? writeError.originalError?.code, 20);
      await session.abortTransaction().catch(() => {});
    } finally {
      await session.endSession();
    }
    assert.equal(await c.countDocuments(), 0);
    const commit = await expectServerError(() => context.client.db('admin').command({ commitTransaction: 1 }));
    assert.ok(commit.code === 20 || commit.code === 50768 || commit.code === 251, `code ${commit.code}`);
  });

  it('answers an unknown command with CommandNotFound (59)', async () => {
    const error = await expectServerError(() => context.db.command({ frobnicate: 1 }));
    assert.equal(error.code, 59);
    assert.equal(error.codeName, 'CommandNotFound');
    assert.match(error.message, /no such command: 'frobnicate'/);
  });

  it('rejects malformed requests with MongoDB error codes', async () => {
    const c = context.db.collection('malformed');
    await c.insertOne({ a: 1 });
    assert.equal((await expectServerError(() => c.aggregate([{ $bogusStage: {} }]).toArray())).code, 40324);
    assert.equal((await expectServerError(() => c.findOne({ a: { $in: 5 } }))).code, 2);
    assert.equal((await expectServerError(() => c.deleteOne({ a: { $regex: 5 } }))).code, 2);
    assert.equal((await expectServerError(() => context.db.command({ find: 'malformed', filter: 'x' }))).code, 14);
  });

  it('refuses unknown command fields with 40415 (BSON field ... is an unknown field)', async () => {
    const c = context.db.collection<{ _id: number; a?: number }>('strict');
    await c.insertOne({ _id: 1, a: 1 });
    const attempts: [string, Document][] = [
      ['find.foo', { find: 'strict', filter: {}, foo: 1 }],
      ['insert.foo', { insert: 'strict', documents: [{ _id: 2 }], foo: 1 }],
      ['update.foo', { update: 'strict', updates: [{ q: {}, u: { $set: { a: 2 } } }], foo: 1 }],
      ['update.updates.foo', { update: 'strict', updates: [{ q: {}, u: { $set: { a: 2 } }, foo: 1 }] }],
      ['delete.deletes.foo', { delete: 'strict', deletes: [{ q: {}, limit: 1, foo: 1 }] }],
      ['findAndModify.foo', { findAndModify: 'strict', query: {}, update: { $set: { a: 2 } }, foo: 1 }],
      ['aggregate.foo', { aggregate: 'strict', pipeline: [], cursor: {}, foo: 1 }],
      ['count.foo', { count: 'strict', foo: 1 }],
      ['distinct.foo', { distinct: 'strict', key: 'a', foo: 1 }],
    ];
    for (const [field, command] of attempts) {
      const error = await expectServerError(() => context.db.command(command));
      assert.equal(error.code, 40415, field);
      assert.equal(error.codeName, 'Location40415', field);
      assert.match(error.message, new RegExp(`BSON field '${field.replace(/\./g, '\\.')}' is an unknown field`), field);
    }
    assert.deepEqual(await c.find().toArray(), [{ _id: 1, a: 1 }], 'nothing was written');
  });

  it('refuses sort on updateOne/replaceOne/bulkWrite as MongoDB 7.0 does (40415)', async (t) => {
    const version = String((await context.db.admin().command({ buildInfo: 1 })).version);
    if (Number(version.split('.')[0]) >= 8) return t.skip(`MongoDB ${version} implements sort on updates`);
    const c = context.db.collection<{ _id: number; x: number }>('sortedUpdates');
    await c.insertMany([{ _id: 1, x: 1 }, { _id: 2, x: 2 }]);
    const attempts: (() => Promise<unknown>)[] = [
      () => c.updateOne({}, { $inc: { x: 1 } }, { sort: { _id: -1 } } as never),
      () => c.replaceOne({}, { x: 9 }, { sort: { _id: -1 } } as never),
      () => c.bulkWrite([{ updateOne: { filter: {}, update: { $inc: { x: 1 } }, sort: { _id: -1 } } as never }]),
    ];
    for (const attempt of attempts) assert.equal((await expectServerError(attempt)).code, 40415);
    assert.deepEqual(await c.find().toArray(), [{ _id: 1, x: 1 }, { _id: 2, x: 2 }], 'nothing was updated');
  });

  it('refuses a hint that names no index with BadValue (2)', async () => {
    const c = context.db.collection<{ _id: number; a: number }>('hinted');
    await c.insertOne({ _id: 1, a: 1 });
    await c.createIndex({ a: 1 }, { name: 'a_1' });
    assert.deepEqual(await c.find({}, { hint: 'a_1' }).toArray(), [{ _id: 1, a: 1 }]);
    assert.deepEqual(await c.find({}, { hint: { a: 1 } }).toArray(), [{ _id: 1, a: 1 }]);
    assert.deepEqual(await c.find({}, { hint: { _id: 1 } }).toArray(), [{ _id: 1, a: 1 }]);
    const attempts: (() => Promise<unknown>)[] = [
      () => c.find({}, { hint: 'nope_1' }).toArray(),
      () => c.find({}, { hint: { b: 1 } }).toArray(),
      () => c.updateOne({}, { $set: { a: 2 } }, { hint: 'nope_1' }),
      () => c.deleteOne({}, { hint: { b: 1 } }),
      () => c.findOneAndUpdate({}, { $set: { a: 2 } }, { hint: { nope: 1 } }),
      () => c.countDocuments({}, { hint: 'nope_1' }),
    ];
    for (const attempt of attempts) {
      const error = await expectServerError(attempt);
      assert.equal(error.code, 2);
      assert.match(error.message, /hint provided does not correspond to an existing index/);
    }
    assert.deepEqual(await c.find().toArray(), [{ _id: 1, a: 1 }]);
  });

  it('refuses features it does not implement with NotImplemented (238) rather than wrong answers', { skip: !context.target.embedded && 'a real MongoDB implements them' }, async () => {
    const c = context.db.collection('unsupported');
    await c.insertOne({ a: 1 });
    const refusals: [string, () => Promise<unknown>][] = [
      ['$lookup', () => c.aggregate([{ $lookup: { from: 'x', localField: 'a', foreignField: 'b', as: 'y' } }]).toArray()],
      ['$where', () => c.findOne({ $where: 'true' })],
      ['$expr', () => c.findOne({ $expr: { $eq: ['$a', 1] } })],
      ['$count stage', () => c.aggregate([{ $count: 'n' }]).toArray()],
      ['$unwind stage', () => c.aggregate([{ $unwind: '$a' }]).toArray()],
      ['$group accumulator other than $sum', () => c.aggregate([{ $group: { _id: null, m: { $min: '$a' } } }]).toArray()],
      ['expression operator', () => c.updateOne({}, [{ $set: { b: { $arrayElemAt: ['$a', 0] } } }])],
      ['let', () => c.find({}, { let: { x: 1 } }).toArray()],
      ['find option min', () => context.db.command({ find: 'unsupported', min: { a: 1 } })],
      ['arrayFilters', () => c.updateOne({}, { $set: { 'a.$[x]': 1 } }, { arrayFilters: [{ x: 1 }] })],
      ['positional $', () => c.updateOne({ a: 1 }, { $set: { 'a.$': 2 } })],
      ['collation', () => c.find({}, { collation: { locale: 'fr' } }).toArray()],
      ['text index', () => c.createIndex({ a: 'text' })],
      ['$slice projection', () => c.findOne({}, { projection: { a: { $slice: 1 } } })],
      ['capped collection', () => context.db.createCollection('capped', { capped: true, size: 1024 })],
    ];
    for (const [feature, attempt] of refusals) {
      const error = await expectServerError(attempt);
      assert.equal(error.code, 238, `${feature}: ${error.message}`);
      assert.match(error.message, /not supported by the embedded MongoDB engine/);
    }
    assert.deepEqual(await c.findOne({}, { projection: { _id: 0 } }), { a: 1 }, 'nothing was changed');
  });

  describeWire(context);
});

/** Wire-level checks with a raw socket (only against a plain mongodb://host:port target). */
function describeWire(context: Parameters<Parameters<typeof describeStoreContract>[1]>[0]): void {
  const plainAddress = (): { host: string; port: number } | undefined => {
    const match = /^mongodb:\/\/([^/@,?]+):(\d+)\/?(\?.*)?$/.exec(context.uri);
    if (!match || /tls=true|ssl=true/.test(match[3] ?? '')) return undefined;
    return { host: match[1], port: Number(match[2]) };
  };

  it('answers the legacy OP_QUERY handshake with OP_REPLY and OP_MSG hello with the advertised limits', async (t) => {
    const address = plainAddress();
    if (!address) return t.skip('not a plain mongodb://host:port target');
    const wire = await RawConnection.open(address.host, address.port);
    try {
      const legacy = await wire.opQuery('admin.$cmd', { isMaster: 1, helloOk: true });
      assert.equal(legacy.opCode, 1);
      assert.equal(legacy.doc.ok, 1);
      assert.equal(legacy.doc.ismaster, true);
      assert.ok(legacy.doc.maxWireVersion >= 9);
      const hello = await wire.opMsg({ hello: 1, $db: 'admin' });
      assert.equal(hello.opCode, 2013);
      for (const field of ['maxBsonObjectSize', 'maxMessageSizeBytes', 'maxWriteBatchSize', 'logicalSessionTimeoutMinutes', 'connectionId']) {
        assert.equal(typeof hello.doc[field], 'number', field);
      }
      assert.equal(hello.doc.isWritablePrimary, true);
      assert.ok(hello.doc.localTime instanceof Date);
      if (context.target.embedded) {
        assert.equal(hello.doc.topologyVersion, undefined, 'no topologyVersion: the driver must poll, not stream');
        assert.equal(hello.doc.compression, undefined);
        assert.equal(hello.doc.maxWireVersion, 21);
      }
    } finally {
      wire.close();
    }
  });

  it('sends no reply for moreToCome, accepts document sequences, and survives garbage', async (t) => {
    const address = plainAddress();
    if (!address) return t.skip('not a plain mongodb://host:port target');
    const wire = await RawConnection.open(address.host, address.port);
    try {
      wire.sendOpMsg({ endSessions: [], $db: 'admin' }, { moreToCome: true });
      const ping = await wire.opMsg({ ping: 1, $db: 'admin' });
      assert.equal(ping.doc.ok, 1, 'the first reply on the wire answers the ping');
      assert.equal(ping.responseTo, wire.lastRequestId);

      const inserted = await wire.opMsg({ insert: 'wire', $db: context.db.databaseName }, { documents: [{ _id: 1 }, { _id: 2 }] });
      assert.equal(inserted.doc.n, 2);
      const found = await wire.opMsg({ find: 'wire', filter: {}, $db: context.db.databaseName });
      assert.deepEqual(found.doc.cursor.firstBatch, [{ _id: 1 }, { _id: 2 }]);
    } finally {
      wire.close();
    }

    const broken = await RawConnection.open(address.host, address.port);
    const closed = broken.closed();
    broken.socket.write(Buffer.from([1, 0, 0, 0, 0, 0, 0, 0])); // a message length of 1 is impossible
    await closed;
    // The server is still fine for everyone else.
    assert.deepEqual(await context.db.command({ ping: 1 }), { ok: 1 });
  });
}

interface RawReply {
  opCode: number;
  responseTo: number;
  doc: Document;
}

class RawConnection {
  readonly socket: Socket;
  lastRequestId = 0;
  private buffered = Buffer.alloc(0);
  private waiting: ((reply: RawReply) => void)[] = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4 && this.buffered.length >= this.buffered.readInt32LE(0)) {
        const length = this.buffered.readInt32LE(0);
        const message = this.buffered.subarray(0, length);
        this.buffered = this.buffered.subarray(length);
        this.waiting.shift()?.(RawConnection.parse(message));
      }
    });
  }

  static open(host: string, port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  private static parse(message: Buffer): RawReply {
    const opCode = message.readInt32LE(12);
    const responseTo = message.readInt32LE(8);
    const docStart = opCode === 1 ? 36 : 21; // OP_REPLY: header + flags + cursorId + from + count
    return { opCode, responseTo, doc: BSON.deserialize(message.subarray(docStart)) };
  }

  private frame(opCode: number, body: Buffer): Buffer {
    const header = Buffer.alloc(16);
    header.writeInt32LE(16 + body.length, 0);
    header.writeInt32LE(++this.lastRequestId, 4);
    header.writeInt32LE(0, 8);
    header.writeInt32LE(opCode, 12);
    return Buffer.concat([header, body]);
  }

  sendOpMsg(command: Document, options: { moreToCome?: boolean; documents?: Document[] } = {}): void {
    const parts: Buffer[] = [];
    const flags = Buffer.alloc(4);
    flags.writeUInt32LE(options.moreToCome ? 2 : 0, 0);
    parts.push(flags, Buffer.from([0]), Buffer.from(BSON.serialize(command)));
    if (options.documents) {
      const identifier = Buffer.from('documents\0');
      const docs = options.documents.map((doc) => Buffer.from(BSON.serialize(doc)));
      const size = Buffer.alloc(4);
      size.writeInt32LE(4 + identifier.length + docs.reduce((sum, doc) => sum + doc.length, 0), 0);
      parts.push(Buffer.from([1]), size, identifier, ...docs);
    }
    this.socket.write(this.frame(2013, Buffer.concat(parts)));
  }

  opMsg(command: Document, sequence?: { documents: Document[] }): Promise<RawReply> {
    const reply = this.next();
    this.sendOpMsg(command, sequence ?? {});
    return reply;
  }

  opQuery(namespace: string, query: Document): Promise<RawReply> {
    const reply = this.next();
    const flags = Buffer.alloc(4);
    const skipAndReturn = Buffer.alloc(8);
    skipAndReturn.writeInt32LE(-1, 4);
    this.socket.write(this.frame(2004, Buffer.concat([flags, Buffer.from(`${namespace}\0`), skipAndReturn, Buffer.from(BSON.serialize(query))])));
    return reply;
  }

  private next(): Promise<RawReply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no reply within 2 s')), 2000);
      this.waiting.push((reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
    });
  }

  closed(): Promise<void> {
    return new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  close(): void {
    this.socket.destroy();
  }
}
