import type { DeliveryState, TenantDoc } from '../store/documents.ts';
import type { TenantContext } from '../tenants/model.ts';

/** One verification SMS to send for a challenge. */
export interface SmsRequest {
  tenant: TenantContext;
  challengeId: string;
  userId: string;
  to: string;
  code: string;
  /** When the challenge dies: a message not sent by then is dropped, never sent late. */
  expiresAt: Date;
}

/** Where challenges hand their codes: the sandbox inbox, or the outbox towards Telnyx. */
export interface SmsDispatcher {
  /** Records the message durably and returns its delivery state as known now. */
  dispatch(request: SmsRequest): Promise<DeliveryState>;
  /** Starts background work (outbox workers); idempotent. */
  start?(): void;
  stop?(): Promise<void>;
}

export type SenderFor = (tenant: TenantDoc) => { from: string };
