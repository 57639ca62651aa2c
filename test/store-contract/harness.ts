/**
 * Runs a store-contract suite through the real `mongodb` driver against every target: the
 * embedded engine always, and the MongoDB at MONGODB_URI too when it is set. Each test file
 * gets a fresh database, dropped afterwards.
 */
import { after, before, describe } from 'node:test';
import { basename } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import type { Db, Document, MongoClientOptions } from 'mongodb';
import { startEmbeddedMongo } from '../../server/embedded-mongo/index.ts';
import type { EmbeddedMongo } from '../../server/embedded-mongo/index.ts';

export interface StoreTarget {
  label: string;
  /** The in-process engine of this test file (white-box checks and wire-level tests). */
  embedded: boolean;
  /** TTL indexes are swept within ~100 ms (the engine with a short sweep interval). */
  fastTtl: boolean;
}

export interface ContractContext {
  readonly target: StoreTarget;
  readonly uri: string;
  readonly client: MongoClient;
  readonly db: Db;
  /** A second client with its own connection pool, for cross-connection concurrency. */
  newClient(options?: MongoClientOptions): Promise<MongoClient>;
  /** The target's `hello` reply (topology checks, e.g. whether transactions can exist). */
  hello(): Promise<Document>;
}

const onlyUri = process.env.STORE_CONTRACT_ONLY_URI === '1';

function targets(): { target: StoreTarget; start: () => Promise<{ uri: string; stop: () => Promise<void> }> }[] {
  const list: ReturnType<typeof targets> = [];
  if (!onlyUri || !process.env.MONGODB_URI) {
    list.push({
      target: { label: 'embedded engine', embedded: true, fastTtl: true },
      start: async () => {
        const engine: EmbeddedMongo = await startEmbeddedMongo({ ttlSweepMs: 50 });
        return { uri: engine.uri, stop: () => engine.stop() };
      },
    });
  }
  const uri = process.env.MONGODB_URI;
  if (uri) {
    list.push({
      target: {
        label: `MONGODB_URI ${uri.replace(/\/\/[^@/]*@/, '//***@')}`,
        embedded: false,
        fastTtl: process.env.STORE_CONTRACT_FAST_TTL === '1',
      },
      start: async () => ({ uri, stop: async () => {} }),
    });
  }
  return list;
}

export function describeStoreContract(fileUrl: string, body: (context: ContractContext) => void): void {
  const fileName = basename(new URL(fileUrl).pathname, '.test.ts');
  for (const { target, start } of targets()) {
    describe(`${fileName} [${target.label}]`, () => {
      let uri = '';
      let stop: () => Promise<void> = async () => {};
      let client: MongoClient | undefined;
      let db: Db | undefined;
      const extraClients: MongoClient[] = [];

      before(async () => {
        console.log(`store contract against: ${target.label}`);
        ({ uri, stop } = await start());
        client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
        await client.connect();
        const dbName = `contract_${fileName.replace(/[^a-z0-9]/gi, '_')}_${randomBytes(4).toString('hex')}`;
        db = client.db(dbName);
      });

      after(async () => {
        await db?.dropDatabase().catch(() => {});
        for (const extra of extraClients) await extra.close();
        await client?.close();
        await stop();
      });

      body({
        target,
        get uri() {
          return uri;
        },
        get client() {
          if (!client) throw new Error('client used before the suite started');
          return client;
        },
        get db() {
          if (!db) throw new Error('db used before the suite started');
          return db;
        },
        async newClient(options?: MongoClientOptions) {
          const extra = new MongoClient(uri, { serverSelectionTimeoutMS: 5000, ...options });
          await extra.connect();
          extraClients.push(extra);
          return extra;
        },
        async hello() {
          return client!.db('admin').command({ hello: 1 });
        },
      });
    });
  }
}

/** Runs `action` expecting a MongoDB server error; returns it for shape assertions. */
export async function expectServerError(action: () => Promise<unknown>): Promise<Document & { code?: number; codeName?: string; message: string }> {
  try {
    await action();
  } catch (error) {
    return error as Document & { code?: number; message: string };
  }
  throw new Error('expected a MongoDB server error, but the operation succeeded');
}
