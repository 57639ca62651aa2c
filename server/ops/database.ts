/**
 * The database as an operator sees it: the driver's deadlines (so a database gone away is an
 * answer, not a hang), which driver errors mean "the database is not answering" (503, not 500),
 * and the readiness ping.
 */
import {
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoOperationTimeoutError,
  MongoServerClosedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  type Db,
  type MongoClientOptions,
} from 'mongodb';
import { Counter } from 'prom-client';
import type { Config } from '../config.ts';

/**
 * The driver's deadlines: finding a server gives up after `serverSelectionTimeoutMs`; a socket
 * silent for `operationTimeoutMs`, or a wait as long for a pooled connection, fails the
 * operation. Measured against a stopped (SIGSTOP) engine: every operation fails within ~2 s with
 * the defaults (1.5 s, 1 s), the first one after the stall included (its socket timeout, then
 * the retry's wait for a connection); the driver reconnects by itself when the server answers.
 *
 * The client option `timeoutMS` is not used: the installed driver (mongodb 7.9) warns that it
 * has no effect.
 */
export function driverOptions(config: Pick<Config, 'database'>): MongoClientOptions {
  const { serverSelectionTimeoutMs, operationTimeoutMs } = config.database;
  return {
    maxPoolSize: 20,
    serverSelectionTimeoutMS: serverSelectionTimeoutMs,
    // Outside production (operationTimeoutMs 0) the driver's defaults, as before.
    ...(operationTimeoutMs > 0 ? { connectTimeoutMS: serverSelectionTimeoutMs, socketTimeoutMS: operationTimeoutMs, waitQueueTimeoutMS: operationTimeoutMs } : {}),
  };
}

/** Server error codes that mean "this server cannot serve now" (a step-down, a shutdown). */
const UNAVAILABLE_SERVER_CODES = new Set([6, 7, 89, 91, 189, 9001, 10107, 11600, 11602, 13435, 13436]);

/**
 * Node's socket error codes. The driver (mongodb 7.9) does not always wrap them: when a write
 * waits for `drain` on a socket the server has just closed, the `EPIPE` ("This socket has been
 * ended by the other party") reaches the caller as the plain Node error (seen in CI with the
 * engine SIGKILLed under load: a 500 instead of a 503). No request does network I/O other than
 * the database (SMS and webhooks go through the outboxes' workers), so in a request these mean
 * the database connection went away.
 */
const SOCKET_ERROR_CODES = new Set([
  'EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN',
  'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END', 'ERR_SOCKET_CLOSED',
]);

/**
 * Whether `error` (or its cause, through tRPC's and our wrappers) says the database is not
 * answering; the name of the driver error when it does, for the metric and the log.
 */
export function databaseUnavailable(error: unknown): string | null {
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    if (!(current instanceof MongoError)) {
      const code = (current as { code?: unknown }).code;
      if (current instanceof Error && typeof code === 'string' && SOCKET_ERROR_CODES.has(code)) return `SocketError:${code}`;
      continue;
    }
    if (
      current instanceof MongoServerSelectionError ||
      current instanceof MongoNetworkError || // MongoNetworkTimeoutError, the pool cleared after one
      current instanceof MongoNotConnectedError ||
      current instanceof MongoTopologyClosedError ||
      current instanceof MongoServerClosedError ||
      current instanceof MongoOperationTimeoutError ||
      // Not exported by the driver: a wait for a pooled connection that ran out.
      current.name === 'MongoWaitQueueTimeoutError'
    ) {
      return current.name;
    }
    if (current instanceof MongoServerError && typeof current.code === 'number' && UNAVAILABLE_SERVER_CODES.has(current.code)) return current.name;
  }
  return null;
}

/**
 * Database errors answered as 503, counted once per driver error (an error is seen by several
 * layers on its way out). One counter per process, registered in each app's metrics registry.
 */
export const DATABASE_ERRORS = new Counter({
  name: 'aldero_database_errors_total',
  help: 'Requests answered 503 SERVICE_UNAVAILABLE because the database did not answer, by driver error.',
  labelNames: ['kind'] as const,
  registers: [],
});
const counted = new WeakSet<object>();

/** `databaseUnavailable`, counting the error in `aldero_database_errors_total` the first time it is seen. */
export function noteDatabaseUnavailable(error: unknown): string | null {
  const kind = databaseUnavailable(error);
  if (kind && typeof error === 'object' && error !== null && !counted.has(error)) {
    counted.add(error);
    DATABASE_ERRORS.inc({ kind });
  }
  return kind;
}

/** A `ping` answered within `deadlineMs`, or the reason it was not. */
export async function pingDatabase(db: Db, deadlineMs: number): Promise<{ ok: true; ms: number } | { ok: false; error: string }> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      db.command({ ping: 1 }),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${deadlineMs} ms`)), deadlineMs);
      }),
    ]);
    return { ok: true, ms: Date.now() - started };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
