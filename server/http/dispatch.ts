import type { IncomingMessage, ServerResponse } from 'node:http';
import { callTRPCProcedure, getTRPCErrorFromUnknown, getTRPCErrorShape, type TRPCError } from '@trpc/server';
import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http';
import type { Context } from '../context.ts';
import type { AppError } from '../errors.ts';
import { appRouter } from '../router.ts';
import { toAppError, type Meta } from '../trpc.ts';

/**
 * The one way from HTTP to a procedure. REST and the direct tRPC path call `callProcedure`;
 * everything else under `/trpc` goes to tRPC's own adapter (`serveTrpcAdapter`), which runs the
 * same procedures with the same middlewares and error formatter. This is the only module that
 * reads the router's internals (its procedure table and its config).
 */

export type ProcedureType = 'query' | 'mutation' | 'subscription';

export interface ProcedureEntry {
  path: string;
  type: ProcedureType;
  meta: Meta | undefined;
  /** Its input parsers (zod schemas), in the order they are merged. */
  inputs: readonly unknown[];
  /** Its output parser, if it declares one. */
  output: unknown;
}

interface Definition {
  type: ProcedureType;
  meta?: unknown;
  inputs?: unknown[];
  output?: unknown;
  middlewares: unknown[];
}

const table = appRouter._def.procedures as unknown as Record<string, { _def: Definition }>;
const config = appRouter._def._config;

/** Every procedure of the API by its path (`auth.mfa.verify`). */
export const procedures: ReadonlyMap<string, ProcedureEntry> = new Map(
  Object.entries(table).map(([path, { _def }]) => [path, { path, type: _def.type, meta: _def.meta as Meta | undefined, inputs: _def.inputs ?? [], output: _def.output }]),
);

/** Whether the procedure at `path` is built on `builder` (`userProcedure`...): it runs every middleware of it. */
export function builtOn(path: string, builder: unknown): boolean {
  const own = table[path]?._def.middlewares;
  const required = (builder as { _def?: { middlewares?: unknown[] } })._def?.middlewares;
  return Boolean(own && required && required.every((middleware) => own.includes(middleware)));
}

/** Whether tRPC's envelope is plain JSON: false once the router has a data transformer (superjson...). */
export const plainJsonEnvelope = (() => {
  const probe = {};
  return config.transformer.input.deserialize(probe) === probe && config.transformer.output.serialize(probe) === probe;
})();

type ProcedureOutcome =
  | { ok: true; data: unknown }
  | {
      ok: false;
      /** What the client is told. */
      error: AppError;
      /** What the procedure threw, as tRPC sees it (for the log). */
      fault: TRPCError;
      /** tRPC's error shape, through the router's error formatter (the `{error}` of a tRPC answer). */
      trpcShape(): unknown;
    };

/**
 * Calls the procedure at `path` as tRPC's adapter would: its middlewares first, then its input,
 * read through `getRawInput` only when the procedure asks for it (after its auth middleware).
 */
export async function callProcedure(path: string, type: ProcedureType, ctx: Context, getRawInput: () => Promise<unknown>): Promise<ProcedureOutcome> {
  let rawInput: unknown;
  try {
    const data = await callTRPCProcedure({
      router: appRouter,
      path,
      getRawInput: async () => (rawInput = await getRawInput()),
      ctx,
      type,
      signal: undefined,
      batchIndex: 0,
    });
    return { ok: true, data };
  } catch (cause) {
    const fault = getTRPCErrorFromUnknown(cause);
    return {
      ok: false,
      error: toAppError(fault),
      fault,
      trpcShape: () => getTRPCErrorShape({ config, ctx, error: fault, input: rawInput, path, type }),
    };
  }
}

interface AdapterCall {
  req: IncomingMessage;
  res: ServerResponse;
  /** The procedure path(s) after `/trpc/`. */
  path: string;
  maxBodySize: number;
  createContext(): Context;
  responseMeta(errors: readonly TRPCError[]): { status?: number; headers: Record<string, string | string[]> };
  onError(error: TRPCError): void;
}

/** Any tRPC request (batches, streams, odd content types), answered by tRPC's Node adapter. */
export async function serveTrpcAdapter(call: AdapterCall): Promise<void> {
  await nodeHTTPRequestHandler({
    router: appRouter,
    req: call.req,
    res: call.res,
    path: call.path,
    maxBodySize: call.maxBodySize,
    createContext: () => call.createContext(),
    responseMeta: ({ errors }) => call.responseMeta(errors),
    onError: ({ error }) => call.onError(error),
  });
}
