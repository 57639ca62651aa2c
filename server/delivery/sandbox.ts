import { ObjectId } from 'mongodb';
import { encrypt } from '../crypto.ts';
import type { Clock } from '../clock.ts';
import type { DeliveryState } from '../store/documents.ts';
import type { Store } from '../store/index.ts';
import { smsBody } from './body.ts';
import type { SmsDispatcher, SmsRequest } from './types.ts';

/** The sandbox's magic numbers (DESIGN.md §2). */
export const SANDBOX_NUMBERS = {
  invalid: '+15005550001',
  optedOut: '+15005550009',
  delivered: '+15005550006',
} as const;

export const SANDBOX_FROM = '+15005550000';

/** Sandbox delivery: nothing leaves the process; the message lands in the tenant's sandbox inbox. */
export class SandboxDispatcher implements SmsDispatcher {
  constructor(private readonly store: Store, private readonly clock: Clock, private readonly secret: string) {}

  async dispatch(request: SmsRequest): Promise<DeliveryState> {
    const now = this.clock.now();
    const failure =
      request.to === SANDBOX_NUMBERS.invalid ? 'invalid_number' : request.to === SANDBOX_NUMBERS.optedOut ? 'opted_out' : null;
    // Time-ordered ids break ties between messages of the same millisecond (newest first).
    const id = `msg_${new ObjectId().toHexString()}`;
    await this.store.sandboxMessages.insertOne({
      _id: id,
      realm: request.tenant.realm,
      to: request.to,
      from: SANDBOX_FROM,
      // The body holds the code: sealed at rest, opened only for the inbox's reader.
      body: encrypt(this.secret, 'sandbox-body', smsBody(request.tenant.tenant, request.code)),
      status: failure ? 'failed' : 'delivered',
      challengeId: request.challengeId,
      createdAt: now,
    });
    return { status: failure ? 'failed' : 'delivered', reason: failure, messageId: id, updatedAt: now };
  }
}
