// The end of a job's outbox row. The row stays (ENQUEUED) while the queue holds the job, so that a job the
// queue loses (Redis restarted empty, evicted) is found and added again by the reconciler; it is deleted
// once the job completes, and marked DEAD once the job has used up its tries (a visible dead letter).
// Deletions are batched: one statement per few milliseconds of completions, not one per job.
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Logger } from '../kernel/logger.js';
import type { JobHandler } from './queue.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Outbox jobs carry their row's id as job id; other jobs (schedules) have no row. */
const isOutboxId = (jobId: string) => UUID.test(jobId);

export class OutboxSettlement {
  private completed = new Set<string>();
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly logger?: Logger,
    /** Completions are gathered this long before one DELETE takes them all. */
    private readonly batchMs = 20,
  ) {}

  /** Wraps a handler so that its job's row is settled when it completes or fails for good. */
  settle(handler: JobHandler): JobHandler {
    return async (name, data, job) => {
      try {
        const result = await handler(name, data, job);
        if (isOutboxId(job.id)) this.markCompleted(job.id);
        return result;
      } catch (error) {
        if (isOutboxId(job.id) && job.attemptsMade + 1 >= job.attempts) {
          await this.markDead(job.id, error, job.attemptsMade + 1);
        }
        throw error;
      }
    };
  }

  markCompleted(jobId: string): void {
    this.completed.add(jobId);
    this.timer ??= setTimeout(() => void this.flush(), this.batchMs);
  }

  /** The job used up its tries: its row becomes a dead letter (unless it was settled meanwhile). */
  async markDead(jobId: string, error: unknown, attemptsMade: number): Promise<void> {
    const reason = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
    try {
      await this.prisma.outboxJob.updateMany({
        where: { id: jobId, status: 'ENQUEUED' },
        data: { status: 'DEAD', deadAt: new Date(), lastError: reason, attemptsMade },
      });
    } catch (failure) {
      // The reconciler finds the job failed in the queue and marks it then.
      this.logger?.warn({ err: failure, jobId }, 'dead letter not recorded; the reconciler will');
    }
  }

  /** Deletes the rows of the jobs completed so far (one statement). A failure leaves them to the reconciler. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    if (this.completed.size === 0) return;
    const ids = [...this.completed];
    this.completed = new Set();
    this.flushing = this.prisma.outboxJob
      .deleteMany({ where: { id: { in: ids } } })
      .then(() => undefined)
      .catch((error: unknown) => {
        this.logger?.warn(
          { err: error, jobs: ids.length },
          'settled outbox rows not deleted; the reconciler will',
        );
      });
    await this.flushing;
  }
}
