/**
 * One in-memory collection: documents by `_id` (a Map keyed by the canonical `_id` encoding, in
 * natural order), secondary indexes, and the single place where writes check and maintain them.
 * Every method is synchronous: a caller's read-modify-write cannot interleave with another's.
 */
import { ObjectId } from 'mongodb';
import type { Document } from 'mongodb';
import { CommandError, badValue } from './errors.ts';
import { sameKeys, type KeyTuple, type SecondaryIndex } from './indexes.ts';
import { isOperatorObject } from './matcher.ts';
import type { Predicate } from './matcher.ts';
import { isArrayIndex, splitPath, valuesAtPath } from './paths.ts';
import { encodeKey, formatValue, isDocument, isRegex, withIdFirst } from './values.ts';

export interface StoredEntry {
  /** Never mutated once stored: updates swap in a new object. */
  doc: Document;
  idKey: string;
  /** Insertion order, for natural order of index lookups. */
  seq: number;
}

export const idIndexSpec: Document = Object.freeze({ v: 2, key: { _id: 1 }, name: '_id_' });

export class Collection {
  readonly database: string;
  readonly name: string;
  readonly entries = new Map<string, StoredEntry>();
  readonly indexes: SecondaryIndex[] = [];
  private nextSeq = 0;
  /**
   * TTL deadlines, soonest first, so a sweep touches only what is due instead of every document.
   * Lazy: an updated document pushes its new deadline and the old item is skipped when popped
   * (the sweep always re-reads the document). Rebuilt by a full scan after a TTL index appears.
   */
  private readonly deadlines = new DeadlineHeap();
  private deadlinesStale = true;

  constructor(database: string, name: string) {
    this.database = database;
    this.name = name;
  }

  get namespace(): string {
    return `${this.database}.${this.name}`;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Stores a document (already a private copy); assigns an ObjectId `_id` when missing. */
  insert(doc: Document): StoredEntry {
    if (!Object.hasOwn(doc, '_id')) doc = { _id: new ObjectId(), ...doc };
    doc = withIdFirst(doc);
    validateId(doc._id);
    const idKey = encodeKey(doc._id);
    if (this.entries.has(idKey)) throw this.duplicateKeyError('_id_', { _id: 1 }, { _id: doc._id });
    // Every index's keys computed and checked before any index changes: a refused insert leaves none touched.
    const keys = this.indexes.map((index) => index.keysOf(doc));
    this.indexes.forEach((index, i) => this.checkConflict(index, keys[i], idKey));
    const entry: StoredEntry = { doc, idKey, seq: this.nextSeq++ };
    this.entries.set(idKey, entry);
    this.indexes.forEach((index, i) => index.add(keys[i], idKey));
    this.trackDeadline(doc, idKey, null);
    return entry;
  }

  /**
   * Swaps in the updated document. An index whose keys the update did not change is left as it
   * is (most updates touch counters and states, not indexed fields): keys are computed once per
   * document and index, compared, and only changed ones are checked, removed and added.
   */
  replace(entry: StoredEntry, doc: Document): void {
    if (encodeKey(doc._id) !== entry.idKey) throw new CommandError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
    const changes: { index: SecondaryIndex; before: KeyTuple[]; after: KeyTuple[] }[] = [];
    for (const index of this.indexes) {
      const after = index.keysOf(doc);
      const before = index.keysOf(entry.doc);
      if (sameKeys(before, after)) continue;
      this.checkConflict(index, after, entry.idKey);
      changes.push({ index, before, after });
    }
    for (const { index, before, after } of changes) {
      index.remove(before, entry.idKey);
      index.add(after, entry.idKey);
    }
    this.trackDeadline(doc, entry.idKey, entry.doc);
    entry.doc = doc;
  }

  delete(entry: StoredEntry): void {
    if (this.entries.get(entry.idKey) !== entry) return;
    for (const index of this.indexes) index.remove(index.keysOf(entry.doc), entry.idKey);
    this.entries.delete(entry.idKey);
  }

  private checkConflict(index: SecondaryIndex, keys: KeyTuple[], idKey: string): void {
    const conflict = index.findConflict(keys, idKey);
    if (conflict) throw this.duplicateKeyError(index.name, index.keyPattern, conflict);
  }

  duplicateKeyError(indexName: string, keyPattern: Document, keyValue: Document): CommandError {
    return new CommandError(
      'DuplicateKey',
      `E11000 duplicate key error collection: ${this.namespace} index: ${indexName} dup key: ${formatValue(keyValue)}`,
      { keyPattern, keyValue },
    );
  }

  /** Adds an index, indexing the existing documents; nothing changes if that fails. */
  addIndex(index: SecondaryIndex): void {
    try {
      for (const entry of this.entries.values()) {
        const keys = index.keysOf(entry.doc);
        this.checkConflict(index, keys, entry.idKey);
        index.add(keys, entry.idKey);
      }
    } catch (error) {
      index.clear();
      throw error;
    }
    this.indexes.push(index);
    if (index.expireAfterSeconds !== undefined) this.deadlinesStale = true;
  }

  dropIndex(index: SecondaryIndex): void {
    const position = this.indexes.indexOf(index);
    if (position >= 0) this.indexes.splice(position, 1);
    if (index.expireAfterSeconds !== undefined) this.deadlinesStale = true;
  }

  /**
   * The stored entries matching `predicate`, in natural order. Equality constraints on `_id`
   * or on the leading fields of an index narrow the scan to a Map lookup.
   */
  find(filter: Document | undefined, predicate: Predicate, limit = Infinity): StoredEntry[] {
    const matched: StoredEntry[] = [];
    if (limit <= 0) return matched;
    const candidates = this.candidates(filter);
    for (const entry of candidates ?? this.entries.values()) {
      if (predicate(entry.doc)) {
        matched.push(entry);
        if (matched.length >= limit) break;
      }
    }
    return matched;
  }

  /** Entries that may match (a superset of the matches), or undefined when a full scan is needed. */
  candidates(filter: Document | undefined): StoredEntry[] | undefined {
    if (!filter) return undefined;
    const constraints = new Map<string, unknown[]>();
    collectEqualityConstraints(filter, constraints);
    if (constraints.size === 0) return undefined;
    let best: Iterable<string> | undefined;
    let bestSize = Infinity;
    const idValues = constraints.get('_id');
    if (idValues) {
      best = idValues.map(encodeKey);
      bestSize = idValues.length;
    }
    for (const index of this.indexes) {
      if (bestSize <= 1) break;
      const alternatives: unknown[][] = [];
      for (const field of index.fields) {
        const values = constraints.get(field.path);
        if (!values) break;
        alternatives.push(values);
      }
      if (alternatives.length === 0) continue;
      const ids = index.lookup(alternatives);
      if (ids && ids.size < bestSize) {
        best = ids;
        bestSize = ids.size;
      }
    }
    if (!best) return undefined;
    const entries: StoredEntry[] = [];
    const seen = new Set<string>();
    for (const idKey of best) {
      if (seen.has(idKey)) continue;
      seen.add(idKey);
      const entry = this.entries.get(idKey);
      if (entry) entries.push(entry);
    }
    if (entries.length > 1) entries.sort((a, b) => a.seq - b.seq);
    return entries;
  }

  /** When a document expires under the TTL indexes (the earliest of them), or null. */
  private deadlineOf(doc: Document): number | null {
    let soonest: number | null = null;
    for (const index of this.indexes) {
      if (index.expireAfterSeconds === undefined || index.fields.length !== 1) continue;
      for (const value of valuesAtPath(doc, index.fields[0].parts)) {
        if (!(value instanceof Date)) continue;
        const at = value.getTime() + index.expireAfterSeconds * 1000;
        if (soonest === null || at < soonest) soonest = at;
      }
    }
    return soonest;
  }

  private trackDeadline(doc: Document, idKey: string, previous: Document | null): void {
    if (this.deadlinesStale) return;
    const at = this.deadlineOf(doc);
    if (at !== null && (previous === null || this.deadlineOf(previous) !== at)) this.deadlines.push(at, idKey);
  }

  /** Removes documents whose TTL date has passed, at most `budget` of them; returns how many. */
  expire(nowMs: number, budget = Number.POSITIVE_INFINITY): number {
    if (!this.indexes.some((index) => index.expireAfterSeconds !== undefined)) return 0;
    if (this.deadlinesStale) {
      this.deadlines.clear();
      this.deadlinesStale = false;
      for (const entry of this.entries.values()) this.trackDeadline(entry.doc, entry.idKey, null);
    }
    let removed = 0;
    for (let due = removed < budget ? this.deadlines.popDue(nowMs) : null; due !== null; due = removed < budget ? this.deadlines.popDue(nowMs) : null) {
      const entry = this.entries.get(due);
      if (!entry) continue;
      const at = this.deadlineOf(entry.doc);
      if (at !== null && at <= nowMs) {
        this.delete(entry);
        removed++;
      }
    }
    return removed;
  }

  /** The same documents and indexes under another namespace (renameCollection). */
  movedTo(database: string, name: string): Collection {
    const moved = new Collection(database, name);
    for (const [idKey, entry] of this.entries) moved.entries.set(idKey, entry);
    moved.indexes.push(...this.indexes);
    moved.nextSeq = this.nextSeq;
    moved.deadlinesStale = true;
    return moved;
  }

  clear(): void {
    this.entries.clear();
    this.deadlines.clear();
    for (const index of this.indexes) index.clear();
  }
}

function validateId(id: unknown): void {
  if (Array.isArray(id)) throw badValue(`can't use an array for _id`);
  if (isRegex(id)) throw badValue(`can't use a regex for _id`);
  if (id === undefined) throw badValue(`can't use undefined for _id`);
  if (isDocument(id)) {
    for (const key of Object.keys(id)) if (key.startsWith('$')) throw badValue(`_id fields may not contain '$'-prefixed fields: ${key} is not valid for storage.`);
  }
}

/**
 * Equality constraints an index can answer: `{a: v}`, `{a: {$eq: v}}`, `{a: {$in: [...]}}`,
 * also inside `$and`. Null, arrays and regexes are left to the scan (their matching rules
 * reach beyond plain key equality), as are paths with array positions.
 */
function collectEqualityConstraints(filter: Document, constraints: Map<string, unknown[]>): void {
  for (const key of Object.keys(filter)) {
    const condition = filter[key];
    if (key === '$and' && Array.isArray(condition)) {
      for (const clause of condition) if (isDocument(clause)) collectEqualityConstraints(clause, constraints);
      continue;
    }
    if (key.startsWith('$') || splitPath(key).some(isArrayIndex)) continue;
    let values: unknown[];
    if (isOperatorObject(condition)) {
      if (Object.hasOwn(condition, '$eq')) values = [condition.$eq];
      else if (Array.isArray(condition.$in)) values = condition.$in;
      else continue;
    } else {
      values = [condition];
    }
    if (!values.every(isIndexableValue)) continue;
    const existing = constraints.get(key);
    if (!existing || existing.length > values.length) constraints.set(key, values);
  }
}

function isIndexableValue(value: unknown): boolean {
  return value !== null && value !== undefined && !Array.isArray(value) && !isRegex(value) && !isOperatorObject(value);
}

/** A binary min-heap of (time, document key). */
class DeadlineHeap {
  private times: number[] = [];
  private keys: string[] = [];

  clear(): void {
    this.times = [];
    this.keys = [];
  }

  push(time: number, key: string): void {
    let i = this.times.length;
    this.times.push(time);
    this.keys.push(key);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.times[parent]! <= time) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** The key of the soonest item if it is due by `now` (removing it), else null. */
  popDue(now: number): string | null {
    if (this.times.length === 0 || this.times[0]! > now) return null;
    const key = this.keys[0]!;
    const lastTime = this.times.pop()!;
    const lastKey = this.keys.pop()!;
    if (this.times.length > 0) {
      this.times[0] = lastTime;
      this.keys[0] = lastKey;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < this.times.length && this.times[left]! < this.times[smallest]!) smallest = left;
        if (right < this.times.length && this.times[right]! < this.times[smallest]!) smallest = right;
        if (smallest === i) break;
        this.swap(i, smallest);
        i = smallest;
      }
    }
    return key;
  }

  private swap(a: number, b: number): void {
    [this.times[a], this.times[b]] = [this.times[b]!, this.times[a]!];
    [this.keys[a], this.keys[b]] = [this.keys[b]!, this.keys[a]!];
  }
}
