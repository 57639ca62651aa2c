/**
 * BSON value semantics: type classification, MongoDB's cross-type comparison order, a canonical
 * string encoding (equal values ⇔ equal strings, used as Map keys by indexes, $in, $group and
 * distinct) and deep copies of documents.
 */
import { Long, Timestamp } from 'mongodb';
import { badValue, notImplemented } from './errors.ts';
import type {
  Binary,
  BSONRegExp,
  BSONSymbol,
  Code,
  DBRef,
  Decimal128,
  Document,
  Double,
  Int32,
  ObjectId,
} from 'mongodb';

type BsonTag = string;

function bsonTag(value: object): BsonTag | undefined {
  return (value as { _bsontype?: BsonTag })._bsontype;
}

/** A sub-document in the MongoDB sense: a plain object, not an array or a BSON value class. */
export function isDocument(value: unknown): value is Document {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value) || value instanceof Date || value instanceof RegExp) return false;
  if (ArrayBuffer.isView(value)) return false;
  return bsonTag(value) === undefined;
}

export function isRegex(value: unknown): value is RegExp | BSONRegExp {
  return value instanceof RegExp || (typeof value === 'object' && value !== null && bsonTag(value) === 'BSONRegExp');
}

/** The value of an own property only: documents come from the wire, so `constructor` etc. must not leak in. */
export function getField(doc: Document, name: string): unknown {
  return Object.hasOwn(doc, name) ? doc[name] : undefined;
}

/** Assigns without the `__proto__` setter (a BSON field may legitimately be called that). */
export function setField(doc: Document, name: string, value: unknown): void {
  if (name === '__proto__') {
    Object.defineProperty(doc, name, { value, enumerable: true, writable: true, configurable: true });
  } else {
    doc[name] = value;
  }
}

export function isNumeric(value: unknown): boolean {
  if (typeof value === 'number') return true;
  if (typeof value !== 'object' || value === null) return false;
  const tag = bsonTag(value);
  return tag === 'Long' || tag === 'Int32' || tag === 'Double' || tag === 'Decimal128';
}

/** A numeric BSON value as a JS number, or a bigint when a Long does not fit a double exactly. */
export function numericValue(value: unknown): number | bigint {
  if (typeof value === 'number') return value;
  const tag = bsonTag(value as object);
  if (tag === 'Long') {
    const long = value as Long;
    const asNumber = long.toNumber();
    return Number.isSafeInteger(asNumber) ? asNumber : long.toBigInt();
  }
  if (tag === 'Int32' || tag === 'Double') return (value as Int32 | Double).value;
  if (tag === 'Decimal128') return Number((value as Decimal128).toString());
  return Number.NaN;
}

export function toNumber(value: unknown): number {
  return Number(numericValue(value));
}

/**
 * MongoDB's canonical type order (bsontypes.cpp canonicalizeBSONType): values of different
 * types compare by this rank first. Missing compares like null.
 */
export function typeRank(value: unknown): number {
  if (value === undefined || value === null) return 5;
  switch (typeof value) {
    case 'number':
    case 'bigint':
      return 10;
    case 'string':
      return 15;
    case 'boolean':
      return 40;
    case 'object':
      break;
    default:
      return 60; // functions/symbols cannot come from BSON
  }
  if (Array.isArray(value)) return 25;
  if (value instanceof Date) return 45;
  if (value instanceof RegExp) return 50;
  switch (bsonTag(value)) {
    case undefined:
      return 20;
    case 'MinKey':
      return -1;
    case 'MaxKey':
      return 100;
    case 'Long':
    case 'Int32':
    case 'Double':
    case 'Decimal128':
      return 10;
    case 'BSONSymbol':
      return 15;
    case 'DBRef':
      return 20;
    case 'Binary':
      return 30;
    case 'ObjectId':
      return 35;
    case 'Timestamp':
      return 47;
    case 'BSONRegExp':
      return 50;
    case 'Code':
      return 60;
    default:
      return 60;
  }
}

export function compareNumbers(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a < b) return -1;
    if (a > b) return 1;
    if (a === b) return 0;
    // NaN sorts below every other number and equals itself.
    const aNaN = Number.isNaN(a);
    const bNaN = Number.isNaN(b);
    return aNaN && bNaN ? 0 : aNaN ? -1 : 1;
  }
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'bigint') return -compareNumbers(b, a);
  // a is a number, b a bigint outside the safe-integer range.
  const n = a as number;
  const big = b as bigint;
  if (Number.isNaN(n)) return -1;
  if (n === Infinity) return 1;
  if (n === -Infinity) return -1;
  const floor = BigInt(Math.floor(n));
  if (floor < big) return -1;
  if (floor > big) return 1;
  return n === Math.floor(n) ? 0 : 1;
}

/** Orders strings by code point (what MongoDB's UTF-8 byte comparison gives), not UTF-16 unit. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x += x >= 0xe000 ? -0x800 : 0x2000;
      y += y >= 0xe000 ? -0x800 : 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : (value as BSONSymbol).value;
}

function regexParts(value: RegExp | BSONRegExp): [string, string] {
  return value instanceof RegExp ? [value.source, value.flags] : [value.pattern, value.options];
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function dbRefAsDocument(ref: DBRef): Document {
  const doc: Document = { $ref: ref.collection, $id: ref.oid };
  if (ref.db) doc.$db = ref.db;
  return doc;
}

function asDocument(value: unknown): Document {
  return bsonTag(value as object) === 'DBRef' ? dbRefAsDocument(value as DBRef) : (value as Document);
}

/** Total order over BSON values, as MongoDB sorts and compares them (simple collation). */
export function compareValues(a: unknown, b: unknown): number {
  const rankA = typeRank(a);
  const rankB = typeRank(b);
  if (rankA !== rankB) return rankA < rankB ? -1 : 1;
  switch (rankA) {
    case 10:
      return compareNumbers(numericValue(a), numericValue(b));
    case 15:
      return compareStrings(stringOf(a), stringOf(b));
    case 20:
      return compareDocuments(asDocument(a), asDocument(b));
    case 25:
      return compareArrays(a as unknown[], b as unknown[]);
    case 30: {
      const x = a as Binary;
      const y = b as Binary;
      if (x.position !== y.position) return x.position < y.position ? -1 : 1;
      if (x.sub_type !== y.sub_type) return x.sub_type < y.sub_type ? -1 : 1;
      return compareBytes(x.buffer.subarray(0, x.position), y.buffer.subarray(0, y.position));
    }
    case 35:
      return compareBytes((a as ObjectId).id, (b as ObjectId).id);
    case 40:
      return a === b ? 0 : a ? 1 : -1;
    case 45: {
      const x = (a as Date).getTime();
      const y = (b as Date).getTime();
      return compareNumbers(x, y);
    }
    case 47: {
      const x = a as Timestamp;
      const y = b as Timestamp;
      if (x.t !== y.t) return x.t < y.t ? -1 : 1;
      return x.i === y.i ? 0 : x.i < y.i ? -1 : 1;
    }
    case 50: {
      const [sourceA, flagsA] = regexParts(a as RegExp | BSONRegExp);
      const [sourceB, flagsB] = regexParts(b as RegExp | BSONRegExp);
      return compareStrings(sourceA, sourceB) || compareStrings(flagsA, flagsB);
    }
    case 60:
      return compareStrings(String((a as Code).code ?? a), String((b as Code).code ?? b));
    default:
      return 0; // null, MinKey, MaxKey: one value each
  }
}

/** Field by field: canonical type, then name, then value (MongoDB's BSONObj::woCompare). */
export function compareDocuments(a: Document, b: Document): number {
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  const length = Math.min(keysA.length, keysB.length);
  for (let i = 0; i < length; i++) {
    const valueA = a[keysA[i]];
    const valueB = b[keysB[i]];
    const rankA = typeRank(valueA);
    const rankB = typeRank(valueB);
    if (rankA !== rankB) return rankA < rankB ? -1 : 1;
    const byName = compareStrings(keysA[i], keysB[i]);
    if (byName !== 0) return byName;
    const byValue = compareValues(valueA, valueB);
    if (byValue !== 0) return byValue;
  }
  return keysA.length === keysB.length ? 0 : keysA.length < keysB.length ? -1 : 1;
}

function compareArrays(a: unknown[], b: unknown[]): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const order = compareValues(a[i], b[i]);
    if (order !== 0) return order;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function valuesEqual(a: unknown, b: unknown): boolean {
  return compareValues(a, b) === 0;
}

/**
 * The BSON type name of a value as `$type` spells it. A JS number is what the bson serializer
 * will write: int for 32-bit integers, double otherwise.
 */
export function bsonTypeName(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'number':
      return Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff && !Object.is(value, -0)
        ? 'int'
        : 'double';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'long';
    default:
      break;
  }
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  if (value instanceof RegExp) return 'regex';
  switch (bsonTag(value as object)) {
    case undefined:
    case 'DBRef':
      return 'object';
    case 'Long':
      return 'long';
    case 'Int32':
      return 'int';
    case 'Double':
      return 'double';
    case 'Decimal128':
      return 'decimal';
    case 'Binary':
      return 'binData';
    case 'ObjectId':
      return 'objectId';
    case 'Timestamp':
      return 'timestamp';
    case 'BSONRegExp':
      return 'regex';
    case 'BSONSymbol':
      return 'symbol';
    case 'Code':
      return (value as Code).scope ? 'javascriptWithScope' : 'javascript';
    case 'MinKey':
      return 'minKey';
    case 'MaxKey':
      return 'maxKey';
    default:
      return 'object';
  }
}

function encodeNumber(value: number | bigint): string {
  if (typeof value === 'bigint') return value.toString();
  if (Number.isInteger(value)) {
    return Number.isSafeInteger(value) ? String(value + 0) : BigInt(value).toString();
  }
  return String(value); // NaN, ±Infinity, fractions
}

/**
 * A string that is equal for two values exactly when `compareValues` says they are equal
 * (1, 1.0 and Long(1) share one encoding). Null and missing share one too, as in an index.
 * Every encoding is self-delimiting so that compound keys can be joined with a comma.
 */
export function encodeKey(value: unknown): string {
  if (value === undefined || value === null) return 'z';
  switch (typeof value) {
    case 'number':
    case 'bigint':
      return 'n' + encodeNumber(value);
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 't' : 'f';
    default:
      break;
  }
  if (Array.isArray(value)) return '[' + value.map(encodeKey).join(',') + ']';
  if (value instanceof Date) return 'd' + encodeNumber(value.getTime());
  if (value instanceof RegExp) return 'r' + JSON.stringify(value.source) + JSON.stringify(value.flags);
  switch (bsonTag(value as object)) {
    case undefined:
      return encodeDocument(value as Document);
    case 'DBRef':
      return encodeDocument(dbRefAsDocument(value as DBRef));
    case 'Long':
    case 'Int32':
    case 'Double':
    case 'Decimal128':
      return 'n' + encodeNumber(numericValue(value));
    case 'BSONSymbol':
      return JSON.stringify((value as BSONSymbol).value);
    case 'ObjectId':
      return 'o' + (value as ObjectId).toHexString();
    case 'Binary': {
      const binary = value as Binary;
      return 'b' + binary.sub_type + ':' + Buffer.from(binary.buffer.subarray(0, binary.position)).toString('base64') + ';';
    }
    case 'Timestamp': {
      const timestamp = value as Timestamp;
      return 'T' + timestamp.t + '.' + timestamp.i;
    }
    case 'BSONRegExp': {
      const regex = value as BSONRegExp;
      return 'r' + JSON.stringify(regex.pattern) + JSON.stringify(regex.options);
    }
    case 'MinKey':
      return '<';
    case 'MaxKey':
      return '>';
    case 'Code':
      return 'c' + JSON.stringify((value as Code).code);
    default:
      return 'x' + JSON.stringify(String(value));
  }
}

function encodeDocument(doc: Document): string {
  let out = '{';
  let first = true;
  for (const key of Object.keys(doc)) {
    if (!first) out += ',';
    first = false;
    out += JSON.stringify(key) + ':' + encodeKey(doc[key]);
  }
  return out + '}';
}

/**
 * Copies documents and arrays; BSON leaf values (ObjectId, Date, Binary…) are shared because the
 * engine never mutates them.
 */
export function deepCopy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(deepCopy) as T;
  if (isDocument(value)) {
    const copy: Document = {};
    for (const key of Object.keys(value)) setField(copy, key, deepCopy(value[key]));
    return copy as T;
  }
  return value;
}

/** MongoDB keeps `_id` as the first field of every stored document. */
export function withIdFirst(doc: Document): Document {
  const keys = Object.keys(doc);
  if (keys[0] === '_id' || !Object.hasOwn(doc, '_id')) return doc;
  const ordered: Document = { _id: doc._id };
  for (const key of keys) if (key !== '_id') setField(ordered, key, doc[key]);
  return ordered;
}

/** Renders a value the way mongod prints it in error messages, e.g. `{ email: "a@b.c" }`. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return '[ ' + value.map(formatValue).join(', ') + ' ]';
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  if (value instanceof RegExp) return String(value);
  switch (bsonTag(value as object)) {
    case undefined: {
      const doc = value as Document;
      const fields = Object.keys(doc).map((key) => `${key}: ${formatValue(doc[key])}`);
      return fields.length === 0 ? '{}' : '{ ' + fields.join(', ') + ' }';
    }
    case 'ObjectId':
      return `ObjectId('${(value as ObjectId).toHexString()}')`;
    case 'Long':
      return (value as Long).toString();
    default:
      return String(value);
  }
}

export function isLong(value: unknown): value is Long {
  return typeof value === 'object' && value !== null && bsonTag(value) === 'Long';
}

export function isTimestamp(value: unknown): value is Timestamp {
  return typeof value === 'object' && value !== null && bsonTag(value) === 'Timestamp';
}

/** Reads an integer option that may arrive as int32, double or Int64. */
export function toInteger(value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (!isNumeric(value)) return fallback;
  const number = toNumber(value);
  return Number.isFinite(number) ? Math.trunc(number) : fallback;
}

export { Long };

export function addNumbers(a: unknown, b: unknown): unknown {
  return arithmetic(a, b, (x, y) => x + y, (x, y) => x.add(y));
}

export function subtractNumbers(a: unknown, b: unknown): unknown {
  return arithmetic(a, b, (x, y) => x - y, (x, y) => x.subtract(y));
}

export function multiplyNumbers(a: unknown, b: unknown): unknown {
  return arithmetic(a, b, (x, y) => x * y, (x, y) => x.multiply(y));
}

/** int op int stays a number; anything with a Long stays a Long unless a double is involved. */
function arithmetic(
  a: unknown,
  b: unknown,
  onNumbers: (x: number, y: number) => number,
  onLongs: (x: Long, y: Long) => Long,
): unknown {
  if (typeRank(a) !== 10 || typeRank(b) !== 10) throw badValue('arithmetic on non-numbers');
  if (bsonTypeName(a) === 'decimal' || bsonTypeName(b) === 'decimal') throw notImplemented('Decimal128 arithmetic');
  if (isLong(a) || isLong(b)) {
    const other = isLong(a) ? b : a;
    if (isLong(other) || (typeof other === 'number' && Number.isInteger(other)) || bsonTypeName(other) === 'int') {
      const x = isLong(a) ? a : Long.fromNumber(toNumber(a));
      const y = isLong(b) ? b : Long.fromNumber(toNumber(b));
      return onLongs(x, y);
    }
  }
  return onNumbers(Number(numericValue(a)), Number(numericValue(b)));
}
