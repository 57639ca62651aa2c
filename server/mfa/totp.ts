import { Secret, TOTP } from 'otpauth';
import { decrypt, encrypt } from '../crypto.ts';
import type { Context } from '../context.ts';
import type { UserDoc } from '../store/documents.ts';

const PERIOD = 30;

function totpFor(ctx: Context, user: UserDoc, secret: string): TOTP {
  return new TOTP({
    issuer: ctx.req.tenant.tenant.brand,
    label: user.email,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD,
    secret: Secret.fromBase32(secret),
  });
}

/** A new secret, kept sealed as pending until the first code proves the app has it. */
export async function beginTotpSetup(ctx: Context, user: UserDoc): Promise<{ secret: string; otpauthUri: string }> {
  const secret = new Secret({ size: 20 }).base32;
  await ctx.deps.store.users.updateOne(
    { _id: user._id, realm: ctx.req.tenant.realm },
    { $set: { 'mfa.pendingTotp': { secretEncrypted: encrypt(ctx.deps.keys.secret, 'totp', secret), createdAt: ctx.deps.clock.now() } } },
  );
  return { secret, otpauthUri: totpFor(ctx, user, secret).toString() };
}

/** The time step a code belongs to, or null when it is not valid now (±1 step of drift). */
export function matchTotpStep(ctx: Context, user: UserDoc, secretEncrypted: string, code: string): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const secret = decrypt(ctx.deps.keys.secret, 'totp', secretEncrypted);
  const now = ctx.deps.clock.now().getTime();
  const delta = totpFor(ctx, user, secret).validate({ token: code, timestamp: now, window: 1 });
  return delta === null ? null : Math.floor(now / 1000 / PERIOD) + delta;
}

/**
 * Verifies a code of the enrolled TOTP factor. A code is used once: the step it belongs to must
 * be later than the last one used, checked and recorded in one atomic update.
 */
export async function consumeTotpCode(ctx: Context, user: UserDoc, code: string): Promise<boolean> {
  const factor = user.mfa.totp;
  if (!factor) return false;
  const step = matchTotpStep(ctx, user, factor.secretEncrypted, code);
  if (step === null) return false;
  const result = await ctx.deps.store.users.updateOne(
    { _id: user._id, realm: ctx.req.tenant.realm, 'mfa.totp.lastUsedStep': { $lt: step } },
    { $set: { 'mfa.totp.lastUsedStep': step } },
  );
  return result.modifiedCount === 1;
}
