/**
 * Command dispatch. Each command runs to completion synchronously once its message is parsed,
 * so a read-modify-write (findAndModify, update, upsert) is atomic with respect to every other
 * command: no `await` can split it.
 */
import { hostname } from 'node:os';
import { Long } from 'mongodb';
import type { Document } from 'mongodb';
import { compilePipeline, leadingMatch, runPipeline } from './aggregate.ts';
import type { Collection, StoredEntry } from './collection.ts';
import { idIndexSpec } from './collection.ts';
import { CommandError, badValue, notImplemented } from './errors.ts';
import { newScope } from './expressions.ts';
import { checkFields, commandFields, deleteStatementFields, updateStatementFields } from './fields.ts';
import { SecondaryIndex } from './indexes.ts';
import { compileFilter } from './matcher.ts';
import { splitPath, valuesAtPath } from './paths.ts';
import { compileProjection } from './projection.ts';
import { sortDocuments } from './sort.ts';
import type { Storage } from './storage.ts';
import { validateCollectionName } from './storage.ts';
import { applyUpdate, buildUpsertDocument, compileUpdate } from './update.ts';
import { encodeKey, formatValue, isDocument, isLong, isNumeric, toInteger, toNumber } from './values.ts';

export const wireVersion = { min: 0, max: 21 } as const;
export const limits = {
  maxBsonObjectSize: 16 * 1024 * 1024,
  maxMessageSizeBytes: 48_000_000,
  maxWriteBatchSize: 100_000,
} as const;
const serverVersion = '7.0.0';

export interface CommandContext {
  storage: Storage;
  database: string;
  connectionId: number;
  remoteAddress: string;
  startedAtMs: number;
}

type Handler = (context: CommandContext, command: Document, name: string) => Document;

/** Runs one command and returns its reply document; failures become `{ok: 0, code, ...}`. */
export function runCommand(context: CommandContext, command: Document): Document {
  try {
    const name = Object.keys(command)[0];
    if (name === undefined) throw new CommandError('CommandNotFound', 'no such command: \'\'');
    refuseTransactions(command, name);
    const handler = Object.hasOwn(handlers, name) ? handlers[name] : undefined;
    if (!handler) throw new CommandError('CommandNotFound', `no such command: '${name}'`);
    const canonical = canonicalNames[name] ?? name;
    const fieldList = Object.hasOwn(commandFields, canonical) ? commandFields[canonical] : undefined;
    if (fieldList) checkFields(command, fieldList, canonical, { skipFirst: true, generic: true });
    if (command.collation !== undefined) refuseCollation(command.collation);
    return handler(context, command, name);
  } catch (error) {
    if (error instanceof CommandError) return error.toReply();
    // A bug in the engine: answer it as a server error rather than dropping the connection.
    const message = error instanceof Error ? error.message : String(error);
    return { ok: 0, errmsg: `embedded engine internal error: ${message}`, code: 1, codeName: 'InternalError' };
  }
}

function refuseTransactions(command: Document, name: string): void {
  const transactional =
    command.txnNumber !== undefined ||
    command.autocommit !== undefined ||
    command.startTransaction !== undefined ||
    name === 'commitTransaction' ||
    name === 'abortTransaction';
  if (transactional) {
    throw new CommandError(
      'IllegalOperation',
      'Transaction numbers are only allowed on a replica set member or mongos (the embedded engine is a standalone server without transactions)',
    );
  }
}

/** Aliases MongoDB answers under one IDL name ('BSON field 'findAndModify.foo' ...'). */
const canonicalNames: Record<string, string> = { findandmodify: 'findAndModify', deleteIndexes: 'dropIndexes' };

function refuseCollation(collation: unknown): void {
  if (!(isDocument(collation) && collation.locale === 'simple')) throw notImplemented('collation');
}

/**
 * A hint must name an index that exists (by name or key pattern), else MongoDB answers BadValue.
 * A sparse or partial index would make MongoDB answer from that index only (fewer documents):
 * the engine does not emulate that and refuses it.
 */
function checkHint(collection: Collection | undefined, hint: unknown): void {
  if (hint === undefined || hint === null) return;
  if (typeof hint !== 'string' && !isDocument(hint)) {
    throw new CommandError('FailedToParse', 'Hint must be a string or an object');
  }
  if (isDocument(hint) && (Object.keys(hint).length === 0 || Object.hasOwn(hint, '$natural'))) return;
  if (!collection) return; // a missing collection answers nothing whatever the hint
  if (typeof hint === 'string' ? hint === '_id_' : encodeKey(hint) === encodeKey({ _id: 1 })) return;
  const index = collection.indexes.find((candidate) =>
    typeof hint === 'string' ? candidate.name === hint : encodeKey(candidate.keyPattern) === encodeKey(hint),
  );
  if (!index) throw badValue('hint provided does not correspond to an existing index');
  if (index.sparse || index.isPartial) throw notImplemented('a hint to a sparse or partial index');
}

function collectionName(command: Document, name: string): string {
  return validateCollectionName(command[name]);
}

function checkStatements(statements: unknown[], list: Parameters<typeof checkFields>[1], path: string): asserts statements is Document[] {
  for (const statement of statements) {
    if (!isDocument(statement)) throw new CommandError('TypeMismatch', `BSON field '${path}' is the wrong type, expected type 'object'`);
    checkFields(statement, list, path, { skipFirst: false, generic: false });
  }
}

function optionalDocument(value: unknown, field: string): Document | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isDocument(value)) {
    throw new CommandError('TypeMismatch', `BSON field '${field}' is the wrong type '${typeof value}', expected type 'object'`);
  }
  return value;
}

function requireArray(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw new CommandError('TypeMismatch', `BSON field '${field}' is missing or is not an array`);
  return value;
}

function helloReply(context: CommandContext, legacy: boolean): Document {
  const reply: Document = {
    helloOk: true,
    isWritablePrimary: true,
    maxBsonObjectSize: limits.maxBsonObjectSize,
    maxMessageSizeBytes: limits.maxMessageSizeBytes,
    maxWriteBatchSize: limits.maxWriteBatchSize,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: context.connectionId,
    minWireVersion: wireVersion.min,
    maxWireVersion: wireVersion.max,
    readOnly: false,
    ok: 1,
  };
  if (legacy) reply.ismaster = true;
  return reply;
}

/** Matching entries after sort/skip/limit, the way find, findAndModify and count see them. */
function query(
  collection: Collection | undefined,
  filter: Document | undefined,
  options: { sort?: Document; skip?: number; limit?: number },
): StoredEntry[] {
  const predicate = compileFilter(filter);
  if (!collection) return [];
  const skip = options.skip ?? 0;
  const limit = options.limit && options.limit > 0 ? options.limit : Infinity;
  const hasSort = options.sort !== undefined && Object.keys(options.sort).length > 0;
  if (!hasSort) return collection.find(filter, predicate, skip + limit).slice(skip);
  const sorted = sortDocuments(collection.find(filter, predicate), options.sort, (entry) => entry.doc, skip + limit);
  return sorted.slice(skip);
}

function parseSort(value: unknown): Document | undefined {
  const sort = optionalDocument(value, 'sort');
  if (sort) sortDocuments([], sort, (doc: Document) => doc); // validate even when nothing matches
  return sort;
}

function nonNegative(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0;
  if (!isNumeric(value)) throw new CommandError('TypeMismatch', `BSON field '${field}' must be a number`);
  const number = toInteger(value, 0);
  if (number < 0) throw badValue(`${field} must be non-negative, but received: ${number}`);
  return number;
}

function find(context: CommandContext, command: Document, name: string): Document {
  const collection = collectionName(command, name);
  const filter = optionalDocument(command.filter, 'filter');
  const sort = parseSort(command.sort);
  const project = compileProjection(optionalDocument(command.projection, 'projection'));
  const skip = nonNegative(command.skip, 'skip');
  let limit = command.limit === undefined ? 0 : toInteger(command.limit, 0);
  let singleBatch = command.singleBatch === true;
  if (limit < 0) {
    // The legacy negative limit means "one batch of at most |limit|".
    limit = -limit;
    singleBatch = true;
  }
  const batchSize = command.batchSize === undefined ? undefined : nonNegative(command.batchSize, 'batchSize');
  const source = context.storage.getCollection(context.database, collection);
  checkHint(source, command.hint);
  const entries = query(source, filter, { sort, skip, limit });
  return context.storage.cursors.open(
    `${context.database}.${collection}`,
    entries.map((entry) => entry.doc),
    { batchSize, singleBatch, transform: project },
  );
}

function getMore(context: CommandContext, command: Document): Document {
  const raw = command.getMore;
  if (!isNumeric(raw)) throw new CommandError('TypeMismatch', "Field 'getMore' must be of type long");
  const id = isLong(raw) ? raw : Long.fromNumber(toNumber(raw));
  if (typeof command.collection !== 'string') throw new CommandError('TypeMismatch', "Field 'collection' must be of type string");
  const batchSize = command.batchSize === undefined ? undefined : nonNegative(command.batchSize, 'batchSize');
  return context.storage.cursors.getMore(id, command.collection, context.database, batchSize);
}

function killCursors(context: CommandContext, command: Document): Document {
  return context.storage.cursors.kill(requireArray(command.cursors, 'killCursors.cursors'));
}

function insert(context: CommandContext, command: Document, name: string): Document {
  const documents = requireArray(command.documents, 'insert.documents');
  const collection = context.storage.ensureCollection(context.database, command[name]);
  let inserted = 0;
  const writeErrors = runStatements(documents, command.ordered !== false, (doc) => {
    if (!isDocument(doc)) throw badValue('the documents to insert must be objects');
    // The document was just deserialized from the wire: the store owns it, no copy needed.
    collection.insert(doc);
    inserted++;
  });
  return writeReply({ n: inserted }, writeErrors);
}

function update(context: CommandContext, command: Document, name: string): Document {
  const statements = requireArray(command.updates, 'update.updates');
  const collectionNameValue = collectionName(command, name);
  // MongoDB parses every statement before running any: an unknown field fails the whole command.
  checkStatements(statements, updateStatementFields, 'update.updates');
  const scope = newScope();
  const upserted: Document[] = [];
  let matched = 0;
  let modified = 0;
  const writeErrors = runStatements(statements, command.ordered !== false, (statement, i) => {
    if (statement.collation !== undefined) refuseCollation(statement.collation);
    const filter = optionalDocument(statement.q, 'q') ?? {};
    const predicate = compileFilter(filter);
    const compiled = compileUpdate(statement.u);
    const multi = statement.multi === true;
    if (multi && compiled.kind === 'replacement') {
      throw new CommandError('FailedToParse', 'multi update is not supported for replacement-style update');
    }
    const existing = context.storage.getCollection(context.database, collectionNameValue);
    checkHint(existing, statement.hint);
    const entries = existing ? existing.find(filter, predicate, multi ? Infinity : 1) : [];
    if (entries.length === 0) {
      if (statement.upsert === true) {
        const doc = buildUpsertDocument(filter, compiled, scope);
        context.storage.ensureCollection(context.database, collectionNameValue).insert(doc);
        upserted.push({ index: i, _id: doc._id });
      }
      return;
    }
    for (const entry of entries) {
      const outcome = applyUpdate(entry.doc, compiled, false, scope);
      if (outcome.changed) {
        existing!.replace(entry, outcome.doc);
        modified++;
      }
      matched++;
    }
  });
  return writeReply({ n: matched + upserted.length, nModified: modified, ...(upserted.length > 0 ? { upserted } : {}) }, writeErrors);
}

function deleteCommand(context: CommandContext, command: Document, name: string): Document {
  const statements = requireArray(command.deletes, 'delete.deletes');
  const collectionNameValue = collectionName(command, name);
  checkStatements(statements, deleteStatementFields, 'delete.deletes');
  let deleted = 0;
  const writeErrors = runStatements(statements, command.ordered !== false, (statement) => {
    if (statement.collation !== undefined) refuseCollation(statement.collation);
    const limit = toInteger(statement.limit, -1);
    if (limit !== 0 && limit !== 1) {
      throw new CommandError('FailedToParse', `The limit field in delete objects must be 0 or 1. Got ${formatValue(statement.limit)}`);
    }
    const filter = optionalDocument(statement.q, 'q') ?? {};
    const predicate = compileFilter(filter);
    const collection = context.storage.getCollection(context.database, collectionNameValue);
    checkHint(collection, statement.hint);
    if (!collection) return;
    for (const entry of collection.find(filter, predicate, limit === 1 ? 1 : Infinity)) {
      collection.delete(entry);
      deleted++;
    }
  });
  return writeReply({ n: deleted }, writeErrors);
}

/**
 * A write command's statements in order, as MongoDB runs them: a statement's CommandError becomes
 * its write error (with its index) and the others still run, unless the command is ordered, which
 * stops at the first. Returns the write errors.
 */
function runStatements<T>(statements: readonly T[], ordered: boolean, run: (statement: T, index: number) => void): Document[] {
  const writeErrors: Document[] = [];
  for (let i = 0; i < statements.length; i++) {
    try {
      run(statements[i] as T, i);
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      writeErrors.push(error.toWriteError(i));
      if (ordered) break;
    }
  }
  return writeErrors;
}

/** A write command's reply: its counts, the write errors when there are any, ok. */
function writeReply(counts: Document, writeErrors: Document[]): Document {
  const reply: Document = { ...counts };
  if (writeErrors.length > 0) reply.writeErrors = writeErrors;
  reply.ok = 1;
  return reply;
}

function findAndModify(context: CommandContext, command: Document, name: string): Document {
  const collectionNameValue = collectionName(command, name);
  const remove = command.remove === true;
  const upsert = command.upsert === true;
  const returnNew = command.new === true;
  if (remove && command.update !== undefined) throw new CommandError('FailedToParse', 'Cannot specify both an update and remove=true');
  if (!remove && command.update === undefined) throw new CommandError('FailedToParse', 'Either an update or remove=true must be specified');
  if (remove && upsert) throw new CommandError('FailedToParse', 'Cannot specify both upsert=true and remove=true');
  if (remove && returnNew) {
    throw new CommandError('FailedToParse', "Cannot specify both new=true and remove=true; 'remove' always returns the deleted document");
  }
  const filter = optionalDocument(command.query, 'query') ?? {};
  const sort = parseSort(command.sort);
  const project = compileProjection(optionalDocument(command.fields, 'fields'));
  const compiled = remove ? undefined : compileUpdate(command.update);
  const existing = context.storage.getCollection(context.database, collectionNameValue);
  checkHint(existing, command.hint);
  const [entry] = query(existing, filter, { sort, limit: 1 });
  const scope = newScope();

  if (remove) {
    if (!entry) return { lastErrorObject: { n: 0 }, value: null, ok: 1 };
    existing!.delete(entry);
    return { lastErrorObject: { n: 1 }, value: project(entry.doc), ok: 1 };
  }
  if (entry) {
    const before = entry.doc;
    const outcome = applyUpdate(before, compiled!, false, scope);
    if (outcome.changed) existing!.replace(entry, outcome.doc);
    return {
      lastErrorObject: { n: 1, updatedExisting: true },
      value: project(returnNew ? outcome.doc : before),
      ok: 1,
    };
  }
  if (!upsert) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
  const doc = buildUpsertDocument(filter, compiled!, scope);
  context.storage.ensureCollection(context.database, collectionNameValue).insert(doc);
  return {
    lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id },
    value: returnNew ? project(doc) : null,
    ok: 1,
  };
}

function count(context: CommandContext, command: Document, name: string): Document {
  const collection = collectionName(command, name);
  const filter = optionalDocument(command.query, 'query');
  const skip = nonNegative(command.skip, 'skip');
  const limit = Math.abs(toInteger(command.limit, 0));
  const source = context.storage.getCollection(context.database, collection);
  checkHint(source, command.hint);
  const entries = query(source, filter, { skip, limit });
  return { n: entries.length, ok: 1 };
}

function distinct(context: CommandContext, command: Document, name: string): Document {
  const collection = collectionName(command, name);
  if (typeof command.key !== 'string' || command.key === '') throw new CommandError('TypeMismatch', "BSON field 'distinct.key' must be a string");
  const parts = splitPath(command.key);
  const filter = optionalDocument(command.query, 'query');
  const seen = new Map<string, unknown>();
  for (const entry of query(context.storage.getCollection(context.database, collection), filter, {})) {
    for (const value of valuesAtPath(entry.doc, parts)) {
      // An empty array holds no values (MongoDB's distinct skips it).
      if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
      const key = encodeKey(value);
      if (!seen.has(key)) seen.set(key, value);
    }
  }
  return { values: [...seen.values()], ok: 1 };
}

function aggregate(context: CommandContext, command: Document, name: string): Document {
  if (command[name] === 1 || isNumeric(command[name])) throw notImplemented('a collection-less aggregate');
  const collection = collectionName(command, name);
  const cursorOptions = optionalDocument(command.cursor, 'cursor');
  if (!cursorOptions) {
    throw new CommandError('FailedToParse', "The 'cursor' option is required, except for aggregate with the explain argument");
  }
  const stages = compilePipeline(requireArray(command.pipeline, 'aggregate.pipeline'));
  const firstMatch = leadingMatch(command.pipeline);
  const source = context.storage.getCollection(context.database, collection);
  checkHint(source, command.hint);
  let input: Document[];
  if (!source) input = [];
  else if (firstMatch) {
    // The leading $match goes through the collection so that an index can answer it.
    input = source.find(firstMatch, compileFilter(firstMatch)).map((entry) => entry.doc);
    stages.shift();
  } else input = [...source.entries.values()].map((entry) => entry.doc);
  const output = runPipeline(stages, input, newScope());
  const batchSize = cursorOptions.batchSize === undefined ? undefined : nonNegative(cursorOptions.batchSize, 'batchSize');
  return context.storage.cursors.open(`${context.database}.${collection}`, output, { batchSize });
}

function createIndexes(context: CommandContext, command: Document, name: string): Document {
  const specs = requireArray(command.indexes, 'createIndexes.indexes');
  if (specs.length === 0) throw badValue('Must specify at least one index.');
  const collectionNameValue = collectionName(command, name);
  const createdCollectionAutomatically = !context.storage.getCollection(context.database, collectionNameValue);
  const collection = context.storage.ensureCollection(context.database, collectionNameValue);
  const numIndexesBefore = collection.indexes.length + 1;
  // Parse every spec first: a bad one must not leave the others half-built.
  const requested: SecondaryIndex[] = [];
  for (const spec of specs) {
    if (!isDocument(spec)) throw badValue('the index specifications must be objects');
    if (isDocument(spec.key) && encodeKey(spec.key) === encodeKey({ _id: 1 })) continue; // the _id index always exists
    requested.push(new SecondaryIndex(spec));
  }
  const added: SecondaryIndex[] = [];
  try {
    for (const index of requested) {
      const sameName = collection.indexes.find((existing) => existing.name === index.name);
      if (sameName) {
        if (sameName.sameDefinitionAs(index)) continue;
        throw new CommandError(
          'IndexKeySpecsConflict',
          `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${formatValue(index.spec)}, existing index: ${formatValue(sameName.spec)}`,
        );
      }
      const sameKey = collection.indexes.find((existing) => existing.sameKeyAs(index));
      if (sameKey) {
        throw new CommandError('IndexOptionsConflict', `Index already exists with a different name: ${sameKey.name}`);
      }
      collection.addIndex(index);
      added.push(index);
    }
  } catch (error) {
    for (const index of added) collection.dropIndex(index);
    throw error;
  }
  const reply: Document = {
    numIndexesBefore,
    numIndexesAfter: collection.indexes.length + 1,
    createdCollectionAutomatically,
  };
  if (added.length === 0) reply.note = 'all indexes already exist';
  reply.ok = 1;
  return reply;
}

function listIndexes(context: CommandContext, command: Document, name: string): Document {
  const collectionNameValue = collectionName(command, name);
  const collection = context.storage.getCollection(context.database, collectionNameValue);
  if (!collection) throw new CommandError('NamespaceNotFound', `ns does not exist: ${context.database}.${collectionNameValue}`);
  const cursorOptions = optionalDocument(command.cursor, 'cursor');
  const specs = [idIndexSpec, ...collection.indexes.map((index) => index.spec)];
  return context.storage.cursors.open(`${context.database}.$cmd.listIndexes.${collectionNameValue}`, specs, {
    batchSize: cursorOptions?.batchSize === undefined ? undefined : nonNegative(cursorOptions.batchSize, 'batchSize'),
  });
}

function dropIndexes(context: CommandContext, command: Document, name: string): Document {
  const collectionNameValue = collectionName(command, name);
  const collection = context.storage.getCollection(context.database, collectionNameValue);
  if (!collection) throw new CommandError('NamespaceNotFound', `ns not found ${context.database}.${collectionNameValue}`);
  const nIndexesWas = collection.indexes.length + 1;
  const target = command.index;
  const byName = (indexName: unknown): SecondaryIndex => {
    if (indexName === '_id_') throw new CommandError('InvalidOptions', 'cannot drop _id index');
    const index = collection.indexes.find((candidate) => candidate.name === indexName);
    if (!index) throw new CommandError('IndexNotFound', `index not found with name [${String(indexName)}]`);
    return index;
  };
  let toDrop: SecondaryIndex[];
  if (target === '*') toDrop = [...collection.indexes];
  else if (typeof target === 'string') toDrop = [byName(target)];
  else if (Array.isArray(target)) toDrop = target.map(byName);
  else if (isDocument(target)) {
    if (encodeKey(target) === encodeKey({ _id: 1 })) throw new CommandError('InvalidOptions', 'cannot drop _id index');
    const index = collection.indexes.find((candidate) => encodeKey(candidate.keyPattern) === encodeKey(target));
    if (!index) throw new CommandError('IndexNotFound', `can't find index with key: ${formatValue(target)}`);
    toDrop = [index];
  } else throw new CommandError('TypeMismatch', "BSON field 'dropIndexes.index' must be a string, an array of strings or an object");
  for (const index of toDrop) collection.dropIndex(index);
  return { nIndexesWas, ok: 1 };
}

function listCollections(context: CommandContext, command: Document): Document {
  const filter = compileFilter(optionalDocument(command.filter, 'filter'));
  const collections = context.storage.databases.get(context.database);
  const nameOnly = command.nameOnly === true;
  const infos: Document[] = [];
  for (const name of collections?.keys() ?? []) {
    const info: Document = nameOnly
      ? { name, type: 'collection' }
      : { name, type: 'collection', options: {}, info: { readOnly: false }, idIndex: idIndexSpec };
    if (filter(info)) infos.push(info);
  }
  const cursorOptions = optionalDocument(command.cursor, 'cursor');
  return context.storage.cursors.open(`${context.database}.$cmd.listCollections`, infos, {
    batchSize: cursorOptions?.batchSize === undefined ? undefined : nonNegative(cursorOptions.batchSize, 'batchSize'),
  });
}

function listDatabases(context: CommandContext, command: Document): Document {
  const filter = compileFilter(optionalDocument(command.filter, 'filter'));
  const databases: Document[] = [];
  for (const [name, collections] of context.storage.databases) {
    if (collections.size === 0) continue;
    const info: Document = command.nameOnly === true ? { name } : { name, sizeOnDisk: 0, empty: false };
    if (filter(info)) databases.push(info);
  }
  return command.nameOnly === true ? { databases, ok: 1 } : { databases, totalSize: 0, totalSizeMb: 0, ok: 1 };
}

function create(context: CommandContext, command: Document, name: string): Document {
  const collectionNameValue = collectionName(command, name);
  if (context.storage.getCollection(context.database, collectionNameValue)) {
    throw new CommandError('NamespaceExists', `Collection ${context.database}.${collectionNameValue} already exists.`);
  }
  context.storage.ensureCollection(context.database, collectionNameValue);
  return { ok: 1 };
}

function drop(context: CommandContext, command: Document, name: string): Document {
  const collectionNameValue = collectionName(command, name);
  const dropped = context.storage.dropCollection(context.database, collectionNameValue);
  // MongoDB 7 answers ok for a collection that does not exist.
  if (!dropped) return { ok: 1 };
  return { nIndexesWas: dropped.indexes.length + 1, ns: dropped.namespace, ok: 1 };
}

function splitNamespace(value: unknown, field: string): [string, string] {
  const dot = typeof value === 'string' ? value.indexOf('.') : -1;
  if (dot <= 0) throw new CommandError('InvalidNamespace', `Invalid namespace specified '${String(value)}' for ${field}`);
  const namespace = value as string;
  return [namespace.slice(0, dot), namespace.slice(dot + 1)];
}

function renameCollection(context: CommandContext, command: Document): Document {
  if (context.database !== 'admin') throw new CommandError('Unauthorized', 'renameCollection may only be run against the admin database.');
  context.storage.renameCollection(splitNamespace(command.renameCollection, 'renameCollection'), splitNamespace(command.to, 'to'), command.dropTarget === true);
  return { ok: 1 };
}

function dbStats(context: CommandContext): Document {
  const collections = context.storage.databases.get(context.database);
  let objects = 0;
  let indexes = 0;
  for (const collection of collections?.values() ?? []) {
    objects += collection.size;
    indexes += collection.indexes.length + 1;
  }
  return { db: context.database, collections: collections?.size ?? 0, views: 0, objects, indexes, dataSize: 0, storageSize: 0, ok: 1 };
}

function collStats(context: CommandContext, command: Document, name: string): Document {
  const collectionNameValue = collectionName(command, name);
  const collection = context.storage.getCollection(context.database, collectionNameValue);
  if (!collection) throw new CommandError('NamespaceNotFound', `Collection [${context.database}.${collectionNameValue}] not found.`);
  return { ns: collection.namespace, count: collection.size, size: 0, storageSize: 0, nindexes: collection.indexes.length + 1, ok: 1 };
}

const ok: Handler = () => ({ ok: 1 });

const handlers: Record<string, Handler> = {
  hello: (context) => helloReply(context, false),
  isMaster: (context) => helloReply(context, true),
  ismaster: (context) => helloReply(context, true),
  ping: ok,
  buildInfo: () => ({
    version: serverVersion,
    gitVersion: 'embedded',
    versionArray: [7, 0, 0, 0],
    bits: 64,
    debug: false,
    maxBsonObjectSize: limits.maxBsonObjectSize,
    storageEngines: ['embedded-memory'],
    javascriptEngine: 'none',
    ok: 1,
  }),
  getParameter: (_context, command) => {
    const reply: Document = {};
    if (command.featureCompatibilityVersion !== undefined) reply.featureCompatibilityVersion = { version: '7.0' };
    reply.ok = 1;
    return reply;
  },
  serverStatus: (context) => ({
    host: hostname(),
    version: serverVersion,
    process: 'mongod (embedded engine)',
    uptime: Math.floor((Date.now() - context.startedAtMs) / 1000),
    localTime: new Date(),
    ok: 1,
  }),
  hostInfo: () => ({ system: { hostname: hostname() }, os: { type: process.platform }, ok: 1 }),
  whatsmyuri: (context) => ({ you: context.remoteAddress, ok: 1 }),
  connectionStatus: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 }),
  getCmdLineOpts: () => ({ argv: ['embedded-mongo'], parsed: {}, ok: 1 }),
  endSessions: ok,
  killSessions: ok,
  killAllSessions: ok,
  refreshSessions: ok,
  startSession: () => notImplementedReply('startSession'),
  saslStart: () => notImplementedReply('authentication'),
  saslContinue: () => notImplementedReply('authentication'),
  authenticate: () => notImplementedReply('authentication'),
  explain: () => notImplementedReply('explain'),
  find,
  getMore,
  killCursors,
  insert,
  update,
  delete: deleteCommand,
  findAndModify,
  findandmodify: findAndModify,
  count,
  distinct,
  aggregate,
  createIndexes,
  listIndexes,
  dropIndexes,
  deleteIndexes: dropIndexes,
  listCollections,
  listDatabases,
  create,
  drop,
  dropDatabase: (context) => {
    context.storage.dropDatabase(context.database);
    return { ok: 1 };
  },
  renameCollection,
  dbStats,
  collStats,
};

function notImplementedReply(feature: string): never {
  throw notImplemented(feature);
}
