import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * The resend rule of an element: how many sends the server still allows, and a countdown before
 * the next one. The server imposes no wait by default (`retryAfterSeconds: 0`); the element adds
 * its own courtesy delay so people do not hammer "Resend" while the SMS is on its way.
 */
export class ResendController implements ReactiveController {
  /** As the server last said; `null` before the first answer. */
  sendsRemaining: number | null = null;
  private availableAt = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  /** After a send: no resend for `seconds`. */
  wait(seconds: number): void {
    this.availableAt = Date.now() + Math.max(0, seconds) * 1000;
    this.startTicking();
  }

  get secondsLeft(): number {
    return Math.max(0, Math.ceil((this.availableAt - Date.now()) / 1000));
  }

  get exhausted(): boolean {
    return this.sendsRemaining === 0;
  }

  get canResend(): boolean {
    return !this.exhausted && this.secondsLeft === 0;
  }

  hostConnected(): void {
    if (this.secondsLeft > 0) this.startTicking();
  }

  hostDisconnected(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private startTicking(): void {
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      this.host.requestUpdate();
      if (this.secondsLeft === 0) this.hostDisconnected();
    }, 1000);
    this.host.requestUpdate();
  }
}
