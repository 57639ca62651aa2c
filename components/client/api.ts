/**
 * Inputs and outputs of the server's procedures (from its router's type, written out in full in the
 * published package: no server code reaches the browser or the package), and the named shapes the
 * SDK and the elements use.
 */
import type { ProcedureKinds, RouterOutputs } from './router.ts';

export type { ProcedureKinds, RouterInputs, RouterOutputs } from './router.ts';

/** The factors and delivery states, named by the contract the server answers with. */
export type { DeliveryStatus, MfaMethod } from '../../server/contract/methods.ts';

export type Tokens = RouterOutputs['auth']['signup'];

/** What every send (enrollment setup, login challenge) answers: masked phone, limits, delivery. */
export type CodeSent = Omit<RouterOutputs['auth']['mfa']['challenge'], 'challenge_type' | 'oob_channel'>;

/** Where the SMS is: `queued` … `delivered`, or `failed` with a reason (`opted_out`: the number replied STOP). */
export type Delivery = CodeSent['delivery'];

/** The login challenge as the challenge element first sees it. */
export type MfaStatus = RouterOutputs['auth']['mfa']['status'];

/** The SMS enrollment in progress (`auth.mfa.sms.status()`): the phone, what is left, and its SMS's delivery. */
export type EnrollmentStatus = RouterOutputs['auth']['mfa']['sms']['status'];

export type Me = RouterOutputs['auth']['me'];

export type Device = RouterOutputs['auth']['devices']['list']['devices'][number];

export type RecoveryCodes = RouterOutputs['auth']['mfa']['sms']['confirm'];

/** The dotted paths (`auth.me`) of the procedures of one kind (`'query'` or `'mutation'`). */
export type ProcedurePaths<Kinds, Kind extends string, Prefix extends string = ''> = {
  [K in keyof Kinds & string]: Kinds[K] extends string
    ? Kinds[K] extends Kind
      ? `${Prefix}${K}`
      : never
    : ProcedurePaths<Kinds[K], Kind, `${Prefix}${K}.`>;
}[keyof Kinds & string];

/** The procedures that are tRPC queries (GET); every other one is a mutation (POST). */
export type QueryPath = ProcedurePaths<ProcedureKinds, 'query'>;
