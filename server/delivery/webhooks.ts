import { typed, type TypedCollection } from '../store/typed.ts';
import { z } from 'zod';
import type { DeliveryStatus } from '../contract/methods.ts';
import { AppError } from '../errors.ts';
import type { DeliveryState } from '../store/documents.ts';
import { repositoriesOf, type Store } from '../store/index.ts';
import { advanceDelivery, auditOptOut } from './audit.ts';
import { replyKeyword } from './opt-outs.ts';
import { bodyHashOf, Outbox } from './outbox.ts';
import { byoAccountKey, SHARED_ACCOUNT } from './senders.ts';
import { verifyTelnyxWebhook } from './telnyx.ts';
import type { DeliveryDeps, DeliveryReason, TelnyxEventDoc } from './types.ts';

export type WebhookDeps = DeliveryDeps;

export interface WebhookInput {
  /** The body exactly as received: the signature covers its bytes. */
  rawBody: string;
  headers: Record<string, string>;
  /** `/v1/webhooks/telnyx/{slug}`: a BYO tenant's account, verified with its own public key. */
  slug?: string;
}

/** What a webhook that was taken answers (200): `duplicate` for a redelivery, `ignored` for an event we do not act on. */
export interface WebhookAnswer {
  received: true;
  duplicate?: true;
  ignored?: string;
}

const phoneField = z.object({ phone_number: z.string().min(1) });

const envelopeSchema = z.object({
  data: z.object({
    id: z.string().min(1).max(128),
    event_type: z.string().max(64),
    occurred_at: z.string().optional(),
    payload: z.unknown(),
  }),
});

const receiptSchema = z.object({
  id: z.string().min(1).max(128),
  to: z.array(phoneField.extend({ status: z.string().optional() })).min(1),
  text: z.string().nullish(),
  errors: z.array(z.object({ code: z.union([z.string(), z.number()]).optional() })).nullish(),
});

const inboundSchema = z.object({
  from: phoneField,
  to: z.array(phoneField).min(1),
  text: z.string().nullish(),
});

/** Which account a webhook URL belongs to: its verification key, and the numbers it may speak for. */
interface WebhookAccount {
  accountKey: string;
  publicKey: string;
  numbers: string[];
}

/**
 * `POST /v1/webhooks/telnyx` (Aldero's shared account) and `/v1/webhooks/telnyx/{slug}` (a BYO
 * tenant's account). Verifies the Ed25519 signature on the raw body; then records delivery
 * receipts (`message.sent`, `message.finalized`) on the message and its challenge, and replies
 * (`message.received`: STOP-family opt-outs, START/UNSTOP opt-ins, HELP) per (number, handset).
 *
 * Each event takes effect once: repeated deliveries of an applied event are answered 200 and
 * skipped, and every effect is idempotent and ordered (states only move forward; an older
 * reply never overrides a newer one), so a delivery that raced a crash is safe to re-apply.
 * Events about numbers or messages of another account are ignored: a BYO tenant's key can
 * never opt a handset in or out of the shared number.
 *
 * Answers 200 with the returned body; a refusal throws an `AppError` (404 `NOT_FOUND` for an
 * address with no webhook, 400 `INVALID_SIGNATURE` / `INVALID_PAYLOAD`), answered by the shared
 * error path.
 */
export async function handleTelnyxWebhook(deps: WebhookDeps, input: WebhookInput): Promise<WebhookAnswer> {
  const account = await webhookAccount(deps, input.slug);
  if (!account) throw new AppError('NOT_FOUND', {}, 'No Telnyx webhook is configured at this address.');
  const verified = await verifyTelnyxWebhook(input.rawBody, input.headers, account.publicKey);
  if (!verified.ok) {
    deps.log.info('telnyx webhook refused', { error: verified.error, reason: verified.message, account: account.accountKey });
    throw new AppError(verified.error, {}, verified.error === 'INVALID_SIGNATURE' ? `The webhook signature is not valid: ${verified.message}` : verified.message);
  }
  const envelope = envelopeSchema.safeParse(verified.event);
  if (!envelope.success) throw new AppError('INVALID_PAYLOAD', {}, 'The webhook is not a Telnyx event (data.id, data.event_type).');
  const event = envelope.data.data;
  const outbox = new Outbox(deps.store);
  const events = new TelnyxEvents(deps.store);
  const eventId = `${account.accountKey}:${event.id}`;
  const occurredAt = parseTime(event.occurred_at) ?? new Date();

  if (await events.isApplied(eventId)) return { received: true, duplicate: true };

  switch (event.event_type) {
    case 'message.sent':
    case 'message.finalized': {
      const receipt = receiptSchema.safeParse(event.payload);
      if (!receipt.success) return ignored('unrecognised receipt');
      const { status, reason } = receiptState(event.event_type, receipt.data);
      const handset = receipt.data.to[0].phone_number;
      const bodyHash = receipt.data.text ? bodyHashOf(deps.keys.secret, handset, receipt.data.text) : null;
      await events.remember(eventId, event.event_type, account.accountKey, occurredAt, { providerMessageId: receipt.data.id, bodyHash, status, reason });
      const { matched, updated } = await outbox.messages.applyReceipt({ accountKey: account.accountKey, providerMessageId: receipt.data.id, bodyHash, status, reason, now: new Date() });
      if (updated) {
        const state: DeliveryState = { status: updated.status, reason: updated.reason, messageId: updated._id, updatedAt: deps.clock.now() };
        await advanceDelivery(deps, outbox, updated, state);
        if (reason === 'opted_out') {
          if (await outbox.optOuts.record({ sender: updated.from, phone: updated.to, optedOut: true, source: 'provider_40300', at: occurredAt, now: new Date() })) {
            await auditOptOut(deps, outbox, { sender: updated.from, phone: updated.to, optedOut: true, keyword: 'provider_40300', message: updated });
          }
        }
      }
      // A receipt for no known message (another system on the account, or long gone) stays unapplied, for the record.
      if (matched) await events.markApplied(eventId);
      return { received: true };
    }
    case 'message.received': {
      const inbound = inboundSchema.safeParse(event.payload);
      if (!inbound.success) return ignored('unrecognised inbound message');
      const ourNumber = inbound.data.to[0].phone_number;
      const handset = inbound.data.from.phone_number;
      if (!account.numbers.includes(ourNumber)) return ignored('number of another account');
      await events.remember(eventId, event.event_type, account.accountKey, occurredAt, { providerMessageId: null, bodyHash: null, status: null, reason: null });
      const keyword = replyKeyword(inbound.data.text ?? '');
      const now = new Date();
      if (keyword?.kind === 'opt_out' || keyword?.kind === 'opt_in') {
        const applied = await outbox.optOuts.record({
          sender: ourNumber,
          phone: handset,
          optedOut: keyword.kind === 'opt_out',
          source: keyword.word,
          at: occurredAt,
          now,
        });
        if (applied) await auditOptOut(deps, outbox, { sender: ourNumber, phone: handset, optedOut: keyword.kind === 'opt_out', keyword: keyword.word });
        deps.log.info('sms reply recorded', { keyword: keyword.word, account: account.accountKey });
      } else if (keyword?.kind === 'help') {
        await outbox.optOuts.recordHelp({ sender: ourNumber, phone: handset, at: occurredAt, now });
      }
      await events.markApplied(eventId);
      return { received: true };
    }
    default:
      return ignored(`event type ${event.event_type}`);
  }
}

async function webhookAccount(deps: WebhookDeps, slug: string | undefined): Promise<WebhookAccount | null> {
  if (slug === undefined) {
    const publicKey = deps.config.telnyx.publicKey;
    return publicKey ? { accountKey: SHARED_ACCOUNT, publicKey, numbers: [deps.config.telnyx.sharedFromNumber] } : null;
  }
  const tenant = await repositoriesOf(deps.store).tenants.findBySlug(slug.toLowerCase());
  if (!tenant?.byo?.publicKey) return null;
  return { accountKey: byoAccountKey(tenant._id), publicKey: tenant.byo.publicKey, numbers: [tenant.byo.fromNumber] };
}

/** What a receipt says about the message, in our terms. */
function receiptState(
  eventType: 'message.sent' | 'message.finalized',
  payload: z.infer<typeof receiptSchema>,
): { status: DeliveryStatus; reason: DeliveryReason | null } {
  if (eventType === 'message.sent') return { status: 'sent', reason: null };
  const telnyxStatus = payload.to[0].status;
  if (telnyxStatus === 'delivered') return { status: 'delivered', reason: null };
  if (telnyxStatus === 'delivery_unconfirmed') return { status: 'sent', reason: 'delivery_unconfirmed' };
  if (telnyxStatus === 'sending_failed' || telnyxStatus === 'delivery_failed') {
    const code = payload.errors?.[0]?.code;
    if (String(code) === '40300') return { status: 'failed', reason: 'opted_out' };
    return { status: 'failed', reason: telnyxStatus };
  }
  return { status: 'sent', reason: null };
}

/** The Telnyx events seen (`telnyxEvents`): every filter and update on them is here. */
class TelnyxEvents {
  private readonly collection: TypedCollection<TelnyxEventDoc>;

  constructor(store: Store) {
    this.collection = typed(store.collection<TelnyxEventDoc>('telnyxEvents'));
  }

  async isApplied(id: string): Promise<boolean> {
    return Boolean((await this.collection.findOne({ _id: id }, { projection: { appliedAt: 1 } }))?.appliedAt);
  }

  async remember(
    id: string,
    type: string,
    accountKey: string,
    occurredAt: Date,
    fields: Pick<TelnyxEventDoc, 'providerMessageId' | 'bodyHash' | 'status' | 'reason'>,
  ): Promise<void> {
    await this.collection.updateOne(
      { _id: id },
      { $setOnInsert: { type, accountKey, ...fields, occurredAt, receivedAt: new Date(), appliedAt: null } },
      { upsert: true },
    );
  }

  async markApplied(id: string): Promise<void> {
    await this.collection.updateOne({ _id: id }, { $set: { appliedAt: new Date() } });
  }
}

function ignored(why: string): WebhookAnswer {
  // 200 all the same: Telnyx retries anything else, and a verified event we do not act on never becomes actionable.
  return { received: true, ignored: why };
}

function parseTime(value: string | undefined): Date | null {
  if (!value) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time);
}
