import { hostname } from 'node:os';
import { ObjectId } from 'mongodb';
import { randomToken } from '../crypto.ts';
import type { Logger } from '../log.ts';
import { PollingWorker } from '../polling-worker.ts';
import type { Realm } from '../store/documents.ts';
import type { IndexSpec, Store } from '../store/index.ts';
import { backoffMs, LeasedQueue } from './leased-queue.ts';
import { settingsFromEnv } from './settings.ts';

/**
 * The job outbox (`jobs`) for work that must happen after a request without holding it up (the
 * credential-change webhooks): a job is recorded before anything is attempted, claimed as a
 * lease (`LeasedQueue`, the same queue as the SMS outbox), retried with exponential backoff and
 * jitter up to `maxAttempts`. Every process may run a worker. Delivery is at least once: a
 * receiver deduplicates by the job's stable event id.
 */

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'dropped';

export interface JobDoc {
  _id: string;
  kind: string;
  realm: Realm;
  payload: Record<string, unknown>;
  status: JobStatus;
  /** Attempts started (a claim counts one, so a crash mid-attempt is counted too). */
  attempts: number;
  availableAt: Date;
  leaseOwner: string | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
  /** Set when the job ends; the TTL index removes finished jobs a week later. */
  expiresAt: Date | null;
}

/** What a handler says about one attempt. */
export type JobOutcome =
  | { kind: 'done' }
  | { kind: 'retry'; error: string; retryAfterMs?: number | null }
  /** Permanent: no point trying again (e.g. the webhook was removed). */
  | { kind: 'dropped'; error: string };

export type JobHandler = (job: JobDoc) => Promise<JobOutcome>;

export interface JobSettings {
  /** How long a claim holds a job; longer than any handler's own timeout. */
  leaseMs: number;
  /** How often an idle worker looks for due jobs (other processes' and retries). */
  pollMs: number;
  /** Backoff between attempts: base * 2^(n-1), capped, with equal jitter. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Attempts before a job fails for good. */
  maxAttempts: number;
  /** Jobs one worker runs at a time. */
  concurrency: number;
}

/** Defaults: 12 attempts over about three and a half hours. */
export const DEFAULT_JOB_SETTINGS: JobSettings = {
  leaseMs: 60_000,
  pollMs: 1_000,
  retryBaseMs: 10_000,
  retryMaxMs: 3_600_000,
  maxAttempts: 12,
  concurrency: 4,
};

export const JOB_ENV: Record<keyof JobSettings, string> = {
  leaseMs: 'ALDERO_JOBS_LEASE_MS',
  pollMs: 'ALDERO_JOBS_POLL_MS',
  retryBaseMs: 'ALDERO_JOBS_RETRY_BASE_MS',
  retryMaxMs: 'ALDERO_JOBS_RETRY_MAX_MS',
  maxAttempts: 'ALDERO_JOBS_MAX_ATTEMPTS',
  concurrency: 'ALDERO_JOBS_CONCURRENCY',
};

export function loadJobSettings(env: NodeJS.ProcessEnv = process.env, overrides: Partial<JobSettings> = {}): JobSettings {
  return settingsFromEnv(DEFAULT_JOB_SETTINGS, JOB_ENV, env, overrides);
}

const FINISHED_KEPT_MS = 7 * 86_400_000;

export const JOB_INDEXES: IndexSpec[] = [
  ['jobs', { status: 1, availableAt: 1 }],
  ['jobs', { expiresAt: 1 }, { expireAfterSeconds: 0 }],
];

export { backoffMs };

/** The job outbox (`jobs`): a leased queue whose claims count the attempt. */
export class JobQueue {
  private readonly queue: LeasedQueue<JobDoc>;

  constructor(store: Store) {
    this.queue = new LeasedQueue(store.collection<JobDoc>('jobs'), { waiting: 'queued', leased: 'running', order: { availableAt: 1, _id: 1 } });
  }

  async enqueue(kind: string, realm: Realm, payload: Record<string, unknown>): Promise<JobDoc> {
    const now = new Date();
    const job: JobDoc = {
      // Time-ordered: ObjectId hex.
      _id: `job_${new ObjectId().toHexString()}`,
      kind,
      realm,
      payload,
      status: 'queued',
      attempts: 0,
      availableAt: now,
      leaseOwner: null,
      lastError: null,
      createdAt: now,
      updatedAt: now,
      finishedAt: null,
      expiresAt: null,
    };
    await this.queue.collection.insertOne(job);
    return job;
  }

  /** Takes the job that has been due longest (queued past its retry time, or running with an expired lease). */
  claimNext(workerId: string, kinds: string[], leaseMs: number): Promise<JobDoc | null> {
    return this.queue.claim(workerId, leaseMs, { kind: { $in: kinds } }, { $inc: { attempts: 1 } });
  }

  /** Ends a job the caller still holds. False when its lease was lost (another worker has it). */
  finish(job: JobDoc, workerId: string, status: 'done' | 'failed' | 'dropped', error: string | null): Promise<boolean> {
    const now = new Date();
    return this.queue.finish(job._id, workerId, { status, lastError: error, finishedAt: now, expiresAt: new Date(now.getTime() + FINISHED_KEPT_MS) });
  }

  retryLater(job: JobDoc, workerId: string, at: number, error: string): Promise<boolean> {
    return this.queue.retryLater(job._id, workerId, at, { lastError: error });
  }
}

const workers = new WeakMap<Store, JobWorker>();

/** Makes `worker` the one `nudgeJobWorker(store)` wakes: this process's worker on this database. */
export function registerJobWorker(store: Store, worker: JobWorker | null): void {
  if (worker) workers.set(store, worker);
  else workers.delete(store);
}

/** Tells this process's worker (if it runs one) that a job was just queued. */
export function nudgeJobWorker(store: Store): void {
  workers.get(store)?.nudge();
}

/** Runs the handlers of the job kinds it knows, in every process that starts one. */
export class JobWorker extends PollingWorker {
  readonly id = `jw_${hostname()}_${process.pid}_${randomToken(4)}`;

  constructor(
    private readonly queue: JobQueue,
    private readonly handlers: Record<string, JobHandler>,
    private readonly settings: JobSettings,
    private readonly log: Logger,
  ) {
    super();
  }

  protected async run(): Promise<void> {
    const kinds = Object.keys(this.handlers);
    while (this.running) {
      if (this.inFlight.size >= this.settings.concurrency) {
        await Promise.race(this.inFlight);
        continue;
      }
      let job: JobDoc | null;
      try {
        job = await this.queue.claimNext(this.id, kinds, this.settings.leaseMs);
      } catch (error) {
        if (this.running) this.log.error('jobs: claim failed', { error: String(error), worker: this.id });
        await this.backOff(this.settings.pollMs);
        continue;
      }
      this.claimAnswered();
      if (!job) {
        await this.idle(this.settings.pollMs);
        continue;
      }
      const claimed = job;
      const work: Promise<void> = this.attempt(claimed)
        .catch((error: unknown) => this.log.error('jobs: attempt failed', { jobId: claimed._id, error: String(error) }))
        .finally(() => this.inFlight.delete(work));
      this.inFlight.add(work);
    }
  }

  private async attempt(job: JobDoc): Promise<void> {
    const handler = this.handlers[job.kind];
    const outcome: JobOutcome = handler
      ? await handler(job).catch((error: unknown): JobOutcome => ({ kind: 'retry', error: `unexpected: ${String(error)}` }))
      : { kind: 'dropped', error: `no handler for ${job.kind}` };
    if (outcome.kind === 'done') {
      await this.queue.finish(job, this.id, 'done', null);
      return;
    }
    if (outcome.kind === 'dropped') {
      await this.queue.finish(job, this.id, 'dropped', outcome.error);
      this.log.info('jobs: dropped', { jobId: job._id, kind: job.kind, reason: outcome.error });
      return;
    }
    if (job.attempts >= this.settings.maxAttempts) {
      await this.queue.finish(job, this.id, 'failed', outcome.error);
      this.log.info('jobs: failed for good', { jobId: job._id, kind: job.kind, attempts: job.attempts, reason: outcome.error });
      return;
    }
    const delay = Math.max(backoffMs(this.settings, job.attempts), outcome.retryAfterMs ?? 0);
    await this.queue.retryLater(job, this.id, Date.now() + delay, outcome.error);
  }
}
