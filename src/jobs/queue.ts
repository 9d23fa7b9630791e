/**
 * The JobQueue port: BullMQ on Redis when REDIS_URL is set, an in-process runner otherwise, with the same
 * semantics (retries with exponential backoff, delays, deterministic job ids, repeatable schedules).
 * Jobs carry ids, never copies of rows; a job id seen before is not enqueued again.
 */
import type { Prisma } from '../generated/prisma/client.js';

export const queueNames = [
  'classification',
  'notifications',
  'sentiment',
  'metrics',
  'routing',
  'exports',
] as const;
export type QueueName = (typeof queueNames)[number];

/**
 * By convention every job's data is a JSON object with the `organizationId` it belongs to (and ids, never
 * copies of rows): the admins' failed-jobs view and retryJob filter on it.
 */
export interface JobOptions {
  /** Deterministic id: adding a job whose id exists (waiting, active, completed or failed) does nothing. */
  jobId: string;
  delayMs?: number;
  /** Total tries, the first included (default DEFAULT_ATTEMPTS). */
  attempts?: number;
  /** First retry delay; doubles on each retry up to MAX_BACKOFF_MS (default 1000). */
  backoffMs?: number;
  /** The W3C traceparent of the work that queued the job: its run joins that trace (tracing.ts). */
  traceParent?: string;
}

/**
 * The retry policy of every job unless it says otherwise: 15 tries, waits doubling from 1 s up to a minute
 * between them, about 10 minutes in all: enough to ride out a restart of Postgres or Redis. After that the
 * job is dead-lettered (its outbox row DEAD), listed by failedJobs and revived by the reconciler.
 */
export const DEFAULT_ATTEMPTS = 15;
export const DEFAULT_BACKOFF_MS = 1000;
export const MAX_BACKOFF_MS = 60_000;

/** The wait before try `attemptsMade + 1` (attemptsMade ≥ 1): exponential from `firstMs`, capped. */
export function backoffDelay(attemptsMade: number, firstMs: number): number {
  return Math.min(firstMs * 2 ** Math.max(0, attemptsMade - 1), MAX_BACKOFF_MS);
}

/** Where a job is now; `missing` when the queue does not know the id (never added, evicted, or lost with Redis). */
export type JobState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed' | 'missing';

export interface JobContext {
  id: string;
  name: string;
  queue: QueueName;
  /** Tries made before this one. */
  attemptsMade: number;
  /** Tries allowed in all: this one is the last when attemptsMade + 1 = attempts. */
  attempts: number;
  /** JobOptions.traceParent, as the job was added with it. */
  traceParent?: string;
}

export type JobHandler = (name: string, data: unknown, job: JobContext) => Promise<unknown>;

export interface FailedJob {
  id: string;
  queue: QueueName;
  name: string;
  data: unknown;
  attemptsMade: number;
  failedReason: string;
  failedAt: Date | null;
}

/** How many jobs of a queue are in each state (for metrics); failed ones are those kept. */
export type QueueCounts = Record<'waiting' | 'delayed' | 'active' | 'failed', number>;

/** One job for addMany. */
export interface NewJob {
  queue: QueueName;
  name: string;
  data: unknown;
  options: JobOptions;
}

export interface JobQueue {
  readonly kind: 'bullmq' | 'in-process';
  add(queue: QueueName, name: string, data: unknown, options: JobOptions): Promise<void>;
  /**
   * add for several jobs, in order, where the queue can do better than one call each (BullMQ: one round
   * trip per queue instead of one per job). The outbox relay uses it when present.
   */
  addMany?(jobs: NewJob[]): Promise<void>;
  /** A repeatable job on a cron pattern (UTC), keyed by name: scheduling it again replaces the schedule. */
  schedule(queue: QueueName, name: string, cron: string, data: unknown): Promise<void>;
  /** Whether the schedule of that name exists (a Redis restarted empty has none). */
  hasSchedule(queue: QueueName, name: string): Promise<boolean>;
  /** Starts consuming a queue in this process. */
  work(queue: QueueName, handler: JobHandler, options?: { concurrency?: number }): void;
  /** Jobs that used up their attempts, newest first. */
  failed(queue: QueueName, limit?: number): Promise<FailedJob[]>;
  /** Puts a failed job back in the queue; false when there is no such failed job. */
  retry(queue: QueueName, jobId: string): Promise<boolean>;
  /** Jobs per state in a queue, now. */
  counts(queue: QueueName): Promise<QueueCounts>;
  /** Where the job with this id is now. */
  state(queue: QueueName, jobId: string): Promise<JobState>;
  /**
   * Runs a job again with all its tries: a failed one is retried, a missing one added; one waiting, delayed
   * or running is left alone (it will run). For the reconciler and retryJob.
   */
  requeue(job: NewJob): Promise<void>;
  /** Stops taking jobs, lets running ones finish (or returns them to the queue), closes connections. */
  close(): Promise<void>;
}

/** A job as a service queues it through the transactional outbox (src/jobs/outbox.ts). */
export interface OutboxJobInput {
  queue: QueueName;
  name: string;
  /** By convention carries `organizationId` (the failed-jobs view filters on it) and ids, not rows. */
  payload: Prisma.InputJsonValue;
  /** Not relayed before this time (default: at once). */
  availableAt?: Date;
  /**
   * Makes the row's id a function of this key: queueing the same key again while its row exists adds
   * nothing (e.g. one retry per delivery and due time, however many runs ask for it).
   */
  key?: string;
}

/** A clock-driven job: the queue adds it at each time of its cron pattern (UTC). */
export interface Schedule {
  queue: QueueName;
  name: string;
  cron: string;
}
