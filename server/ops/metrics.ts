/**
 * The process's Prometheus metrics (prom-client), served at `GET /metrics` (platform key) or on
 * the separate `ALDERO_METRICS_PORT` listener. One registry per app, so several apps in one test
 * process count apart. Labels stay few and bounded: route templates, never paths, ids or phones.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DATABASE_ERRORS } from './database.ts';

export interface OutboxGauge {
  /** Messages waiting to be sent (queued or due for retry), and the age of the oldest, in seconds. */
  depth: number;
  oldestAgeSeconds: number;
}

export interface MetricsSources {
  /** Read at each scrape; a failure (database away) leaves the gauges at their last value. */
  outbox?: () => Promise<OutboxGauge>;
  /** This process's SMS outbox worker, since it started. */
  smsWorker?: () => Readonly<{ sent: number; retried: number; failed: number; dropped: number; ended: Readonly<Record<string, number>> }>;
}

export class Metrics {
  readonly registry = new Registry();
  readonly contentType = this.registry.contentType;

  private readonly requests = new Counter({
    name: 'aldero_http_requests_total',
    help: 'HTTP requests answered, by route template, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });

  private readonly latency = new Histogram({
    name: 'aldero_http_request_duration_seconds',
    help: 'Time from the request to the end of its answer, by route template, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly refusals = new Counter({
    name: 'aldero_rate_limit_refusals_total',
    help: 'Requests refused by a limit or quota (MFA_RATE_LIMITED, RATE_LIMITED), by reason.',
    labelNames: ['code', 'reason'] as const,
    registers: [this.registry],
  });

  private readonly smsDispatched = new Counter({
    name: 'aldero_sms_dispatched_total',
    help: 'SMS handed to delivery by this process, by the state known at once (queued; or delivered/failed for the sandbox and opted-out pairs) and reason.',
    labelNames: ['status', 'reason'] as const,
    registers: [this.registry],
  });

  constructor(sources: MetricsSources = {}) {
    collectDefaultMetrics({ register: this.registry, prefix: 'aldero_' });
    this.registry.registerMetric(DATABASE_ERRORS);
    if (sources.smsWorker) {
      const read = sources.smsWorker;
      new Counter({
        name: 'aldero_sms_worker_messages_total',
        help: "Messages this process's outbox worker finished or rescheduled, by outcome (sent, retried, failed, dropped).",
        labelNames: ['outcome'] as const,
        registers: [this.registry],
        collect() {
          const stats = read();
          this.reset();
          for (const outcome of ['sent', 'retried', 'failed', 'dropped'] as const) this.inc({ outcome }, stats[outcome]);
        },
      });
      new Counter({
        name: 'aldero_sms_worker_failures_total',
        help: "Messages this process's outbox worker ended without sending, by status (failed, dropped) and reason (opted_out, invalid_number, ...).",
        labelNames: ['status', 'reason'] as const,
        registers: [this.registry],
        collect() {
          this.reset();
          for (const [key, count] of Object.entries(read().ended)) {
            const [status, reason] = key.split(':');
            this.inc({ status, reason }, count);
          }
        },
      });
    }
    if (sources.outbox) {
      const read = sources.outbox;
      let last: OutboxGauge | null = null;
      const refresh = async () => {
        last = await read().catch(() => last);
        return last;
      };
      new Gauge({
        name: 'aldero_sms_outbox_depth',
        help: 'Messages in the outbox waiting to be sent (all processes).',
        registers: [this.registry],
        async collect() {
          const value = await refresh();
          if (value) this.set(value.depth);
        },
      });
      new Gauge({
        name: 'aldero_sms_outbox_oldest_age_seconds',
        help: 'Age of the oldest message waiting in the outbox (0 when empty).',
        registers: [this.registry],
        collect() {
          if (last) this.set(last.oldestAgeSeconds);
        },
      });
    }
  }

  /** One answered request. */
  request(route: string, method: string, status: number, seconds: number): void {
    const labels = { route, method, status: String(status) };
    this.requests.inc(labels);
    this.latency.observe(labels, seconds);
  }

  rateLimited(code: string, reason: string): void {
    this.refusals.inc({ code, reason });
  }

  dispatched(status: string, reason: string | null): void {
    this.smsDispatched.inc({ status, reason: reason ?? '' });
  }

  /** The text exposition format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
