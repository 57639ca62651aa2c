/**
 * Inputs and outputs of the server's procedures, inferred from its router type (type-only: no
 * server code reaches the browser), and the named shapes the SDK and the elements use.
 */
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../server/router.ts';

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** The factors and delivery states, named by the contract the server answers with. */
export type { DeliveryStatus, MfaMethod } from '../../server/contract/methods.ts';

export type Tokens = RouterOutputs['auth']['signup'];

/** What every send (enrollment setup, login challenge) answers: masked phone, limits, delivery. */
export type CodeSent = Omit<RouterOutputs['auth']['mfa']['challenge'], 'challenge_type' | 'oob_channel'>;

/** Where the SMS is: `queued` … `delivered`, or `failed` with a reason (`opted_out`: the number replied STOP). */
export type Delivery = CodeSent['delivery'];

/** The login challenge as the challenge element first sees it. */
export type MfaStatus = RouterOutputs['auth']['mfa']['status'];

export type Me = RouterOutputs['auth']['me'];

export type Device = RouterOutputs['auth']['devices']['list']['devices'][number];

export type RecoveryCodes = RouterOutputs['auth']['mfa']['sms']['confirm'];

/** The dotted paths (`auth.me`) of a router's procedures of one kind. */
export type ProcedurePaths<Record, Kind extends string, Prefix extends string = ''> = {
  [K in keyof Record & string]: Record[K] extends { _def: { type: infer Type } }
    ? Type extends Kind
      ? `${Prefix}${K}`
      : never
    : ProcedurePaths<Record[K], Kind, `${Prefix}${K}.`>;
}[keyof Record & string];

/** The user-facing procedures that are tRPC queries (GET); every other one is a mutation (POST). */
export type AuthQueryPath = Extract<ProcedurePaths<AppRouter['_def']['record'], 'query'>, `auth.${string}`>;
