/** Server-side cursors: results are materialised when a query runs; batches are cut on demand. */
import { BSON, Long } from 'mongodb';
import type { Document } from 'mongodb';
import { CommandError } from './errors.ts';

/** Real servers stop a batch at 16 MiB; the driver's message limit is 48 MB. */
const maxBatchBytes = 16 * 1024 * 1024;
/** find's default first batch, as mongod. */
export const defaultFirstBatchSize = 101;
const idleTimeoutMs = 10 * 60 * 1000;

interface OpenCursor {
  id: Long;
  namespace: string;
  documents: Document[];
  position: number;
  transform: (doc: Document) => Document;
  lastUsedMs: number;
}

/** `{cursor: {id, ns, firstBatch | nextBatch}, ok: 1}`: what find, aggregate, list* and getMore answer. */
export interface CursorReply extends Document {
  cursor: { id: Long; ns: string; firstBatch?: Document[]; nextBatch?: Document[] };
  ok: 1;
}

export class CursorRegistry {
  private readonly cursors = new Map<string, OpenCursor>();
  /** Ids are random-looking but unique: a random 62-bit start, counting up. */
  private nextId = BigInt(Math.floor(Math.random() * 2 ** 30)) * 2n ** 30n + 1n;

  /**
   * Answers a query: the first batch now, the rest kept under a cursor id unless
   * `singleBatch` or everything fits.
   */
  open(
    namespace: string,
    documents: Document[],
    options: { batchSize?: number; singleBatch?: boolean; transform?: (doc: Document) => Document },
  ): CursorReply {
    const transform = options.transform ?? ((doc: Document) => doc);
    const cursor: OpenCursor = {
      id: Long.ZERO,
      namespace,
      documents,
      position: 0,
      transform,
      lastUsedMs: Date.now(),
    };
    const firstBatch = this.cut(cursor, options.batchSize ?? defaultFirstBatchSize);
    if (cursor.position < documents.length && !options.singleBatch) {
      cursor.id = Long.fromBigInt(this.nextId++);
      this.cursors.set(cursor.id.toString(), cursor);
    }
    return { cursor: { id: cursor.id, ns: namespace, firstBatch }, ok: 1 };
  }

  getMore(id: Long, collection: string, database: string, batchSize: number | undefined): CursorReply {
    const key = id.toString();
    const cursor = this.cursors.get(key);
    if (!cursor) throw new CommandError('CursorNotFound', `cursor id ${key} not found`);
    if (cursor.namespace !== `${database}.${collection}` && !cursor.namespace.startsWith(`${database}.$cmd`)) {
      throw new CommandError('Unauthorized', `Requested getMore on namespace '${database}.${collection}', but cursor belongs to a different namespace ${cursor.namespace}`);
    }
    const nextBatch = this.cut(cursor, batchSize && batchSize > 0 ? batchSize : Infinity);
    let replyId = cursor.id;
    if (cursor.position >= cursor.documents.length) {
      this.cursors.delete(key);
      replyId = Long.ZERO;
    }
    return { cursor: { id: replyId, ns: cursor.namespace, nextBatch }, ok: 1 };
  }

  kill(ids: unknown[]): Document {
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const raw of ids) {
      const id = Long.isLong(raw) ? raw : Long.fromNumber(Number(raw));
      if (this.cursors.delete(id.toString())) killed.push(id);
      else notFound.push(id);
    }
    return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
  }

  /** Drops cursors nobody has asked for in 10 minutes (mongod's default cursor timeout). */
  expireIdle(nowMs: number): void {
    for (const [key, cursor] of this.cursors) if (nowMs - cursor.lastUsedMs > idleTimeoutMs) this.cursors.delete(key);
  }

  closeAll(): void {
    this.cursors.clear();
  }

  get openCount(): number {
    return this.cursors.size;
  }

  private cut(cursor: OpenCursor, batchSize: number): Document[] {
    cursor.lastUsedMs = Date.now();
    const batch: Document[] = [];
    let bytes = 0;
    while (batch.length < batchSize && cursor.position < cursor.documents.length) {
      const doc = cursor.transform(cursor.documents[cursor.position]);
      bytes += BSON.calculateObjectSize(doc);
      if (bytes > maxBatchBytes && batch.length > 0) break;
      batch.push(doc);
      cursor.position++;
    }
    return batch;
  }
}
