/**
 * The lifecycle every background worker of a process shares (the SMS outbox, the job outbox):
 * a claim loop that sleeps between polls, wakes at once when this process queued work
 * (`nudge`), and on `stop` stops claiming and lets the work in flight finish.
 */
/** The longest wait between claims while the database does not answer. */
const MAX_BACKOFF_MS = 30_000;

export abstract class PollingWorker {
  protected running = false;
  /** One entry per claimed item until its outcome is recorded. */
  protected readonly inFlight = new Set<Promise<void>>();
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private nudged = false;
  private failedClaims = 0;

  /** Claims and handles work while `running`; waits with `idle` when there is none. */
  protected abstract run(): Promise<void>;

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Work was queued by this process: look now rather than at the next poll. */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  /** Stops claiming and lets the work it holds finish. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.loop;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Waits after a failed claim (the database away), longer each time in a row: `baseMs` doubled
   * per failure up to 30 s, half of it random, so the workers of every process do not hammer a
   * database that is coming back. Stopping or a nudge still wakes it.
   */
  protected async backOff(baseMs: number): Promise<void> {
    this.failedClaims += 1;
    const full = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.min(this.failedClaims - 1, 16));
    await this.idle(full / 2 + Math.random() * (full / 2));
  }

  /** A claim was answered (with work or without): the next failure backs off from the start. */
  protected claimAnswered(): void {
    this.failedClaims = 0;
  }

  /** Sleeps `ms`, or less when nudged (a nudge that came while busy skips the sleep). */
  protected async idle(ms: number): Promise<void> {
    if (this.nudged) {
      this.nudged = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
    this.wake = null;
    this.nudged = false;
  }
}
