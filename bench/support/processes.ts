import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A free TCP port on 127.0.0.1 (the kernel picks it; it is released before we return). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

export interface Service {
  pid: number;
  port: number;
  /** Base URL, e.g. http://127.0.0.1:4123 */
  origin: string;
  /** Resident memory of the process now, in bytes (from /proc). */
  rssBytes(): Promise<number>;
  /** User + system CPU time of the process so far, in milliseconds (from /proc). */
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
  child: ChildProcess;
}

/**
 * Spawns a Node process that listens on PORT and waits until `readyPath` answers 2xx. Its stderr is kept
 * (last lines shown if it dies before being ready).
 */
export async function spawnService(input: {
  label: string;
  args: string[];
  env?: Record<string, string>;
  readyPath: string;
  port?: number;
  timeoutMs?: number;
}): Promise<Service> {
  const port = input.port ?? (await freePort());
  const child = spawn(process.execPath, input.args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', ...input.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (input.timeoutMs ?? 60_000);
  for (;;) {
    const state = await Promise.race([exited.then(() => 'exited' as const), delay(25).then(() => 'wait')]);
    if (state === 'exited') throw new Error(`${input.label} exited before it was ready:\n${stderr}`);
    try {
      const response = await fetch(`${origin}${input.readyPath}`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${input.label} not ready after ${input.timeoutMs ?? 60_000} ms:\n${stderr}`);
    }
  }
  const pid = child.pid!;
  return {
    pid,
    port,
    origin,
    child,
    rssBytes: () => processRssBytes(pid),
    cpuMs: () => processCpuMs(pid),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The platform's api in production mode (`node dist/main.js`, built by `bench/run.ts`), on Postgres and
 * Redis. ROLE defaults to `api` so jobs are queued but run elsewhere (the scenario starts workers if it
 * wants them).
 */
export function startPlatform(input: {
  databaseUrl: string;
  redisUrl: string;
  role?: 'api' | 'worker' | 'all';
  env?: Record<string, string>;
  port?: number;
}): Promise<Service> {
  return spawnService({
    label: 'platform',
    args: ['dist/main.js'],
    readyPath: '/readyz',
    ...(input.port ? { port: input.port } : {}),
    env: {
      DATABASE_URL: input.databaseUrl,
      REDIS_URL: input.redisUrl,
      ROLE: input.role ?? 'api',
      LOG_LEVEL: 'warn',
      SEED_DEMO: 'false',
      // Counters of its own: earlier scenarios, runs and tests on this Redis must not have used up its
      // sign-ups (the abuse scenario floods signUp on purpose).
      RATE_LIMIT_PREFIX: `rl-bench-${randomBytes(4).toString('hex')}`,
      // No load balancer to take it out first: stop at once (production's default drains for 5 s).
      SHUTDOWN_DRAIN_SECONDS: '0',
      ...input.env,
    },
  });
}

export async function processRssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb) * 1024;
}

/** utime + stime of a process in ms (clock ticks are 100 per second on Linux). */
export async function processCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
