/**
 * Aggregation expressions, the subset pipeline updates and the kept aggregate stages need: field
 * paths, `$$ROOT`/`$$CURRENT`/`$$NOW`/`$$REMOVE`, literals, objects, arrays and the operators in
 * `operators` below. An operator MongoDB has but this engine lacks is NotImplemented; a name
 * MongoDB does not know is InvalidPipelineOperator (168), as MongoDB answers.
 *
 * `undefined` is MongoDB's "missing": a field path to nothing, or `$$REMOVE`.
 */
import { ObjectId } from 'mongodb';
import type { Document } from 'mongodb';
import { CommandError, notImplemented } from './errors.ts';
import { splitPath } from './paths.ts';
import {
  addNumbers,
  bsonTypeName,
  compareValues,
  getField,
  isDocument,
  isNumeric,
  multiplyNumbers,
  setField,
  subtractNumbers,
  toNumber,
  valuesEqual,
} from './values.ts';

/** What stays fixed while one command runs: `$$NOW` is the same instant for every document. */
export interface ExpressionScope {
  now: Date;
}

export type Evaluator = (doc: Document, scope: ExpressionScope) => unknown;

export function newScope(): ExpressionScope {
  return { now: new Date() };
}

export function compileExpression(expression: unknown): Evaluator {
  if (typeof expression === 'string' && expression.startsWith('$')) return compileFieldPath(expression);
  if (Array.isArray(expression)) {
    const elements = expression.map(compileExpression);
    return (doc, scope) => elements.map((element) => element(doc, scope) ?? null);
  }
  if (!isDocument(expression)) return () => expression;
  const keys = Object.keys(expression);
  if (keys.length > 0 && keys[0].startsWith('$')) {
    if (keys.length > 1) {
      throw new CommandError(
        'Location15983',
        `an expression specification must contain exactly one field, the name of the expression. Found ${keys.length} fields in ${JSON.stringify(expression)}`,
      );
    }
    return compileOperator(keys[0], expression[keys[0]]);
  }
  const fields = keys.map((key) => {
    if (key.startsWith('$')) throw new CommandError('Location16410', `FieldPath field names may not start with '$'. Consider using $getField or $setField.`);
    return { key, evaluate: compileExpression(expression[key]) };
  });
  return (doc, scope) => {
    const result: Document = {};
    for (const field of fields) {
      const value = field.evaluate(doc, scope);
      if (value !== undefined) setField(result, field.key, value);
    }
    return result;
  };
}

function compileFieldPath(expression: string): Evaluator {
  if (!expression.startsWith('$$')) {
    const parts = splitPath(expression.slice(1));
    if (parts.some((part) => part === '')) throw new CommandError('Location15998', `FieldPath field names may not be empty strings.`);
    return (doc) => fieldPathValue(doc, parts);
  }
  const [variable, ...rest] = splitPath(expression.slice(2));
  let base: Evaluator;
  switch (variable) {
    case 'ROOT':
    case 'CURRENT':
      base = (doc) => doc;
      break;
    case 'NOW':
      base = (_doc, scope) => scope.now;
      break;
    case 'REMOVE':
      base = () => undefined;
      break;
    case 'CLUSTER_TIME':
    case 'USER_ROLES':
    case 'SEARCH_META':
      throw notImplemented(`the variable $$${variable}`);
    default:
      // No $let/let here, so any other name is a variable nobody defined.
      throw new CommandError('Location17276', `Use of undefined variable: ${variable}`);
  }
  if (rest.length === 0) return base;
  return (doc, scope) => fieldPathValue(base(doc, scope), rest);
}

/** `$a.b` over arrays yields the array of the `b`s, as in MongoDB expressions. */
function fieldPathValue(value: unknown, parts: readonly string[], depth = 0): unknown {
  if (depth === parts.length) return value;
  if (Array.isArray(value)) {
    return value
      .map((element) => (isDocument(element) || Array.isArray(element) ? fieldPathValue(element, parts, depth) : undefined))
      .filter((element) => element !== undefined);
  }
  if (!isDocument(value)) return undefined;
  return fieldPathValue(getField(value, parts[depth]), parts, depth + 1);
}

export function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (isNumeric(value)) return toNumber(value) !== 0;
  return true;
}

function isNullish(value: unknown): boolean {
  return value === undefined || value === null;
}

/** Missing sorts before null in expressions (`{$eq: ['$missing', null]}` is false). */
function compareForExpression(a: unknown, b: unknown): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  return compareValues(a, b);
}

type OperatorCompiler = (args: Evaluator[], raw: unknown, name: string) => Evaluator;

function exactly(count: number, compile: OperatorCompiler): OperatorCompiler {
  return (args, raw, name) => {
    if (args.length !== count) {
      throw new CommandError('Location16020', `Expression ${name} takes exactly ${count} arguments. ${args.length} were passed in.`);
    }
    return compile(args, raw, name);
  };
}

function comparison(accept: (order: number) => unknown): OperatorCompiler {
  return exactly(2, ([left, right]) => (doc, scope) => accept(compareForExpression(left(doc, scope), right(doc, scope))));
}

function typeError(code: number, message: string): CommandError {
  return new CommandError(`Location${code}`, message);
}

function numericFold(name: string, fold: (a: unknown, b: unknown) => unknown, identity: number): OperatorCompiler {
  return (args) => (doc, scope) => {
    let result: unknown = identity;
    let date: Date | undefined;
    for (const arg of args) {
      const value = arg(doc, scope);
      if (isNullish(value)) return null;
      if (value instanceof Date && name === '$add') {
        if (date) throw typeError(16612, 'only one date allowed in an $add expression');
        date = value;
        continue;
      }
      if (!isNumeric(value)) throw typeError(name === '$add' ? 16554 : 16555, `${name} only supports numeric or date types, not ${bsonTypeName(value)}`);
      result = fold(result, value);
    }
    return date ? new Date(date.getTime() + toNumber(result)) : result;
  };
}

function minMax(pickMax: boolean): OperatorCompiler {
  return (args) => (doc, scope) => {
    let values = args.map((arg) => arg(doc, scope));
    // One array argument: the extreme of its elements.
    if (args.length === 1 && Array.isArray(values[0])) values = values[0];
    let best: unknown = null;
    for (const value of values) {
      if (isNullish(value)) continue;
      if (best === null || (pickMax ? compareValues(value, best) > 0 : compareValues(value, best) < 0)) best = value;
    }
    return best;
  };
}

function toStringValue(value: unknown): unknown {
  if (isNullish(value)) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (isNumeric(value)) return String(toNumber(value));
  if (value instanceof Date) return value.toISOString();
  if (value instanceof ObjectId) return value.toHexString();
  throw new CommandError('ConversionFailure', `Unsupported conversion from ${bsonTypeName(value)} to string in $convert with no onError value`);
}

const operators: Record<string, OperatorCompiler> = {
  $eq: comparison((order) => order === 0),
  $ne: comparison((order) => order !== 0),
  $gt: comparison((order) => order > 0),
  $gte: comparison((order) => order >= 0),
  $lt: comparison((order) => order < 0),
  $lte: comparison((order) => order <= 0),
  $cmp: comparison((order) => order),
  $and: (args) => (doc, scope) => args.every((arg) => truthy(arg(doc, scope))),
  $or: (args) => (doc, scope) => args.some((arg) => truthy(arg(doc, scope))),
  $not: exactly(1, ([arg]) => (doc, scope) => !truthy(arg(doc, scope))),
  $cond: (args, raw) => {
    let parts: Evaluator[];
    if (isDocument(raw)) {
      for (const key of Object.keys(raw)) {
        if (key !== 'if' && key !== 'then' && key !== 'else') throw typeError(17083, `Unrecognized parameter to $cond: ${key}`);
      }
      for (const key of ['if', 'then', 'else']) if (!Object.hasOwn(raw, key)) throw typeError(17080 + ['if', 'then', 'else'].indexOf(key), `Missing '${key}' parameter to $cond`);
      parts = [compileExpression(raw.if), compileExpression(raw.then), compileExpression(raw.else)];
    } else {
      if (args.length !== 3) throw new CommandError('Location16020', `Expression $cond takes exactly 3 arguments. ${args.length} were passed in.`);
      parts = args;
    }
    const [condition, then, otherwise] = parts;
    return (doc, scope) => (truthy(condition(doc, scope)) ? then(doc, scope) : otherwise(doc, scope));
  },
  $ifNull: (args) => {
    if (args.length < 2) throw typeError(1257300, '$ifNull needs at least two arguments');
    return (doc, scope) => {
      for (let i = 0; i < args.length - 1; i++) {
        const value = args[i](doc, scope);
        if (!isNullish(value)) return value;
      }
      return args[args.length - 1](doc, scope);
    };
  },
  $add: numericFold('$add', addNumbers, 0),
  $multiply: numericFold('$multiply', multiplyNumbers, 1),
  $subtract: exactly(2, ([left, right]) => (doc, scope) => {
    const a = left(doc, scope);
    const b = right(doc, scope);
    if (isNullish(a) || isNullish(b)) return null;
    if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
    if (a instanceof Date && isNumeric(b)) return new Date(a.getTime() - toNumber(b));
    if (!isNumeric(a) || !isNumeric(b)) throw typeError(16556, `can't $subtract ${bsonTypeName(b)} from ${bsonTypeName(a)}`);
    return subtractNumbers(a, b);
  }),
  $max: minMax(true),
  $min: minMax(false),
  $concat: (args) => (doc, scope) => {
    let text = '';
    for (const arg of args) {
      const value = arg(doc, scope);
      if (isNullish(value)) return null;
      if (typeof value !== 'string') throw typeError(16702, `$concat only supports strings, not ${bsonTypeName(value)}`);
      text += value;
    }
    return text;
  },
  $in: exactly(2, ([needle, haystack]) => (doc, scope) => {
    const array = haystack(doc, scope);
    if (!Array.isArray(array)) throw typeError(40081, `$in requires an array as a second argument, found: ${bsonTypeName(array)}`);
    const value = needle(doc, scope);
    return array.some((element) => valuesEqual(element, value ?? null));
  }),
  $size: exactly(1, ([arg]) => (doc, scope) => {
    const value = arg(doc, scope);
    if (!Array.isArray(value)) throw typeError(17124, `The argument to $size must be an array. Type of argument was: ${bsonTypeName(value)}`);
    return value.length;
  }),
  $mergeObjects: (args) => (doc, scope) => {
    const result: Document = {};
    for (const arg of args) {
      const value = arg(doc, scope);
      if (isNullish(value)) continue;
      if (!isDocument(value)) throw typeError(40400, `$mergeObjects requires object inputs, but input ${JSON.stringify(value)} is of type ${bsonTypeName(value)}`);
      for (const key of Object.keys(value)) setField(result, key, value[key]);
    }
    return result;
  },
  $toString: exactly(1, ([arg]) => (doc, scope) => toStringValue(arg(doc, scope))),
};

/**
 * Expression operators MongoDB 7 has and this engine does not: answered NotImplemented. Any
 * other `$name` is not an operator at all (InvalidPipelineOperator, as MongoDB).
 */
const knownUnsupported = new Set(
  (
    '$abs $accumulator $acos $acosh $allElementsTrue $anyElementTrue $arrayElemAt $arrayToObject $asin $asinh $atan ' +
    '$atan2 $atanh $avg $binarySize $bitAnd $bitNot $bitOr $bitXor $bsonSize $ceil $concatArrays $convert $cos $cosh ' +
    '$dateAdd $dateDiff $dateFromParts $dateFromString $dateSubtract $dateToParts $dateToString $dateTrunc ' +
    '$dayOfMonth $dayOfWeek $dayOfYear $degreesToRadians $divide $exp $filter $first $firstN $floor $function ' +
    '$getField $hour $indexOfArray $indexOfBytes $indexOfCP $isArray $isNumber $isoDayOfWeek $isoWeek $isoWeekYear ' +
    '$last $lastN $let $ln $log $log10 $ltrim $map $maxN $median $meta $millisecond $minN $minute $mod $month ' +
    '$objectToArray $percentile $pow $radiansToDegrees $rand $range $reduce $regexFind $regexFindAll $regexMatch ' +
    '$replaceAll $replaceOne $reverseArray $round $rtrim $sampleRate $second $setDifference $setEquals $setField ' +
    '$setIntersection $setIsSubset $setUnion $sin $sinh $slice $sortArray $split $sqrt $stdDevPop $stdDevSamp ' +
    '$strLenBytes $strLenCP $strcasecmp $substr $substrBytes $substrCP $sum $switch $tan $tanh $toBool $toDate ' +
    '$toDecimal $toDouble $toHashedIndexKey $toInt $toLong $toLower $toObjectId $toUpper $trim $trunc $tsIncrement ' +
    '$tsSecond $type $unsetField $week $year $zip'
  ).split(' '),
);

function compileOperator(name: string, raw: unknown): Evaluator {
  if (name === '$literal') return () => raw;
  const compile = Object.hasOwn(operators, name) ? operators[name] : undefined;
  if (!compile) {
    if (knownUnsupported.has(name)) throw notImplemented(`the aggregation expression ${name}`);
    throw new CommandError('InvalidPipelineOperator', `Unrecognized expression '${name}'`);
  }
  const args = (Array.isArray(raw) ? raw : [raw]).map(compileExpression);
  return compile(args, raw, name);
}
