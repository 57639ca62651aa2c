import { MongoClient, type Collection, type Db, type Document, type MongoClientOptions } from 'mongodb';
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
import { ChallengeRepository } from './challenges.ts';
import { RateCounterRepository } from './rate-counters.ts';
import { SessionRepository } from './sessions.ts';
import { TenantRepository } from './tenants.ts';
import { TrustedDeviceRepository } from './trusted-devices.ts';
import { UserRepository } from './users.ts';

/**
 * The database, through the official driver: the same code for the embedded engine and MongoDB.
 * The typed collections are for start-up, tests and the bench; features read and write through
 * the repositories (`repositoriesOf`), which own every filter and update.
 */
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

/** The repositories of the features below the HTTP layer, one per collection. */
export interface Repositories {
  tenants: TenantRepository;
  challenges: ChallengeRepository;
  users: UserRepository;
  sessions: SessionRepository;
  trustedDevices: TrustedDeviceRepository;
  rateCounters: RateCounterRepository;
}

const repositories = new WeakMap<object, Repositories>();

/** The repositories over `store`'s collections, made once per store. */
export function repositoriesOf(store: Pick<Store, keyof Repositories>): Repositories {
  let repos = repositories.get(store);
  if (!repos) {
    repos = {
      tenants: new TenantRepository(store.tenants),
      challenges: new ChallengeRepository(store.challenges),
      users: new UserRepository(store.users),
      sessions: new SessionRepository(store.sessions),
      trustedDevices: new TrustedDeviceRepository(store.trustedDevices),
      rateCounters: new RateCounterRepository(store.rateCounters),
    };
    repositories.set(store, repos);
  }
  return repos;
}

/** `options`: the driver's pool and deadlines (the server passes server/ops/database.ts `driverOptions`). */
export async function connectStore(uri: string, dbName: string, options: MongoClientOptions = { maxPoolSize: 20, serverSelectionTimeoutMS: 10_000 }): Promise<Store> {
  const client = new MongoClient(uri, options);
  await client.connect();
  return new Store(client, dbName);
}
