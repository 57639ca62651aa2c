import { TRPCError } from '@trpc/server';
import { createContext, type Context } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { toAppError } from '../trpc.ts';
import { callProcedure, plainJsonEnvelope, procedures, serveTrpcAdapter, type ProcedureEntry } from './dispatch.ts';
import { readBody } from './request.ts';
import { retryAfterHeader, sendJson, type ResponseHeaders } from './respond.ts';
import type { TenantExchange } from './route.ts';

/**
 * `/trpc/*`. The common call — one procedure, JSON, no batching, no streaming: what tRPC's
 * `httpLink` and our SDK send — is answered directly, without tRPC's fetch adapter: that adapter
 * turns every Node request into a WHATWG `Request` (undici, web streams, an AbortSignal) and
 * back, which costs more CPU than the procedure itself (verify over tRPC: ~1,000 vs ~700 req/s,
 * ~1,050 vs ~1,550 µs of server CPU per request, bench A/B). The direct call goes through the
 * same procedure, middlewares and error formatter, and answers with tRPC's HTTP envelope
 * (`{result: {data}}` / `{error: shape}`) and the statuses tRPC would give; anything else
 * (batches, streams, other content types, unknown paths, a method that does not fit the
 * procedure) is left to tRPC's adapter. test/fuzz/trpc-parity.test.ts holds the two to the
 * same answers.
 */

const PROCEDURE_PATH = /^[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*$/;

function mediaType(header: string | undefined): string | undefined {
  return header?.split(';', 1)[0]?.trim().toLowerCase();
}

/** The procedure a request may be answered directly for, or null to leave it to tRPC's adapter. */
function directCallFor(method: string, path: string, headers: Record<string, string | undefined>, searchParams: URLSearchParams): ProcedureEntry | null {
  if (!plainJsonEnvelope || !PROCEDURE_PATH.test(path)) return null;
  const procedure = procedures.get(path);
  if (!procedure) return null;
  if (searchParams.has('batch') || searchParams.has('connectionParams')) return null;
  if (headers['trpc-accept'] !== undefined || headers.accept?.includes('application/jsonl')) return null;
  const contentType = mediaType(headers['content-type']);
  if (procedure.type === 'query' && method === 'GET' && (contentType === undefined || contentType === 'application/json')) return procedure;
  if (procedure.type === 'mutation' && method === 'POST' && contentType === 'application/json') return procedure;
  return null;
}

/**
 * The input of a direct call, read as tRPC's adapter reads it: a body that is not JSON is a
 * BAD_REQUEST, one over the limit a PAYLOAD_TOO_LARGE (as the adapter refuses it, before any
 * context), so both paths answer alike.
 */
function directInput(exchange: TenantExchange, procedure: ProcedureEntry, maxBodyBytes: number): () => Promise<unknown> {
  const read = async (): Promise<unknown> => {
    if (procedure.type === 'query') {
      const text = exchange.url.searchParams.get('input');
      return text ? JSON.parse(text) : undefined;
    }
    let text: string;
    try {
      text = await readBody(exchange.req, maxBodyBytes);
    } catch (cause) {
      if (cause instanceof AppError && cause.code === 'PAYLOAD_TOO_LARGE') throw new TRPCError({ code: 'PAYLOAD_TOO_LARGE' });
      throw cause;
    }
    return text ? JSON.parse(text) : undefined;
  };
  let pending: Promise<unknown> | undefined;
  return () =>
    (pending ??= read().catch((cause: unknown) => {
      if (cause instanceof TRPCError) throw cause;
      throw new TRPCError({ code: 'BAD_REQUEST', message: cause instanceof Error ? cause.message : 'Invalid input', cause });
    }));
}

/** The method a procedure answers (tRPC: queries by GET, mutations by POST), for the `Allow` of a 405. */
function allowedMethodOf(path: string): string {
  return procedures.get(path.split(',', 1)[0]!)?.type === 'query' ? 'GET' : 'POST';
}

/** Status and headers of a tRPC answer: the AppError's status, `Retry-After`, `Allow` on a 405, cookies set by the procedure. */
function responseMeta(context: Context | undefined, error: AppError | undefined, path: string): { status?: number; headers: ResponseHeaders } {
  const headers: ResponseHeaders = { 'cache-control': 'no-store' };
  if (context?.res.cookies.length) headers['set-cookie'] = context.res.cookies;
  if (!error) return { headers };
  // tRPC answers some refusals (an unsupported content type) as text/plain: the body is JSON.
  headers['content-type'] = 'application/json';
  Object.assign(headers, retryAfterHeader(error));
  if (error.code === 'METHOD_NOT_ALLOWED') headers.allow = allowedMethodOf(path);
  return { status: error.status, headers };
}

/** At most this many calls in one batched request: one HTTP request must not cost tens of procedures. */
export const MAX_BATCH_SIZE = 10;

/**
 * Procedures that check a secret, cost a memory-hard hash or send an SMS: never batched, so each
 * attempt is one HTTP request (50 logins in one batch were 50 scrypt runs behind one request).
 */
const UNBATCHABLE = new Set([
  'auth.signup',
  'auth.login',
  'auth.refresh',
  'auth.changePassword',
  'auth.mfa.challenge',
  'auth.mfa.verify',
  'auth.mfa.sms.setup',
  'auth.mfa.sms.confirm',
  'auth.mfa.sms.disable',
  'auth.mfa.totp.confirm',
  'auth.mfa.totp.disable',
  'auth.mfa.recoveryCodes.regenerate',
]);

/** The refusal of a batch that is too big or holds a credential procedure, before any procedure runs; null when it may run. */
function batchRefusal(path: string): string | null {
  const paths = path.split(',');
  if (paths.length > MAX_BATCH_SIZE) return `A batch holds at most ${MAX_BATCH_SIZE} calls.`;
  const credential = paths.find((name) => UNBATCHABLE.has(name));
  if (credential && paths.length > 1) return `${credential} cannot be batched: send it as its own request.`;
  return null;
}

/** A call to the procedure(s) at `path` (after `/trpc/`); `direct: false` leaves every call to tRPC's adapter. */
export async function serveTrpc(deps: AppDeps, exchange: TenantExchange, path: string, direct: boolean): Promise<void> {
  const { req, res, info } = exchange;
  // As REST does: a 500 is a fault (its stack, for the operator); a 503 is the database away (the driver error's name only: no stack per request during an outage).
  const logFailure = (error: TRPCError, appError = toAppError(error)) => {
    if (appError.status >= 500) deps.log.error('procedure failed', { requestId: info.requestId, error: appError.status === 500 ? (error.cause?.stack ?? error.stack) : (error.cause?.name ?? error.name) });
  };
  const refusal = exchange.url.searchParams.has('batch') ? batchRefusal(path) : null;
  if (refusal) {
    const error = { message: refusal, code: -32600, data: { code: 'BAD_REQUEST', httpStatus: 400, appCode: 'VALIDATION_ERROR', issues: [{ path: 'batch', message: refusal }] } };
    return sendJson(res, 400, { error }, { 'cache-control': 'no-store' });
  }
  const procedure = direct ? directCallFor(exchange.method, path, info.headers, exchange.url.searchParams) : null;
  if (procedure) {
    const context = createContext(deps, info);
    const outcome = await callProcedure(path, procedure.type, context, directInput(exchange, procedure, deps.config.maxBodyBytes));
    if (!outcome.ok) logFailure(outcome.fault, outcome.error);
    const meta = responseMeta(context, outcome.ok ? undefined : outcome.error, path);
    const body = outcome.ok ? { result: { data: outcome.data } } : { error: outcome.trpcShape() };
    return sendJson(res, meta.status ?? 200, body, { vary: 'trpc-accept, accept', ...meta.headers });
  }
  let context: Context | undefined;
  await serveTrpcAdapter({
    req,
    res,
    path,
    maxBodySize: deps.config.maxBodyBytes,
    createContext: () => (context = createContext(deps, info)),
    responseMeta: (errors) => responseMeta(context, errors[0] && toAppError(errors[0]), path),
    onError: (error) => logFailure(error),
  });
}
