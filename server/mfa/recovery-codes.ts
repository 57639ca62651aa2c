import { randomBytes } from 'node:crypto';
import type { CodePurpose } from '../audit/events.ts';
import type { AuditOrigin, AuditSink } from '../audit/sink.ts';
import type { Clock } from '../clock.ts';
import { RECOVERY_CODE_PATTERN } from '../contract/formats.ts';
import { RECOVERY_CODE_COUNT } from '../contract/rules.ts';
import { scryptAsync, type ScryptParams } from '../crypto.ts';
import type { AppDeps } from '../deps.ts';
import type { UserDoc } from '../store/documents.ts';
import { repositoriesOf } from '../store/index.ts';
import type { UserRepository } from '../store/users.ts';

/**
 * Recovery codes carry 32 bits each, too little for a fast hash (OWASP ASVS 5.0 §6.5.2), so they
 * are stored under scrypt with a per-user salt. One salt for the user's ten codes means an
 * attempt costs one hash and a lookup, not ten hashes.
 */
const RECOVERY_SCRYPT: ScryptParams = { N: 2 ** 14, r: 8, p: 1, keylen: 16 };

export interface RecoveryCodeDeps {
  users: UserRepository;
  clock: Clock;
  audit: AuditSink;
}

export function recoveryCodeDepsOf(deps: AppDeps): RecoveryCodeDeps {
  return { users: repositoriesOf(deps.store).users, clock: deps.clock, audit: deps.audit };
}

function generateRecoveryCodes(): string[] {
  const codes = new Set<string>();
  while (codes.size < RECOVERY_CODE_COUNT) {
    const hex = randomBytes(4).toString('hex');
    codes.add(`${hex.slice(0, 4)}-${hex.slice(4)}`);
  }
  return [...codes];
}

/** Accepts `6DCA D1DD`, `6dcad1dd` or `6dca-d1dd`; null when it cannot be a recovery code. */
function normalizeRecoveryCode(input: string): string | null {
  const compact = input.toLowerCase().replace(/[\s-]/g, '');
  const code = `${compact.slice(0, 4)}-${compact.slice(4)}`;
  return RECOVERY_CODE_PATTERN.test(code) ? code : null;
}

async function hashCode(code: string, salt: string): Promise<string> {
  return (await scryptAsync(code, Buffer.from(salt, 'base64url'), RECOVERY_SCRYPT)).toString('base64url');
}

/** Replaces the user's recovery codes with ten new ones and returns them (the only time they are seen). */
export async function issueRecoveryCodes(deps: RecoveryCodeDeps, origin: AuditOrigin, userId: string, reason: 'enrollment' | 'regenerated'): Promise<string[]> {
  const codes = generateRecoveryCodes();
  const salt = randomBytes(16).toString('base64url');
  const hashes = await Promise.all(codes.map((code) => hashCode(code, salt)));
  await deps.users.setRecoveryCodes(origin.tenant.realm, userId, { salt, hashes, generatedAt: deps.clock.now() });
  await deps.audit.record(origin, 'mfa.recovery_codes.generated', { count: codes.length, reason }, { userId });
  return codes;
}

/**
 * Uses up one recovery code: one scrypt, then an atomic `$pull` of its hash. Of two concurrent
 * uses of the same code only one removes it.
 */
export async function consumeRecoveryCode(deps: RecoveryCodeDeps, origin: AuditOrigin, user: UserDoc, input: string, purpose: CodePurpose): Promise<boolean> {
  const code = normalizeRecoveryCode(input);
  const stored = user.recoveryCodes;
  if (!stored) return false;
  // Hash even a malformed code, so the answer takes the same time either way.
  const hash = await hashCode(code ?? input.slice(0, 64), stored.salt);
  if (!code) return false;
  const remaining = await deps.users.pullRecoveryCode(origin.tenant.realm, user._id, hash);
  if (remaining === null) return false;
  await deps.audit.record(origin, 'mfa.recovery_code.used', { purpose, remaining }, { userId: user._id });
  return true;
}
