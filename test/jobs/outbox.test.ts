import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createInProcessQueue } from '../../src/jobs/in-process-queue.js';
import { enqueueInTransaction, OutboxRelay, relayOutbox } from '../../src/jobs/outbox.js';
import type { JobOptions, JobQueue, QueueName } from '../../src/jobs/queue.js';
import { OutboxSettlement } from '../../src/jobs/settlement.js';
import { backends, createTestDatabase, type TestDatabase } from '../support/db.js';
import { sleep, waitFor } from './queue-contract.js';

interface Added {
  queue: QueueName;
  name: string;
  data: unknown;
  jobId: string;
}

/** A queue that records every add() before handing it on (or only records, with no inner queue). */
function recording(inner?: JobQueue, options: { addDelayMs?: number } = {}) {
  const added: Added[] = [];
  const queue: JobQueue = {
    kind: 'in-process',
    async add(name: QueueName, jobName: string, data: unknown, jobOptions: JobOptions) {
      if (options.addDelayMs) await sleep(options.addDelayMs);
      added.push({ queue: name, name: jobName, data, jobId: jobOptions.jobId });
      await inner?.add(name, jobName, data, jobOptions);
    },
    schedule: async () => undefined,
    hasSchedule: async () => false,
    work: () => undefined,
    failed: async () => [],
    retry: async () => false,
    state: async (name, jobId) => (inner ? inner.state(name, jobId) : 'missing'),
    counts: async (name) => (inner ? inner.counts(name) : { waiting: 0, delayed: 0, active: 0, failed: 0 }),
    requeue: async (job) => inner?.requeue(job),
    close: async () => undefined,
  };
  return { queue, added };
}

const payload = (n: number) => ({
  organizationId: '00000000-0000-4000-8000-000000000001',
  messageId: `m-${n}`,
});

describe.each(backends)('outbox on %s', (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(kind);
  });
  afterAll(() => db?.drop());
  beforeEach(async () => {
    await db.prisma.outboxJob.deleteMany();
  });

  it('never relays jobs written in a transaction that rolled back', async () => {
    await expect(
      db.prisma.$transaction(async (tx) => {
        await enqueueInTransaction(tx, { queue: 'classification', name: 'classify', payload: payload(1) });
        throw new Error('the message could not be stored');
      }),
    ).rejects.toThrow('could not be stored');
    const { queue, added } = recording();
    expect(await relayOutbox(db.prisma, queue)).toBe(0);
    expect(added).toEqual([]);
    expect(await db.prisma.outboxJob.count()).toBe(0);
  });

  it('relays committed jobs once, oldest first, with the outbox id as job id', async () => {
    const ids = await db.prisma.$transaction(async (tx) => [
      await enqueueInTransaction(tx, { queue: 'classification', name: 'classify', payload: payload(1) }),
      await enqueueInTransaction(tx, { queue: 'notifications', name: 'notify', payload: payload(2) }),
    ]);
    const later = await db.prisma.$transaction((tx) =>
      enqueueInTransaction(tx, { queue: 'classification', name: 'classify', payload: payload(3) }),
    );
    const { queue, added } = recording();
    expect(await relayOutbox(db.prisma, queue)).toBe(3);
    expect(await relayOutbox(db.prisma, queue)).toBe(0);
    expect(added).toEqual([
      { queue: 'classification', name: 'classify', data: payload(1), jobId: ids[0] },
      { queue: 'notifications', name: 'notify', data: payload(2), jobId: ids[1] },
      { queue: 'classification', name: 'classify', data: payload(3), jobId: later },
    ]);
    const rows = await db.prisma.outboxJob.findMany();
    expect(rows.every((row) => row.status === 'ENQUEUED' && row.enqueuedAt instanceof Date)).toBe(true);
  });

  it('holds a job back until its availableAt', async () => {
    const id = await db.prisma.$transaction((tx) =>
      enqueueInTransaction(tx, {
        queue: 'notifications',
        name: 'follow-up',
        payload: payload(1),
        availableAt: new Date(Date.now() + 60_000),
      }),
    );
    const { queue, added } = recording();
    expect(await relayOutbox(db.prisma, queue)).toBe(0);
    await db.prisma.outboxJob.update({ where: { id }, data: { availableAt: new Date(Date.now() - 1000) } });
    expect(await relayOutbox(db.prisma, queue)).toBe(1);
    expect(added.map((job) => job.jobId)).toEqual([id]);
  });

  it('two relays racing never take the same rows', async () => {
    await db.prisma.outboxJob.createMany({
      data: Array.from({ length: 120 }, (_, n) => ({
        queue: 'classification',
        name: 'classify',
        payload: payload(n),
      })),
    });
    // A slow add keeps each batch locked a while, so the relays really overlap on Postgres.
    const { queue, added } = recording(undefined, { addDelayMs: 2 });
    const drain = async () => {
      let total = 0;
      for (;;) {
        const relayed = await relayOutbox(db.prisma, queue, { batchSize: 20 });
        if (relayed === 0) return total;
        total += relayed;
      }
    };
    const [a, b] = await Promise.all([drain(), drain()]);
    expect(a + b).toBe(120);
    // On Postgres both really ran at once (each took some); PGlite has one connection and serializes them.
    if (kind === 'postgres') expect(Math.min(a, b)).toBeGreaterThan(0);
    expect(added).toHaveLength(120);
    expect(new Set(added.map((job) => job.jobId)).size).toBe(120);
    expect(await db.prisma.outboxJob.count({ where: { status: 'PENDING' } })).toBe(0);
  });

  it('delivers jobs committed before a crash when the next process relays', async () => {
    // The "crashed" process committed its jobs and never relayed them.
    const ids = await db.prisma.$transaction(async (tx) => [
      await enqueueInTransaction(tx, { queue: 'classification', name: 'classify', payload: payload(1) }),
      await enqueueInTransaction(tx, { queue: 'classification', name: 'classify', payload: payload(2) }),
    ]);
    // The next process: a fresh queue with a worker, and its relay.
    const jobs = createInProcessQueue();
    const seen: { id: string; data: unknown }[] = [];
    jobs.work('classification', async (_name, data, job) => {
      seen.push({ id: job.id, data });
    });
    const relay = new OutboxRelay(db.prisma, jobs, { intervalMs: 50 });
    relay.start();
    try {
      await waitFor(() => seen.length === 2, 'both jobs');
      expect(seen).toEqual([
        { id: ids[0], data: payload(1) },
        { id: ids[1], data: payload(2) },
      ]);
    } finally {
      await relay.stop();
      await jobs.close();
    }
  });

  it('a crash between adding and marking only adds the same job id again, which runs once', async () => {
    await db.prisma.outboxJob.createMany({
      data: [1, 2, 3].map((n) => ({
        queue: 'classification' as const,
        name: 'classify',
        payload: payload(n),
      })),
    });
    const jobs = createInProcessQueue();
    const runs: string[] = [];
    jobs.work('classification', async (_name, _data, job) => {
      runs.push(job.id);
    });
    // The first relay adds two jobs, then dies before marking anything: its transaction rolls back.
    let adds = 0;
    const dying: JobQueue = {
      ...jobs,
      async add(name, jobName, data, options) {
        if (++adds > 2) throw new Error('process killed');
        await jobs.add(name, jobName, data, options);
      },
    };
    await expect(relayOutbox(db.prisma, dying)).rejects.toThrow('process killed');
    expect(await db.prisma.outboxJob.count({ where: { status: 'PENDING' } })).toBe(3);
    expect(await relayOutbox(db.prisma, jobs)).toBe(3);
    await waitFor(() => runs.length === 3, 'three runs');
    await sleep(50);
    expect(runs).toHaveLength(3);
    expect(new Set(runs).size).toBe(3);
    await jobs.close();
  });

  it('with the in-process queue, jobs a stopped process had not finished are relayed again', async () => {
    const ids = await db.prisma.$transaction(async (tx) => [
      await enqueueInTransaction(tx, { queue: 'notifications', name: 'notify', payload: payload(1) }),
      await enqueueInTransaction(tx, { queue: 'notifications', name: 'notify', payload: payload(2) }),
    ]);
    const settlement = new OutboxSettlement(db.prisma);
    // First process: relays both, finishes only the first, and stops.
    const first = createInProcessQueue();
    const firstRuns: string[] = [];
    const hold = new Promise<void>(() => undefined);
    first.work(
      'notifications',
      settlement.settle(async (_name, _data, job) => {
        firstRuns.push(job.id);
        if (job.id === ids[1]) await hold;
      }),
    );
    expect(await relayOutbox(db.prisma, first)).toBe(2);
    await waitFor(() => firstRuns.length === 2, 'both jobs to start');
    // The finished job's row is gone; the unfinished one stays ENQUEUED.
    await waitFor(async () => (await db.prisma.outboxJob.count()) === 1, 'the finished row to go');
    void first.close();

    // Second process: reclaims and runs the unfinished job only.
    const second = createInProcessQueue();
    const secondRuns: string[] = [];
    second.work(
      'notifications',
      settlement.settle(async (_name, _data, job) => {
        secondRuns.push(job.id);
      }),
    );
    const relay = new OutboxRelay(db.prisma, second, { reclaimOnStart: true });
    await relay.kick();
    await waitFor(() => secondRuns.length === 1, 'the reclaimed job');
    expect(secondRuns).toEqual([ids[1]]);
    await waitFor(async () => (await db.prisma.outboxJob.count()) === 0, 'no rows left');
    await relay.stop();
    await second.close();
  });

  // Postgres only: the embedded database has one connection, so no commit can land while a pass holds it.
  it.runIf(kind === 'postgres')(
    'relays the commits that land during a pass together, in one more pass coalesceMs after it',
    async () => {
      const { queue } = recording();
      const passes: { size: number; start: number; end: number }[] = [];
      const batching: JobQueue = {
        ...queue,
        async addMany(jobs) {
          const pass = { size: jobs.length, start: Date.now(), end: 0 };
          passes.push(pass);
          await sleep(200);
          pass.end = Date.now();
        },
      };
      const relay = new OutboxRelay(db.prisma, batching, { intervalMs: 60_000, coalesceMs: 60 });
      try {
        const commit = (n: number) =>
          db.prisma.$transaction((tx) =>
            enqueueInTransaction(tx, { queue: 'classification', name: 'classify', payload: payload(n) }),
          );
        await commit(100);
        const kicked = Date.now();
        const first = relay.kick();
        await waitFor(() => passes.length === 1, 'the first pass');
        // Idle: the first kick's pass starts at once.
        expect(passes[0]!.start - kicked).toBeLessThan(60);
        for (let n = 101; n < 105; n += 1) {
          await commit(n);
          void relay.kick();
        }
        await first;
        expect(passes.map((p) => p.size)).toEqual([1, 4]);
        // The kicks during the first pass waited coalesceMs after it (a timer may fire a millisecond early).
        expect(passes[1]!.start - passes[0]!.end).toBeGreaterThanOrEqual(55);
      } finally {
        await relay.stop();
      }
    },
  );

  it('kick() relays at once, passes never overlap, and relayed rows stay until their job settles', async () => {
    let inFlight = 0;
    let overlapped = false;
    const { queue, added } = recording();
    const watched: JobQueue = {
      ...queue,
      async add(name, jobName, data, options) {
        inFlight += 1;
        if (inFlight > 1) overlapped = true;
        await sleep(5);
        await queue.add(name, jobName, data, options);
        inFlight -= 1;
      },
    };
    // A long interval: only kicks relay here.
    const relay = new OutboxRelay(db.prisma, watched, { intervalMs: 60_000, batchSize: 2 });
    relay.start();
    for (let n = 0; n < 5; n += 1) {
      await db.prisma.$transaction((tx) =>
        enqueueInTransaction(tx, { queue: 'classification', name: 'classify', payload: payload(n) }),
      );
      void relay.kick();
    }
    await relay.kick();
    expect(added).toHaveLength(5);
    expect(overlapped).toBe(false);

    // Relayed is not done: the rows wait for their jobs (here, nothing runs them).
    expect(await db.prisma.outboxJob.count({ where: { status: 'ENQUEUED' } })).toBe(5);
    await relay.stop();
  });
});
