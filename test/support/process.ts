// The product as a real process (src/main.ts through tsx), for tests of what only a process shows: its
// log, several processes sharing Redis, signals.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface ServerProcess {
  /** The GraphQL URL it printed (api roles only). */
  url: string;
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * The processes of one test file share their rate limits (as api processes of one deployment do); other
 * files and earlier runs, which count in the same Redis, do not (signUp allows 10 an hour per address).
 */
export const RUN_RATE_LIMIT_PREFIX = `rl-test-${randomBytes(4).toString('hex')}`;

/**
 * The BullMQ queues of one test file, apart from those of the files running at the same time on the same
 * Redis: a worker of another file would take this file's jobs (and find none of their rows in its database).
 */
export const RUN_QUEUE_PREFIX = `q-test-${randomBytes(4).toString('hex')}`;

const READY = /"url":"([^"]+)","msg":"GraphQL API and GraphiQL ready"/;

/** Starts `tsx src/main.ts` with the environment given on top of this one; resolves once it serves. */
export async function startServerProcess(
  env: Record<string, string>,
  options: { timeoutMs?: number; ready?: RegExp } = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SEED_DEMO: 'false',
      RATE_LIMIT_PREFIX: RUN_RATE_LIMIT_PREFIX,
      QUEUE_PREFIX: RUN_QUEUE_PREFIX,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const ready = options.ready ?? READY;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no start within ${options.timeoutMs ?? 60_000} ms:\n${output}`)),
      options.timeoutMs ?? 60_000,
    );
    const check = () => {
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout.off('data', check);
        resolve(match[1] ?? '');
      }
    };
    child.stdout.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before serving:\n${output}`));
    });
  });
  return {
    url,
    child,
    output: () => output,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
