/**
 * The unified test format's matching rules: extra fields are allowed in root-level documents
 * only, numbers compare by value whatever their BSON type, and the special operators
 * `$$exists $$type $$unsetOrMatches $$lte $$matchAsDocument $$matchAsRoot`.
 * Returns undefined on a match, else where and why it differs.
 */
import { BSON } from 'mongodb';

const { EJSON } = BSON;
import type { Document } from 'mongodb';

function tag(value: unknown): string | undefined {
  return value !== null && typeof value === 'object' ? (value as { _bsontype?: string })._bsontype : undefined;
}

function isNumber(value: unknown): boolean {
  return typeof value === 'number' || typeof value === 'bigint' || ['Int32', 'Double', 'Long', 'Decimal128'].includes(tag(value) ?? '');
}

function numberOf(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  const t = tag(value);
  if (t === 'Long') return (value as { toNumber(): number }).toNumber();
  if (t === 'Decimal128') return Number(String(value));
  return (value as { value: number }).value;
}

function isPlainDocument(value: unknown): value is Document {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && tag(value) === undefined && !(value instanceof Date) && !(value instanceof RegExp);
}

function show(value: unknown): string {
  try {
    return value === undefined ? 'missing' : EJSON.stringify(value as Document, { relaxed: true });
  } catch {
    return String(value);
  }
}

function typeNames(value: unknown): string[] {
  if (value === undefined) return [];
  if (value === null) return ['null'];
  if (typeof value === 'number') return Number.isInteger(value) ? ['int', 'long', 'double'] : ['double'];
  if (typeof value === 'string') return ['string'];
  if (typeof value === 'boolean') return ['bool'];
  if (Array.isArray(value)) return ['array'];
  if (value instanceof Date) return ['date'];
  const t = tag(value);
  const map: Record<string, string> = { Int32: 'int', Double: 'double', Long: 'long', Decimal128: 'decimal', ObjectId: 'objectId', Binary: 'binData', Timestamp: 'timestamp', BSONRegExp: 'regex', MinKey: 'minKey', MaxKey: 'maxKey', Code: 'javascript' };
  if (t) return [map[t] ?? t];
  return ['object'];
}

export function matches(expected: unknown, actual: unknown, options: { root: boolean }, path = '$'): string | undefined {
  // The driver keeps a sort as a Map in the command it reports.
  if (actual instanceof Map) actual = Object.fromEntries(actual);
  if (isPlainDocument(expected)) {
    const keys = Object.keys(expected);
    if (keys.length === 1 && keys[0].startsWith('$$')) return special(keys[0], expected[keys[0]], actual, options, path);
    if (!isPlainDocument(actual)) return `${path}: expected a document, got ${show(actual)}`;
    for (const key of keys) {
      const want = expected[key];
      const got = Object.hasOwn(actual, key) ? actual[key] : undefined;
      const isOperator = isPlainDocument(want) && Object.keys(want).length === 1 && Object.keys(want)[0].startsWith('$$');
      if (got === undefined && !isOperator) return `${path}.${key}: missing, expected ${show(want)}`;
      const mismatch = matches(want, got, { root: false }, `${path}.${key}`);
      if (mismatch) return mismatch;
    }
    if (!options.root) {
      const extra = Object.keys(actual).filter((key) => !Object.hasOwn(expected, key));
      if (extra.length > 0) return `${path}: unexpected field(s) ${extra.join(', ')} in ${show(actual)}`;
    }
    return undefined;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${show(actual)}`;
    if (actual.length !== expected.length) return `${path}: ${actual.length} elements ${show(actual)}, expected ${expected.length} ${show(expected)}`;
    // The documents of a top-level array (a cursor's results) are root-level documents.
    for (let i = 0; i < expected.length; i++) {
      const mismatch = matches(expected[i], actual[i], { root: options.root && path === '$' }, `${path}[${i}]`);
      if (mismatch) return mismatch;
    }
    return undefined;
  }
  if (isNumber(expected)) {
    return isNumber(actual) && numberOf(actual) === numberOf(expected) ? undefined : `${path}: ${show(actual)}, expected ${show(expected)}`;
  }
  if (expected === null) return actual === null || actual === undefined ? undefined : `${path}: ${show(actual)}, expected null`;
  if (expected instanceof Date) return actual instanceof Date && actual.getTime() === expected.getTime() ? undefined : `${path}: ${show(actual)}, expected ${show(expected)}`;
  if (tag(expected)) return show(expected) === show(actual) ? undefined : `${path}: ${show(actual)}, expected ${show(expected)}`;
  return expected === actual ? undefined : `${path}: ${show(actual)}, expected ${show(expected)}`;
}

function special(operator: string, operand: unknown, actual: unknown, options: { root: boolean }, path: string): string | undefined {
  switch (operator) {
    case '$$exists':
      return (actual !== undefined) === Boolean(operand) ? undefined : `${path}: ${operand ? 'missing' : `present (${show(actual)})`}`;
    case '$$type': {
      const wanted = (Array.isArray(operand) ? operand : [operand]) as string[];
      const names = typeNames(actual);
      if (wanted.includes('number') && isNumber(actual)) return undefined;
      return names.some((name) => wanted.includes(name)) ? undefined : `${path}: type ${names.join('/') || 'missing'}, expected ${wanted.join('|')}`;
    }
    case '$$unsetOrMatches':
      return actual === undefined ? undefined : matches(operand, actual, options, path);
    case '$$lte':
      return isNumber(actual) && numberOf(actual) <= numberOf(operand) ? undefined : `${path}: ${show(actual)} > ${show(operand)}`;
    case '$$matchAsDocument':
      return typeof actual === 'string' ? matches(operand, EJSON.parse(actual), { root: false }, path) : `${path}: not a JSON string`;
    case '$$matchAsRoot':
      return matches(operand, actual, { root: true }, path);
    default:
      throw new Error(`runner: matching operator ${operator}`);
  }
}
