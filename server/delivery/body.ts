import type { TenantDoc } from '../store/documents.ts';

/**
 * The SMS body, byte-exact per sender model (DESIGN.md §7). The shared sender names Aldero and
 * carries the STOP/HELP line carriers require; a BYO sender carries the tenant's own line.
 * With `webOtpHost` set, the WebOTP origin-bound line (`@host #code`) ends the message.
 */
export function smsBody(tenant: Pick<TenantDoc, 'brand' | 'senderModel' | 'byo' | 'webOtpHost'>, code: string): string {
  const body =
    tenant.senderModel === 'byo' && tenant.byo
      ? `Your ${tenant.brand} verification code is ${code}. ${tenant.byo.helpLine}`.trimEnd()
      : `Your ${tenant.brand} verification code is ${code}. Sent via Aldero. Reply STOP to opt out, HELP for help.`;
  return tenant.webOtpHost ? `${body}\n\n@${tenant.webOtpHost} #${code}` : body;
}
