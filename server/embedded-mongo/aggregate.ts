/**
 * The aggregation subset: $match $group $sort $limit $skip $project $addFields/$set $unset
 * $count $unwind $replaceRoot/$replaceWith, with field paths, literals and a handful of
 * expression operators. Other stages and operators are refused with NotImplemented.
 */
import type { Document } from 'mongodb';
import { CommandError, badValue, notImplemented } from './errors.ts';
import { compileFilter } from './matcher.ts';
import { getExact, splitPath } from './paths.ts';
import { addPath, isProjectionFlag } from './projection.ts';
import type { PathTree } from './projection.ts';
import { compileProjection } from './projection.ts';
import { sortDocuments } from './sort.ts';
import {
  compareValues,
  deepCopy,
  encodeKey,
  getField,
  isDocument,
  isNumeric,
  numericValue,
  setField,
  toInteger,
  toNumber,
} from './values.ts';

type Stage = (input: Document[]) => Document[];

/** Stages MongoDB has and this engine does not: refused by name rather than as "unrecognized". */
const knownUnsupportedStages = new Set([
  '$lookup',
  '$facet',
  '$bucket',
  '$bucketAuto',
  '$sortByCount',
  '$graphLookup',
  '$out',
  '$merge',
  '$sample',
  '$geoNear',
  '$redact',
  '$unionWith',
  '$densify',
  '$fill',
  '$setWindowFields',
  '$collStats',
  '$indexStats',
  '$currentOp',
  '$listSessions',
  '$changeStream',
  '$documents',
  '$search',
  '$planCacheStats',
]);

export function compilePipeline(pipeline: unknown): Stage[] {
  if (!Array.isArray(pipeline)) throw new CommandError('TypeMismatch', "'pipeline' option must be specified as an array");
  return pipeline.map((stage) => {
    if (!isDocument(stage) || Object.keys(stage).length !== 1) {
      throw badValue('A pipeline stage specification object must contain exactly one field.');
    }
    const name = Object.keys(stage)[0];
    return compileStage(name, stage[name]);
  });
}

export function runPipeline(stages: Stage[], input: Document[]): Document[] {
  let documents = input;
  for (const stage of stages) documents = stage(documents);
  return documents;
}

function compileStage(name: string, spec: unknown): Stage {
  switch (name) {
    case '$match': {
      if (!isDocument(spec)) throw badValue('the match filter must be an expression in an object');
      const predicate = compileFilter(spec);
      return (input) => input.filter(predicate);
    }
    case '$sort': {
      if (!isDocument(spec) || Object.keys(spec).length === 0) throw badValue('$sort stage must have at least one sort key');
      sortDocuments([], spec, (doc) => doc); // validates the spec now
      return (input) => sortDocuments([...input], spec, (doc) => doc);
    }
    case '$limit': {
      const limit = positiveInteger(spec, '$limit');
      return (input) => input.slice(0, limit);
    }
    case '$skip': {
      if (!isNumeric(spec) || toNumber(spec) < 0) throw badValue('invalid argument to $skip stage: Expected a non-negative number');
      const skip = toInteger(spec, 0);
      return (input) => input.slice(skip);
    }
    case '$count': {
      if (typeof spec !== 'string' || spec === '' || spec.startsWith('$') || spec.includes('.')) {
        throw badValue('the count field must be a non-empty string, not start with $ and not contain .');
      }
      return (input) => (input.length === 0 ? [] : [{ [spec]: input.length }]);
    }
    case '$project':
      return compileProjectStage(spec);
    case '$addFields':
    case '$set':
      return compileAddFields(spec);
    case '$unset': {
      const fields = typeof spec === 'string' ? [spec] : spec;
      if (!Array.isArray(fields) || !fields.every((field) => typeof field === 'string')) {
        throw badValue('$unset specification must be a string or an array of strings');
      }
      const project = compileProjection(Object.fromEntries(fields.map((field) => [field, 0])));
      return (input) => input.map(project);
    }
    case '$group':
      return compileGroup(spec);
    case '$unwind':
      return compileUnwind(spec);
    case '$replaceRoot':
    case '$replaceWith': {
      const expression = name === '$replaceRoot' ? (isDocument(spec) ? spec.newRoot : undefined) : spec;
      if (expression === undefined) throw badValue('no newRoot specified for the $replaceRoot stage');
      const evaluate = compileExpression(expression);
      return (input) =>
        input.map((doc) => {
          const root = evaluate(doc);
          if (!isDocument(root)) throw badValue(`'newRoot' expression must evaluate to an object, but resulting value was: ${String(root)}`);
          return root;
        });
    }
    default:
      if (knownUnsupportedStages.has(name)) throw notImplemented(`the aggregation stage ${name}`);
      throw new CommandError('UnrecognizedPipelineStage', `Unrecognized pipeline stage name: '${name}'`);
  }
}

function positiveInteger(value: unknown, stage: string): number {
  if (!isNumeric(value) || toNumber(value) <= 0) throw badValue(`invalid argument to ${stage} stage: the limit must be positive`);
  return toInteger(value, 0);
}

function compileProjectStage(spec: unknown): Stage {
  if (!isDocument(spec) || Object.keys(spec).length === 0) throw badValue('$project requires at least one output field');
  const onlyFlags = Object.keys(spec).every((key) => isProjectionFlag(spec[key]));
  if (onlyFlags) {
    const project = compileProjection(spec);
    return (input) => input.map(project);
  }
  // Computed fields: an inclusion projection plus expressions (`{total: '$amount', _id: 0}`).
  const included: PathTree = {};
  let includeId = true;
  const computed: { parts: string[]; evaluate: Evaluator }[] = [];
  for (const path of Object.keys(spec)) {
    const value = spec[path];
    if (isProjectionFlag(value)) {
      const include = typeof value === 'boolean' ? value : toNumber(value) !== 0;
      if (path === '_id') includeId = include;
      else if (include) addPath(included, path);
      else throw badValue(`Invalid $project :: caused by :: Cannot do exclusion on field ${path} in inclusion projection`);
    } else {
      computed.push({ parts: splitPath(path), evaluate: compileExpression(value) });
    }
  }
  const includePaths = compileProjection(Object.keys(included).length > 0 ? included : { _id: 1 });
  return (input) =>
    input.map((doc) => {
      const result = includePaths(doc);
      if (!includeId) delete result._id;
      for (const field of computed) {
        const value = field.evaluate(doc);
        if (value !== undefined) setPathValue(result, field.parts, value);
      }
      return result;
    });
}

function compileAddFields(spec: unknown): Stage {
  if (!isDocument(spec)) throw badValue('$addFields specification stage must be an object');
  const fields = Object.keys(spec).map((path) => ({ parts: splitPath(path), evaluate: compileExpression(spec[path]) }));
  return (input) =>
    input.map((doc) => {
      const result = deepCopy(doc);
      for (const field of fields) {
        const value = field.evaluate(doc);
        if (value === undefined) continue;
        setPathValue(result, field.parts, value);
      }
      return result;
    });
}

function setPathValue(doc: Document, parts: string[], value: unknown): void {
  let current = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    let next = getField(current, parts[i]);
    if (!isDocument(next)) {
      next = {};
      setField(current, parts[i], next);
    }
    current = next as Document;
  }
  setField(current, parts[parts.length - 1], value);
}

function compileUnwind(spec: unknown): Stage {
  const options = typeof spec === 'string' ? { path: spec } : spec;
  if (!isDocument(options) || typeof options.path !== 'string' || !options.path.startsWith('$')) {
    throw badValue('$unwind requires a path starting with $');
  }
  const parts = splitPath(options.path.slice(1));
  const preserve = options.preserveNullAndEmptyArrays === true;
  const indexField = typeof options.includeArrayIndex === 'string' ? options.includeArrayIndex : undefined;
  return (input) => {
    const output: Document[] = [];
    for (const doc of input) {
      const value = getExact(doc, parts);
      if (Array.isArray(value) && value.length > 0) {
        value.forEach((element, index) => {
          const copy = deepCopy(doc);
          setPathValue(copy, parts, element);
          if (indexField) setField(copy, indexField, index);
          output.push(copy);
        });
      } else if (value !== undefined && value !== null && !Array.isArray(value)) {
        const copy = indexField ? deepCopy(doc) : doc;
        if (indexField) setField(copy, indexField, null);
        output.push(copy);
      } else if (preserve) {
        const copy = deepCopy(doc);
        if (Array.isArray(value)) {
          // An empty array unwinds to a document without the field.
          const parent = getExact(copy, parts.slice(0, -1));
          if (isDocument(parent)) delete parent[parts[parts.length - 1]];
        }
        if (indexField) setField(copy, indexField, null);
        output.push(copy);
      }
    }
    return output;
  };
}

interface Accumulator {
  add(value: unknown): void;
  result(): unknown;
}

type AccumulatorFactory = () => Accumulator;

function compileAccumulator(field: string, spec: unknown): { factory: AccumulatorFactory; evaluate: Evaluator } {
  if (!isDocument(spec) || Object.keys(spec).length !== 1) {
    throw badValue(`The field '${field}' must be an accumulator object`);
  }
  const operator = Object.keys(spec)[0];
  const argument = spec[operator];
  const evaluate = operator === '$count' ? () => 1 : compileExpression(argument);
  const factory = ((): AccumulatorFactory => {
    switch (operator) {
      case '$sum':
      case '$count':
        return () => {
          let sum = 0;
          return {
            add: (value) => {
              if (isNumeric(value)) sum += Number(numericValue(value));
            },
            result: () => sum,
          };
        };
      case '$avg':
        return () => {
          let sum = 0;
          let count = 0;
          return {
            add: (value) => {
              if (!isNumeric(value)) return;
              sum += Number(numericValue(value));
              count++;
            },
            result: () => (count === 0 ? null : sum / count),
          };
        };
      case '$min':
      case '$max':
        return () => {
          let best: unknown;
          return {
            add: (value) => {
              if (value === undefined || value === null) return;
              const order = best === undefined ? 0 : compareValues(value, best);
              if (best === undefined || (operator === '$min' ? order < 0 : order > 0)) best = value;
            },
            result: () => best ?? null,
          };
        };
      case '$first':
      case '$last':
        return () => {
          let seen = false;
          let kept: unknown = null;
          return {
            add: (value) => {
              if (operator === '$first' && seen) return;
              seen = true;
              kept = value === undefined ? null : value;
            },
            result: () => kept,
          };
        };
      case '$push':
        return () => {
          const values: unknown[] = [];
          return {
            add: (value) => {
              if (value !== undefined) values.push(value);
            },
            result: () => values,
          };
        };
      case '$addToSet':
        return () => {
          const values = new Map<string, unknown>();
          return {
            add: (value) => {
              if (value !== undefined && !values.has(encodeKey(value))) values.set(encodeKey(value), value);
            },
            result: () => [...values.values()],
          };
        };
      default:
        throw notImplemented(`the $group accumulator ${operator}`);
    }
  })();
  return { factory, evaluate };
}

function compileGroup(spec: unknown): Stage {
  if (!isDocument(spec) || !Object.hasOwn(spec, '_id')) throw badValue("a group specification must include an _id");
  const groupKey = compileExpression(spec._id);
  const accumulators = Object.keys(spec)
    .filter((field) => field !== '_id')
    .map((field) => {
      if (field.includes('.')) throw badValue(`The field name '${field}' cannot contain '.'`);
      return { field, ...compileAccumulator(field, spec[field]) };
    });
  return (input) => {
    const groups = new Map<string, { key: unknown; states: Accumulator[] }>();
    for (const doc of input) {
      const evaluated = groupKey(doc);
      const key = evaluated === undefined ? null : evaluated;
      const encoded = encodeKey(key);
      let group = groups.get(encoded);
      if (!group) {
        group = { key, states: accumulators.map((accumulator) => accumulator.factory()) };
        groups.set(encoded, group);
      }
      accumulators.forEach((accumulator, i) => group!.states[i].add(accumulator.evaluate(doc)));
    }
    const output: Document[] = [];
    for (const group of groups.values()) {
      const result: Document = { _id: group.key };
      accumulators.forEach((accumulator, i) => setField(result, accumulator.field, group.states[i].result()));
      output.push(result);
    }
    return output;
  };
}

type Evaluator = (doc: Document) => unknown;

/** Aggregation expressions: `"$field.path"`, `"$$ROOT"`, literals, objects, arrays and a few operators. */
export function compileExpression(expression: unknown): Evaluator {
  if (typeof expression === 'string' && expression.startsWith('$')) {
    if (expression === '$$ROOT' || expression === '$$CURRENT') return (doc) => doc;
    if (expression.startsWith('$$')) throw notImplemented(`the variable ${expression}`);
    const parts = splitPath(expression.slice(1));
    return (doc) => fieldPathValue(doc, parts);
  }
  if (Array.isArray(expression)) {
    const elements = expression.map(compileExpression);
    return (doc) => elements.map((element) => element(doc) ?? null);
  }
  if (!isDocument(expression)) return () => expression;
  const keys = Object.keys(expression);
  if (keys.length === 1 && keys[0].startsWith('$')) return compileOperatorExpression(keys[0], expression[keys[0]]);
  const fields = keys.map((key) => {
    if (key.startsWith('$')) throw badValue(`FieldPath field names may not start with '$'. Consider using $getField or $setField.`);
    return { key, evaluate: compileExpression(expression[key]) };
  });
  return (doc) => {
    const result: Document = {};
    for (const field of fields) {
      const value = field.evaluate(doc);
      if (value !== undefined) setField(result, field.key, value);
    }
    return result;
  };
}

/** `$a.b` over arrays yields the array of the `b`s, as in MongoDB expressions. */
function fieldPathValue(value: unknown, parts: readonly string[], depth = 0): unknown {
  if (depth === parts.length) return value;
  if (Array.isArray(value)) {
    return value.map((element) => (isDocument(element) || Array.isArray(element) ? fieldPathValue(element, parts, depth) : undefined)).filter((element) => element !== undefined);
  }
  if (!isDocument(value)) return undefined;
  return fieldPathValue(getField(value, parts[depth]), parts, depth + 1);
}

function compileOperatorExpression(operator: string, argument: unknown): Evaluator {
  if (operator === '$literal') return () => argument;
  const args = (Array.isArray(argument) ? argument : [argument]).map(compileExpression);
  const numbers = (doc: Document): number[] | null => {
    const values = args.map((arg) => arg(doc));
    if (values.some((value) => value === null || value === undefined)) return null;
    if (!values.every(isNumeric)) throw new CommandError('TypeMismatch', `${operator} only supports numeric types`);
    return values.map((value) => Number(numericValue(value)));
  };
  const comparison = (accept: (order: number) => boolean): Evaluator => (doc) => accept(compareValues(args[0](doc) ?? null, args[1](doc) ?? null));
  switch (operator) {
    case '$add':
      return (doc) => numbers(doc)?.reduce((sum, value) => sum + value, 0) ?? null;
    case '$multiply':
      return (doc) => numbers(doc)?.reduce((product, value) => product * value, 1) ?? null;
    case '$subtract':
      return (doc) => {
        const [left, right] = args.map((arg) => arg(doc));
        if (left instanceof Date && right instanceof Date) return left.getTime() - right.getTime();
        if (left instanceof Date && isNumeric(right)) return new Date(left.getTime() - toNumber(right));
        const values = numbers(doc);
        return values ? values[0] - values[1] : null;
      };
    case '$divide':
      return (doc) => {
        const values = numbers(doc);
        if (!values) return null;
        if (values[1] === 0) throw badValue("can't $divide by zero");
        return values[0] / values[1];
      };
    case '$concat':
      return (doc) => {
        const values = args.map((arg) => arg(doc));
        if (values.some((value) => value === null || value === undefined)) return null;
        return values.map(String).join('');
      };
    case '$toLower':
    case '$toUpper':
      return (doc) => {
        const value = args[0](doc);
        const text = value === null || value === undefined ? '' : String(value);
        return operator === '$toLower' ? text.toLowerCase() : text.toUpperCase();
      };
    case '$size':
      return (doc) => {
        const value = args[0](doc);
        if (!Array.isArray(value)) throw badValue('The argument to $size must be an array');
        return value.length;
      };
    case '$ifNull':
      return (doc) => {
        for (const arg of args) {
          const value = arg(doc);
          if (value !== null && value !== undefined) return value;
        }
        return null;
      };
    case '$cond': {
      const [condition, then, otherwise] = isDocument(argument)
        ? [compileExpression(argument.if), compileExpression(argument.then), compileExpression(argument.else)]
        : args;
      return (doc) => (truthy(condition(doc)) ? then(doc) : otherwise(doc));
    }
    case '$eq':
      return comparison((order) => order === 0);
    case '$ne':
      return comparison((order) => order !== 0);
    case '$gt':
      return comparison((order) => order > 0);
    case '$gte':
      return comparison((order) => order >= 0);
    case '$lt':
      return comparison((order) => order < 0);
    case '$lte':
      return comparison((order) => order <= 0);
    case '$and':
      return (doc) => args.every((arg) => truthy(arg(doc)));
    case '$or':
      return (doc) => args.some((arg) => truthy(arg(doc)));
    case '$not':
      return (doc) => !truthy(args[0](doc));
    default:
      throw notImplemented(`the aggregation expression ${operator}`);
  }
}

function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (isNumeric(value)) return toNumber(value) !== 0;
  return true;
}

/** The leading `$match` of a pipeline, which the collection can answer with an index. */
export function leadingMatch(pipeline: unknown): Document | undefined {
  if (!Array.isArray(pipeline) || pipeline.length === 0) return undefined;
  const first = pipeline[0];
  return isDocument(first) && isDocument(first.$match) ? first.$match : undefined;
}

export function getValueAtPath(doc: Document, path: string): unknown {
  return fieldPathValue(doc, splitPath(path));
}
