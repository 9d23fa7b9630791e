import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBullmqQueue, decodeJobId, encodeJobId } from '../../src/jobs/bullmq-queue.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { REDIS_URL } from '../support/live.js';
import { EFFECTS_TABLE_SQL, recordEffect } from './fixtures/effects.js';
import { runQueueContract, waitFor } from './queue-contract.js';

/** Each test has its own key prefix on the shared Redis, and removes its keys afterwards. */
const newPrefix = () => `test-jobs-${randomBytes(6).toString('hex')}`;

let redis: Redis | undefined;
async function removeKeys(prefix: string): Promise<void> {
  redis ??= new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}
afterAll(async () => {
  await redis?.quit();
});

runQueueContract('BullMQ', async () => {
  const prefix = newPrefix();
  const queue = createBullmqQueue(REDIS_URL, { prefix });
  return {
    queue,
    async dispose() {
      await queue.close();
      await removeKeys(prefix);
    },
  };
});

describe('BullMQ queue', () => {
  it('escapes job ids BullMQ would refuse, reversibly and deterministically', () => {
    for (const id of ['message:42', '42', '-7', '%3A', '%i42', 'a%b:c', 'plain-uuid-like', '', '007']) {
      const encoded = encodeJobId(id);
      expect(encoded).toBe(encodeJobId(id));
      expect(encoded).not.toContain(':');
      expect(String(Number.parseInt(encoded, 10))).not.toBe(encoded);
      expect(decodeJobId(encoded)).toBe(id);
    }
    expect(new Set(['a:b', 'a%3Ab', 'a%253Ab'].map(encodeJobId)).size).toBe(3);
    // Ids BullMQ made itself (schedules) read back as they are.
    expect(decodeJobId('repeat:hourly:1700000000000')).toBe('repeat:hourly:1700000000000');
  });

  it('keeps failed jobs in Redis: another process lists them and retries them', async () => {
    const prefix = newPrefix();
    const first = createBullmqQueue(REDIS_URL, { prefix });
    const second = createBullmqQueue(REDIS_URL, { prefix });
    try {
      first.work('notifications', async () => {
        throw new Error('webhook answered 500');
      });
      await first.add(
        'notifications',
        'notify',
        { organizationId: 'org-1' },
        { jobId: 'hook:1', attempts: 1 },
      );
      await waitFor(async () => (await first.failed('notifications')).length === 1, 'the failure');
      await first.close();

      const [failed] = await second.failed('notifications');
      expect(failed).toMatchObject({ id: 'hook:1', failedReason: 'webhook answered 500', attemptsMade: 1 });
      let ran = 0;
      second.work('notifications', async () => {
        ran += 1;
      });
      expect(await second.retry('notifications', 'hook:1')).toBe(true);
      await waitFor(() => ran === 1, 'the retried job');
      await waitFor(async () => (await second.failed('notifications')).length === 0, 'no failures left');
    } finally {
      await first.close();
      await second.close();
      await removeKeys(prefix);
    }
  });

  it('addMany adds each job once under its id, in order per queue, with the options add gives it', async () => {
    const prefix = newPrefix();
    const queue = createBullmqQueue(REDIS_URL, { prefix });
    const raw = new Queue('classification', { connection: { url: REDIS_URL }, prefix });
    const other = new Queue('notifications', { connection: { url: REDIS_URL }, prefix });
    try {
      await queue.add('classification', 'classify', { n: 0 }, { jobId: 'm:0' });
      await queue.addMany!([
        { queue: 'classification', name: 'classify', data: { n: 0, again: true }, options: { jobId: 'm:0' } },
        { queue: 'classification', name: 'classify', data: { n: 1 }, options: { jobId: 'm:1' } },
        { queue: 'notifications', name: 'deliver', data: { n: 2 }, options: { jobId: 'd:2', attempts: 2 } },
        { queue: 'classification', name: 'classify', data: { n: 3 }, options: { jobId: 'm:3' } },
      ]);
      const waiting = await raw.getWaiting();
      expect(waiting.map((job) => [decodeJobId(job.id!), job.data])).toEqual([
        ['m:0', { n: 0 }],
        ['m:1', { n: 1 }],
        ['m:3', { n: 3 }],
      ]);
      const [delivery] = await other.getWaiting();
      expect(decodeJobId(delivery!.id!)).toBe('d:2');
      expect(delivery!.opts).toMatchObject({ attempts: 2, backoff: { type: 'capped-exponential' } });
    } finally {
      await raw.close();
      await other.close();
      await queue.close();
      await removeKeys(prefix);
    }
  });

  it('keeps one scheduler per name, in UTC', async () => {
    const prefix = newPrefix();
    const queue = createBullmqQueue(REDIS_URL, { prefix });
    const raw = new Queue('sentiment', { connection: { url: REDIS_URL }, prefix });
    try {
      await queue.schedule('sentiment', 'hourly-sentiment', '0 * * * *', { scope: 'all' });
      await queue.schedule('sentiment', 'hourly-sentiment', '30 * * * *', { scope: 'all' });
      const schedulers = await raw.getJobSchedulers();
      expect(schedulers).toHaveLength(1);
      expect(schedulers[0]).toMatchObject({ name: 'hourly-sentiment', pattern: '30 * * * *', tz: 'UTC' });
    } finally {
      await raw.close();
      await queue.close();
      await removeKeys(prefix);
    }
  });

  describe('a worker killed mid-job', () => {
    let db: TestDatabase;
    let pool: pg.Pool;
    beforeAll(async () => {
      db = await createTestDatabase('postgres');
      pool = new pg.Pool({ connectionString: db.url, max: 2 });
      await pool.query(EFFECTS_TABLE_SQL);
    });
    afterAll(async () => {
      await pool?.end();
      await db?.drop();
    });

    it('leaves its job to another worker, which finishes it; the effect is stored once', async () => {
      const prefix = newPrefix();
      const producer = createBullmqQueue(REDIS_URL, { prefix });
      let child: ChildProcess | undefined;
      // Short locks, so that the stalled job is taken up again within a second or two.
      const rescuer = createBullmqQueue(REDIS_URL, { prefix, lockDurationMs: 1000, stalledIntervalMs: 500 });
      try {
        await producer.add('classification', 'classify', { organizationId: 'org-1' }, { jobId: 'message:1' });
        child = spawn(process.execPath, ['--import', 'tsx', 'test/jobs/fixtures/stalling-worker.ts'], {
          env: { ...process.env, REDIS_URL, QUEUE_PREFIX: prefix, DATABASE_URL: db.url },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
        const effects = async () =>
          (await pool.query<{ job_id: string; runs: number }>('SELECT job_id, runs FROM job_effects')).rows;
        // The child writes its effect, then says so, then hangs: kill it only after both.
        await waitFor(
          () => output.includes('effect recorded for message:1'),
          () => `the child's effect (output: ${output})`,
          30_000,
        );
        expect(await effects()).toEqual([{ job_id: 'message:1', runs: 1 }]);

        const exited = new Promise((resolve) => child?.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;

        let finished = false;
        rescuer.work('classification', async (_name, _data, job) => {
          await recordEffect(pool, job.id);
          finished = true;
        });
        await waitFor(() => finished, 'the job to be finished by the new worker', 30_000);
        expect(await effects()).toEqual([{ job_id: 'message:1', runs: 2 }]);
        expect(await rescuer.failed('classification')).toEqual([]);
      } finally {
        if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await rescuer.close();
        await producer.close();
        await removeKeys(prefix);
      }
    });
  });
});
