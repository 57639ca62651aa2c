/**
 * Update documents: operator updates ($set, $inc, …) and replacements, plus the document an
 * upsert inserts. Updates are applied to a copy, never to the stored document, so a failure
 * half-way leaves the store untouched and open cursors keep a consistent snapshot.
 */
import { Long, ObjectId, Timestamp } from 'mongodb';
import type { Document } from 'mongodb';
import { compileUpdatePipeline } from './aggregate.ts';
import type { DocumentStage } from './aggregate.ts';
import { CommandError, badValue, notImplemented } from './errors.ts';
import { newScope } from './expressions.ts';
import type { ExpressionScope } from './expressions.ts';
import { compileFilter, isOperatorObject } from './matcher.ts';
import { getExact, isArrayIndex, splitPath } from './paths.ts';
import { compileSort } from './sort.ts';
import {
  addNumbers,
  bsonTypeName,
  compareValues,
  deepCopy,
  encodeKey,
  formatValue,
  getField,
  isDocument,
  isLong,
  isNumeric,
  isRegex,
  multiplyNumbers,
  setField,
  toInteger,
  toNumber,
  valuesEqual,
  withIdFirst,
} from './values.ts';

type OperatorName =
  | '$set'
  | '$unset'
  | '$inc'
  | '$mul'
  | '$min'
  | '$max'
  | '$push'
  | '$pull'
  | '$pullAll'
  | '$addToSet'
  | '$pop'
  | '$rename'
  | '$currentDate'
  | '$setOnInsert';

const supportedOperators = new Set<string>([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$push',
  '$pull',
  '$pullAll',
  '$addToSet',
  '$pop',
  '$rename',
  '$currentDate',
  '$setOnInsert',
]);

interface FieldUpdate {
  operator: OperatorName;
  path: string;
  parts: string[];
  operand: unknown;
  /** $pull's compiled condition. */
  pullTest?: (element: unknown) => boolean;
}

export type CompiledUpdate =
  | { kind: 'replacement'; replacement: Document }
  | { kind: 'operators'; updates: FieldUpdate[] }
  | { kind: 'pipeline'; stages: DocumentStage[] };

export function compileUpdate(update: unknown): CompiledUpdate {
  if (Array.isArray(update)) return { kind: 'pipeline', stages: compileUpdatePipeline(update) };
  if (!isDocument(update)) throw new CommandError('FailedToParse', 'Update argument must be either an object or an array');
  const keys = Object.keys(update);
  if (keys.length === 0 || !keys[0].startsWith('$')) {
    for (const key of keys) {
      if (key.startsWith('$')) {
        throw new CommandError('BadValue', `The dollar ($) prefixed field '${key}' in '${key}' is not allowed in a replacement document`);
      }
    }
    return { kind: 'replacement', replacement: update };
  }
  const updates: FieldUpdate[] = [];
  for (const operator of keys) {
    if (!operator.startsWith('$')) {
      throw new CommandError(
        'FailedToParse',
        `Unknown modifier: ${operator}. Expected a valid update modifier or pipeline-style update specified as an array`,
      );
    }
    if (!supportedOperators.has(operator)) {
      if (operator === '$bit') throw notImplemented('the update operator $bit');
      throw new CommandError('FailedToParse', `Unknown modifier: ${operator}. Expected a valid update modifier or pipeline-style update specified as an array`);
    }
    const fields = update[operator];
    if (!isDocument(fields)) {
      throw new CommandError('FailedToParse', `Modifiers operate on fields but we found type ${bsonTypeName(fields)} instead.`);
    }
    for (const path of Object.keys(fields)) {
      const operand = fields[path];
      validateUpdatePath(path);
      const fieldUpdate: FieldUpdate = { operator: operator as OperatorName, path, parts: splitPath(path), operand };
      validateOperand(fieldUpdate);
      updates.push(fieldUpdate);
    }
  }
  checkConflicts(updates);
  return { kind: 'operators', updates };
}

function validateUpdatePath(path: string): void {
  if (path === '') throw badValue('An empty update path is not valid.');
  for (const part of splitPath(path)) {
    if (part === '') throw badValue(`The update path '${path}' contains an empty field name, which is not allowed.`);
    if (part === '$' || part.startsWith('$[')) throw notImplemented(`the positional update path '${path}'`);
  }
}

function validateOperand(update: FieldUpdate): void {
  const { operator, operand, path } = update;
  switch (operator) {
    case '$inc':
    case '$mul':
      if (!isNumeric(operand)) {
        throw new CommandError(
          'TypeMismatch',
          `Cannot ${operator === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${path}: ${formatValue(operand)}}`,
        );
      }
      break;
    case '$rename':
      if (typeof operand !== 'string') throw badValue(`The 'to' field for $rename must be a string: ${path}: ${formatValue(operand)}`);
      validateUpdatePath(operand);
      if (operand === path) throw badValue(`The source and target field for $rename must differ: ${path}: ${operand}`);
      break;
    case '$pop':
      if (!isNumeric(operand) || Math.abs(toNumber(operand)) !== 1) throw badValue('$pop expects 1 or -1');
      break;
    case '$pullAll':
      if (!Array.isArray(operand)) throw badValue(`$pullAll requires an array argument but was given a ${bsonTypeName(operand)}`);
      break;
    case '$pull':
      update.pullTest = compilePullCondition(operand);
      break;
    case '$currentDate': {
      const valid =
        typeof operand === 'boolean' ||
        (isDocument(operand) && (operand.$type === 'date' || operand.$type === 'timestamp') && Object.keys(operand).length === 1);
      if (!valid) throw badValue(`${formatValue(operand)} is not valid type for $currentDate. Please use a boolean ('true') or a $type expression ({$type: 'timestamp/date'}).`);
      break;
    }
    case '$push':
    case '$addToSet':
      if (isEachModifier(operand)) validateEach(operator, operand);
      break;
    default:
      break;
  }
}

function isEachModifier(operand: unknown): operand is Document {
  return isDocument(operand) && Object.keys(operand)[0] === '$each';
}

function validateEach(operator: '$push' | '$addToSet', operand: Document): void {
  if (!Array.isArray(operand.$each)) throw badValue(`The argument to $each in ${operator} must be an array but it was of type: ${bsonTypeName(operand.$each)}`);
  const allowed = operator === '$push' ? ['$each', '$slice', '$sort', '$position'] : ['$each'];
  for (const key of Object.keys(operand)) {
    if (!allowed.includes(key)) throw badValue(`Unrecognized clause in ${operator}: ${key}`);
  }
}

function compilePullCondition(condition: unknown): (element: unknown) => boolean {
  if (isOperatorObject(condition)) {
    const predicate = compileFilter({ v: condition });
    return (element) => predicate({ v: element });
  }
  if (isDocument(condition)) {
    // {$pull: {items: {sku: "x"}}} removes the sub-documents that match it as a query.
    const predicate = compileFilter(condition);
    return (element) => isDocument(element) && predicate(element);
  }
  if (isRegex(condition)) {
    const predicate = compileFilter({ v: condition });
    return (element) => predicate({ v: element });
  }
  return (element) => valuesEqual(element, condition);
}

function checkConflicts(updates: FieldUpdate[]): void {
  const paths: string[] = [];
  for (const update of updates) {
    paths.push(update.path);
    if (update.operator === '$rename') paths.push(update.operand as string);
  }
  const sorted = [...paths].sort();
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1];
    const current = sorted[i];
    if (current === previous || current.startsWith(previous + '.')) {
      throw new CommandError('ConflictingUpdateOperators', `Updating the path '${current}' would create a conflict at '${previous}'`);
    }
  }
}

export interface UpdateOutcome {
  doc: Document;
  changed: boolean;
}

/**
 * Applies an update to a copy of `original`; the result always keeps the original `_id` first.
 * `scope` fixes `$$NOW` for a pipeline update (one instant per command).
 */
export function applyUpdate(original: Document, update: CompiledUpdate, isInsert: boolean, scope: ExpressionScope = newScope()): UpdateOutcome {
  if (update.kind === 'pipeline') {
    let doc = original;
    for (const stage of update.stages) doc = stage(doc, scope);
    // A pipeline that drops `_id` keeps the original one; one that changes it is refused.
    if (!Object.hasOwn(doc, '_id') && Object.hasOwn(original, '_id')) doc = { _id: original._id, ...doc };
    else if (Object.hasOwn(original, '_id') && !identical(doc._id, original._id)) throw immutableIdError(original);
    const result = withIdFirst(doc === original ? deepCopy(original) : doc);
    return { doc: result, changed: !identicalDocuments(original, result) };
  }
  if (update.kind === 'replacement') {
    const replacement = update.replacement;
    if (Object.hasOwn(replacement, '_id') && Object.hasOwn(original, '_id') && !valuesEqual(replacement._id, original._id)) {
      throw immutableIdError(original);
    }
    const doc: Document = Object.hasOwn(original, '_id') ? { _id: original._id } : {};
    for (const key of Object.keys(replacement)) if (key !== '_id' || !Object.hasOwn(doc, '_id')) setField(doc, key, deepCopy(replacement[key]));
    const result = withIdFirst(doc);
    return { doc: result, changed: !identicalDocuments(original, result) };
  }
  const doc = deepCopy(original);
  let changed = false;
  for (const fieldUpdate of update.updates) {
    if (fieldUpdate.operator === '$setOnInsert' && !isInsert) continue;
    if (applyFieldUpdate(doc, fieldUpdate)) changed = true;
  }
  if (Object.hasOwn(original, '_id') && !identical(doc._id, original._id)) throw immutableIdError(original);
  return { doc: withIdFirst(doc), changed };
}

function immutableIdError(original: Document): CommandError {
  return new CommandError(
    'ImmutableField',
    `Performing an update on the path '_id' would modify the immutable field '_id' (document _id: ${formatValue(original._id)})`,
  );
}

/** Same value and same BSON type (an update from 1 to 1.5 changes, from 1 to 1 does not). */
function identical(a: unknown, b: unknown): boolean {
  return bsonTypeName(a) === bsonTypeName(b) && encodeKey(a) === encodeKey(b);
}

function identicalDocuments(a: Document, b: Document): boolean {
  return encodeKey(a) === encodeKey(b);
}

/** Where a path ends: the container holding the last part, created on demand. */
interface Slot {
  container: Document | unknown[];
  key: string;
}

function resolveSlot(doc: Document, parts: readonly string[], create: boolean): Slot | undefined {
  let container: Document | unknown[] = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i];
    let next: unknown;
    if (Array.isArray(container)) {
      if (!isArrayIndex(part)) {
        if (!create) return undefined;
        throw pathNotViable(part, parts.slice(0, i).join('.'), container);
      }
      next = container[Number(part)];
    } else {
      next = getField(container, part);
    }
    if (next === undefined || (next === null && Array.isArray(container))) {
      if (!create) return undefined;
      next = {};
      assign(container, part, next);
    }
    if (!isDocument(next) && !Array.isArray(next)) {
      if (!create) return undefined;
      throw pathNotViable(parts[i + 1], parts.slice(0, i + 1).join('.'), next);
    }
    container = next;
  }
  const key = parts[parts.length - 1];
  if (Array.isArray(container) && !isArrayIndex(key)) {
    if (!create) return undefined;
    throw pathNotViable(key, parts.slice(0, -1).join('.'), container);
  }
  return { container, key };
}

function pathNotViable(field: string, parentPath: string, parent: unknown): CommandError {
  return new CommandError('PathNotViable', `Cannot create field '${field}' in element {${parentPath}: ${formatValue(parent)}}`);
}

function assign(container: Document | unknown[], key: string, value: unknown): void {
  if (Array.isArray(container)) {
    const index = Number(key);
    while (container.length < index) container.push(null);
    container[index] = value;
  } else {
    setField(container, key, value);
  }
}

function read(slot: Slot): unknown {
  return Array.isArray(slot.container) ? slot.container[Number(slot.key)] : getField(slot.container, slot.key);
}

function remove(slot: Slot): boolean {
  if (Array.isArray(slot.container)) {
    const index = Number(slot.key);
    if (index >= slot.container.length) return false;
    slot.container[index] = null; // $unset on an array element leaves a null, as MongoDB does
    return true;
  }
  if (!Object.hasOwn(slot.container, slot.key)) return false;
  delete slot.container[slot.key];
  return true;
}

function setValue(doc: Document, parts: readonly string[], value: unknown): boolean {
  const slot = resolveSlot(doc, parts, true)!;
  const previous = read(slot);
  if (previous !== undefined && identical(previous, value)) return false;
  assign(slot.container, slot.key, value);
  return true;
}

function applyFieldUpdate(doc: Document, update: FieldUpdate): boolean {
  const { parts, operand } = update;
  switch (update.operator) {
    case '$set':
    case '$setOnInsert':
      return setValue(doc, parts, deepCopy(operand));
    case '$unset': {
      const slot = resolveSlot(doc, parts, false);
      return slot ? remove(slot) : false;
    }
    case '$inc':
    case '$mul': {
      const current = getExact(doc, parts);
      if (current !== undefined && !isNumeric(current)) {
        throw new CommandError(
          'TypeMismatch',
          `Cannot apply ${update.operator} to a value of non-numeric type. {_id: ${formatValue(doc._id)}} has the field '${parts[parts.length - 1]}' of non-numeric type ${bsonTypeName(current)}`,
        );
      }
      const result =
        update.operator === '$inc'
          ? current === undefined
            ? operand
            : addNumbers(current, operand)
          : current === undefined
            ? multiplyNumbers(0, operand)
            : multiplyNumbers(current, operand);
      return setValue(doc, parts, result);
    }
    case '$min':
    case '$max': {
      const current = getExact(doc, parts);
      if (current !== undefined) {
        const order = compareValues(operand, current);
        if (update.operator === '$min' ? order >= 0 : order <= 0) return false;
      }
      return setValue(doc, parts, deepCopy(operand));
    }
    case '$currentDate': {
      const now = new Date();
      const value =
        isDocument(operand) && operand.$type === 'timestamp'
          ? new Timestamp({ t: Math.floor(now.getTime() / 1000), i: 1 })
          : now;
      return setValue(doc, parts, value);
    }
    case '$rename': {
      const slot = resolveSlot(doc, parts, false);
      if (!slot || Array.isArray(slot.container)) return false;
      const value = read(slot);
      if (value === undefined) return false;
      remove(slot);
      setValue(doc, splitPath(operand as string), value);
      return true;
    }
    case '$push':
      return push(doc, update);
    case '$addToSet': {
      const array = existingArray(doc, update);
      const candidates = isEachModifier(operand) ? (operand.$each as unknown[]) : [operand];
      const keys = new Set(array.map(encodeKey));
      let changed = false;
      for (const candidate of candidates) {
        const key = encodeKey(candidate);
        if (keys.has(key)) continue;
        keys.add(key);
        array.push(deepCopy(candidate));
        changed = true;
      }
      return changed;
    }
    case '$pop': {
      const current = getExact(doc, parts);
      if (current === undefined) return false;
      if (!Array.isArray(current)) throw notAnArray(doc, update, current);
      if (current.length === 0) return false;
      if (toNumber(operand) > 0) current.pop();
      else current.shift();
      return true;
    }
    case '$pull':
    case '$pullAll': {
      const current = getExact(doc, parts);
      if (current === undefined) return false;
      if (!Array.isArray(current)) {
        throw new CommandError('BadValue', `Cannot apply ${update.operator} to a non-array value`);
      }
      const removeElement =
        update.operator === '$pull'
          ? update.pullTest!
          : (element: unknown) => (operand as unknown[]).some((value) => valuesEqual(value, element));
      const kept = current.filter((element) => !removeElement(element));
      if (kept.length === current.length) return false;
      current.length = 0;
      current.push(...kept);
      return true;
    }
    default:
      return false;
  }
}

function notAnArray(doc: Document, update: FieldUpdate, current: unknown): CommandError {
  return new CommandError(
    'BadValue',
    `The field '${update.path}' must be an array but is of type ${bsonTypeName(current)} in document {_id: ${formatValue(doc._id)}}`,
  );
}

/** The array at the path, created empty when missing; an error when something else is there. */
function existingArray(doc: Document, update: FieldUpdate): unknown[] {
  const current = getExact(doc, update.parts);
  if (current === undefined) {
    const created: unknown[] = [];
    setValue(doc, update.parts, created);
    return created;
  }
  if (!Array.isArray(current)) throw notAnArray(doc, update, current);
  return current;
}

function push(doc: Document, update: FieldUpdate): boolean {
  const { operand } = update;
  const array = existingArray(doc, update);
  if (!isEachModifier(operand)) {
    array.push(deepCopy(operand));
    return true;
  }
  const values = (operand.$each as unknown[]).map(deepCopy);
  const position = operand.$position === undefined ? array.length : toInteger(operand.$position, array.length);
  const at = position < 0 ? Math.max(0, array.length + position) : Math.min(position, array.length);
  array.splice(at, 0, ...values);
  if (operand.$sort !== undefined) {
    const sortSpec = operand.$sort;
    if (isDocument(sortSpec)) {
      const compare = compileSort(sortSpec);
      array.sort((a, b) => compare(isDocument(a) ? a : {}, isDocument(b) ? b : {}));
    } else {
      const direction = toNumber(sortSpec) < 0 ? -1 : 1;
      array.sort((a, b) => direction * compareValues(a, b));
    }
  }
  if (operand.$slice !== undefined) {
    const slice = toInteger(operand.$slice, array.length);
    const kept = slice >= 0 ? array.slice(0, slice) : array.slice(Math.max(0, array.length + slice));
    array.length = 0;
    array.push(...kept);
  }
  return true;
}

/**
 * The document an upsert inserts before the update applies: the filter's equality fields
 * (`{a: 1}`, `{a: {$eq: 1}}`, also inside `$and`).
 */
export function seedFromFilter(filter: Document | undefined): Document {
  const seed: Document = {};
  if (filter) collectEqualities(filter, seed);
  return seed;
}

function collectEqualities(filter: Document, seed: Document): void {
  for (const key of Object.keys(filter)) {
    const condition = filter[key];
    if (key === '$and' && Array.isArray(condition)) {
      for (const clause of condition) if (isDocument(clause)) collectEqualities(clause, seed);
      continue;
    }
    if (key.startsWith('$')) continue;
    let value: unknown;
    if (isOperatorObject(condition)) {
      if (!Object.hasOwn(condition, '$eq')) continue;
      value = condition.$eq;
    } else if (isRegex(condition)) {
      continue;
    } else {
      value = condition;
    }
    setValue(seed, splitPath(key), deepCopy(value));
  }
}

/** The document inserted by an upsert that matched nothing. */
export function buildUpsertDocument(filter: Document | undefined, update: CompiledUpdate, scope: ExpressionScope = newScope()): Document {
  const seed = seedFromFilter(filter);
  let doc: Document;
  if (update.kind === 'replacement') {
    doc = deepCopy(update.replacement);
    if (!Object.hasOwn(doc, '_id') && Object.hasOwn(seed, '_id')) doc._id = seed._id;
  } else {
    doc = applyUpdate(seed, update, true, scope).doc;
  }
  if (!Object.hasOwn(doc, '_id')) doc._id = new ObjectId();
  return withIdFirst(doc);
}
