/**
 * Telnyx, through its official SDK: the one file that imports `telnyx`. Everything the rest of
 * the delivery feature needs from it is here: the provider (shared and BYO senders differ only
 * in credentials), the classification of its errors, webhook signature verification, and the
 * SDK's payload types the development emulator is checked against.
 */
import Telnyx, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'telnyx';
import { TelnyxWebhookVerificationError } from 'telnyx/lib/webhooks';
import type { MessagingInboundMessagePayload, OutboundMessagePayload } from 'telnyx/resources/messages/messages';
import type { MessagingInboundMessage, OutboundMessage } from 'telnyx/resources/webhooks';
import type { DeliveryReason, OutgoingSms, SendOutcome, SmsProvider } from './types.ts';

export type { MessagingInboundMessage, MessagingInboundMessagePayload, OutboundMessage, OutboundMessagePayload };

export interface TelnyxClientOptions {
  apiKey: string;
  /** The emulator's `http://127.0.0.1:<port>/v2` in tests; Telnyx's own by default. */
  baseURL?: string;
  timeoutMs: number;
}

/** Sends through one Telnyx account: Aldero's (shared sender) or a tenant's own (BYO). */
export class TelnyxProvider implements SmsProvider {
  private readonly client: Telnyx;

  constructor(readonly name: 'telnyx-shared' | 'telnyx-byo', options: TelnyxClientOptions) {
    this.client = new Telnyx({
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      // The outbox owns retries: the SDK's own would resend after a lost answer behind our back
      // and multiply with ours.
      maxRetries: 0,
      timeout: options.timeoutMs,
      logLevel: 'off',
    });
  }

  async send(message: OutgoingSms): Promise<SendOutcome> {
    try {
      const response = await this.client.messages.send({
        from: message.from,
        to: message.to,
        text: message.text,
        ...(message.messagingProfileId ? { messaging_profile_id: message.messagingProfileId } : {}),
      });
      return { kind: 'accepted', providerMessageId: response.data?.id ?? '', delivered: false };
    } catch (error) {
      return classifyTelnyxError(error);
    }
  }
}

/** Telnyx error codes that are final for the message (developers.telnyx.com/docs/overview/errors). */
const PERMANENT_CODES: Record<string, DeliveryReason> = {
  '40310': 'invalid_number', // invalid 'to' address
  '40300': 'opted_out', // blocked due to STOP message
  '10009': 'provider_auth_failed', // authentication failed
};

export function classifyTelnyxError(error: unknown): SendOutcome {
  if (error instanceof APIConnectionTimeoutError) {
    // The request went out: Telnyx may have taken it and only the answer is missing.
    return { kind: 'retry', error: 'timeout', retryAfterMs: null, inDoubt: true };
  }
  if (error instanceof APIConnectionError || error instanceof APIUserAbortError) {
    return { kind: 'retry', error: 'connection_error', retryAfterMs: null, inDoubt: true };
  }
  if (error instanceof APIError) {
    const status = error.status ?? 0;
    const code = telnyxErrorCode(error.error);
    if (status === 429) return { kind: 'retry', error: 'http_429', retryAfterMs: retryAfterMs(error.headers), inDoubt: false };
    if (status >= 500 || status === 408) return { kind: 'retry', error: `http_${status}`, retryAfterMs: retryAfterMs(error.headers), inDoubt: false };
    const reason: DeliveryReason =
      (code ? PERMANENT_CODES[code] : undefined) ?? (status === 401 || status === 403 ? 'provider_auth_failed' : 'provider_rejected');
    return { kind: 'rejected', reason, error: `http_${status}${code ? `:${code}` : ''}` };
  }
  return { kind: 'retry', error: error instanceof Error ? `unexpected:${error.name}` : 'unexpected', retryAfterMs: null, inDoubt: true };
}

function telnyxErrorCode(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const errors = (body as { errors?: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return null;
  const code = (errors[0] as { code?: unknown }).code;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : null;
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds from now. */
function retryAfterMs(headers: Headers | undefined): number | null {
  const value = headers?.get('retry-after');
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/** Verification needs no credentials; a client only to reach the SDK's `webhooks.unwrap`. */
const webhookVerifier = new Telnyx({ apiKey: 'webhook-verification-only', maxRetries: 0, logLevel: 'off' });

export type VerifiedWebhook = { ok: true; event: unknown } | { ok: false; error: 'INVALID_SIGNATURE' | 'INVALID_PAYLOAD'; message: string };

/**
 * Checks the Ed25519 signature (`telnyx-signature-ed25519` over `{telnyx-timestamp}|{raw body}`,
 * timestamp within 300 s) with the SDK, on the raw body exactly as received, and parses it.
 */
export async function verifyTelnyxWebhook(rawBody: string, headers: Record<string, string>, publicKey: string): Promise<VerifiedWebhook> {
  try {
    return { ok: true, event: await webhookVerifier.webhooks.unwrap(rawBody, { headers, key: publicKey }) };
  } catch (error) {
    if (error instanceof TelnyxWebhookVerificationError) return { ok: false, error: 'INVALID_SIGNATURE', message: error.message };
    if (error instanceof SyntaxError) return { ok: false, error: 'INVALID_PAYLOAD', message: 'The webhook body is not JSON.' };
    throw error;
  }
}
