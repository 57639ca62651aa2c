/** What `npm run bench` runs; the others on demand (`--only`). */
export const DEFAULT_SCENARIOS: ScenarioName[] = ['verify-wrong', 'verify-right', 'send', 'login'];

/**
 * The bench's scenarios and, for each, what every target is asked and must answer. The Aldero
 * API and its floor take the same requests (the floor serves the same paths and bodies);
 * better-auth takes its own documented endpoints.
 */
import type { Expectation } from './lib/load.ts';

export type TargetName = 'aldero' | 'floor' | 'floor-guide' | 'better-auth';
/** The targets a scenario describes; `floor-guide` (the floor without the account-level code limit) takes the floor's requests. */
type DescribedTarget = Exclude<TargetName, 'floor-guide'>;
export type ScenarioName = 'verify-wrong' | 'verify-right' | 'send' | 'login' | 'verify-wrong-trpc';

export interface TargetSpec {
  path: string;
  /** Requests each fixture serves: 5 wrong codes per challenge, 1 right code, 3 sends. */
  usesPerFixture: number;
  cycle?: boolean;
  expect: Expectation;
  /** Fixtures needed for `rps` requests a second during `seconds`, on `connections` connections. */
  fixturesFor(rps: number, seconds: number, connections: number): number;
}

export interface Scenario {
  name: ScenarioName;
  title: string;
  targets: Record<DescribedTarget, TargetSpec>;
}

/** What `target` is asked and must answer in `scenario`. */
export function specOf(scenario: Scenario, target: TargetName): TargetSpec {
  return scenario.targets[target === 'floor-guide' ? 'floor' : target];
}

function pooled(path: string, usesPerFixture: number, expect: Expectation): TargetSpec {
  return {
    path,
    usesPerFixture,
    expect,
    fixturesFor: (rps, seconds, connections) => Math.ceil((rps * seconds) / usesPerFixture) + connections,
  };
}

/** Login: accounts reused in turn, at least two per connection. */
function accounts(path: string, expect: Expectation): TargetSpec {
  return { path, usesPerFixture: 1, cycle: true, expect, fixturesFor: (_rps, _seconds, connections) => connections * 2 };
}

const ALDERO_VERIFY = '/v1/auth/mfa/verify';
const BA = '/api/auth';

export const SCENARIOS: Record<ScenarioName, Scenario> = {
  'verify-wrong': {
    name: 'verify-wrong',
    title: 'verify, wrong code',
    targets: {
      aldero: pooled(ALDERO_VERIFY, 5, { status: 400, contains: '"MFA_INVALID_CODE"' }),
      floor: pooled(ALDERO_VERIFY, 5, { status: 400, contains: '"MFA_INVALID_CODE"' }),
      'better-auth': pooled(`${BA}/two-factor/verify-otp`, 5, { status: 401, contains: '"INVALID_CODE"' }),
    },
  },
  'verify-wrong-trpc': {
    name: 'verify-wrong-trpc',
    title: 'verify, wrong code, over tRPC (what the components call)',
    targets: {
      aldero: pooled('/trpc/auth.mfa.verify', 5, { status: 400, contains: '"MFA_INVALID_CODE"' }),
      floor: pooled('/trpc/auth.mfa.verify', 5, { status: 400, contains: '"MFA_INVALID_CODE"' }),
      'better-auth': pooled(`${BA}/two-factor/verify-otp`, 5, { status: 401, contains: '"INVALID_CODE"' }),
    },
  },
  'verify-right': {
    name: 'verify-right',
    title: 'verify, right code',
    targets: {
      aldero: pooled(ALDERO_VERIFY, 1, { status: 200, contains: '"accessToken"' }),
      floor: pooled(ALDERO_VERIFY, 1, { status: 200, contains: '"accessToken"' }),
      'better-auth': pooled(`${BA}/two-factor/verify-otp`, 1, { status: 200, contains: '"token"' }),
    },
  },
  send: {
    name: 'send',
    title: 'challenge send (sandbox)',
    targets: {
      aldero: pooled('/v1/auth/mfa/challenge', 3, { status: 200, contains: '"sendsRemaining"' }),
      floor: pooled('/v1/auth/mfa/challenge', 3, { status: 200, contains: '"sendsRemaining"' }),
      'better-auth': pooled(`${BA}/two-factor/send-otp`, 3, { status: 200, contains: '"status":true' }),
    },
  },
  login: {
    name: 'login',
    title: 'password login → MFA required',
    targets: {
      aldero: accounts('/v1/auth/login', { status: 403, contains: '"mfa_required"' }),
      floor: accounts('/v1/auth/login', { status: 403, contains: '"mfa_required"' }),
      'better-auth': accounts(`${BA}/sign-in/email`, { status: 200, contains: '"twoFactorRedirect":true' }),
    },
  },
};

export function targetFile(target: TargetName): URL {
  return new URL(target === 'better-auth' ? './targets/better-auth.ts' : './targets/aldero.ts', import.meta.url);
}

export function targetArgs(target: TargetName): string[] {
  return target === 'better-auth' ? [] : [target];
}
