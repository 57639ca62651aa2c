/**
 * Secondary indexes. Each index keeps, for every prefix of its fields, a Map from the canonical
 * encoding of the key values to the ids of the documents holding them, so an equality lookup on
 * any prefix costs the same whatever the collection size; the full-key map enforces `unique`.
 */
import type { Document } from 'mongodb';
import { CommandError, badValue, notImplemented } from './errors.ts';
import { compileFilter } from './matcher.ts';
import type { Predicate } from './matcher.ts';
import { isArrayIndex, someAtPath, splitPath } from './paths.ts';
import { encodeKey, formatValue, getField, isDocument, isNumeric, toNumber } from './values.ts';

export interface IndexField {
  path: string;
  parts: string[];
}

const allowedSpecFields = new Set([
  'key',
  'name',
  'v',
  'unique',
  'sparse',
  'expireAfterSeconds',
  'partialFilterExpression',
  'background',
  'hidden',
  'ns',
  'collation',
]);

/** One index key of a document: per field, the raw value and its encoding. */
export interface KeyTuple {
  raw: unknown[];
  encoded: string[];
}

export class SecondaryIndex {
  readonly name: string;
  readonly fields: IndexField[];
  readonly unique: boolean;
  readonly sparse: boolean;
  readonly expireAfterSeconds: number | undefined;
  readonly isPartial: boolean;
  /** The normalised specification listIndexes returns. */
  readonly spec: Document;
  private readonly partialFilter: Predicate | undefined;
  /** prefixMaps[k] maps the encoding of the first k+1 key values to document id keys. */
  private readonly prefixMaps: Map<string, Set<string>>[];

  constructor(spec: Document) {
    for (const field of Object.keys(spec)) {
      if (!allowedSpecFields.has(field)) {
        throw new CommandError('InvalidIndexSpecificationOption', `The field '${field}' is not valid for an index specification. Specification: ${formatValue(spec)}`);
      }
    }
    const key = spec.key;
    if (!isDocument(key) || Object.keys(key).length === 0) throw new CommandError('CannotCreateIndex', 'Index keys cannot be empty.');
    if (typeof spec.name !== 'string' || spec.name === '') throw new CommandError('CannotCreateIndex', 'The index name must be a non-empty string');
    if (spec.collation !== undefined && !(isDocument(spec.collation) && spec.collation.locale === 'simple')) {
      throw notImplemented('an index collation');
    }
    this.fields = Object.keys(key).map((path) => {
      const direction = key[path];
      if (!isNumeric(direction) || toNumber(direction) === 0) {
        throw notImplemented(`the index type ${formatValue(direction)} on '${path}' (only ascending/descending keys)`);
      }
      if (path.includes('$')) throw notImplemented(`the index key '${path}'`);
      return { path, parts: splitPath(path) };
    });
    this.name = spec.name;
    this.unique = spec.unique === true || (isNumeric(spec.unique) && toNumber(spec.unique) !== 0);
    this.sparse = spec.sparse === true || (isNumeric(spec.sparse) && toNumber(spec.sparse) !== 0);
    if (spec.expireAfterSeconds !== undefined) {
      if (!isNumeric(spec.expireAfterSeconds) || toNumber(spec.expireAfterSeconds) < 0) {
        throw new CommandError('CannotCreateIndex', 'TTL index \'expireAfterSeconds\' option must be a non-negative number');
      }
      this.expireAfterSeconds = toNumber(spec.expireAfterSeconds);
    }
    if (spec.partialFilterExpression !== undefined) {
      if (!isDocument(spec.partialFilterExpression)) throw badValue('partialFilterExpression must be an object');
      this.partialFilter = compileFilter(spec.partialFilterExpression);
    }
    this.isPartial = this.partialFilter !== undefined;
    const normalised: Document = { v: 2, key, name: this.name };
    if (this.unique) normalised.unique = true;
    if (this.sparse) normalised.sparse = true;
    if (this.expireAfterSeconds !== undefined) normalised.expireAfterSeconds = this.expireAfterSeconds;
    if (spec.partialFilterExpression !== undefined) normalised.partialFilterExpression = spec.partialFilterExpression;
    this.spec = normalised;
    this.prefixMaps = this.fields.map(() => new Map<string, Set<string>>());
  }

  get keyPattern(): Document {
    return this.spec.key as Document;
  }

  /** Same index in every respect that matters (createIndexes on an existing one is a no-op). */
  sameDefinitionAs(other: SecondaryIndex): boolean {
    return encodeKey(this.spec) === encodeKey(other.spec);
  }

  sameKeyAs(other: SecondaryIndex): boolean {
    return encodeKey(this.keyPattern) === encodeKey(other.keyPattern);
  }

  /**
   * The index keys of `doc` (none when a partial or sparse index leaves it out). Throws
   * CannotIndexParallelArrays, so computing them is also the check that `doc` is indexable.
   */
  keysOf(doc: Document): KeyTuple[] {
    if (this.partialFilter && !this.partialFilter(doc)) return [];
    if (this.sparse && !this.fields.some((field) => someAtPath(doc, field.parts, (value) => value !== undefined))) return [];
    let tuples: KeyTuple[] = [{ raw: [], encoded: [] }];
    let arrayField: string | undefined;
    for (const field of this.fields) {
      const { values, fromArray } = indexValues(doc, field.parts);
      if (fromArray && values.length > 1) {
        if (arrayField !== undefined) {
          throw new CommandError('CannotIndexParallelArrays', `cannot index parallel arrays [${field.path}] [${arrayField}]`);
        }
        arrayField = field.path;
      }
      const next: KeyTuple[] = [];
      for (const tuple of tuples) {
        for (const value of values) {
          next.push({ raw: [...tuple.raw, value], encoded: [...tuple.encoded, encodeKey(value)] });
        }
      }
      tuples = next;
    }
    return tuples;
  }

  /** The first conflicting key (for the duplicate-key error), if keys `tuples` of document `idKey` would break uniqueness. */
  findConflict(tuples: KeyTuple[], idKey: string): Document | undefined {
    if (!this.unique) return undefined;
    const fullMap = this.prefixMaps[this.fields.length - 1];
    for (const tuple of tuples) {
      const holders = fullMap.get(tuple.encoded.join(','));
      if (holders && (holders.size > 1 || !holders.has(idKey))) {
        const keyValue: Document = {};
        this.fields.forEach((field, i) => {
          keyValue[field.path] = tuple.raw[i] === undefined ? null : tuple.raw[i];
        });
        return keyValue;
      }
    }
    return undefined;
  }

  add(tuples: KeyTuple[], idKey: string): void {
    this.forEachPrefixKey(tuples, (map, key) => {
      let holders = map.get(key);
      if (!holders) {
        holders = new Set();
        map.set(key, holders);
      }
      holders.add(idKey);
    });
  }

  remove(tuples: KeyTuple[], idKey: string): void {
    this.forEachPrefixKey(tuples, (map, key) => {
      const holders = map.get(key);
      if (!holders) return;
      holders.delete(idKey);
      if (holders.size === 0) map.delete(key);
    });
  }

  private forEachPrefixKey(tuples: KeyTuple[], visit: (map: Map<string, Set<string>>, key: string) => void): void {
    for (let depth = 0; depth < this.fields.length; depth++) {
      const seen = new Set<string>();
      for (const tuple of tuples) {
        const key = depth === 0 ? tuple.encoded[0] : tuple.encoded.slice(0, depth + 1).join(',');
        if (seen.has(key)) continue;
        seen.add(key);
        visit(this.prefixMaps[depth], key);
      }
    }
  }

  /**
   * Id keys of the documents whose leading key values are one of the given alternatives
   * (`alternatives[k]` for field k), or undefined when this index cannot answer.
   */
  lookup(alternatives: unknown[][]): Set<string> | undefined {
    if (this.isPartial || alternatives.length === 0 || alternatives.length > this.fields.length) return undefined;
    let combinations: string[] = [''];
    for (let depth = 0; depth < alternatives.length; depth++) {
      const encoded = alternatives[depth].map(encodeKey);
      const next: string[] = [];
      for (const prefix of combinations) for (const key of encoded) next.push(depth === 0 ? key : prefix + ',' + key);
      combinations = next;
      if (combinations.length > 1000) return undefined;
    }
    const map = this.prefixMaps[alternatives.length - 1];
    const ids = new Set<string>();
    for (const key of combinations) {
      const holders = map.get(key);
      if (holders) for (const id of holders) ids.add(id);
    }
    return ids;
  }

  clear(): void {
    for (const map of this.prefixMaps) map.clear();
  }
}

/**
 * The values an index stores for a path: the elements of an array (multikey), null for a
 * missing field, an empty array as itself.
 */
function indexValues(doc: Document, parts: readonly string[]): { values: unknown[]; fromArray: boolean } {
  const values: unknown[] = [];
  let fromArray = false;
  const visit = (value: unknown, depth: number): void => {
    if (depth === parts.length) {
      if (Array.isArray(value) && value.length > 0) {
        fromArray = true;
        for (const element of value) values.push(element);
      } else {
        values.push(value === undefined ? null : value);
      }
      return;
    }
    if (isDocument(value)) {
      visit(getField(value, parts[depth]), depth + 1);
    } else if (Array.isArray(value) && value.length > 0 && !isArrayIndex(parts[depth])) {
      fromArray = true;
      for (const element of value) visit(isDocument(element) ? element : undefined, depth);
    } else {
      values.push(null);
    }
  };
  visit(doc, 0);
  // Distinct values only: a document is in the index once per key.
  const seen = new Set<string>();
  const distinct = values.filter((value) => {
    const key = encodeKey(value);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { values: distinct, fromArray };
}

/** Whether two documents have the same keys in an index (then an update leaves the index as it is). */
export function sameKeys(a: KeyTuple[], b: KeyTuple[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i].encoded;
    const y = b[i].encoded;
    for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return false;
  }
  return true;
}
