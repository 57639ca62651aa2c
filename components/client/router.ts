/**
 * The server's procedures as plain types: each one's input, output (as JSON answers it) and kind
 * (`query` or `mutation`), computed from the router's type. Type-only: no server code reaches a
 * bundle. The published `@aldero/sdk` carries the same shape written out (components/packages/sdk
 * generates it from `routerShape` below), so its types need neither the server nor tRPC.
 */
import type { AnyRouter, inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../server/router.ts';

// Not exported on purpose: a declaration that uses them cannot name them, so the compiler writes
// the types they compute out in full (that is how the package's standalone types are made).
type Plain<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly (infer Item)[]
    ? Plain<Item>[]
    : T extends object
      ? { [K in keyof T]: Plain<T[K]> }
      : T;
type Kinds<Record> = {
  [K in keyof Record]: Record[K] extends { _def: { type: infer Kind } }
    ? Kind
    : Kinds<Record[K] extends { _def: { record: infer Inner } } ? Inner : Record[K]>;
};

/** The shape of a router: every procedure's input, output and kind, by its dotted path. Type-level only. */
export declare function routerShape<R extends AnyRouter>(
  router: R,
): { inputs: Plain<inferRouterInputs<R>>; outputs: Plain<inferRouterOutputs<R>>; kinds: Kinds<R['_def']['record']> };

export type RouterShape = ReturnType<typeof routerShape<AppRouter>>;
/** What each procedure takes (`RouterInputs['auth']['mfa']['sms']['setup']`). */
export type RouterInputs = RouterShape['inputs'];
/** What each procedure answers, as it arrives in JSON. */
export type RouterOutputs = RouterShape['outputs'];
/** `'query'` (GET) or `'mutation'` (POST) for each procedure. */
export type ProcedureKinds = RouterShape['kinds'];

// The plain shape is the router's own, type for type (checked both ways by the compiler).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
type ShapeIsTheRouters = [Holds<Same<RouterInputs, inferRouterInputs<AppRouter>>>, Holds<Same<RouterOutputs, inferRouterOutputs<AppRouter>>>];
