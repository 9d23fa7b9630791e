// The process's metrics in Prometheus format (prom-client), served on /metrics (metrics-endpoint.ts).
// Events are counted where they happen (an operation, a job, a model call, an escalation); figures that
// live elsewhere (queue counts, the outbox backlog, the pool) are read when scraped, at most once every
// REFRESH_MS however often scrapers come, so a scrape costs the database one statement at most.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

const PREFIX = 'ci_';
/** Scrape-time figures are read again only after this long (several scrapers, or a hostile one). */
const REFRESH_MS = 5000;
/** A scrape-time reader that has not answered by then is skipped for this scrape. */
const REFRESH_TIMEOUT_MS = 2000;
/** Distinct operation names kept as label values; names beyond this count as "other". */
const MAX_OPERATION_NAMES = 200;

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Escalations and notifications: from a fraction of a second to minutes (retries, slow channels). */
const ESCALATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900];
const JOB_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

import type { ModelObserver } from '../ai/language-model.js';

export class Metrics implements ModelObserver {
  readonly registry = new Registry();
  private readonly refreshers: (() => Promise<void>)[] = [];
  private refreshing: Promise<void> | undefined;
  private refreshedAt = 0;
  private readonly operationNames = new Set<string>();

  private readonly operationDuration = this.histogram(
    'graphql_operation_duration_seconds',
    'GraphQL operations executed, by operation name and type (subscriptions: until the stream starts).',
    ['operation', 'type'],
    LATENCY_BUCKETS,
  );
  private readonly operationErrors = this.counter(
    'graphql_errors_total',
    'Errors in GraphQL answers, by extensions.code (refusals before execution included).',
    ['code'],
  );
  private readonly rateLimitRefusals = this.counter(
    'rate_limit_refusals_total',
    'Requests refused by a rate limit, by limit.',
    ['limit'],
  );
  private readonly jobDuration = this.histogram(
    'job_duration_seconds',
    'Job runs in this process, by queue, job name and outcome (completed, failed: it will retry or is dead).',
    ['queue', 'name', 'outcome'],
    JOB_BUCKETS,
  );
  private readonly escalationRaised = this.histogram(
    'escalation_raised_seconds',
    'From a customer message stored to the escalation it raised (classification included).',
    ['type'],
    ESCALATION_BUCKETS,
  );
  private readonly notificationDelivered = this.histogram(
    'escalation_notification_seconds',
    'From the customer message stored to a notification of its escalation delivered, by channel.',
    ['channel'],
    ESCALATION_BUCKETS,
  );
  private readonly modelCallDuration = this.histogram(
    'model_call_duration_seconds',
    'Language-model requests (the client retries included), by purpose and outcome.',
    ['purpose', 'outcome'],
    [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
  );
  private readonly modelFallbacks = this.counter(
    'model_fallbacks_total',
    'Answers the local rules gave instead of the model, by purpose and reason.',
    ['purpose', 'reason'],
  );
  private readonly modelTokens = this.counter(
    'model_tokens_total',
    'Tokens the language model counted, by purpose and kind (prompt, completion).',
    ['purpose', 'kind'],
  );

  constructor(options: { role: string; processMetrics?: boolean }) {
    this.registry.setDefaultLabels({ role: options.role });
    // CPU, memory, event-loop lag, handles: tests that make many instances leave them out.
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** One executed GraphQL operation. */
  operation(name: string | null, type: string, seconds: number): void {
    this.operationDuration.observe({ operation: this.operationLabel(name), type }, seconds);
  }

  errors(codes: readonly string[]): void {
    for (const code of codes) this.operationErrors.inc({ code });
  }

  rateLimited(limit: string): void {
    this.rateLimitRefusals.inc({ limit });
  }

  job(queue: string, name: string, outcome: 'completed' | 'failed', seconds: number): void {
    this.jobDuration.observe({ queue, name, outcome }, seconds);
  }

  escalation(type: string, storedAt: Date, raisedAt: Date): void {
    this.escalationRaised.observe({ type }, secondsBetween(storedAt, raisedAt));
  }

  notification(channel: string, storedAt: Date, deliveredAt: Date): void {
    this.notificationDelivered.observe({ channel }, secondsBetween(storedAt, deliveredAt));
  }

  modelCall(purpose: string, outcome: 'ok' | 'error', seconds: number): void {
    this.modelCallDuration.observe({ purpose, outcome }, seconds);
  }

  /** The reason's kind only ("server error (503)" counts as "server error"): a bounded set of labels. */
  modelFallback(purpose: string, reason: string): void {
    this.modelFallbacks.inc({
      purpose,
      reason: reason
        .replace(/[:(].*$/s, '')
        .trim()
        .slice(0, 40),
    });
  }

  tokens(purpose: string, prompt: number, completion: number): void {
    this.modelTokens.inc({ purpose, kind: 'prompt' }, prompt);
    this.modelTokens.inc({ purpose, kind: 'completion' }, completion);
  }

  /** A gauge read when scraped (cheap, in-memory figures: sockets, subscriptions, the pool). */
  gauge(name: string, help: string, labelNames: string[], read: (gauge: Gauge) => void): void {
    new Gauge({
      name: PREFIX + name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        read(this);
      },
    });
  }

  /**
   * A gauge whose figures cost a round trip (queue counts, the outbox): `refresh` sets them, run before a
   * scrape at most once every REFRESH_MS. A refresh that fails or hangs leaves the last figures.
   */
  slowGauge(
    name: string,
    help: string,
    labelNames: string[],
    refresh: (gauge: Gauge) => Promise<void>,
  ): void {
    const gauge = new Gauge({ name: PREFIX + name, help, labelNames, registers: [this.registry] });
    this.refreshers.push(() => refresh(gauge));
  }

  /** The exposition text. */
  async render(): Promise<string> {
    await this.refresh();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private refresh(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    if (Date.now() - this.refreshedAt < REFRESH_MS) return Promise.resolve();
    this.refreshing = Promise.all(
      this.refreshers.map((refresh) => withTimeout(refresh(), REFRESH_TIMEOUT_MS).catch(() => undefined)),
    ).then(() => {
      this.refreshedAt = Date.now();
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** Operation names are the caller's: a bounded set of label values, so a client cannot grow memory. */
  private operationLabel(name: string | null): string {
    if (!name) return 'anonymous';
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES || name.length > 64) return 'other';
    this.operationNames.add(name);
    return name;
  }

  private histogram<L extends string>(name: string, help: string, labelNames: L[], buckets: number[]) {
    return new Histogram<L>({ name: PREFIX + name, help, labelNames, buckets, registers: [this.registry] });
  }

  private counter<L extends string>(name: string, help: string, labelNames: L[]) {
    return new Counter<L>({ name: PREFIX + name, help, labelNames, registers: [this.registry] });
  }
}

function secondsBetween(from: Date, to: Date): number {
  return Math.max(0, (to.getTime() - from.getTime()) / 1000);
}

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms).unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
