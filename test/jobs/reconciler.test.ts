// The reconciler makes the queue agree with the outbox: a job the queue lost is added again, a completed
// job's row deleted, a job that used up its tries dead-lettered, a dead letter revived, a lost schedule
// registered again. Against BullMQ on Redis (a prefix of its own) and the in-process queue.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBullmqQueue } from '../../src/jobs/bullmq-queue.js';
import { createInProcessQueue } from '../../src/jobs/in-process-queue.js';
import { enqueueInTransaction, relayOutbox } from '../../src/jobs/outbox.js';
import type { JobQueue } from '../../src/jobs/queue.js';
import { OutboxReconciler } from '../../src/jobs/reconciler.js';
import { OutboxSettlement } from '../../src/jobs/settlement.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { REDIS_URL } from '../support/live.js';
import { waitFor } from './queue-contract.js';

const payload = (n: number) => ({
  messageId: `m-${n}`,
  organizationId: '00000000-0000-4000-8000-000000000001',
});

async function removeKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
}

describe.each(['bullmq', 'in-process'] as const)('the outbox reconciler with the %s queue', (kind) => {
  let db: TestDatabase;
  let queue: JobQueue;
  let prefix: string;
  beforeAll(async () => {
    db = await createTestDatabase('postgres');
  });
  afterAll(() => db?.drop());
  beforeEach(async () => {
    await queue?.close();
    if (kind === 'bullmq' && prefix) await removeKeys(prefix);
    prefix = `test-reconcile-${randomBytes(6).toString('hex')}`;
    queue = kind === 'bullmq' ? createBullmqQueue(REDIS_URL, { prefix }) : createInProcessQueue();
    await db.prisma.outboxJob.deleteMany();
  });
  afterAll(async () => {
    await queue?.close();
    if (kind === 'bullmq') await removeKeys(prefix);
  });

  const commit = (n: number) =>
    db.prisma.$transaction((tx) =>
      enqueueInTransaction(tx, { queue: 'classification', name: 'classify', payload: payload(n) }),
    );
  const statusOf = async (id: string) => (await db.prisma.outboxJob.findUnique({ where: { id } }))?.status;

  it('adds again a job the queue lost, and deletes the row once it completes', async () => {
    const id = await commit(1);
    // Relayed to a queue that then lost it (a Redis restarted empty): the row says ENQUEUED, nothing runs.
    const lost = createInProcessQueue();
    expect(await relayOutbox(db.prisma, lost)).toBe(1);
    await lost.close();
    expect(await queue.state('classification', id)).toBe('missing');

    const runs: string[] = [];
    const settlement = new OutboxSettlement(db.prisma);
    queue.work(
      'classification',
      settlement.settle(async (_name, _data, job) => void runs.push(job.id)),
    );
    const reconciler = new OutboxReconciler(db.prisma, queue, { leaseMs: 0 });
    expect(await reconciler.pass()).toMatchObject({ requeued: 1 });
    await waitFor(() => runs.length === 1, 'the job to run again');
    expect(runs).toEqual([id]);
    await waitFor(async () => (await statusOf(id)) === undefined, 'the row to go');
    // Nothing left to do: the next pass changes nothing.
    expect(await reconciler.pass()).toMatchObject({ requeued: 0, settled: 0, dead: 0, revived: 0 });
  });

  it('deletes the row of a job that completed when its own delete was lost', async () => {
    const id = await commit(2);
    queue.work('classification', async () => undefined);
    await relayOutbox(db.prisma, queue);
    await waitFor(async () => (await queue.state('classification', id)) === 'completed', 'the job');
    expect(await statusOf(id)).toBe('ENQUEUED');
    expect(await new OutboxReconciler(db.prisma, queue, { leaseMs: 0 }).pass()).toMatchObject({ settled: 1 });
    expect(await statusOf(id)).toBeUndefined();
  });

  it('dead-letters a job that used up its tries, then revives it after the wait', async () => {
    const id = await commit(3);
    let healthy = false;
    const settlement = new OutboxSettlement(db.prisma);
    queue.work(
      'classification',
      settlement.settle(async () => {
        if (!healthy) throw new Error('model down');
      }),
    );
    // As the relay hands it over, with two tries.
    await db.prisma.outboxJob.update({ where: { id }, data: { status: 'ENQUEUED', enqueuedAt: new Date() } });
    await queue.add('classification', 'classify', payload(3), { jobId: id, attempts: 2, backoffMs: 1 });
    await waitFor(async () => (await statusOf(id)) === 'DEAD', 'the dead letter');
    expect(await db.prisma.outboxJob.findUnique({ where: { id } })).toMatchObject({
      attemptsMade: 2,
      lastError: 'model down',
      revivals: 0,
    });
    // Not yet due: it stays dead.
    const patient = new OutboxReconciler(db.prisma, queue, { leaseMs: 0, reviveAfterMs: 3_600_000 });
    expect(await patient.pass()).toMatchObject({ revived: 0 });
    healthy = true;
    const due = new OutboxReconciler(db.prisma, queue, { leaseMs: 0, reviveAfterMs: 0 });
    expect(await due.pass()).toMatchObject({ revived: 1 });
    await waitFor(async () => (await statusOf(id)) === undefined, 'the revived job to complete');
  });

  it('registers the schedules, and again only when the queue has lost them', async () => {
    const schedules = [{ queue: 'metrics' as const, name: 'hourly-rollup', cron: '5 * * * *' }];
    const reconciler = new OutboxReconciler(db.prisma, queue, { schedules });
    expect(await reconciler.pass()).toMatchObject({ schedulesRestored: 0 });
    expect(await queue.hasSchedule('metrics', 'hourly-rollup')).toBe(true);
    expect(await reconciler.pass()).toMatchObject({ schedulesRestored: 0 });
    if (kind === 'bullmq') {
      // Redis restarted empty: the schedule is gone, and the next pass puts it back.
      await removeKeys(prefix);
      expect(await queue.hasSchedule('metrics', 'hourly-rollup')).toBe(false);
      expect(await reconciler.pass()).toMatchObject({ schedulesRestored: 1 });
      expect(await queue.hasSchedule('metrics', 'hourly-rollup')).toBe(true);
    }
  });

  it('lets one process reconcile at a time', async () => {
    await commit(4);
    await relayOutbox(db.prisma, createInProcessQueue());
    const [a, b] = await Promise.all([
      new OutboxReconciler(db.prisma, queue, { leaseMs: 0 }).pass(),
      new OutboxReconciler(db.prisma, queue, { leaseMs: 0 }).pass(),
    ]);
    // One pass did the work, the other found the lock taken (null) or nothing left.
    expect((a?.requeued ?? 0) + (b?.requeued ?? 0)).toBe(1);
  });
});
