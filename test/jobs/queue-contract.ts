// The behaviour every JobQueue adapter must have, run against each of them (in-process and BullMQ), so
// that the embedded default and production behave alike.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobQueue } from '../../src/jobs/queue.js';

export interface QueueHarness {
  queue: JobQueue;
  /** Closes the queue and removes whatever it left behind (Redis keys). */
  dispose(): Promise<void>;
}

/** Waits until a condition holds (polling), for effects that arrive asynchronously. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string | (() => string),
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    }
    await sleep(10);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A promise and the function that resolves it. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

// Timers may fire a millisecond early against Date.now(); lower bounds allow for that, never more.
const CLOCK_SLACK_MS = 5;

export function runQueueContract(label: string, makeHarness: () => Promise<QueueHarness>): void {
  describe(`JobQueue contract: ${label}`, () => {
    let harness: QueueHarness;
    let queue: JobQueue;
    beforeEach(async () => {
      harness = await makeHarness();
      queue = harness.queue;
    });
    afterEach(() => harness?.dispose());

    it('retries a failing job with exponential backoff until a try succeeds', async () => {
      const tries: { attemptsMade: number; at: number }[] = [];
      let completed = false;
      queue.work('classification', async (_name, _data, job) => {
        tries.push({ attemptsMade: job.attemptsMade, at: Date.now() });
        if (tries.length < 3) throw new Error(`try ${tries.length} fails`);
        completed = true;
      });
      await queue.add(
        'classification',
        'flaky',
        { organizationId: 'org-1' },
        {
          jobId: 'flaky-1',
          attempts: 5,
          backoffMs: 100,
        },
      );
      await waitFor(() => completed, 'the third try');
      expect(tries.map((t) => t.attemptsMade)).toEqual([0, 1, 2]);
      // The waits double: at least 100 ms, then at least 200 ms (lower bounds only).
      expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(100 - CLOCK_SLACK_MS);
      expect(tries[2]!.at - tries[1]!.at).toBeGreaterThanOrEqual(200 - CLOCK_SLACK_MS);
      expect(await queue.failed('classification')).toEqual([]);
    });

    it('gives up after its attempts and keeps the failure, with its reason, newest first', async () => {
      let calls = 0;
      queue.work('notifications', async () => {
        calls += 1;
        throw new Error('SMTP refused');
      });
      const data = { organizationId: 'org-1', escalationId: 'esc-1' };
      await queue.add('notifications', 'notify', data, { jobId: 'doomed-1', attempts: 3, backoffMs: 10 });
      await waitFor(async () => (await queue.failed('notifications')).length === 1, 'the failure');
      expect(calls).toBe(3);
      const [failed] = await queue.failed('notifications');
      expect(failed).toMatchObject({
        id: 'doomed-1',
        queue: 'notifications',
        name: 'notify',
        data,
        attemptsMade: 3,
        failedReason: 'SMTP refused',
      });
      expect(failed?.failedAt).toBeInstanceOf(Date);

      await queue.add('notifications', 'notify', data, { jobId: 'doomed-2', attempts: 1 });
      await waitFor(async () => (await queue.failed('notifications')).length === 2, 'the second failure');
      expect((await queue.failed('notifications')).map((job) => job.id)).toEqual(['doomed-2', 'doomed-1']);
      expect((await queue.failed('notifications', 1)).map((job) => job.id)).toEqual(['doomed-2']);
      expect(await queue.failed('classification')).toEqual([]);
    });

    it('retry() runs a failed job again with all its attempts, and only a failed one', async () => {
      let healthy = false;
      const runs: number[] = [];
      let succeeded = 0;
      queue.work('classification', async (_name, _data, job) => {
        runs.push(job.attemptsMade);
        if (!healthy) throw new Error('model unavailable');
        succeeded += 1;
      });
      await queue.add(
        'classification',
        'classify',
        { organizationId: 'org-1' },
        {
          jobId: 'retry-me',
          attempts: 1,
        },
      );
      await waitFor(async () => (await queue.failed('classification')).length === 1, 'the failure');
      expect(await queue.retry('classification', 'no-such-job')).toBe(false);
      expect(await queue.retry('notifications', 'retry-me')).toBe(false);

      healthy = true;
      expect(await queue.retry('classification', 'retry-me')).toBe(true);
      await waitFor(() => succeeded === 1, 'the retried run');
      expect(runs).toEqual([0, 0]);
      await waitFor(async () => (await queue.failed('classification')).length === 0, 'an empty failed list');
      // Completed now: nothing to retry, and it does not run again.
      expect(await queue.retry('classification', 'retry-me')).toBe(false);
    });

    it('ignores a job id it already has: waiting, and completed', async () => {
      const seen: string[] = [];
      // Ids of any shape: BullMQ itself refuses ':' and integers, the adapter must not.
      await queue.add('classification', 'classify', { n: 1 }, { jobId: 'message:42' });
      await queue.add('classification', 'classify', { n: 2 }, { jobId: 'message:42' });
      await queue.add('classification', 'classify', { n: 3 }, { jobId: '42' });
      queue.work('classification', async (name, data, job) => {
        seen.push(`${name} ${job.id} ${JSON.stringify(data)}`);
      });
      // One at a time, in order: once a later marker ran, an earlier duplicate would have run too.
      await queue.add('classification', 'marker', {}, { jobId: 'marker-1' });
      await waitFor(() => seen.length === 3, 'the first jobs');
      await queue.add('classification', 'classify', { n: 4 }, { jobId: 'message:42' });
      await queue.add('classification', 'classify', { n: 5 }, { jobId: '42' });
      await queue.add('classification', 'marker', {}, { jobId: 'marker-2' });
      await waitFor(() => seen.some((line) => line.includes('marker-2')), 'the second marker');
      expect(seen).toEqual([
        'classify message:42 {"n":1}',
        'classify 42 {"n":3}',
        'marker marker-1 {}',
        'marker marker-2 {}',
      ]);
    });

    it('runs a delayed job after its delay, and later jobs before it', async () => {
      const order: string[] = [];
      const startedAt = new Map<string, number>();
      queue.work('notifications', async (name) => {
        order.push(name);
        startedAt.set(name, Date.now());
      });
      const addedAt = Date.now();
      await queue.add('notifications', 'later', {}, { jobId: 'later', delayMs: 400 });
      await queue.add('notifications', 'now', {}, { jobId: 'now' });
      await waitFor(() => order.length === 2, 'both jobs');
      expect(order).toEqual(['now', 'later']);
      expect(startedAt.get('later')! - addedAt).toBeGreaterThanOrEqual(400 - CLOCK_SLACK_MS);
    });

    it('never runs more jobs at once than its concurrency', async () => {
      let running = 0;
      let most = 0;
      let finished = 0;
      const release = gate();
      queue.work(
        'classification',
        async () => {
          running += 1;
          most = Math.max(most, running);
          await release.wait;
          running -= 1;
          finished += 1;
        },
        { concurrency: 2 },
      );
      for (let index = 0; index < 5; index += 1) {
        await queue.add('classification', 'classify', { index }, { jobId: `concurrent-${index}` });
      }
      await waitFor(() => running === 2, 'two running jobs');
      // Time for a third to start, were the limit not kept.
      await sleep(300);
      expect(running).toBe(2);
      release.open();
      await waitFor(() => finished === 5, 'all jobs');
      expect(most).toBe(2);
    });

    it('schedule() runs a job on a cron pattern; scheduling the same name again replaces it', async () => {
      const runs: { name: string; data: unknown }[] = [];
      queue.work('sentiment', async (name, data) => {
        runs.push({ name, data });
      });
      await queue.schedule('sentiment', 'every-second', '* * * * * *', { version: 1 });
      await queue.schedule('sentiment', 'every-second', '* * * * * *', { version: 2 });
      // BullMQ creates the next run when a schedule is registered, so the tick already planned may still
      // carry the first data; from the first run of the new schedule on, every run carries the new data.
      const firstOfNew = () => runs.findIndex((run) => (run.data as { version: number }).version === 2);
      await waitFor(
        () => firstOfNew() >= 0 && runs.length >= firstOfNew() + 2,
        'two runs of the new schedule',
      );
      expect(firstOfNew()).toBeLessThanOrEqual(1);
      expect(runs.slice(firstOfNew())).toEqual(
        runs.slice(firstOfNew()).map(() => ({ name: 'every-second', data: { version: 2 } })),
      );
      await expect(queue.schedule('sentiment', 'broken', 'not a cron', {})).rejects.toThrow();
    });

    it('tells where a job is, and requeue() runs a failed or missing job again with all its tries', async () => {
      let healthy = false;
      const runs: string[] = [];
      queue.work('classification', async (_name, _data, job) => {
        runs.push(`${job.id}@${job.attemptsMade}/${job.attempts}`);
        if (!healthy) throw new Error('not yet');
      });
      expect(await queue.state('classification', 'never-added')).toBe('missing');
      await queue.add(
        'classification',
        'classify',
        { n: 1 },
        { jobId: 'state-1', attempts: 2, backoffMs: 1 },
      );
      await waitFor(async () => (await queue.state('classification', 'state-1')) === 'failed', 'the failure');
      expect(runs).toEqual(['state-1@0/2', 'state-1@1/2']);
      healthy = true;
      await queue.requeue({
        queue: 'classification',
        name: 'classify',
        data: { n: 1 },
        options: { jobId: 'state-1', attempts: 2 },
      });
      await waitFor(
        async () => (await queue.state('classification', 'state-1')) === 'completed',
        'completion',
      );
      expect(runs.at(-1)).toBe('state-1@0/2');
      // A completed job is left alone; a missing one is added.
      await queue.requeue({
        queue: 'classification',
        name: 'classify',
        data: {},
        options: { jobId: 'state-1' },
      });
      await queue.requeue({
        queue: 'classification',
        name: 'classify',
        data: {},
        options: { jobId: 'state-2' },
      });
      await waitFor(
        async () => (await queue.state('classification', 'state-2')) === 'completed',
        'the added one',
      );
      expect(runs.filter((run) => run.startsWith('state-1'))).toHaveLength(3);
    });

    it('hasSchedule() says whether a schedule exists', async () => {
      expect(await queue.hasSchedule('metrics', 'hourly-rollup')).toBe(false);
      await queue.schedule('metrics', 'hourly-rollup', '5 * * * *', {});
      expect(await queue.hasSchedule('metrics', 'hourly-rollup')).toBe(true);
    });

    it('close() waits for a running job to finish', async () => {
      const release = gate();
      let started = false;
      let finished = false;
      queue.work('notifications', async () => {
        started = true;
        await release.wait;
        finished = true;
      });
      await queue.add('notifications', 'slow', {}, { jobId: 'slow-1' });
      await waitFor(() => started, 'the job to start');
      let closed = false;
      const closing = queue.close().then(() => {
        closed = true;
      });
      await sleep(200);
      expect(closed).toBe(false);
      release.open();
      await closing;
      expect(finished).toBe(true);
    });
  });
}
