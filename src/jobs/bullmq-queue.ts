// The JobQueue port on BullMQ (Redis). One BullMQ Queue per queue name, made on first use; Workers are
// started by work() and closed gracefully by close().
import { type BackoffStrategy, type Job, Queue, Worker } from 'bullmq';
import type { Logger } from '../kernel/logger.js';
import {
  backoffDelay,
  DEFAULT_ATTEMPTS,
  DEFAULT_BACKOFF_MS,
  type FailedJob,
  type JobHandler,
  type JobOptions,
  type JobQueue,
  type JobState,
  type NewJob,
  type QueueName,
} from './queue.js';

export interface BullmqQueueOptions {
  /** Key prefix of every queue (default "bull"); tests use a random one to stay apart on a shared Redis. */
  prefix?: string;
  logger?: Logger;
  /**
   * How long a worker's lock on a job lasts without renewal (default 15 s; renewed every half of it while
   * the job runs). A job whose worker died is taken up again by another worker once the lock has expired
   * and a stalled check has seen it: within lock + stalled interval, 25 s by default.
   */
  lockDurationMs?: number;
  /** How often workers look for jobs whose worker died (default 10 s). */
  stalledIntervalMs?: number;
  /**
   * Completed jobs kept, and so de-duplicated by id: at most `count` per queue and no older than `ageMs`
   * (default 10,000 and a day). BullMQ evicts them when later jobs complete, so they may stay longer.
   */
  keepCompleted?: { count: number; ageMs: number };
  /** Failed jobs kept per queue, for failed() and retry() (default 10,000). */
  keepFailed?: number;
}

const DEFAULT_LOCK_MS = 15_000;
const DEFAULT_STALLED_INTERVAL_MS = 10_000;
/** The backoff type of our retry policy (backoffDelay), computed by the worker's backoffStrategy. */
const CAPPED = 'capped-exponential';
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * BullMQ refuses custom ids that are integers or that contain ':' (but for its own "repeat:…:…" ids).
 * Ids are escaped so that any string works, reversibly: '%' and ':' are percent-encoded, and an id that
 * would read as an integer gets a '%i' prefix (a sequence escaping never produces).
 */
export function encodeJobId(id: string): string {
  const escaped = id.replace(/%/g, '%25').replace(/:/g, '%3A');
  return String(Number.parseInt(escaped, 10)) === escaped ? `%i${escaped}` : escaped;
}

export function decodeJobId(stored: string): string {
  const unprefixed = stored.startsWith('%i') ? stored.slice(2) : stored;
  return unprefixed.replace(/%(25|3A)/g, (_match, code: string) => (code === '25' ? '%' : ':'));
}

/** Our retry policy for BullMQ: backoffDelay from the job's own first delay. */
const cappedBackoff: BackoffStrategy = (attemptsMade, _type, _error, job) => {
  const backoff = job?.opts.backoff;
  const first =
    typeof backoff === 'object' && backoff.delay !== undefined ? backoff.delay : DEFAULT_BACKOFF_MS;
  return backoffDelay(attemptsMade, first);
};

export function createBullmqQueue(redisUrl: string, options: BullmqQueueOptions = {}): JobQueue {
  const connection = { url: redisUrl };
  // Producers fail at once while Redis is away (BullMQ's advice for queues): the outbox keeps the job and
  // the relay tries again; nothing waits on a command queued until Redis returns.
  const producerConnection = { url: redisUrl, enableOfflineQueue: false };
  const prefix = options.prefix;
  const logger = options.logger;
  const keepCompleted = options.keepCompleted ?? { count: 10_000, ageMs: DAY_MS };
  const retention = {
    removeOnComplete: { count: keepCompleted.count, age: Math.ceil(keepCompleted.ageMs / 1000) },
    removeOnFail: { count: options.keepFailed ?? 10_000 },
  };
  const bullOptions = (jobOptions: JobOptions) => ({
    jobId: encodeJobId(jobOptions.jobId),
    delay: jobOptions.delayMs && jobOptions.delayMs > 0 ? jobOptions.delayMs : undefined,
    attempts: jobOptions.attempts ?? DEFAULT_ATTEMPTS,
    backoff: { type: CAPPED, delay: jobOptions.backoffMs ?? DEFAULT_BACKOFF_MS },
    // BullMQ keeps telemetry metadata with the job (and through its retries): our trace context.
    ...(jobOptions.traceParent ? { telemetry: { metadata: jobOptions.traceParent } } : {}),
    ...retention,
  });
  const queues = new Map<QueueName, Queue>();
  const workers = new Map<QueueName, Worker>();
  let closing: Promise<void> | undefined;

  const queueFor = (name: QueueName): Queue => {
    if (closing) throw new Error('The job queue is closed.');
    let queue = queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: producerConnection, ...(prefix ? { prefix } : {}) });
      // A Queue re-emits connection errors; without a listener they would be thrown.
      queue.on('error', (error) => logger?.error({ err: error, queue: name }, 'job queue error'));
      queues.set(name, queue);
    }
    return queue;
  };

  const toFailedJob = (queue: QueueName, job: Job): FailedJob => ({
    id: decodeJobId(job.id ?? ''),
    queue,
    name: job.name,
    data: job.data as unknown,
    attemptsMade: job.attemptsMade,
    failedReason: job.failedReason ?? '',
    failedAt: job.finishedOn ? new Date(job.finishedOn) : null,
  });

  return {
    kind: 'bullmq',

    async add(queue: QueueName, name: string, data: unknown, jobOptions: JobOptions) {
      // An existing id (waiting, active, delayed, completed and still kept, failed) makes this a no-op.
      await queueFor(queue).add(name, data, bullOptions(jobOptions));
    },

    async addMany(jobs: NewJob[]) {
      // addBulk runs the same script as add for each job (an existing id is a no-op), in one round trip.
      const byQueue = new Map<QueueName, NewJob[]>();
      for (const job of jobs) byQueue.set(job.queue, [...(byQueue.get(job.queue) ?? []), job]);
      for (const [queue, list] of byQueue) {
        await queueFor(queue).addBulk(
          list.map((job) => ({ name: job.name, data: job.data, opts: bullOptions(job.options) })),
        );
      }
    },

    async schedule(queue: QueueName, name: string, cron: string, data: unknown) {
      await queueFor(queue).upsertJobScheduler(
        encodeJobId(name),
        { pattern: cron, tz: 'UTC' },
        {
          name,
          data,
          opts: {
            attempts: DEFAULT_ATTEMPTS,
            backoff: { type: CAPPED, delay: DEFAULT_BACKOFF_MS },
            ...retention,
          },
        },
      );
    },

    async hasSchedule(queue: QueueName, name: string) {
      return (await queueFor(queue).getJobScheduler(encodeJobId(name))) !== undefined;
    },

    work(queue: QueueName, handler: JobHandler, workOptions: { concurrency?: number } = {}) {
      if (closing) throw new Error('The job queue is closed.');
      if (workers.has(queue)) throw new Error(`A worker already consumes the ${queue} queue.`);
      const worker = new Worker(
        queue,
        (job: Job) =>
          handler(job.name, job.data as unknown, {
            id: decodeJobId(job.id ?? ''),
            name: job.name,
            queue,
            attemptsMade: job.attemptsMade,
            attempts: job.opts.attempts ?? 1,
            ...(job.opts.telemetry?.metadata ? { traceParent: job.opts.telemetry.metadata } : {}),
          }),
        {
          connection,
          ...(prefix ? { prefix } : {}),
          concurrency: workOptions.concurrency ?? 1,
          lockDuration: options.lockDurationMs ?? DEFAULT_LOCK_MS,
          stalledInterval: options.stalledIntervalMs ?? DEFAULT_STALLED_INTERVAL_MS,
          settings: { backoffStrategy: cappedBackoff },
        },
      );
      worker.on('failed', (job, error) => {
        if (!job) return;
        const final = job.attemptsMade >= (job.opts.attempts ?? 1);
        const details = { queue, jobId: decodeJobId(job.id ?? ''), name: job.name, err: error };
        if (final) logger?.error(details, 'job failed for good');
        else logger?.warn({ ...details, attemptsMade: job.attemptsMade }, 'job failed; will retry');
      });
      worker.on('error', (error) => logger?.error({ err: error, queue }, 'job worker error'));
      workers.set(queue, worker);
    },

    async failed(queue: QueueName, limit = 100) {
      if (limit <= 0) return [];
      const jobs = await queueFor(queue).getFailed(0, limit - 1);
      return jobs.map((job) => toFailedJob(queue, job));
    },

    async retry(queue: QueueName, jobId: string) {
      const bull = queueFor(queue);
      // Ids BullMQ made itself (a schedule's "repeat:…") are stored as they are.
      const job =
        (await bull.getJob(encodeJobId(jobId))) ??
        (jobId.includes(':') ? await bull.getJob(jobId) : undefined);
      if (!job || !(await job.isFailed())) return false;
      try {
        // A retried job gets all its attempts again, as if it were new.
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        return true;
      } catch (error) {
        // Someone else retried or removed it meanwhile.
        if (!(await job.isFailed())) return false;
        throw error;
      }
    },

    async counts(queue: QueueName) {
      const counts = await queueFor(queue).getJobCounts('waiting', 'delayed', 'active', 'failed');
      return {
        waiting: counts.waiting ?? 0,
        delayed: counts.delayed ?? 0,
        active: counts.active ?? 0,
        failed: counts.failed ?? 0,
      };
    },

    async state(queue: QueueName, jobId: string): Promise<JobState> {
      const state = await queueFor(queue).getJobState(encodeJobId(jobId));
      if (state === 'unknown') return 'missing';
      if (state === 'completed' || state === 'failed' || state === 'delayed' || state === 'active')
        return state;
      return 'waiting';
    },

    async requeue(job: NewJob) {
      const bull = queueFor(job.queue);
      const existing = await bull.getJob(encodeJobId(job.options.jobId));
      if (!existing) {
        await bull.add(job.name, job.data, bullOptions(job.options));
        return;
      }
      if (await existing.isFailed()) {
        await existing.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      }
    },

    close() {
      closing ??= (async () => {
        // Worker.close() waits for the jobs it is running; queues go after, so those can still finish.
        await Promise.all([...workers.values()].map((worker) => worker.close()));
        await Promise.all([...queues.values()].map((queue) => queue.close()));
      })();
      return closing;
    },
  };
}
