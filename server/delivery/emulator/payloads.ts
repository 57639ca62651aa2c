/**
 * The JSON shapes the Telnyx emulator answers with and posts as webhooks, built to mirror the
 * real Telnyx v2 Messaging API. Where the SDK ships a type for a shape, the builder is checked
 * against it with `satisfies`, so a drift between the SDK and the emulator fails the typecheck.
 *
 * Sources: the telnyx 7.24 SDK types (OutboundMessagePayload, MessagingInboundMessagePayload,
 * OutboundMessage / MessagingInboundMessage webhook events) and the examples on
 * developers.telnyx.com (send-a-message response, inboundMessage and deliveryUpdate callbacks,
 * error pages 40300 / 40310 and the general API error table).
 */
import type { MessagingInboundMessage, MessagingInboundMessagePayload, OutboundMessage, OutboundMessagePayload } from '../telnyx.ts';

/** Delivery states an emulated outbound message moves through (Telnyx `to[].status`). */
export type DeliveryStatus =
  | 'queued'
  | 'sent'
  | 'delivered'
  | 'sending_failed'
  | 'delivery_failed'
  | 'delivery_unconfirmed';

/** Terminal states `deliver()` may finish a message with (carried by `message.finalized`). */
export type FinalDeliveryStatus = Extract<
  DeliveryStatus,
  'delivered' | 'sending_failed' | 'delivery_failed' | 'delivery_unconfirmed'
>;

/** One entry of Telnyx's `errors` array, the same shape for API errors and delivery errors. */
export interface TelnyxErrorObject {
  code: string;
  title: string;
  detail?: string;
  source?: { pointer?: string; parameter?: string };
  meta?: { url?: string };
}

/** The body of every Telnyx 4xx/5xx answer. */
export interface TelnyxErrorBody {
  errors: TelnyxErrorObject[];
}

export function telnyxError(
  code: string,
  title: string,
  detail?: string,
  pointer?: string,
): TelnyxErrorBody {
  const error: TelnyxErrorObject = { code, title };
  if (detail !== undefined) error.detail = detail;
  if (pointer !== undefined) error.source = { pointer };
  // Real Telnyx errors link the code's documentation page; clients sometimes log it.
  error.meta = { url: `https://developers.telnyx.com/docs/overview/errors/${code}` };
  return { errors: [error] };
}

// ---------------------------------------------------------------------------------------------
// Encoding and segmentation: Telnyx reports `encoding` and `parts`, and bills per part, so an
// emulator that always said "GSM-7, 1 part" would hide a template that silently went UCS-2.

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** Characters that exist in GSM-7 only through the escape table, so each costs two septets. */
const GSM7_EXTENDED = '^{}\\[~]|€\f';
const gsm7Basic = new Set(GSM7_BASIC);
const gsm7Extended = new Set(GSM7_EXTENDED);

export interface SegmentInfo {
  encoding: 'GSM-7' | 'UCS-2';
  parts: number;
  /** Number of characters as the user sees them (code points). */
  numChars: number;
}

export function segmentInfo(text: string): SegmentInfo {
  const chars = [...text];
  let septets = 0;
  let isGsm7 = true;
  for (const char of chars) {
    if (gsm7Basic.has(char)) septets += 1;
    else if (gsm7Extended.has(char)) septets += 2;
    else {
      isGsm7 = false;
      break;
    }
  }
  if (isGsm7) {
    return { encoding: 'GSM-7', parts: septets <= 160 ? 1 : Math.ceil(septets / 153), numChars: chars.length };
  }
  // UCS-2 counts UTF-16 code units: an emoji takes two of the 70 (or 67 per part) slots.
  const units = text.length;
  return { encoding: 'UCS-2', parts: units <= 70 ? 1 : Math.ceil(units / 67), numChars: chars.length };
}

// ---------------------------------------------------------------------------------------------
// Message records

/** What the emulator remembers about one accepted outbound message. */
export interface EmulatedMessage {
  id: string;
  from: string;
  to: string;
  text: string;
  messagingProfileId: string;
  /** Per-message `webhook_url` from the request, if any. Delivery webhooks go here first. */
  webhookUrl: string | null;
  /** ISO 8601 time the emulator accepted the request. */
  receivedAt: string;
  /** The API key the message was sent with: selects the account whose key signs its webhooks. */
  apiKey: string;
  status: DeliveryStatus;
  sentAt: string | null;
  completedAt: string | null;
  /** Delivery errors reported by the last `message.finalized`, empty while delivered/in flight. */
  errors: TelnyxErrorObject[];
  encoding: SegmentInfo['encoding'];
  parts: number;
  numChars: number;
  organizationId: string;
  /** The JSON body exactly as the client sent it, for assertions on fields the emulator ignores. */
  requestBody: Record<string, unknown>;
}

/** Carrier details Telnyx fills in from its number lookup; fixed values are enough for tests. */
const SENDER_CARRIER = { carrier: 'TELNYX LLC', line_type: 'VoIP' } as const;
const RECIPIENT_CARRIER = { carrier: 'T-MOBILE USA, INC.', line_type: 'Wireless' } as const;
/** Emulated price per part, in USD (the order of magnitude of a US toll-free SMS). */
const PRICE_PER_PART = 0.004;
/** How long a queued message stays valid before Telnyx would discard it. */
const VALIDITY_MS = 4 * 60 * 60 * 1000;

function messageCost(parts: number): { amount: string; currency: string } {
  return { amount: (PRICE_PER_PART * parts).toFixed(4), currency: 'USD' };
}

/** The `data` of a `POST /v2/messages` or `GET /v2/messages/{id}` answer, and of delivery webhooks. */
export function outboundMessagePayload(message: EmulatedMessage) {
  const isFinal = message.completedAt !== null;
  return {
    record_type: 'message',
    direction: 'outbound',
    id: message.id,
    type: 'SMS',
    messaging_profile_id: message.messagingProfileId,
    organization_id: message.organizationId,
    from: { phone_number: message.from, ...SENDER_CARRIER },
    to: [{ phone_number: message.to, status: message.status, ...RECIPIENT_CARRIER }],
    cc: [],
    text: message.text,
    subject: null,
    media: [],
    webhook_url: message.webhookUrl,
    webhook_failover_url: null,
    encoding: message.encoding,
    parts: message.parts,
    num_chars: message.numChars,
    tags: [],
    cost: messageCost(message.parts),
    cost_breakdown: {
      carrier_fee: { amount: '0.0000', currency: 'USD' },
      rate: messageCost(message.parts),
    },
    tcr_campaign_id: null,
    tcr_campaign_billable: false,
    tcr_campaign_registered: null,
    received_at: message.receivedAt,
    sent_at: message.sentAt,
    completed_at: message.completedAt,
    // Telnyx nulls valid_until once the message leaves its queue.
    valid_until:
      message.sentAt === null && !isFinal
        ? new Date(Date.parse(message.receivedAt) + VALIDITY_MS).toISOString()
        : null,
    errors: message.errors,
    smart_encoding_applied: false,
    wait_seconds: 0,
  } as const satisfies OutboundMessagePayload;
}

export type OutboundMessageJson = ReturnType<typeof outboundMessagePayload>;

/** Everything an inbound message carries that the emulator lets a test choose. */
export interface InboundMessageInput {
  id: string;
  /** The handset that texted. */
  from: string;
  /** The Telnyx number that received it. */
  to: string;
  text: string;
  messagingProfileId: string;
  organizationId: string;
  receivedAt: string;
  /** Set when the text is an opt-out/opt-in/help keyword, as Telnyx does for autoresponses. */
  autoresponseType: 'STOP' | 'START' | 'HELP' | null;
}

export function inboundMessagePayload(input: InboundMessageInput) {
  const segments = segmentInfo(input.text);
  return {
    record_type: 'message',
    direction: 'inbound',
    id: input.id,
    type: 'SMS',
    messaging_profile_id: input.messagingProfileId,
    organization_id: input.organizationId,
    from: { phone_number: input.from, ...RECIPIENT_CARRIER },
    to: [{ phone_number: input.to, status: 'webhook_delivered', ...SENDER_CARRIER }],
    cc: [],
    text: input.text,
    subject: null,
    media: [],
    webhook_url: null,
    webhook_failover_url: null,
    encoding: segments.encoding,
    parts: segments.parts,
    tags: [],
    cost: messageCost(segments.parts),
    received_at: input.receivedAt,
    sent_at: null,
    completed_at: null,
    valid_until: null,
    errors: [],
    ...(input.autoresponseType === null ? {} : { autoresponse_type: input.autoresponseType }),
  } as const satisfies MessagingInboundMessagePayload;
}

// ---------------------------------------------------------------------------------------------
// Webhook envelopes: `{ data: { record_type: 'event', id, event_type, occurred_at, payload }, meta }`

export interface WebhookMeta {
  attempt: number;
  delivered_to: string;
}

export function deliveryEvent(
  eventId: string,
  eventType: 'message.sent' | 'message.finalized',
  occurredAt: string,
  message: EmulatedMessage,
  meta: WebhookMeta,
) {
  const data = {
    record_type: 'event',
    id: eventId,
    event_type: eventType,
    occurred_at: occurredAt,
    payload: outboundMessagePayload(message),
  } as const satisfies OutboundMessage;
  return { data, meta };
}

export function inboundEvent(eventId: string, occurredAt: string, input: InboundMessageInput, meta: WebhookMeta) {
  const data = {
    record_type: 'event',
    id: eventId,
    event_type: 'message.received',
    occurred_at: occurredAt,
    payload: inboundMessagePayload(input),
  } as const satisfies MessagingInboundMessage;
  return { data, meta };
}

export type DeliveryEventJson = ReturnType<typeof deliveryEvent>;
export type InboundEventJson = ReturnType<typeof inboundEvent>;
