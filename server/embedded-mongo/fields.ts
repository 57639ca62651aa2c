/**
 * The fields each command accepts, as MongoDB 7.0's IDL defines them (strict commands refuse any
 * other field with 40415 "BSON field 'find.foo' is an unknown field."). Each list says which
 * fields the engine honours and which MongoDB knows but the engine does not implement
 * (NotImplemented when present with a value other than `false`/`null`). Fields MongoDB 7.0 does
 * not know — `sort` in an update statement (8.0), `hint` on distinct (7.1) — are unknown here too.
 */
import type { Document } from 'mongodb';
import { notImplemented, unknownField } from './errors.ts';

export interface FieldList {
  /** Honoured, or without effect on a standalone in-memory server (`allowDiskUse`, `noCursorTimeout`). */
  readonly implemented: ReadonlySet<string>;
  /** Known to MongoDB 7.0, refused as NotImplemented. */
  readonly refused: ReadonlySet<string>;
}

function fields(implemented: string, refused = ''): FieldList {
  const split = (list: string) => new Set(list.split(/\s+/).filter(Boolean));
  return { implemented: split(implemented), refused: split(refused) };
}

/**
 * generic_argument.idl: accepted by every command. The transaction fields are refused before
 * this check (IllegalOperation on a standalone); readConcern, writeConcern, maxTimeMS, comment and
 * the session/cluster-time fields have nothing to change on a single in-memory server.
 */
const generic = new Set(
  (
    'apiVersion apiStrict apiDeprecationErrors $db maxTimeMS readConcern writeConcern lsid clientOperationKey ' +
    'txnNumber autocommit startTransaction stmtId comment $readPreference $clusterTime ' +
    '$audit $client $configServerState allowImplicitCollectionCreation $oplogQueryData $queryOptions $replData ' +
    'databaseVersion shardVersion tracking_info coordinator maxTimeMSOpOnly $configTime $topologyTime ' +
    'txnRetryCounter mayBypassWriteBlocking $tenant expectPrefix'
  ).split(' '),
);

const writeCommandRefused = 'stmtIds isTimeseriesNamespace collectionUUID encryptionInformation $_fromMigrate';

/** Per command (canonical name); commands not listed here are not checked field by field. */
export const commandFields: Record<string, FieldList> = {
  find: fields(
    'filter projection sort hint skip limit batchSize singleBatch collation allowDiskUse noCursorTimeout allowPartialResults',
    'ntoreturn min max returnKey showRecordId tailable oplogReplay awaitData let options term readOnce ' +
      'allowSpeculativeMajorityRead $_requestResumeToken $_resumeAfter $_startAt runtimeConstants collectionUUID encryptionInformation',
  ),
  getMore: fields('collection batchSize', 'term lastKnownCommittedOpTime'),
  killCursors: fields('cursors'),
  insert: fields('documents ordered bypassDocumentValidation', writeCommandRefused),
  update: fields('updates ordered bypassDocumentValidation', `let runtimeConstants ${writeCommandRefused}`),
  delete: fields('deletes ordered', `let runtimeConstants bypassDocumentValidation ${writeCommandRefused}`),
  findAndModify: fields(
    'query fields sort hint collation remove update new upsert bypassDocumentValidation',
    'arrayFilters let runtimeConstants encryptionInformation sampleId $_allowShardKeyUpdatesWithoutFullShardKeyInQuery',
  ),
  count: fields('query limit skip hint collation fields', 'sampleId mirrored encryptionInformation'),
  distinct: fields('key query collation', 'sampleId mirrored'),
  aggregate: fields(
    'pipeline cursor allowDiskUse bypassDocumentValidation collation hint',
    'explain let needsMerge fromMongos fromRouter $_requestReshardingResumeToken isMapReduceCommand collectionUUID ' +
      'exchange runtimeConstants encryptionInformation $_generateV2ResumeTokens $_passthroughToShard $_isClusterQueryWithoutShardKeyCmd',
  ),
  createIndexes: fields('indexes commitQuorum', 'ignoreUnknownIndexOptions isTimeseriesNamespace'),
  listIndexes: fields('cursor', 'includeBuildUUIDs includeIndexBuildInfo isTimeseriesNamespace collectionUUID'),
  dropIndexes: fields('index', 'isTimeseriesNamespace collectionUUID'),
  create: fields(
    'collation',
    'capped autoIndexId idIndex size max storageEngine validator validationLevel validationAction indexOptionDefaults ' +
      'viewOn pipeline changeStreamPreAndPostImages timeseries clusteredIndex recordPreImages temp flags ' +
      'expireAfterSeconds encryptedFields',
  ),
  drop: fields('', 'collectionUUID isTimeseriesNamespace'),
  listCollections: fields('filter nameOnly authorizedCollections cursor', 'includePendingDrops'),
  listDatabases: fields('filter nameOnly authorizedDatabases'),
};

/** The entries of update's `updates` and delete's `deletes` (UpdateOpEntry, DeleteOpEntry). */
export const updateStatementFields = fields('q u hint multi upsert collation', 'c arrayFilters upsertSupplied sampleId $_allowShardKeyUpdatesWithoutFullShardKeyInQuery');
export const deleteStatementFields = fields('q limit hint collation', 'sampleId');

/**
 * Refuses a field the list does not define (40415) or one the engine does not implement (238).
 * `skipFirst` skips the command-name field; `path` prefixes the field in the message.
 */
export function checkFields(document: Document, list: FieldList, path: string, options: { skipFirst: boolean; generic: boolean }): void {
  const keys = Object.keys(document);
  for (let i = options.skipFirst ? 1 : 0; i < keys.length; i++) {
    const key = keys[i];
    if (list.implemented.has(key) || (options.generic && generic.has(key))) continue;
    if (list.refused.has(key)) {
      const value = document[key];
      if (value === false || value === null || value === undefined) continue;
      throw notImplemented(`the ${path} option '${key}'`);
    }
    throw unknownField(`${path}.${key}`);
  }
}
