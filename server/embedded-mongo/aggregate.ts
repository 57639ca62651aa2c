/**
 * The pipeline subset the product needs. Whole-collection stages for the aggregate command:
 * `$match $sort $skip $limit`, and `$group` with `$sum` only (the driver's countDocuments).
 * Per-document stages, shared with pipeline updates: `$project $addFields/$set $unset
 * $replaceRoot/$replaceWith`. Every other stage MongoDB has is NotImplemented.
 */
import type { Document } from 'mongodb';
import { CommandError, badValue, notImplemented } from './errors.ts';
import { compileExpression } from './expressions.ts';
import type { Evaluator, ExpressionScope } from './expressions.ts';
import { compileFilter } from './matcher.ts';
import { splitPath } from './paths.ts';
import { compileProjection, isProjectionFlag } from './projection.ts';
import { sortDocuments } from './sort.ts';
import { deepCopy, encodeKey, getField, isDocument, isNumeric, numericValue, setField, toInteger, toNumber } from './values.ts';

type Stage = (input: Document[], scope: ExpressionScope) => Document[];
/** A stage that maps one document to one document (what an update pipeline may contain). */
export type DocumentStage = (doc: Document, scope: ExpressionScope) => Document;

/** Stages MongoDB 7 has and this engine does not: refused by name rather than as "unrecognized". */
const knownUnsupportedStages = new Set(
  (
    '$bucket $bucketAuto $changeStream $changeStreamSplitLargeEvent $collStats $count $currentOp $densify $documents ' +
    '$facet $fill $geoNear $graphLookup $indexStats $listLocalSessions $listSampledQueries $listSearchIndexes ' +
    '$listSessions $lookup $merge $out $planCacheStats $redact $sample $search $searchMeta $setWindowFields ' +
    '$shardedDataDistribution $sortByCount $unionWith $unwind $vectorSearch'
  ).split(' '),
);
const documentStages = new Set(['$project', '$addFields', '$set', '$unset', '$replaceRoot', '$replaceWith']);

function stageName(stage: unknown): string {
  if (!isDocument(stage) || Object.keys(stage).length !== 1) {
    throw new CommandError('Location40323', 'A pipeline stage specification object must contain exactly one field.');
  }
  return Object.keys(stage)[0];
}

function refuseUnknownStage(name: string): never {
  if (knownUnsupportedStages.has(name)) throw notImplemented(`the aggregation stage ${name}`);
  throw new CommandError('Location40324', `Unrecognized pipeline stage name: '${name}'`);
}

export function compilePipeline(pipeline: unknown): Stage[] {
  if (!Array.isArray(pipeline)) throw new CommandError('TypeMismatch', "'pipeline' option must be specified as an array");
  return pipeline.map((stage) => {
    const name = stageName(stage);
    return compileStage(name, (stage as Document)[name]);
  });
}

/** An update's pipeline: only the stages MongoDB allows there, each a document-to-document map. */
export function compileUpdatePipeline(pipeline: unknown[]): DocumentStage[] {
  return pipeline.map((stage) => {
    const name = stageName(stage);
    if (!documentStages.has(name)) {
      if (name === '$match' || name === '$sort' || name === '$skip' || name === '$limit' || name === '$group' || knownUnsupportedStages.has(name)) {
        throw new CommandError('InvalidOptions', `${name} is not allowed to be used within an update`);
      }
      refuseUnknownStage(name);
    }
    return compileDocumentStage(name, (stage as Document)[name]);
  });
}

export function runPipeline(stages: Stage[], input: Document[], scope: ExpressionScope): Document[] {
  let documents = input;
  for (const stage of stages) documents = stage(documents, scope);
  return documents;
}

function compileStage(name: string, spec: unknown): Stage {
  if (documentStages.has(name)) {
    const map = compileDocumentStage(name, spec);
    return (input, scope) => input.map((doc) => map(doc, scope));
  }
  switch (name) {
    case '$match': {
      if (!isDocument(spec)) throw badValue('the match filter must be an expression in an object');
      const predicate = compileFilter(spec);
      return (input) => input.filter(predicate);
    }
    case '$sort': {
      if (!isDocument(spec) || Object.keys(spec).length === 0) throw new CommandError('Location15976', '$sort stage must have at least one sort key');
      sortDocuments([], spec, (doc) => doc); // validates the spec now
      return (input) => sortDocuments([...input], spec, (doc) => doc);
    }
    case '$limit': {
      if (!isNumeric(spec) || toNumber(spec) <= 0) throw new CommandError('Location15958', 'the limit must be positive');
      const limit = toInteger(spec, 0);
      return (input) => input.slice(0, limit);
    }
    case '$skip': {
      if (!isNumeric(spec) || toNumber(spec) < 0) throw new CommandError('Location5107200', 'invalid argument to $skip stage: Expected a non-negative number');
      const skip = toInteger(spec, 0);
      return (input) => input.slice(skip);
    }
    case '$group':
      return compileGroup(spec);
    default:
      return refuseUnknownStage(name);
  }
}

function compileDocumentStage(name: string, spec: unknown): DocumentStage {
  switch (name) {
    case '$project':
      return compileProject(spec);
    case '$addFields':
    case '$set':
      return compileAddFields(name, spec);
    case '$unset': {
      const fields = typeof spec === 'string' ? [spec] : spec;
      if (!Array.isArray(fields) || fields.length === 0 || !fields.every((field) => typeof field === 'string')) {
        throw new CommandError('Location31002', '$unset specification must be a string or an array containing only string values');
      }
      const project = compileProjection(Object.fromEntries(fields.map((field) => [field, 0])));
      return (doc) => project(doc);
    }
    default: {
      // $replaceRoot / $replaceWith
      const expression = name === '$replaceRoot' ? (isDocument(spec) ? spec.newRoot : undefined) : spec;
      if (expression === undefined) throw new CommandError('Location40231', 'no newRoot specified for the $replaceRoot stage');
      const evaluate = compileExpression(expression);
      return (doc, scope) => {
        const root = evaluate(doc, scope);
        if (!isDocument(root)) {
          throw new CommandError('Location40228', `'newRoot' expression must evaluate to an object, but resulting value was: ${root === undefined ? 'MISSING' : JSON.stringify(root)}`);
        }
        return root;
      };
    }
  }
}

/**
 * `{a: {b: 1, c: '$x'}}` in $project/$addFields is the nested form of `{'a.b': 1, 'a.c': '$x'}`
 * (it merges into an existing `a`); an object whose first key is an operator is an expression.
 */
function flattenSpec(spec: Document, prefix = '', out: [string, unknown][] = []): [string, unknown][] {
  for (const key of Object.keys(spec)) {
    const value = spec[key];
    const path = prefix + key;
    if (isDocument(value) && Object.keys(value).length > 0 && !Object.keys(value)[0].startsWith('$')) flattenSpec(value, `${path}.`, out);
    else out.push([path, value]);
  }
  return out;
}

function compileAddFields(name: string, spec: unknown): DocumentStage {
  if (!isDocument(spec)) throw new CommandError('Location40272', `${name} specification stage must be an object, got ${typeof spec}`);
  const fields = flattenSpec(spec).map(([path, value]) => ({ parts: splitPath(path), evaluate: compileExpression(value) }));
  return (doc, scope) => {
    const result = deepCopy(doc);
    // Every expression sees the input document, not the fields this stage already set.
    const values = fields.map((field) => field.evaluate(doc, scope));
    fields.forEach((field, i) => setPathValue(result, field.parts, values[i]));
    return result;
  };
}

function compileProject(spec: unknown): DocumentStage {
  if (!isDocument(spec) || Object.keys(spec).length === 0) throw new CommandError('Location51272', '$project specification must be an object with at least one field');
  const entries = flattenSpec(spec);
  const flags = entries.filter(([, value]) => isProjectionFlag(value));
  const computed = entries.filter(([, value]) => !isProjectionFlag(value));
  const excludes = flags.some(([path, value]) => path !== '_id' && !(value === true || (isNumeric(value) && toNumber(value) !== 0)));
  if (excludes && computed.length > 0) {
    throw new CommandError('Location31310', 'Invalid $project :: caused by :: Cannot use expression other than $meta in exclusion projection');
  }
  if (computed.length === 0) {
    const project = compileProjection(Object.fromEntries(flags));
    return (doc) => project(doc);
  }
  const idFlag = flags.find(([path]) => path === '_id');
  const inclusions = flags.filter(([path]) => path !== '_id');
  const include = compileProjection(Object.fromEntries(inclusions.length > 0 ? inclusions : [['_id', 1]]));
  const dropId = idFlag !== undefined && !(idFlag[1] === true || toNumber(idFlag[1]) !== 0);
  const fields = computed.map(([path, value]) => ({ parts: splitPath(path), evaluate: compileExpression(value) }));
  return (doc, scope) => {
    const result = include(doc);
    if (dropId) delete result._id;
    for (const field of fields) {
      const value = field.evaluate(doc, scope);
      if (value !== undefined) setPathValue(result, field.parts, value);
    }
    return result;
  };
}

/** Sets `parts` to `value`, creating sub-documents; a missing value (`$$REMOVE`) removes the field. */
function setPathValue(doc: Document, parts: string[], value: unknown): void {
  let current = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    let next = getField(current, parts[i]);
    if (!isDocument(next)) {
      if (value === undefined) return;
      next = {};
      setField(current, parts[i], next);
    }
    current = next as Document;
  }
  const last = parts[parts.length - 1];
  if (value === undefined) delete current[last];
  else setField(current, last, value);
}

function compileGroup(spec: unknown): Stage {
  if (!isDocument(spec) || !Object.hasOwn(spec, '_id')) throw new CommandError('Location15955', 'a group specification must include an _id');
  const groupKey = compileExpression(spec._id);
  const sums: { field: string; evaluate: Evaluator }[] = [];
  for (const field of Object.keys(spec)) {
    if (field === '_id') continue;
    const accumulator = spec[field];
    if (!isDocument(accumulator) || Object.keys(accumulator).length !== 1) {
      throw new CommandError('Location40234', `The field '${field}' must be an accumulator object`);
    }
    const operator = Object.keys(accumulator)[0];
    if (operator !== '$sum') throw notImplemented(`the $group accumulator ${operator}`);
    sums.push({ field, evaluate: compileExpression(accumulator.$sum) });
  }
  return (input, scope) => {
    const groups = new Map<string, { key: unknown; totals: number[] }>();
    for (const doc of input) {
      const key = groupKey(doc, scope) ?? null;
      const encoded = encodeKey(key);
      let group = groups.get(encoded);
      if (!group) {
        group = { key, totals: sums.map(() => 0) };
        groups.set(encoded, group);
      }
      sums.forEach((sum, i) => {
        const value = sum.evaluate(doc, scope);
        if (isNumeric(value)) group!.totals[i] += Number(numericValue(value));
      });
    }
    return [...groups.values()].map((group) => {
      const result: Document = { _id: group.key };
      sums.forEach((sum, i) => setField(result, sum.field, group.totals[i]));
      return result;
    });
  };
}

/** The leading `$match` of a pipeline, which the collection can answer with an index. */
export function leadingMatch(pipeline: unknown): Document | undefined {
  if (!Array.isArray(pipeline) || pipeline.length === 0) return undefined;
  const first = pipeline[0];
  return isDocument(first) && isDocument(first.$match) ? first.$match : undefined;
}
