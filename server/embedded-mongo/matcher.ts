/**
 * Query filters compiled into predicates. Compilation validates every operator up front, so a
 * bad filter fails even on an empty collection, and scanning does no re-parsing per document.
 */
import type { BSONRegExp, Document } from 'mongodb';
import { CommandError, badValue, notImplemented } from './errors.ts';
import { someAtPath, splitPath } from './paths.ts';
import {
  bsonTypeName,
  compareValues,
  encodeKey,
  isDocument,
  isNumeric,
  isRegex,
  toNumber,
  typeRank,
} from './values.ts';

export type Predicate = (doc: Document) => boolean;
/** A test of one value reached by a path. */
type ValueTest = (value: unknown, fromArray: boolean) => boolean;

const matchAll: Predicate = () => true;

export function compileFilter(filter: Document | undefined | null): Predicate {
  if (filter === undefined || filter === null) return matchAll;
  if (!isDocument(filter)) throw badValue('filter must be an object');
  const predicates: Predicate[] = [];
  for (const key of Object.keys(filter)) {
    const condition = filter[key];
    if (key.startsWith('$')) {
      const predicate = compileTopLevelOperator(key, condition);
      if (predicate) predicates.push(predicate);
    } else {
      predicates.push(compileFieldCondition(key, condition));
    }
  }
  return all(predicates);
}

function all(predicates: Predicate[]): Predicate {
  if (predicates.length === 0) return matchAll;
  if (predicates.length === 1) return predicates[0];
  return (doc) => {
    for (const predicate of predicates) if (!predicate(doc)) return false;
    return true;
  };
}

function compileTopLevelOperator(operator: string, operand: unknown): Predicate | undefined {
  switch (operator) {
    case '$and':
    case '$or':
    case '$nor': {
      if (!Array.isArray(operand) || operand.length === 0) {
        throw badValue(`${operator} must be a nonempty array`);
      }
      const clauses = operand.map((clause) => {
        if (!isDocument(clause)) throw badValue(`${operator} argument's entries must be objects`);
        return compileFilter(clause);
      });
      if (operator === '$and') return all(clauses);
      if (operator === '$or') return (doc) => clauses.some((clause) => clause(doc));
      return (doc) => !clauses.some((clause) => clause(doc));
    }
    case '$comment':
      return undefined;
    case '$expr':
    case '$where':
    case '$text':
    case '$jsonSchema':
    case '$sampleRate':
      throw notImplemented(`the query operator ${operator}`);
    default:
      throw badValue(`unknown top level operator: ${operator}`);
  }
}

/** `{a: {$gt: 1}}` rather than an equality with a sub-document. */
export function isOperatorObject(value: unknown): value is Document {
  if (!isDocument(value)) return false;
  const first = Object.keys(value)[0];
  return first !== undefined && first.startsWith('$');
}

function compileFieldCondition(path: string, condition: unknown): Predicate {
  const parts = splitPath(path);
  if (isOperatorObject(condition)) {
    const regexOptions = condition.$options;
    const predicates: Predicate[] = [];
    for (const operator of Object.keys(condition)) {
      if (operator === '$options') {
        if (!('$regex' in condition)) throw badValue('$options needs a $regex');
        continue;
      }
      predicates.push(compileOperator(parts, operator, condition[operator], regexOptions));
    }
    return all(predicates);
  }
  return anyAtPath(parts, equalityTest(condition));
}

function anyAtPath(parts: readonly string[], test: ValueTest): Predicate {
  return (doc) => someAtPath(doc, parts, test);
}

function noneAtPath(parts: readonly string[], test: ValueTest): Predicate {
  return (doc) => !someAtPath(doc, parts, test);
}

/** Equality as a filter value means: equal, or regex match when the value is a regex. */
function equalityTest(expected: unknown): ValueTest {
  if (isRegex(expected)) {
    const regex = toJsRegex(expected);
    return (value) => (typeof value === 'string' && regex.test(value)) || (isRegex(value) && compareValues(value, expected) === 0);
  }
  return strictEqualityTest(expected);
}

function strictEqualityTest(expected: unknown): ValueTest {
  if (expected === null || expected === undefined) return (value) => value === null || value === undefined;
  const expectedRank = typeRank(expected);
  return (value) => typeRank(value) === expectedRank && compareValues(value, expected) === 0;
}

function compileOperator(parts: readonly string[], operator: string, operand: unknown, regexOptions: unknown): Predicate {
  switch (operator) {
    case '$eq':
      return anyAtPath(parts, strictEqualityTest(operand));
    case '$ne':
      return noneAtPath(parts, strictEqualityTest(operand));
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      return anyAtPath(parts, comparisonTest(operator, operand));
    case '$in':
      return anyAtPath(parts, inTest(operand, '$in'));
    case '$nin':
      return noneAtPath(parts, inTest(operand, '$nin'));
    case '$exists': {
      const present: ValueTest = (value) => value !== undefined;
      return operand ? anyAtPath(parts, present) : noneAtPath(parts, present);
    }
    case '$type':
      return anyAtPath(parts, typeTest(operand));
    case '$size': {
      if (!isNumeric(operand)) throw badValue('$size needs a number');
      const size = toNumber(operand);
      return anyAtPath(parts, (value, fromArray) => !fromArray && Array.isArray(value) && value.length === size);
    }
    case '$all': {
      if (!Array.isArray(operand)) throw badValue('$all needs an array');
      if (operand.length === 0) return () => false;
      return all(
        operand.map((entry) =>
          isDocument(entry) && Object.keys(entry)[0] === '$elemMatch'
            ? compileOperator(parts, '$elemMatch', entry.$elemMatch, undefined)
            : anyAtPath(parts, equalityTest(entry)),
        ),
      );
    }
    case '$elemMatch': {
      const elementTest = compileElemMatch(operand);
      return anyAtPath(parts, (value, fromArray) => !fromArray && Array.isArray(value) && value.some(elementTest));
    }
    case '$not': {
      if (isRegex(operand)) return noneAtPath(parts, equalityTest(operand));
      if (!isOperatorObject(operand)) throw badValue('$not needs a regex or a document');
      const inner = compileFieldCondition(parts.join('.'), operand);
      return (doc) => !inner(doc);
    }
    case '$regex': {
      const regex = buildRegex(operand, regexOptions);
      return anyAtPath(parts, (value) => typeof value === 'string' && regex.test(value));
    }
    case '$mod': {
      if (!Array.isArray(operand) || operand.length !== 2 || !operand.every(isNumeric)) {
        throw badValue('malformed mod, needs to be an array of [divisor, remainder]');
      }
      const divisor = Math.trunc(toNumber(operand[0]));
      const remainder = Math.trunc(toNumber(operand[1]));
      if (divisor === 0) throw badValue('divisor cannot be 0');
      return anyAtPath(parts, (value) => isNumeric(value) && Math.trunc(toNumber(value)) % divisor === remainder);
    }
    case '$comment':
      return matchAll;
    case '$near':
    case '$nearSphere':
    case '$geoWithin':
    case '$geoIntersects':
    case '$within':
    case '$bitsAllSet':
    case '$bitsAllClear':
    case '$bitsAnySet':
    case '$bitsAnyClear':
    case '$jsonSchema':
    case '$expr':
      throw notImplemented(`the query operator ${operator}`);
    default:
      throw badValue(`unknown operator: ${operator}`);
  }
}

/**
 * Range operators compare only within one canonical type ("type bracketing"): `{$gt: 5}`
 * never matches a string. Null in a range bound matches null/missing for the inclusive forms.
 */
function comparisonTest(operator: '$gt' | '$gte' | '$lt' | '$lte', bound: unknown): ValueTest {
  if (isRegex(bound)) throw badValue(`Can't have RegEx as arg to predicate over field`);
  if (bound === null || bound === undefined) {
    return operator === '$gte' || operator === '$lte' ? (value) => value === null || value === undefined : () => false;
  }
  const boundRank = typeRank(bound);
  const boundIsExtreme = boundRank === -1 || boundRank === 100; // MinKey / MaxKey compare with everything
  const accept =
    operator === '$gt'
      ? (order: number) => order > 0
      : operator === '$gte'
        ? (order: number) => order >= 0
        : operator === '$lt'
          ? (order: number) => order < 0
          : (order: number) => order <= 0;
  return (value) => {
    if (value === undefined) return false;
    if (!boundIsExtreme && typeRank(value) !== boundRank) return false;
    return accept(compareValues(value, bound));
  };
}

function inTest(operand: unknown, operator: string): ValueTest {
  if (!Array.isArray(operand)) throw badValue(`${operator} needs an array`);
  const keys = new Set<string>();
  const regexes: RegExp[] = [];
  for (const entry of operand) {
    if (isRegex(entry)) regexes.push(toJsRegex(entry));
    else if (isOperatorObject(entry)) throw badValue(`cannot nest $ under ${operator}`);
    else keys.add(encodeKey(entry));
  }
  return (value) => {
    if (keys.has(encodeKey(value))) return true;
    if (typeof value === 'string') for (const regex of regexes) if (regex.test(value)) return true;
    return false;
  };
}

const typeAliases: Record<string, string> = {
  1: 'double',
  2: 'string',
  3: 'object',
  4: 'array',
  5: 'binData',
  6: 'undefined',
  7: 'objectId',
  8: 'bool',
  9: 'date',
  10: 'null',
  11: 'regex',
  13: 'javascript',
  14: 'symbol',
  15: 'javascriptWithScope',
  16: 'int',
  17: 'timestamp',
  18: 'long',
  19: 'decimal',
  '-1': 'minKey',
  127: 'maxKey',
};

function typeTest(operand: unknown): ValueTest {
  const wanted = (Array.isArray(operand) ? operand : [operand]).map((entry) => {
    if (typeof entry === 'string') {
      if (entry === 'number' || Object.values(typeAliases).includes(entry)) return entry;
      throw badValue(`Unknown type name alias: ${entry}`);
    }
    if (isNumeric(entry)) {
      const alias = typeAliases[String(toNumber(entry))];
      if (alias) return alias;
    }
    throw badValue(`Invalid numerical type code: ${String(entry)}`);
  });
  return (value) => {
    if (value === undefined) return false;
    const name = bsonTypeName(value);
    return wanted.some(
      (type) => type === name || (type === 'number' && (name === 'int' || name === 'double' || name === 'long' || name === 'decimal')),
    );
  };
}

/** `$elemMatch` takes either operators on the element itself or a query on sub-documents. */
function compileElemMatch(spec: unknown): (element: unknown) => boolean {
  if (!isDocument(spec)) throw badValue('$elemMatch needs an Object');
  const keys = Object.keys(spec);
  const onElementItself = keys.length > 0 && keys.every((key) => key.startsWith('$') && !['$and', '$or', '$nor'].includes(key));
  if (onElementItself) {
    // Wrap the element so that the field machinery (with its array semantics) applies to it.
    const predicate = compileFieldCondition('v', spec);
    return (element) => predicate({ v: element });
  }
  const predicate = compileFilter(spec);
  return (element) => isDocument(element) && predicate(element);
}

const supportedRegexFlags = new Set(['i', 'm', 's', 'u']);

function toJsRegex(value: RegExp | BSONRegExp): RegExp {
  if (value instanceof RegExp) {
    // A global/sticky regex keeps state between test() calls; strip those flags.
    return value.global || value.sticky ? new RegExp(value.source, value.flags.replace(/[gy]/g, '')) : value;
  }
  return buildRegex(value.pattern, value.options);
}

function buildRegex(pattern: unknown, options: unknown): RegExp {
  if (isRegex(pattern)) {
    const base = toJsRegex(pattern);
    return options === undefined ? base : buildRegex(base.source, options);
  }
  if (typeof pattern !== 'string') throw badValue('$regex has to be a string');
  if (options !== undefined && typeof options !== 'string') throw badValue('$options has to be a string');
  let source = pattern;
  let flags = '';
  for (const flag of options ?? '') {
    if (flag === 'x') {
      // Extended mode: whitespace and #-comments in the pattern are not part of it.
      source = source.replace(/\\#/g, '\u0000').replace(/#[^\n]*/g, '').replace(/\s+/g, '').replace(/\u0000/g, '\\#');
    } else if (supportedRegexFlags.has(flag)) {
      if (!flags.includes(flag)) flags += flag;
    } else {
      throw badValue(`invalid flag in regex options: ${flag}`);
    }
  }
  try {
    return new RegExp(source, flags);
  } catch (error) {
    throw new CommandError('BadValue', `Regular expression is invalid: ${(error as Error).message}`);
  }
}

export { toJsRegex };
