import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Delivery } from '../client/api.ts';

/** How many times an element asks again while an SMS is still on its way, to explain a failed delivery. */
const DELIVERY_CHECKS = 5;
const DELIVERY_CHECK_INTERVAL_MS = 2000;

/** A send whose SMS did not go out: it failed, or was dropped before sending. */
export function undelivered(delivery: Delivery | undefined): boolean {
  return delivery?.status === 'failed' || delivery?.status === 'dropped';
}

/**
 * Follows the SMS of a send for an element (the challenge, the enrollment): while it is on its way
 * (`queued`, `sending`, `sent`) the element's status is read again (`check`), every 2 s and 5 times
 * at most per send, so a failure learnt after the send answered (a provider refusal, a receipt)
 * reaches the user. It stops once the SMS is delivered, failed or dropped, and when the element
 * leaves the page.
 */
export class DeliveryWatch implements ReactiveController {
  private checks = 0;
  private timer?: ReturnType<typeof setTimeout>;

  constructor(host: ReactiveControllerHost, private readonly check: () => void) {
    host.addController(this);
  }

  /** A new send (or a new sign-in): its SMS gets checks of its own. */
  restart(): void {
    this.stop();
    this.checks = 0;
  }

  /** The latest state of the SMS: while it is on its way, the status is read again in a while. */
  follow(delivery: Delivery): void {
    this.stop();
    if (delivery.status !== 'delivered' && !undelivered(delivery) && this.checks++ < DELIVERY_CHECKS) {
      this.timer = setTimeout(this.check, DELIVERY_CHECK_INTERVAL_MS);
    }
  }

  /** No more checks for this send (the element moved on, or left the page). */
  stop(): void {
    clearTimeout(this.timer);
  }

  hostDisconnected(): void {
    this.stop();
  }
}
