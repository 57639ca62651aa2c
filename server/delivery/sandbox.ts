import type { Clock } from '../clock.ts';
import { decrypt, encrypt } from '../crypto.ts';
import type { DeliveryStatus, Realm } from '../store/documents.ts';
import type { Store } from '../store/index.ts';
import type { OutgoingSms, SendOutcome, SmsProvider } from './types.ts';

/** The sandbox's magic numbers (DESIGN.md §2). */
export const SANDBOX_NUMBERS = {
  invalid: '+15005550001',
  optedOut: '+15005550009',
  delivered: '+15005550006',
} as const;

export const SANDBOX_FROM = '+15005550000';

const SANDBOX_BODY_PURPOSE = 'sandbox-body';

/**
 * Sandbox delivery: nothing leaves the process; the message lands in the tenant's sandbox inbox
 * (failed ones too, with their status, so a tenant sees what its magic-number tests did).
 */
export class SandboxProvider implements SmsProvider {
  readonly name = 'sandbox' as const;

  constructor(private readonly store: Store, private readonly clock: Clock, private readonly secret: string) {}

  async send(message: OutgoingSms): Promise<SendOutcome> {
    const failure =
      message.to === SANDBOX_NUMBERS.invalid ? 'invalid_number' : message.to === SANDBOX_NUMBERS.optedOut ? 'opted_out' : null;
    await this.store.sandboxMessages.insertOne({
      _id: message.id,
      realm: message.realm,
      to: message.to,
      from: message.from,
      // The body holds the code: sealed at rest, opened only for the inbox's reader.
      body: encrypt(this.secret, SANDBOX_BODY_PURPOSE, message.text),
      status: failure ? 'failed' : 'delivered',
      challengeId: message.challengeId,
      createdAt: this.clock.now(),
    });
    return failure
      ? { kind: 'rejected', reason: failure, error: `sandbox:${failure}` }
      : { kind: 'accepted', providerMessageId: message.id, delivered: true };
  }
}

export interface SandboxInboxMessage {
  id: string;
  to: string;
  from: string;
  body: string;
  createdAt: string;
  status: DeliveryStatus;
}

/** A phone's sandbox inbox, newest first, bodies opened (`GET /v1/sandbox/messages`). */
export async function listSandboxMessages(
  deps: { store: Store; keys: { secret: string } },
  realm: Realm,
  phone: string,
  limit = 20,
): Promise<{ messages: SandboxInboxMessage[] }> {
  // Ids are time-ordered, so they break ties between messages of the same millisecond.
  const docs = await deps.store.sandboxMessages.find({ realm, to: phone }).sort({ createdAt: -1, _id: -1 }).limit(limit).toArray();
  return {
    messages: docs.map((doc) => ({
      id: doc._id,
      to: doc.to,
      from: doc.from,
      body: decrypt(deps.keys.secret, SANDBOX_BODY_PURPOSE, doc.body),
      createdAt: doc.createdAt.toISOString(),
      status: doc.status,
    })),
  };
}
