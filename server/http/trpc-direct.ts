import type { IncomingMessage } from 'node:http';
import { callTRPCProcedure, getTRPCErrorFromUnknown, getTRPCErrorShape, TRPCError, type AnyProcedure } from '@trpc/server';
import type { Context } from '../context.ts';
import { AppError } from '../errors.ts';
import { appRouter } from '../router.ts';
import { readBody } from './request.ts';

/**
 * The common tRPC call — one procedure, JSON, no batching, no streaming: what tRPC's `httpLink`
 * and our SDK send — answered without tRPC's fetch adapter. That adapter turns every Node
 * request into a WHATWG `Request` (undici, web streams, an AbortSignal) and back, which cost
 * more CPU than the procedure itself on the verify route (bench profile). The call goes through
 * the same procedure, middlewares and error formatter (`callTRPCProcedure`,
 * `getTRPCErrorShape`), and answers with tRPC's HTTP envelope (`{result: {data}}` /
 * `{error: shape}`) and the statuses tRPC would give; anything else (batches, streams, other
 * content types, unknown paths, a method that does not fit the procedure) is left to tRPC's
 * own adapter. The parity test (test/fuzz/trpc-parity.test.ts) holds the two to the same answers.
 */

const procedures = appRouter._def.procedures as unknown as Record<string, AnyProcedure>;
const config = appRouter._def._config;

/** A router with a data transformer (superjson...) is left to tRPC: the envelope is then not plain JSON. */
const plainJson = (() => {
  const probe = {};
  return config.transformer.input.deserialize(probe) === probe && config.transformer.output.serialize(probe) === probe;
})();

const PROCEDURE_PATH = /^[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*$/;

function mediaType(header: string | undefined): string | undefined {
  return header?.split(';', 1)[0]?.trim().toLowerCase();
}

export interface DirectCall {
  procedure: AnyProcedure;
  type: 'query' | 'mutation';
}

/** The procedure a request may be answered directly for, or null to leave it to tRPC's adapter. */
export function directCallFor(method: string, path: string, headers: Record<string, string | undefined>, searchParams: URLSearchParams): DirectCall | null {
  if (!plainJson || !PROCEDURE_PATH.test(path) || !Object.hasOwn(procedures, path)) return null;
  if (searchParams.has('batch') || searchParams.has('connectionParams')) return null;
  if (headers['trpc-accept'] !== undefined || headers.accept?.includes('application/jsonl')) return null;
  const procedure = procedures[path]!;
  const type = procedure._def.type;
  const contentType = mediaType(headers['content-type']);
  if (type === 'query' && method === 'GET' && (contentType === undefined || contentType === 'application/json')) return { procedure, type };
  if (type === 'mutation' && method === 'POST' && contentType === 'application/json') return { procedure, type };
  return null;
}

export interface DirectResult {
  status: number;
  body: unknown;
  error: TRPCError | null;
}

/**
 * Calls the procedure as tRPC's adapter would: the input is read only when the procedure asks
 * for it (after its auth middleware), a body that is not JSON is a BAD_REQUEST, one over the
 * limit a PAYLOAD_TOO_LARGE.
 */
export async function callDirect(
  call: DirectCall,
  input: { req: IncomingMessage; path: string; searchParams: URLSearchParams; ctx: Context; maxBodyBytes: number },
): Promise<DirectResult> {
  let rawInput: unknown;
  let pending: Promise<unknown> | undefined;
  const readInput = async (): Promise<unknown> => {
    if (call.type === 'query') {
      const text = input.searchParams.get('input');
      return text ? JSON.parse(text) : undefined;
    }
    let text: string;
    try {
      text = await readBody(input.req, input.maxBodyBytes);
    } catch (cause) {
      // As tRPC's adapter refuses it (no context), so both paths answer alike.
      if (cause instanceof AppError && cause.code === 'PAYLOAD_TOO_LARGE') throw new TRPCError({ code: 'PAYLOAD_TOO_LARGE' });
      throw cause;
    }
    return text ? JSON.parse(text) : undefined;
  };
  const getRawInput = () =>
    (pending ??= readInput().then(
      (value) => (rawInput = value),
      (cause: unknown) => {
        if (cause instanceof TRPCError) throw cause;
        throw new TRPCError({ code: 'BAD_REQUEST', message: cause instanceof Error ? cause.message : 'Invalid input', cause });
      },
    ));
  try {
    const data = await callTRPCProcedure({
      router: appRouter,
      path: input.path,
      getRawInput,
      ctx: input.ctx,
      type: call.type,
      signal: undefined,
      batchIndex: 0,
    });
    return { status: 200, body: { result: { data } }, error: null };
  } catch (cause) {
    const error = getTRPCErrorFromUnknown(cause);
    const shape = getTRPCErrorShape({ config, ctx: input.ctx, error, input: rawInput, path: input.path, type: call.type });
    return { status: 0, body: { error: shape }, error };
  }
}
