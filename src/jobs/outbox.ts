// The transactional outbox: a job is written as an OutboxJob row in the same transaction as the data it
// is about, and a relay hands committed rows to the queue with the row id as job id. A crash after the
// commit only delays the job; a crash between queue.add and marking the row only adds it again under the
// same id, which the queue ignores. The row stays until its job has settled (settlement.ts) and the
// reconciler (reconciler.ts) adds again a job the queue lost.
import { createHash, randomUUID } from 'node:crypto';
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import type { Logger } from '../kernel/logger.js';
import { currentTraceParent } from '../observability/tracing.js';
import { retryPolicyOf } from './catalogue.js';
import { type JobQueue, type NewJob, type OutboxJobInput, type QueueName, queueNames } from './queue.js';

/** A UUID (version 8, RFC 9562) derived from a key: the same key, the same id. */
export function idForKey(key: string): string {
  const hex = createHash('sha256').update(key).digest('hex').slice(0, 32).split('');
  hex[12] = '8';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Writes a pending job in the caller's transaction; it reaches the queue only if that commits. */
export async function enqueueInTransaction(
  tx: Prisma.TransactionClient,
  job: OutboxJobInput,
): Promise<string> {
  const data = {
    queue: job.queue,
    name: job.name,
    payload: job.payload,
    availableAt: job.availableAt,
    traceParent: currentTraceParent() ?? null,
  };
  if (job.key === undefined) return (await tx.outboxJob.create({ data, select: { id: true } })).id;
  const id = idForKey(job.key);
  await tx.outboxJob.createMany({ data: [{ id, ...data }], skipDuplicates: true });
  return id;
}

/**
 * Several pending jobs in the caller's transaction, in one INSERT … SELECT FROM unnest (one array per
 * column however many jobs: a batch of messages queues one job each).
 */
export async function enqueueManyInTransaction(
  tx: Prisma.TransactionClient,
  jobs: OutboxJobInput[],
): Promise<void> {
  if (jobs.length === 0) return;
  await tx.$executeRaw`
    INSERT INTO outbox_jobs (id, queue, name, payload, available_at, trace_parent)
    SELECT j.id, j.queue, j.name, j.payload::jsonb, COALESCE(j.available_at, now()), ${currentTraceParent() ?? null}
    FROM unnest(
      ${jobs.map(() => randomUUID())}::uuid[], ${jobs.map((job) => job.queue)}::text[],
      ${jobs.map((job) => job.name)}::text[], ${jobs.map((job) => JSON.stringify(job.payload))}::text[],
      ${jobs.map((job) => job.availableAt?.toISOString() ?? null)}::timestamptz[]
    ) AS j(id, queue, name, payload, available_at)`;
}

/** The queue's job for an outbox row: the row id is the job id, the retry policy the catalogue's. */
export function jobOfRow(row: {
  id: string;
  queue: QueueName;
  name: string;
  payload: unknown;
  traceParent?: string | null;
}): NewJob {
  return {
    queue: row.queue,
    name: row.name,
    data: row.payload,
    options: {
      jobId: row.id,
      ...retryPolicyOf(row.queue, row.name),
      ...(row.traceParent ? { traceParent: row.traceParent } : {}),
    },
  };
}

const DEFAULT_BATCH_SIZE = 100;

const isQueueName = (value: string): value is QueueName => (queueNames as readonly string[]).includes(value);

/**
 * Hands pending rows that are due (oldest first) to the queue and marks them ENQUEUED; returns how many.
 * The rows stay locked (FOR UPDATE SKIP LOCKED) until they are marked, so relays running at once never
 * take the same rows. Rows of queues this version does not know are left for one that does.
 */
export async function relayOutbox(
  prisma: PrismaClient,
  queue: JobQueue,
  options: { batchSize?: number } = {},
): Promise<number> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  return prisma.$transaction(
    async (tx) => {
      // Locks and reads the rows in one statement (a relay pass runs after every commit that queued a job).
      const rows = await tx.$queryRaw<
        { id: string; queue: string; name: string; payload: unknown; traceParent: string | null }[]
      >`
        SELECT id::text AS id, queue, name, payload, trace_parent AS "traceParent" FROM outbox_jobs
        WHERE status = 'PENDING'
          AND available_at <= ${new Date().toISOString()}::timestamptz
          AND queue IN (${Prisma.join([...queueNames])})
        ORDER BY available_at, created_at
        LIMIT ${batchSize}
        FOR UPDATE SKIP LOCKED`;
      if (rows.length === 0) return 0;
      const ids = rows.map((row) => row.id);
      const jobs: NewJob[] = rows.flatMap((row) =>
        isQueueName(row.queue) ? [jobOfRow({ ...row, queue: row.queue })] : [],
      );
      if (queue.addMany) await queue.addMany(jobs);
      else for (const job of jobs) await queue.add(job.queue, job.name, job.data, job.options);
      await tx.outboxJob.updateMany({
        where: { id: { in: ids } },
        data: { status: 'ENQUEUED', enqueuedAt: new Date() },
      });
      return rows.length;
    },
    // Adding to Redis happens inside; the default 5 s would be tight for a large batch on a slow link.
    { timeout: 30_000, maxWait: 10_000 },
  );
}

/**
 * For the in-process queue, whose jobs live in memory only: every row it was handed and has not finished
 * goes back to PENDING, to be relayed again. Call it only where no other process relays to that queue
 * (the embedded database allows one process). Returns how many.
 */
export async function reclaimOutbox(prisma: PrismaClient): Promise<number> {
  const { count } = await prisma.outboxJob.updateMany({
    where: { status: 'ENQUEUED' },
    data: { status: 'PENDING', enqueuedAt: null },
  });
  return count;
}

export interface OutboxRelayOptions {
  /** How often the relay looks for pending rows without being kicked (default 500 ms). */
  intervalMs?: number;
  batchSize?: number;
  /** Batches per pass at most, so that one pass never runs unbounded (default 20). */
  maxBatchesPerPass?: number;
  /** Puts rows a previous process handed to an in-memory queue back to PENDING before the first pass. */
  reclaimOnStart?: boolean;
  /**
   * Kicks that come while a pass runs (commits coming faster than passes) wait this long after it, so that
   * the commits landing meanwhile share one pass instead of a pass (four statements and a Redis round trip)
   * each; a kick when the relay is idle still starts a pass at once (default 20 ms).
   */
  coalesceMs?: number;
  logger?: Logger;
}

/**
 * Runs relayOutbox every `intervalMs`, and at once on kick() (call it after a commit that wrote outbox
 * rows, so the job starts without waiting for the interval). Passes never overlap: a kick during a pass
 * runs one more pass after it, `coalesceMs` later.
 */
export class OutboxRelay {
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly maxBatches: number;
  private readonly coalesceMs: number;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private needsReclaim: boolean;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly queue: JobQueue,
    private readonly options: OutboxRelayOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 500;
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.maxBatches = options.maxBatchesPerPass ?? 20;
    this.coalesceMs = options.coalesceMs ?? 20;
    this.needsReclaim = options.reclaimOnStart ?? false;
  }

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.kick(), this.intervalMs);
    this.timer.unref();
    void this.kick();
  }

  /** Runs a pass now (or right after the running one); resolves when that pass is over. Never throws. */
  kick(): Promise<void> {
    if (this.stopped) return this.current ?? Promise.resolve();
    this.again = true;
    this.current ??= this.loop();
    return this.current;
  }

  /** Stops the timer and waits for a running pass. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.current;
  }

  private async loop(): Promise<void> {
    // Yields first, so that `current` is set before the loop can end and clear it.
    await Promise.resolve();
    while (this.again && !this.stopped) {
      this.again = false;
      try {
        await this.pass();
      } catch (error) {
        this.options.logger?.error({ err: error }, 'outbox relay pass failed');
      }
      if (this.again && !this.stopped) await this.coalesce();
    }
    // In the same synchronous step as the last check: a kick from now on starts a new loop.
    this.current = undefined;
  }

  private coalesce(): Promise<void> {
    if (this.coalesceMs <= 0) return Promise.resolve();
    return new Promise((resolve) => setTimeout(resolve, this.coalesceMs));
  }

  private async pass(): Promise<void> {
    if (this.needsReclaim) {
      const reclaimed = await reclaimOutbox(this.prisma);
      this.needsReclaim = false;
      if (reclaimed)
        this.options.logger?.info({ reclaimed }, 'outbox jobs of the previous run relayed again');
    }
    for (let batch = 0; batch < this.maxBatches && !this.stopped; batch += 1) {
      const relayed = await relayOutbox(this.prisma, this.queue, { batchSize: this.batchSize });
      if (relayed < this.batchSize) break;
    }
  }
}
