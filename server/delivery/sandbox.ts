import { typed, type TypedCollection } from '../store/typed.ts';
import type { Clock } from '../clock.ts';
import type { DeliveryStatus } from '../contract/methods.ts';
import { decrypt, encrypt } from '../crypto.ts';
import type { Realm, SandboxMessageDoc } from '../store/documents.ts';
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

export interface SandboxInboxMessage {
  id: string;
  to: string;
  from: string;
  body: string;
  createdAt: string;
  status: DeliveryStatus;
}

/** The sandbox inbox (`sandboxMessages`): bodies sealed at rest, opened only for the inbox's reader. */
class SandboxInbox {
  private readonly collection: TypedCollection<SandboxMessageDoc>;

  constructor(store: Store, private readonly secret: string) {
    this.collection = typed(store.sandboxMessages);
  }

  async add(message: OutgoingSms, status: DeliveryStatus, createdAt: Date): Promise<void> {
    await this.collection.insertOne({
      _id: message.id,
      realm: message.realm,
      to: message.to,
      from: message.from,
      body: encrypt(this.secret, SANDBOX_BODY_PURPOSE, message.text),
      status,
      challengeId: message.challengeId,
      createdAt,
    });
  }

  /** A phone's messages, newest first (ids are time-ordered, so they break ties within a millisecond). */
  async list(realm: Realm, phone: string, limit: number): Promise<SandboxInboxMessage[]> {
    const docs = await this.collection.find({ realm, to: phone }).sort({ createdAt: -1, _id: -1 }).limit(limit).toArray();
    return docs.map((doc) => ({
      id: doc._id,
      to: doc.to,
      from: doc.from,
      body: decrypt(this.secret, SANDBOX_BODY_PURPOSE, doc.body),
      createdAt: doc.createdAt.toISOString(),
      status: doc.status,
    }));
  }
}

/**
 * Sandbox delivery: nothing leaves the process; the message lands in the tenant's sandbox inbox.
 * The magic numbers behave like the numbers they stand for: the invalid one is refused as the
 * provider refuses it (`invalid_number`) and its inbox entry shows the failure without the text,
 * so its code can never be read (nor the number enrolled); the opted-out one never gets here
 * (`SmsProviders.isOptedOut`); every other number, `+15005550006` included, is delivered.
 */
export class SandboxProvider implements SmsProvider {
  readonly name = 'sandbox' as const;
  private readonly inbox: SandboxInbox;

  constructor(store: Store, private readonly clock: Clock, secret: string) {
    this.inbox = new SandboxInbox(store, secret);
  }

  async send(message: OutgoingSms): Promise<SendOutcome> {
    if (message.to === SANDBOX_NUMBERS.invalid) {
      await this.inbox.add({ ...message, text: '' }, 'failed', this.clock.now());
      return { kind: 'rejected', reason: 'invalid_number', error: 'sandbox:invalid_number' };
    }
    await this.inbox.add(message, 'delivered', this.clock.now());
    return { kind: 'accepted', providerMessageId: message.id, delivered: true };
  }
}

/** A phone's sandbox inbox, newest first, bodies opened (`GET /v1/sandbox/messages`). */
export async function listSandboxMessages(
  deps: { store: Store; keys: { secret: string } },
  realm: Realm,
  phone: string,
  limit = 20,
): Promise<{ messages: SandboxInboxMessage[] }> {
  return { messages: await new SandboxInbox(deps.store, deps.keys.secret).list(realm, phone, limit) };
}
