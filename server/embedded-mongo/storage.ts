/** All databases and collections of one engine, plus its open cursors. */
import { CommandError } from './errors.ts';
import { Collection } from './collection.ts';
import { CursorRegistry } from './cursors.ts';

const invalidDatabaseCharacters = /[/\\. "$*<>:|?\0]/;

export class Storage {
  readonly databases = new Map<string, Map<string, Collection>>();
  readonly cursors = new CursorRegistry();

  getCollection(database: string, name: string): Collection | undefined {
    return this.databases.get(database)?.get(name);
  }

  /** The collection, created on first use as MongoDB does for writes and createIndexes. */
  ensureCollection(database: string, name: unknown): Collection {
    const collectionName = validateCollectionName(name);
    validateDatabaseName(database);
    let collections = this.databases.get(database);
    if (!collections) {
      collections = new Map();
      this.databases.set(database, collections);
    }
    let collection = collections.get(collectionName);
    if (!collection) {
      collection = new Collection(database, collectionName);
      collections.set(collectionName, collection);
    }
    return collection;
  }

  dropCollection(database: string, name: string): Collection | undefined {
    const collections = this.databases.get(database);
    const collection = collections?.get(name);
    if (!collections || !collection) return undefined;
    collection.clear();
    collections.delete(name);
    if (collections.size === 0) this.databases.delete(database);
    return collection;
  }

  /** Moves a collection to another namespace, replacing the target only when `dropTarget`. */
  renameCollection(from: [string, string], to: [string, string], dropTarget: boolean): void {
    const source = this.getCollection(...from);
    if (!source) throw new CommandError('NamespaceNotFound', `Source collection ${from.join('.')} does not exist`);
    validateCollectionName(to[1]);
    validateDatabaseName(to[0]);
    if (from[0] === to[0] && from[1] === to[1]) throw new CommandError('IllegalOperation', "Can't rename a collection to itself");
    if (this.getCollection(...to)) {
      if (!dropTarget) throw new CommandError('NamespaceExists', 'target namespace exists');
      this.dropCollection(...to);
    }
    const moved = source.movedTo(to[0], to[1]);
    this.databases.get(from[0])!.delete(from[1]);
    if (this.databases.get(from[0])!.size === 0) this.databases.delete(from[0]);
    let target = this.databases.get(to[0]);
    if (!target) {
      target = new Map();
      this.databases.set(to[0], target);
    }
    target.set(to[1], moved);
  }

  dropDatabase(database: string): void {
    const collections = this.databases.get(database);
    if (!collections) return;
    for (const collection of collections.values()) collection.clear();
    this.databases.delete(database);
  }

  /** Deletes documents past their TTL index expiry; returns how many went. */
  sweepExpired(nowMs: number, budget = Number.POSITIVE_INFINITY): number {
    let removed = 0;
    for (const collections of this.databases.values()) {
      for (const collection of collections.values()) {
        if (removed >= budget) break;
        if (collection.indexes.some((index) => index.expireAfterSeconds !== undefined)) removed += collection.expire(nowMs, budget - removed);
      }
    }
    this.cursors.expireIdle(nowMs);
    return removed;
  }

  clear(): void {
    for (const database of [...this.databases.keys()]) this.dropDatabase(database);
    this.cursors.closeAll();
  }
}

export function validateCollectionName(name: unknown): string {
  if (typeof name !== 'string' || name === '') {
    throw new CommandError('InvalidNamespace', `Invalid collection name: ${String(name)}`);
  }
  if (name.includes('\0') || name.includes('$') || name.startsWith('.') || name.startsWith('system.')) {
    throw new CommandError('InvalidNamespace', `Invalid collection name: ${name}`);
  }
  return name;
}

export function validateDatabaseName(name: string): void {
  if (name === '' || invalidDatabaseCharacters.test(name) || name.length > 63) {
    throw new CommandError('InvalidNamespace', `Invalid database name: '${name}'`);
  }
}
