import { Secret, TOTP } from 'otpauth';
import type { Clock } from '../clock.ts';
import { CODE_DIGITS, CODE_PATTERN } from '../contract/formats.ts';
import { decrypt } from '../crypto.ts';
import type { AppDeps } from '../deps.ts';
import type { Realm, UserDoc } from '../store/documents.ts';
import { repositoriesOf } from '../store/index.ts';
import type { UserRepository } from '../store/users.ts';
import { TOTP_PERIOD_SECONDS } from './rules.ts';

/** TOTP codes (RFC 6238, SHA-1, 6 digits, 30 s): what the user's app shows, checked once each. */

export interface TotpDeps {
  users: UserRepository;
  clock: Clock;
  secret: string;
}

export function totpDepsOf(deps: AppDeps): TotpDeps {
  return { users: repositoriesOf(deps.store).users, clock: deps.clock, secret: deps.keys.secret };
}

/** The TOTP of `secret` (base32), labelled as the user's app shows it: the tenant's brand and the email. */
export function totpFor(brand: string, user: UserDoc, secret: string): TOTP {
  return new TOTP({
    issuer: brand,
    label: user.email,
    algorithm: 'SHA1',
    digits: CODE_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  });
}

/** The time step a code belongs to, or null when it is not valid now (±1 step of drift). */
export function matchTotpStep(deps: TotpDeps, brand: string, user: UserDoc, secretEncrypted: string, code: string): number | null {
  if (!CODE_PATTERN.test(code)) return null;
  const secret = decrypt(deps.secret, 'totp', secretEncrypted);
  const now = deps.clock.now().getTime();
  const delta = totpFor(brand, user, secret).validate({ token: code, timestamp: now, window: 1 });
  return delta === null ? null : Math.floor(now / 1000 / TOTP_PERIOD_SECONDS) + delta;
}

/**
 * Verifies a code of the enrolled TOTP factor. A code is used once: the step it belongs to must
 * be later than the last one used, checked and recorded in one atomic update.
 */
export async function consumeTotpCode(deps: TotpDeps, realm: Realm, brand: string, user: UserDoc, code: string): Promise<boolean> {
  const factor = user.mfa.totp;
  if (!factor) return false;
  const step = matchTotpStep(deps, brand, user, factor.secretEncrypted, code);
  if (step === null) return false;
  return deps.users.useTotpStep(realm, user._id, step);
}
