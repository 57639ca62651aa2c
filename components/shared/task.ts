import type { ReactiveControllerHost } from 'lit';

/**
 * One asynchronous action of an element (load the status, send a code, verify it) with the
 * `pending` flag its render shows: what the elements used `@lit/task` for, at a fraction of its
 * bytes. A run started while another is pending supersedes it: only the latest run's result (or
 * error) is handed on, so a new `mfa-token` never shows the previous sign-in's answer.
 */
export class ElementTask<A extends unknown[], R> {
  pending = false;
  private latest = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: {
      task: (...args: A) => Promise<R>;
      onComplete: (result: R) => void;
      onError: (error: unknown) => void;
    },
  ) {}

  async run(...args: A): Promise<void> {
    const run = ++this.latest;
    this.pending = true;
    this.host.requestUpdate();
    let outcome: { result: R } | { error: unknown };
    try {
      outcome = { result: await this.options.task(...args) };
    } catch (error) {
      outcome = { error };
    }
    if (run !== this.latest) return;
    this.pending = false;
    this.host.requestUpdate();
    if ('result' in outcome) this.options.onComplete(outcome.result);
    else this.options.onError(outcome.error);
  }
}
