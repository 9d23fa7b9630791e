import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createInProcessQueue, type SettledJob } from '../../src/jobs/in-process-queue.js';
import { runQueueContract, sleep, waitFor } from './queue-contract.js';

runQueueContract('in-process', async () => {
  const queue = createInProcessQueue();
  return { queue, dispose: () => queue.close() };
});

describe('in-process queue', () => {
  it('remembers completed ids for its retention window only', async () => {
    const queue = createInProcessQueue({ keepCompleted: { count: 2, ageMs: 60_000 } });
    const seen: string[] = [];
    queue.work('classification', async (_name, _data, job) => {
      seen.push(job.id);
    });
    for (const id of ['a', 'b', 'a', 'c']) await queue.add('classification', 'x', {}, { jobId: id });
    await waitFor(() => seen.length === 3, 'three jobs');
    expect(seen).toEqual(['a', 'b', 'c']);
    // Only the two most recent completions are remembered: 'a' runs again, 'c' does not.
    await queue.add('classification', 'x', {}, { jobId: 'a' });
    await queue.add('classification', 'x', {}, { jobId: 'c' });
    await queue.add('classification', 'x', {}, { jobId: 'marker' });
    await waitFor(() => seen.includes('marker'), 'the marker');
    expect(seen).toEqual(['a', 'b', 'c', 'a', 'marker']);
    await queue.close();

    const short = createInProcessQueue({ keepCompleted: { count: 100, ageMs: 50 } });
    let runs = 0;
    short.work('classification', async () => {
      runs += 1;
    });
    await short.add('classification', 'x', {}, { jobId: 'once' });
    await waitFor(() => runs === 1, 'the first run');
    await sleep(60);
    await short.add('classification', 'x', {}, { jobId: 'once' });
    await waitFor(() => runs === 2, 'a run after the window');
    await short.close();
  });

  it('reports each job once it has completed or failed for good', async () => {
    const settled: SettledJob[] = [];
    const queue = createInProcessQueue({ onSettled: (job) => void settled.push(job) });
    queue.work('notifications', async (name) => {
      if (name === 'bad') throw new Error('no');
    });
    await queue.add('notifications', 'good', {}, { jobId: 'good-1' });
    await queue.add('notifications', 'bad', {}, { jobId: 'bad-1', attempts: 2, backoffMs: 1 });
    await waitFor(() => settled.length === 2, 'both outcomes');
    expect(settled).toEqual(
      expect.arrayContaining([
        { queue: 'notifications', id: 'good-1', name: 'good', state: 'completed' },
        { queue: 'notifications', id: 'bad-1', name: 'bad', state: 'failed' },
      ]),
    );
    await queue.close();
  });

  it('hands the handler a JSON copy of the data, as Redis would', async () => {
    const queue = createInProcessQueue();
    const received: unknown[] = [];
    queue.work('classification', async (_name, data) => {
      received.push(data);
    });
    const data = { at: new Date('2026-01-01T00:00:00Z'), list: [1] };
    await queue.add('classification', 'x', data, { jobId: 'json' });
    data.list.push(2);
    await waitFor(() => received.length === 1, 'the job');
    expect(received[0]).toEqual({ at: '2026-01-01T00:00:00.000Z', list: [1] });
    await queue.close();
  });

  it('drops waiting jobs on close and refuses new ones', async () => {
    const queue = createInProcessQueue();
    await queue.add('classification', 'x', {}, { jobId: 'never', delayMs: 10 });
    await queue.close();
    await expect(queue.add('classification', 'x', {}, { jobId: 'late' })).rejects.toThrow(/closed/);
    expect(() => queue.work('classification', async () => undefined)).toThrow(/closed/);
  });

  it('never holds the process open: a process with delayed jobs, retries and schedules exits', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/jobs/fixtures/idle-in-process-queue.ts'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the process did not exit on its own: ${output}`));
      }, 20_000);
      child.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    expect(output).toContain('ready');
    expect(code).toBe(0);
  });
});
