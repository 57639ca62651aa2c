/**
 * MongoDB's unified CRUD specification tests (test/mongo-spec/crud/*.json, vendored from the
 * Node.js driver's copy of mongodb/specifications source/crud/tests/unified) run through the
 * real `mongodb` driver against the embedded engine, which presents itself as a MongoDB 7.0
 * standalone.
 *
 * Every test ends in exactly one bucket: skipped before it runs (by reason: its requirements
 * exclude a 7.0 single server, or it needs something this runner has no entity or operation
 * for), refused by the engine with NotImplemented (238), passed, or wrong. A wrong answer fails
 * this file unless it is on `knownIssues` below (kept empty: a wrong answer is a bug to fix).
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { MongoClient, MongoServerError } from 'mongodb';
import type { Document } from 'mongodb';
import { startEmbeddedMongo } from '../../server/embedded-mongo/index.ts';
import type { EmbeddedMongo } from '../../server/embedded-mongo/index.ts';
import { loadSpecFiles } from './spec-files.ts';
import { matches } from './matcher.ts';

/** The server this engine claims to be, for runOnRequirements. */
const server = { version: [7, 0, 0], topology: 'single' } as const;

/**
 * Tests known to give a wrong answer, by "file: description", each with the reason. Empty on
 * purpose; an entry here must name the issue that will fix it.
 */
const knownIssues = new Map<string, string>([]);

/**
 * Tests where the `mongodb` 7.9 driver itself does not do what the spec expects, whatever the
 * server: skipped by this reason (the driver's own spec runner skips them too).
 */
const driverDifferences = new Map<string, string>([
  ...['BulkWrite', 'FindOneAndReplace', 'FindOneAndUpdate', 'InsertMany'].map(
    (op): [string, string] => [`bypassDocumentValidation: ${op} passes bypassDocumentValidation: false`, 'driver 7.9 omits bypassDocumentValidation: false'],
  ),
  ...['insertOne', 'insertMany', 'bulkWrite'].map(
    (op): [string, string] => [`create-null-ids: inserting _id with type null via ${op}`, 'driver 7.9 replaces a null _id by an ObjectId before sending'],
  ),
]);

interface Outcome {
  kind: 'passed' | 'skipped' | 'notImplemented' | 'wrong';
  reason: string;
}

const dir = join(import.meta.dirname, 'crud');
const files = loadSpecFiles(dir);

let engine: EmbeddedMongo;
let sharedClient: MongoClient;
const results: { id: string; outcome: Outcome }[] = [];

before(async () => {
  engine = await startEmbeddedMongo({ port: 0, host: '127.0.0.1' });
  sharedClient = await new MongoClient(engine.uri, { monitorCommands: true }).connect();
});

after(async () => {
  await sharedClient?.close();
  await engine?.stop();
});

it('runs the unified CRUD specification tests against the embedded engine', async () => {
  assert.ok(files.length > 0, 'no spec files in test/mongo-spec/crud (see test/mongo-spec/README.md)');
  const started = Date.now();
  for (const file of files) {
    for (const test of file.spec.tests as Document[]) {
      const id = `${file.name}: ${test.description}`;
      const driverDifference = driverDifferences.get(id);
      results.push({ id, outcome: driverDifference ? { kind: 'skipped', reason: driverDifference } : await runTest(file.spec, test) });
    }
  }
  const count = (kind: Outcome['kind']) => results.filter((r) => r.outcome.kind === kind);
  const byReason = (kind: Outcome['kind']) => {
    const reasons = new Map<string, number>();
    for (const r of count(kind)) reasons.set(r.outcome.reason, (reasons.get(r.outcome.reason) ?? 0) + 1);
    return [...reasons].sort((a, b) => b[1] - a[1]).map(([reason, n]) => `${reason}: ${n}`).join(', ');
  };
  const wrong = count('wrong').filter((r) => !knownIssues.has(r.id));
  const known = count('wrong').filter((r) => knownIssues.has(r.id));
  const run = count('passed').length + count('notImplemented').length + count('wrong').length;
  const line =
    `mongo-spec: ${run} run, ${count('passed').length} passed, ` +
    `${count('notImplemented').length} refused NotImplemented (${byReason('notImplemented')}), ` +
    `${count('skipped').length} skipped (${byReason('skipped')}), ` +
    `${known.length} known issues, ${wrong.length} silently wrong (${((Date.now() - started) / 1000).toFixed(1)} s)`;
  console.log(line);
  if (process.env.MONGO_SPEC_VERBOSE) for (const r of results) console.log(`${r.outcome.kind}\t${r.id}\t${r.outcome.reason}`);
  assert.ok(count('passed').length > 0, 'not one spec test passed: the runner itself is broken');
  assert.equal(wrong.length, 0, `wrong answers:\n${wrong.map((r) => `  ${r.id}: ${r.outcome.reason}`).join('\n')}`);
});

// ---------------------------------------------------------------------------------------------
// Requirements

function versionParts(version: string): number[] {
  return version.split('.').map(Number).concat([0, 0, 0]).slice(0, 3);
}

function compareVersion(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

function requirementMet(requirement: Document): string | undefined {
  if (requirement.minServerVersion && compareVersion(server.version, versionParts(requirement.minServerVersion)) < 0) return `needs MongoDB >= ${requirement.minServerVersion}`;
  if (requirement.maxServerVersion && compareVersion(server.version, versionParts(requirement.maxServerVersion)) > 0) return `needs MongoDB <= ${requirement.maxServerVersion}`;
  if (requirement.topologies && !requirement.topologies.includes(server.topology)) return 'needs a replica set or sharded cluster';
  if (requirement.serverless === 'require') return 'needs serverless';
  for (const key of Object.keys(requirement)) {
    if (!['minServerVersion', 'maxServerVersion', 'topologies', 'serverless'].includes(key)) return `needs ${key}`;
  }
  return undefined;
}

/** Undefined when some requirement set accepts a 7.0 single server, else why not. */
function requirementsRefusal(requirements: Document[] | undefined): string | undefined {
  if (!requirements || requirements.length === 0) return undefined;
  const refusals = requirements.map(requirementMet);
  if (refusals.some((refusal) => refusal === undefined)) return undefined;
  const first = refusals[0]!;
  return first.startsWith('needs MongoDB >=') ? 'not on MongoDB 7.0 (newer server)' : first.startsWith('needs MongoDB <=') ? 'not on MongoDB 7.0 (older server)' : first;
}

// ---------------------------------------------------------------------------------------------
// One test

interface Entities {
  clients: Map<string, { client: MongoClient; events: Document[]; observe: Set<string>; ignore: Set<string> }>;
  databases: Map<string, ReturnType<MongoClient['db']>>;
  collections: Map<string, ReturnType<ReturnType<MongoClient['db']>['collection']>>;
  owned: MongoClient[];
}

class Skip extends Error {}

async function runTest(spec: Document, test: Document): Promise<Outcome> {
  const refusal = requirementsRefusal(spec.runOnRequirements) ?? requirementsRefusal(test.runOnRequirements);
  if (refusal) return { kind: 'skipped', reason: refusal };
  if (test.skipReason) return { kind: 'skipped', reason: 'skipReason in the spec' };
  const entities: Entities = { clients: new Map(), databases: new Map(), collections: new Map(), owned: [] };
  try {
    await createEntities(spec.createEntities ?? [], entities);
    await loadInitialData(spec.initialData ?? []);
    for (const entry of entities.clients.values()) entry.events.length = 0;
    for (const operation of test.operations as Document[]) {
      const outcome = await runOperation(operation, entities);
      if (outcome) return outcome;
    }
    if (test.expectEvents) {
      const mismatch = checkEvents(test.expectEvents, entities);
      if (mismatch) return { kind: 'wrong', reason: `events: ${mismatch}` };
    }
    if (test.outcome) {
      const mismatch = await checkOutcome(test.outcome);
      if (mismatch) return { kind: 'wrong', reason: `outcome: ${mismatch}` };
    }
    return { kind: 'passed', reason: '' };
  } catch (error) {
    if (error instanceof Skip) return { kind: 'skipped', reason: error.message };
    if (isNotImplemented(error)) return { kind: 'notImplemented', reason: feature(error) };
    return { kind: 'wrong', reason: `unexpected error: ${(error as Error).message}` };
  } finally {
    for (const entry of entities.clients.values()) entry.client.removeAllListeners('commandStarted').removeAllListeners('commandSucceeded').removeAllListeners('commandFailed');
    await Promise.all(entities.owned.map((client) => client.close()));
  }
}

function isNotImplemented(error: unknown): boolean {
  const e = error as Document;
  return e?.code === 238 || e?.errorResponse?.code === 238 || (Array.isArray(e?.writeErrors) && e.writeErrors.some((w: Document) => w.code === 238)) || e?.cause?.code === 238;
}

/** "pipeline-style update", "arrayFilters", "the aggregation stage $out": the refusal's subject. */
function feature(error: unknown): string {
  const e = error as Document;
  const message: string = e?.writeErrors?.[0]?.errmsg ?? e?.message ?? '';
  return message.replace(/ is not supported by the embedded MongoDB engine.*/, '').replace(/^the /, '');
}

const sensitive = new Set(['hello', 'ismaster', 'isMaster', 'saslStart', 'saslContinue', 'getnonce', 'authenticate', 'configureFailPoint', 'endSessions', 'killCursors']);

async function createEntities(list: Document[], entities: Entities): Promise<void> {
  for (const entry of list) {
    const [kind] = Object.keys(entry);
    const spec = entry[kind];
    if (kind === 'client') {
      let client = sharedClient;
      const uriOptions = spec.uriOptions ?? {};
      if (Object.keys(uriOptions).length > 0) {
        client = await new MongoClient(engine.uri, { monitorCommands: true, ...uriOptions }).connect();
        entities.owned.push(client);
      }
      const record = { client, events: [] as Document[], observe: new Set<string>(spec.observeEvents ?? []), ignore: new Set<string>(spec.ignoreCommandMonitoringEvents ?? []) };
      const listen = (type: string) => (event: Document) => {
        if (sensitive.has(event.commandName) || record.ignore.has(event.commandName)) return;
        if (record.observe.has(type)) record.events.push({ type, event });
      };
      client.on('commandStarted', listen('commandStartedEvent'));
      client.on('commandSucceeded', listen('commandSucceededEvent'));
      client.on('commandFailed', listen('commandFailedEvent'));
      entities.clients.set(spec.id, record);
    } else if (kind === 'database') {
      entities.databases.set(spec.id, entities.clients.get(spec.client)!.client.db(spec.databaseName, spec.databaseOptions));
    } else if (kind === 'collection') {
      entities.collections.set(spec.id, entities.databases.get(spec.database)!.collection(spec.collectionName, spec.collectionOptions));
    } else {
      throw new Skip(`runner: no ${kind} entity`);
    }
  }
}

async function loadInitialData(list: Document[]): Promise<void> {
  for (const data of list) {
    const db = sharedClient.db(data.databaseName);
    await db.collection(data.collectionName).drop().catch(() => {});
    if (data.createOptions) await db.createCollection(data.collectionName, data.createOptions);
    if (data.documents.length > 0) await db.collection(data.collectionName).insertMany(data.documents);
    else if (!data.createOptions) await db.createCollection(data.collectionName);
  }
}

async function runOperation(operation: Document, entities: Entities): Promise<Outcome | undefined> {
  let result: unknown;
  let error: unknown;
  try {
    result = await invoke(operation, entities);
  } catch (caught) {
    if (caught instanceof Skip) throw caught;
    error = caught;
  }
  if (error !== undefined && isNotImplemented(error)) return { kind: 'notImplemented', reason: feature(error) };
  if (operation.expectError) {
    if (error === undefined) return { kind: 'wrong', reason: `${operation.name} succeeded, expected an error` };
    const mismatch = checkError(operation.expectError, error);
    return mismatch ? { kind: 'wrong', reason: `${operation.name}: ${mismatch}` } : undefined;
  }
  if (error !== undefined) return { kind: 'wrong', reason: `${operation.name} failed: ${(error as Error).message}` };
  if (operation.expectResult !== undefined) {
    const mismatch = matches(operation.expectResult, result, { root: true });
    if (mismatch) return { kind: 'wrong', reason: `${operation.name} result: ${mismatch}` };
  }
  return undefined;
}

function checkError(expected: Document, error: unknown): string | undefined {
  const e = error as Document;
  const isServer = error instanceof MongoServerError || e?.errorResponse !== undefined;
  if (expected.isClientError === true && isServer) return `expected a client error, got server error ${e.code}`;
  if (expected.isClientError === false && !isServer) return `expected a server error, got ${(error as Error).message}`;
  const code = e?.code ?? e?.writeErrors?.[0]?.code;
  const codeName = e?.codeName ?? e?.writeErrors?.[0]?.codeName ?? e?.errorResponse?.codeName;
  if (expected.errorCode !== undefined && code !== Number(expected.errorCode)) return `expected code ${expected.errorCode}, got ${code}`;
  if (expected.errorCodeName !== undefined && codeName !== expected.errorCodeName) return `expected ${expected.errorCodeName}, got ${codeName}`;
  if (expected.errorContains !== undefined && !String(e?.message).toLowerCase().includes(String(expected.errorContains).toLowerCase())) {
    return `message ${JSON.stringify(e?.message)} lacks ${JSON.stringify(expected.errorContains)}`;
  }
  for (const label of expected.errorLabelsContain ?? []) if (!e?.hasErrorLabel?.(label)) return `missing error label ${label}`;
  for (const label of expected.errorLabelsOmit ?? []) if (e?.hasErrorLabel?.(label)) return `unexpected error label ${label}`;
  if (expected.expectResult !== undefined) {
    const mismatch = matches(expected.expectResult, writeResultOf(e?.result), { root: true });
    if (mismatch) return `partial result: ${mismatch}`;
  }
  for (const key of Object.keys(expected)) {
    if (!['isError', 'isClientError', 'errorCode', 'errorCodeName', 'errorContains', 'errorLabelsContain', 'errorLabelsOmit', 'expectResult', 'isTimeoutError'].includes(key)) {
      throw new Skip(`runner: expectError.${key}`);
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Operations

function options(args: Document, omit: string[]): Document {
  const out: Document = {};
  for (const key of Object.keys(args)) {
    if (omit.includes(key)) continue;
    if (key === 'session') throw new Skip('runner: sessions');
    if (key === 'timeoutMS') throw new Skip('runner: timeoutMS');
    out[key] = key === 'returnDocument' ? String(args[key]).toLowerCase() : args[key];
  }
  return out;
}

/** A driver write result as the unified format names its fields. */
function writeResultOf(result: Document | undefined): Document | undefined {
  if (!result || typeof result !== 'object') return result;
  const out: Document = {};
  for (const key of ['insertedId', 'insertedIds', 'insertedCount', 'matchedCount', 'modifiedCount', 'deletedCount', 'upsertedCount', 'upsertedId', 'upsertedIds']) {
    if (result[key] !== undefined) out[key] = result[key];
  }
  return out;
}

async function invoke(operation: Document, entities: Entities): Promise<unknown> {
  const args: Document = operation.arguments ?? {};
  const object: string = operation.object;
  if (object === 'testRunner') throw new Skip(`runner: testRunner.${operation.name}`);
  if (entities.databases.has(object)) {
    const db = entities.databases.get(object)!;
    switch (operation.name) {
      case 'aggregate':
        return db.aggregate(args.pipeline, options(args, ['pipeline'])).toArray();
      case 'createCollection':
        await db.createCollection(args.collection, options(args, ['collection']));
        return undefined;
      case 'dropCollection':
        await db.dropCollection(args.collection, options(args, ['collection']));
        return undefined;
      case 'runCommand':
        return db.command(args.command, options(args, ['command', 'commandName']));
      default:
        throw new Skip(`runner: database.${operation.name}`);
    }
  }
  const collection = entities.collections.get(object);
  if (!collection) throw new Skip(`runner: ${object}.${operation.name}`);
  switch (operation.name) {
    case 'insertOne':
      return writeResultOf(await collection.insertOne(args.document, options(args, ['document'])));
    case 'insertMany':
      return writeResultOf(await collection.insertMany(args.documents, options(args, ['documents'])));
    case 'updateOne':
      return writeResultOf(await collection.updateOne(args.filter, args.update, options(args, ['filter', 'update'])));
    case 'updateMany':
      return writeResultOf(await collection.updateMany(args.filter, args.update, options(args, ['filter', 'update'])));
    case 'replaceOne':
      return writeResultOf(await collection.replaceOne(args.filter, args.replacement, options(args, ['filter', 'replacement'])));
    case 'deleteOne':
      return writeResultOf(await collection.deleteOne(args.filter, options(args, ['filter'])));
    case 'deleteMany':
      return writeResultOf(await collection.deleteMany(args.filter, options(args, ['filter'])));
    case 'bulkWrite':
      return writeResultOf(await collection.bulkWrite(args.requests, options(args, ['requests'])));
    case 'find':
      return collection.find(args.filter, options(args, ['filter'])).toArray();
    case 'findOne':
      return collection.findOne(args.filter, options(args, ['filter']));
    case 'findOneAndUpdate':
      return collection.findOneAndUpdate(args.filter, args.update, options(args, ['filter', 'update']));
    case 'findOneAndReplace':
      return collection.findOneAndReplace(args.filter, args.replacement, options(args, ['filter', 'replacement']));
    case 'findOneAndDelete':
      return collection.findOneAndDelete(args.filter, options(args, ['filter']));
    case 'countDocuments':
      return collection.countDocuments(args.filter, options(args, ['filter']));
    case 'estimatedDocumentCount':
      return collection.estimatedDocumentCount(options(args, []));
    case 'count':
      return collection.count(args.filter, options(args, ['filter']));
    case 'distinct':
      return collection.distinct(args.fieldName, args.filter, options(args, ['fieldName', 'filter']));
    case 'aggregate':
      return collection.aggregate(args.pipeline, options(args, ['pipeline'])).toArray();
    case 'createIndex':
      return collection.createIndex(args.keys, options(args, ['keys']));
    default:
      throw new Skip(`runner: collection.${operation.name}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Events and outcome

function checkEvents(expectations: Document[], entities: Entities): string | undefined {
  for (const expectation of expectations) {
    if (expectation.eventType && expectation.eventType !== 'command') throw new Skip(`runner: ${expectation.eventType} events`);
    const record = entities.clients.get(expectation.client);
    if (!record) return `no client ${expectation.client}`;
    const actual = record.events;
    const expected: Document[] = expectation.events;
    if (actual.length < expected.length || (actual.length > expected.length && !expectation.ignoreExtraEvents)) {
      return `${actual.length} events (${actual.map((e) => `${e.event.commandName}:${e.type}`).join(' ')}), expected ${expected.length}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const [type] = Object.keys(expected[i]);
      const want = expected[i][type];
      const got = actual[i];
      if (got.type !== type) return `event ${i}: ${got.type} (${got.event.commandName}), expected ${type}`;
      const fields: Document = {};
      if (want.commandName !== undefined) fields.commandName = got.event.commandName;
      if (want.databaseName !== undefined) fields.databaseName = got.event.databaseName;
      if (want.command !== undefined) fields.command = got.event.command;
      if (want.reply !== undefined) fields.reply = got.event.reply;
      for (const key of Object.keys(want)) if (!['commandName', 'databaseName', 'command', 'reply', 'hasServiceId', 'hasServerConnectionId'].includes(key)) throw new Skip(`runner: event field ${key}`);
      for (const key of ['commandName', 'databaseName']) {
        if (want[key] !== undefined && want[key] !== fields[key]) return `event ${i}: ${key} ${fields[key]}, expected ${want[key]}`;
      }
      for (const key of ['command', 'reply']) {
        if (want[key] === undefined) continue;
        const mismatch = matches(want[key], fields[key], { root: true });
        if (mismatch) return `event ${i} (${got.event.commandName}) ${key}: ${mismatch}`;
      }
    }
  }
  return undefined;
}

async function checkOutcome(outcome: Document[]): Promise<string | undefined> {
  for (const expected of outcome) {
    const documents = await sharedClient.db(expected.databaseName).collection(expected.collectionName).find({}, { sort: { _id: 1 } }).toArray();
    const mismatch = matches(expected.documents, documents, { root: false });
    if (mismatch) return `${expected.collectionName}: ${mismatch}`;
  }
  return undefined;
}

