// The reconciler: the outbox is the source of truth until a job has settled, and this pass makes the queue
// agree with it after anything that could make them differ (Redis restarted empty, a job evicted, a worker
// killed between completing a job and deleting its row, retries used up during an outage). Every job id
// is its outbox row's id and every handler is idempotent, so running it often is safe.
//   - ENQUEUED rows relayed more than `leaseMs` ago are looked up in the queue: a missing job is added
//     again, a completed one's row deleted, a failed one's row marked DEAD; a live one is left (and not
//     looked at again for another lease).
//   - DEAD rows are revived after a wait that doubles with each revival (5 min, 10 min, … up to 6 h): an
//     outage longer than the retries still ends with every job done.
//   - Repeatable schedules are registered again when the queue lost them (Redis restarted empty).
//   - Extra sweeps (e.g. notifications left PENDING past their lease) run after each pass.
// Passes never overlap in one process, and an advisory lock keeps two processes from doing the same work.
import { type Prisma, type PrismaClient } from '../generated/prisma/client.js';
import type { Logger } from '../kernel/logger.js';
import { jobOfRow } from './outbox.js';
import { type JobQueue, type QueueName, queueNames, type Schedule } from './queue.js';

export interface ReconcilerOptions {
  /** How often a pass runs (default 15 s). */
  intervalMs?: number;
  /** An ENQUEUED job is looked up once it has been in the queue this long (default 60 s). */
  leaseMs?: number;
  /** The first wait before a DEAD job is revived; doubles with each revival (default 5 min). */
  reviveAfterMs?: number;
  /** The longest wait between revivals (default 6 h). */
  maxReviveAfterMs?: number;
  /** Rows looked at per pass and kind (default 500). */
  batchSize?: number;
  schedules?: Schedule[];
  /** Run after each pass, e.g. sweeps of domain rows that should have a job (errors are logged). */
  sweeps?: { name: string; run: () => Promise<number> }[];
  logger?: Logger;
}

export interface ReconcileReport {
  requeued: number;
  settled: number;
  dead: number;
  revived: number;
  schedulesRestored: number;
  swept: Record<string, number>;
}

/** Arbitrary, fixed: the reconciler's advisory lock (one pass at a time across processes). */
const RECONCILER_LOCK = 727_070_013;

const isQueueName = (value: string): value is QueueName => (queueNames as readonly string[]).includes(value);

interface Row {
  id: string;
  queue: string;
  name: string;
  payload: unknown;
  revivals: number;
}

export class OutboxReconciler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<ReconcileReport | null> | undefined;
  private stopped = false;
  private readonly schedulesSeen = new Set<string>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly queue: JobQueue,
    private readonly options: ReconcilerOptions = {},
  ) {}

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.pass(), this.options.intervalMs ?? 15_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass now (or the one running); null when another process holds the pass. Never throws. */
  pass(): Promise<ReconcileReport | null> {
    this.running ??= this.reconcile()
      .catch((error: unknown) => {
        this.options.logger?.warn({ err: error }, 'reconciler pass failed; the next one tries again');
        return null;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  private async reconcile(): Promise<ReconcileReport | null> {
    const leaseMs = this.options.leaseMs ?? 60_000;
    const batch = this.options.batchSize ?? 500;
    const report: ReconcileReport = {
      requeued: 0,
      settled: 0,
      dead: 0,
      revived: 0,
      schedulesRestored: 0,
      swept: {},
    };
    const acquired = await this.prisma.$transaction(
      async (tx) => {
        const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`
          SELECT pg_try_advisory_xact_lock(${RECONCILER_LOCK}) AS locked`;
        if (!lock?.locked) return false;
        const now = Date.now();
        const stale = await tx.$queryRaw<Row[]>`
          SELECT id::text AS id, queue, name, payload, revivals FROM outbox_jobs
          WHERE status = 'ENQUEUED' AND COALESCE(checked_at, enqueued_at) < ${new Date(now - leaseMs).toISOString()}::timestamptz
          ORDER BY enqueued_at LIMIT ${batch}`;
        const alive: string[] = [];
        const completed: string[] = [];
        const failed: string[] = [];
        for (const row of stale) {
          if (!isQueueName(row.queue)) continue;
          const state = await this.queue.state(row.queue, row.id);
          if (state === 'missing') {
            await this.queue.requeue(jobOfRow({ ...row, queue: row.queue }));
            report.requeued += 1;
            alive.push(row.id);
          } else if (state === 'completed') completed.push(row.id);
          else if (state === 'failed') failed.push(row.id);
          else alive.push(row.id);
        }
        if (alive.length) {
          await tx.outboxJob.updateMany({ where: { id: { in: alive } }, data: { checkedAt: new Date() } });
        }
        if (completed.length)
          report.settled = (await tx.outboxJob.deleteMany({ where: { id: { in: completed } } })).count;
        if (failed.length) {
          report.dead = (
            await tx.outboxJob.updateMany({
              where: { id: { in: failed }, status: 'ENQUEUED' },
              data: {
                status: 'DEAD',
                deadAt: new Date(),
                lastError: 'Failed in the queue after its last try.',
              },
            })
          ).count;
        }
        report.revived = await this.revive(tx, now, batch);
        return true;
      },
      { timeout: 60_000, maxWait: 10_000 },
    );
    if (!acquired) return null;
    report.schedulesRestored = await this.restoreSchedules();
    for (const sweep of this.options.sweeps ?? []) {
      try {
        report.swept[sweep.name] = await sweep.run();
      } catch (error) {
        this.options.logger?.warn({ err: error, sweep: sweep.name }, 'sweep failed');
      }
    }
    const changed =
      report.requeued +
      report.settled +
      report.dead +
      report.revived +
      report.schedulesRestored +
      Object.values(report.swept).reduce((sum, n) => sum + n, 0);
    if (changed > 0) this.options.logger?.info({ ...report }, 'reconciler put the queue right');
    return report;
  }

  /** DEAD rows whose wait is over go back to the queue with all their tries. */
  private async revive(tx: Prisma.TransactionClient, now: number, batch: number): Promise<number> {
    const first = this.options.reviveAfterMs ?? 5 * 60_000;
    const max = this.options.maxReviveAfterMs ?? 6 * 60 * 60_000;
    const due = await tx.$queryRaw<Row[]>`
      SELECT id::text AS id, queue, name, payload, revivals FROM outbox_jobs
      WHERE status = 'DEAD'
        AND dead_at < ${new Date(now).toISOString()}::timestamptz
          - LEAST(${first}::bigint * power(2, LEAST(revivals, 30))::bigint, ${max}::bigint) * interval '1 millisecond'
      ORDER BY dead_at LIMIT ${batch}`;
    let revived = 0;
    for (const row of due) {
      if (!isQueueName(row.queue)) continue;
      await this.queue.requeue(jobOfRow({ ...row, queue: row.queue }));
      await tx.outboxJob.update({
        where: { id: row.id },
        data: { status: 'ENQUEUED', enqueuedAt: new Date(), checkedAt: null, revivals: { increment: 1 } },
      });
      revived += 1;
    }
    return revived;
  }

  /** Registers again the schedules the queue no longer has (the first pass registers them all). */
  private async restoreSchedules(): Promise<number> {
    let restored = 0;
    for (const schedule of this.options.schedules ?? []) {
      const key = `${schedule.queue}\u0000${schedule.name}`;
      if (this.schedulesSeen.has(key) && (await this.queue.hasSchedule(schedule.queue, schedule.name)))
        continue;
      await this.queue.schedule(schedule.queue, schedule.name, schedule.cron, {});
      if (this.schedulesSeen.has(key)) restored += 1;
      this.schedulesSeen.add(key);
    }
    return restored;
  }
}
