// The JobQueue port in memory, for the embedded default (no Redis): the same semantics as the BullMQ
// adapter (deterministic ids, delays, retries with exponential backoff, concurrency, failed jobs kept,
// retry, cron schedules in UTC, graceful close). Nothing survives the process: pair it with the outbox
// (see OutboxRelay's reclaimOnStart and forgetOutboxJob) so that unfinished jobs are relayed again.
import { CronExpressionParser } from 'cron-parser';
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
  type QueueName,
} from './queue.js';

export interface SettledJob {
  queue: QueueName;
  id: string;
  name: string;
  state: 'completed' | 'failed';
}

export interface InProcessQueueOptions {
  logger?: Logger;
  /**
   * Completed ids remembered, so that adding them again does nothing: at most `count` per queue and no
   * older than `ageMs` (default 10,000 and a day, as the BullMQ adapter keeps them).
   */
  keepCompleted?: { count: number; ageMs: number };
  /** Failed jobs kept per queue, for failed() and retry() (default 1,000; the oldest go first). */
  keepFailed?: number;
  /** Called once a job completed or used up its attempts (e.g. to forget its outbox record). */
  onSettled?: (job: SettledJob) => void | Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** setTimeout fires at once beyond this (about 24.8 days); longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Entry {
  id: string;
  name: string;
  data: unknown;
  attempts: number;
  backoffMs: number;
  attemptsMade: number;
  traceParent?: string;
  state: 'waiting' | 'delayed' | 'active' | 'failed';
  timer?: Timer;
  failedReason?: string;
  failedAt?: Date;
}

interface Lane {
  /** Waiting, delayed, active and failed jobs (failed ones in the order they failed). */
  jobs: Map<string, Entry>;
  waiting: string[];
  failedCount: number;
  /** Completed ids and when they completed, oldest first. */
  completed: Map<string, number>;
  worker?: { handler: JobHandler; concurrency: number; running: number };
  pumpScheduled: boolean;
}

interface Timer {
  cancel(): void;
}

/** An unref'd timer for any delay, so that waiting never holds the process open. */
function startTimer(delayMs: number, fire: () => void): Timer {
  const due = Date.now() + Math.max(0, delayMs);
  let handle: NodeJS.Timeout;
  const arm = () => {
    const remaining = due - Date.now();
    handle = setTimeout(
      remaining > MAX_TIMER_MS ? arm : fire,
      Math.min(Math.max(0, remaining), MAX_TIMER_MS),
    );
    handle.unref();
  };
  arm();
  return { cancel: () => clearTimeout(handle) };
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export function createInProcessQueue(options: InProcessQueueOptions = {}): JobQueue {
  const logger = options.logger;
  const keepCompleted = options.keepCompleted ?? { count: 10_000, ageMs: DAY_MS };
  const keepFailed = options.keepFailed ?? 1000;
  const lanes = new Map<QueueName, Lane>();
  const schedules = new Map<string, Timer>();
  const running = new Set<Promise<void>>();
  let closed = false;
  let closing: Promise<void> | undefined;

  const laneOf = (queue: QueueName): Lane => {
    let lane = lanes.get(queue);
    if (!lane) {
      lane = { jobs: new Map(), waiting: [], failedCount: 0, completed: new Map(), pumpScheduled: false };
      lanes.set(queue, lane);
    }
    return lane;
  };

  const assertOpen = () => {
    if (closed) throw new Error('The job queue is closed.');
  };

  const forgetExpiredCompleted = (lane: Lane, now: number) => {
    for (const [id, finishedAt] of lane.completed) {
      if (lane.completed.size <= keepCompleted.count && now - finishedAt < keepCompleted.ageMs) break;
      lane.completed.delete(id);
    }
  };

  const settle = (queue: QueueName, entry: Entry, state: SettledJob['state']) => {
    if (!options.onSettled) return;
    Promise.resolve()
      .then(() => options.onSettled?.({ queue, id: entry.id, name: entry.name, state }))
      .catch((error: unknown) => logger?.error({ err: error, queue, jobId: entry.id }, 'onSettled failed'));
  };

  // Jobs start on a later turn of the event loop, never inside add(): callers (e.g. a relay in a
  // database transaction) do not run a job's work before they return.
  const schedulePump = (queue: QueueName, lane: Lane) => {
    if (lane.pumpScheduled || closed || !lane.worker) return;
    lane.pumpScheduled = true;
    setImmediate(() => {
      lane.pumpScheduled = false;
      pump(queue, lane);
    }).unref();
  };

  const pump = (queue: QueueName, lane: Lane) => {
    const worker = lane.worker;
    if (closed || !worker) return;
    while (worker.running < worker.concurrency) {
      const id = lane.waiting.shift();
      if (id === undefined) return;
      const entry = lane.jobs.get(id);
      if (entry?.state === 'waiting') run(queue, lane, worker, entry);
    }
  };

  const makeWaiting = (queue: QueueName, lane: Lane, entry: Entry) => {
    entry.state = 'waiting';
    entry.timer = undefined;
    lane.waiting.push(entry.id);
    schedulePump(queue, lane);
  };

  const delay = (queue: QueueName, lane: Lane, entry: Entry, delayMs: number) => {
    entry.state = 'delayed';
    entry.timer = startTimer(delayMs, () => makeWaiting(queue, lane, entry));
  };

  const run = (queue: QueueName, lane: Lane, worker: NonNullable<Lane['worker']>, entry: Entry) => {
    entry.state = 'active';
    worker.running += 1;
    const done = (async () => {
      try {
        await worker.handler(entry.name, entry.data, {
          id: entry.id,
          name: entry.name,
          queue,
          attemptsMade: entry.attemptsMade,
          attempts: entry.attempts,
          ...(entry.traceParent ? { traceParent: entry.traceParent } : {}),
        });
        lane.jobs.delete(entry.id);
        lane.completed.set(entry.id, Date.now());
        forgetExpiredCompleted(lane, Date.now());
        settle(queue, entry, 'completed');
      } catch (error) {
        entry.attemptsMade += 1;
        const details = { queue, jobId: entry.id, name: entry.name, err: error };
        if (entry.attemptsMade < entry.attempts) {
          logger?.warn({ ...details, attemptsMade: entry.attemptsMade }, 'job failed; will retry');
          // As the BullMQ adapter: the delay doubles with each failed try, up to a cap.
          delay(queue, lane, entry, backoffDelay(entry.attemptsMade, entry.backoffMs));
        } else {
          logger?.error(details, 'job failed for good');
          fail(lane, entry, messageOf(error));
          settle(queue, entry, 'failed');
        }
      } finally {
        worker.running -= 1;
        schedulePump(queue, lane);
      }
    })();
    running.add(done);
    void done.finally(() => running.delete(done));
  };

  const fail = (lane: Lane, entry: Entry, reason: string) => {
    entry.state = 'failed';
    entry.failedReason = reason;
    entry.failedAt = new Date();
    // Re-inserted so that the Map keeps failed jobs in the order they failed.
    lane.jobs.delete(entry.id);
    lane.jobs.set(entry.id, entry);
    lane.failedCount += 1;
    if (lane.failedCount > keepFailed) {
      for (const [id, other] of lane.jobs) {
        if (other.state !== 'failed') continue;
        lane.jobs.delete(id);
        lane.failedCount -= 1;
        break;
      }
    }
  };

  const retry = (queue: QueueName, jobId: string): boolean => {
    const lane = lanes.get(queue);
    const entry = lane?.jobs.get(jobId);
    if (!lane || entry?.state !== 'failed') return false;
    lane.failedCount -= 1;
    // A retried job gets all its attempts again, as if it were new.
    entry.attemptsMade = 0;
    entry.failedReason = undefined;
    entry.failedAt = undefined;
    makeWaiting(queue, lane, entry);
    return true;
  };

  const add = (queue: QueueName, name: string, data: unknown, jobOptions: JobOptions) => {
    assertOpen();
    const lane = laneOf(queue);
    forgetExpiredCompleted(lane, Date.now());
    if (lane.jobs.has(jobOptions.jobId) || lane.completed.has(jobOptions.jobId)) return;
    const entry: Entry = {
      id: jobOptions.jobId,
      name,
      // Stored as JSON, as Redis stores it: the handler sees what a BullMQ worker would see.
      data: data === undefined ? undefined : (JSON.parse(JSON.stringify(data)) as unknown),
      attempts: Math.max(1, jobOptions.attempts ?? DEFAULT_ATTEMPTS),
      backoffMs: jobOptions.backoffMs ?? DEFAULT_BACKOFF_MS,
      attemptsMade: 0,
      ...(jobOptions.traceParent ? { traceParent: jobOptions.traceParent } : {}),
      state: 'waiting',
    };
    lane.jobs.set(entry.id, entry);
    if (jobOptions.delayMs && jobOptions.delayMs > 0) delay(queue, lane, entry, jobOptions.delayMs);
    else makeWaiting(queue, lane, entry);
  };

  return {
    kind: 'in-process',

    async add(queue, name, data, jobOptions) {
      add(queue, name, data, jobOptions);
    },

    async schedule(queue, name, cron, data) {
      assertOpen();
      const nextAfter = (time: number) =>
        CronExpressionParser.parse(cron, { tz: 'UTC', currentDate: new Date(time) })
          .next()
          .getTime();
      // Parsed now, so that a bad pattern fails the call as it does on BullMQ.
      let due = nextAfter(Date.now());
      const key = `${queue}\u0000${name}`;
      schedules.get(key)?.cancel();
      const arm = () => {
        schedules.set(
          key,
          startTimer(due - Date.now(), () => {
            if (closed) return;
            // The same id scheme as BullMQ's schedules; a timer firing early cannot add a slot twice.
            add(queue, name, data, { jobId: `repeat:${name}:${due}` });
            due = nextAfter(Math.max(Date.now(), due));
            arm();
          }),
        );
      };
      arm();
    },

    async hasSchedule(queue, name) {
      return schedules.has(`${queue}\u0000${name}`);
    },

    work(queue, handler, workOptions = {}) {
      assertOpen();
      const lane = laneOf(queue);
      if (lane.worker) throw new Error(`A worker already consumes the ${queue} queue.`);
      lane.worker = { handler, concurrency: Math.max(1, workOptions.concurrency ?? 1), running: 0 };
      schedulePump(queue, lane);
    },

    async failed(queue, limit = 100): Promise<FailedJob[]> {
      const lane = lanes.get(queue);
      if (!lane || limit <= 0) return [];
      const failed: FailedJob[] = [];
      for (const entry of [...lane.jobs.values()].reverse()) {
        if (entry.state !== 'failed') continue;
        failed.push({
          id: entry.id,
          queue,
          name: entry.name,
          data: entry.data,
          attemptsMade: entry.attemptsMade,
          failedReason: entry.failedReason ?? '',
          failedAt: entry.failedAt ?? null,
        });
        if (failed.length >= limit) break;
      }
      return failed;
    },

    async retry(queue, jobId) {
      assertOpen();
      return retry(queue, jobId);
    },

    async counts(queue) {
      const counts = { waiting: 0, delayed: 0, active: 0, failed: 0 };
      for (const entry of lanes.get(queue)?.jobs.values() ?? []) counts[entry.state] += 1;
      return counts;
    },

    async state(queue, jobId): Promise<JobState> {
      const lane = lanes.get(queue);
      const entry = lane?.jobs.get(jobId);
      if (entry) return entry.state;
      return lane?.completed.has(jobId) ? 'completed' : 'missing';
    },

    async requeue(job) {
      assertOpen();
      if (retry(job.queue, job.options.jobId)) return;
      add(job.queue, job.name, job.data, job.options);
    },

    close() {
      closing ??= (async () => {
        closed = true;
        for (const timer of schedules.values()) timer.cancel();
        schedules.clear();
        for (const lane of lanes.values()) {
          for (const entry of lane.jobs.values()) entry.timer?.cancel();
        }
        // Running jobs finish; waiting and delayed ones are dropped (the outbox relays them again).
        while (running.size) await Promise.allSettled([...running]);
      })();
      return closing;
    },
  };
}
