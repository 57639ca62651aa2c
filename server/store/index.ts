import { MongoClient, type Collection, type Db, type Document } from 'mongodb';
import type {
  ChallengeDoc,
  KeyDoc,
  RateCounterDoc,
  SandboxMessageDoc,
  SessionDoc,
  TenantDoc,
  TrustedDeviceDoc,
  UserDoc,
} from './documents.ts';

/** The database, through the official driver: the same code for the embedded engine and MongoDB. */
export class Store {
  readonly client: MongoClient;
  readonly db: Db;

  constructor(client: MongoClient, dbName: string) {
    this.client = client;
    this.db = client.db(dbName);
  }

  collection<T extends Document>(name: string): Collection<T> {
    return this.db.collection<T>(name);
  }

  get tenants() { return this.collection<TenantDoc>('tenants'); }
  get users() { return this.collection<UserDoc>('users'); }
  get sessions() { return this.collection<SessionDoc>('sessions'); }
  get challenges() { return this.collection<ChallengeDoc>('challenges'); }
  get trustedDevices() { return this.collection<TrustedDeviceDoc>('trustedDevices'); }
  get rateCounters() { return this.collection<RateCounterDoc>('rateCounters'); }
  get keys() { return this.collection<KeyDoc>('keys'); }
  get sandboxMessages() { return this.collection<SandboxMessageDoc>('sandboxMessages'); }

  /** Indexes every feature relies on; idempotent, run at start-up by every process. */
  async ensureIndexes(extra: IndexSpec[] = []): Promise<void> {
    const specs: IndexSpec[] = [
      ['tenants', { slug: 1 }, { unique: true }],
      ['users', { realm: 1, email: 1 }, { unique: true }],
      ['sessions', { tokenHash: 1 }, { unique: true }],
      ['sessions', { familyId: 1 }],
      ['sessions', { realm: 1, userId: 1 }],
      ['sessions', { expiresAt: 1 }, { expireAfterSeconds: 0 }],
      ['challenges', { tokenHash: 1 }],
      ['challenges', { realm: 1, userId: 1, kind: 1 }],
      // Kept a day past expiry so late calls still answer "expired" rather than "unknown".
      ['challenges', { expiresAt: 1 }, { expireAfterSeconds: 86_400 }],
      ['trustedDevices', { tokenHash: 1 }, { unique: true }],
      ['trustedDevices', { realm: 1, userId: 1 }],
      ['trustedDevices', { expiresAt: 1 }, { expireAfterSeconds: 0 }],
      ['rateCounters', { expiresAt: 1 }, { expireAfterSeconds: 0 }],
      ['sandboxMessages', { realm: 1, to: 1, createdAt: -1 }],
      ['sandboxMessages', { createdAt: 1 }, { expireAfterSeconds: 7 * 86_400 }],
      ...extra,
    ];
    for (const [name, key, options] of specs) {
      await this.db.collection(name).createIndex(key, options ?? {});
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

export type IndexSpec = [collection: string, key: Record<string, 1 | -1>, options?: { unique?: boolean; expireAfterSeconds?: number; sparse?: boolean }];

export async function connectStore(uri: string, dbName: string): Promise<Store> {
  const client = new MongoClient(uri, { maxPoolSize: 20, serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  return new Store(client, dbName);
}
