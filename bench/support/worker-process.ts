import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { PROJECT_ROOT, processCpuMs, processRssBytes } from './processes.js';

/** A spawned Node process without an HTTP endpoint to wait for (a job worker). */
export interface WorkerProcess {
  pid: number;
  child: ChildProcess;
  rssBytes(): Promise<number>;
  /** The process's peak resident memory so far (VmHWM), in bytes. */
  peakRssBytes(): Promise<number>;
  cpuMs(): Promise<number>;
  /** The last few KB of its stderr. */
  stderr(): string;
  /** Throws when the process has exited. */
  assertAlive(): void;
  stop(): Promise<void>;
}

/**
 * Spawns `node <args>` in the project root with NODE_ENV=production and `env`. There is nothing to poll:
 * callers know it is ready when it has done some work (e.g. a warm-up job completed).
 */
export function spawnWorker(input: {
  label: string;
  args: string[];
  env?: Record<string, string>;
}): WorkerProcess {
  const child = spawn(process.execPath, input.args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, NODE_ENV: 'production', ...input.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid!;
  return {
    pid,
    child,
    rssBytes: () => processRssBytes(pid),
    peakRssBytes: () => processPeakRssBytes(pid),
    cpuMs: () => processCpuMs(pid),
    stderr: () => stderr,
    assertAlive() {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`${input.label} exited (${child.exitCode ?? child.signalCode}):\n${stderr}`);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function processPeakRssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb) * 1024;
}
