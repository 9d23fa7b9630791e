// The shape `npm run cluster` starts and test/cluster.test.ts checks: `ROLE=api` and `ROLE=worker`
// processes on one Postgres and one Redis, behind HAProxy running deploy/haproxy.cfg. What the script and
// the test must agree on lives here: each role's environment and how the balancer is started and awaited.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const HAPROXY_CONFIG = fileURLToPath(new URL('../deploy/haproxy.cfg', import.meta.url));

/** Debian's package installs it in /usr/sbin, which is not on every user's PATH. */
export const HAPROXY =
  process.env.HAPROXY ?? (existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy');

/** The `server` names of deploy/haproxy.cfg, for API_1 and API_2; its `x-served-by` header names them. */
export const API_SERVERS = ['api1', 'api2'] as const;

/** On top of DATABASE_URL and REDIS_URL. TRUST_PROXY=1: the balancer appends the caller to X-Forwarded-For. */
export const API_ENV = { ROLE: 'api', TRUST_PROXY: '1', QUEUE_PREFIX: 'cluster' } as const;
export const WORKER_ENV = { ROLE: 'worker', QUEUE_PREFIX: 'cluster' } as const;

export interface Balancer {
  /** http://host:port of the balancer (GraphQL on /graphql, WebSocket on ws://…/graphql). */
  origin: string;
  child: ChildProcess;
  /** Everything HAProxy wrote so far (its request log included). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * HAProxy in the foreground on `bind` (host:port) in front of the api processes at `apis` (host:port each,
 * in the order of API_SERVERS). Returns at once: `waitForBalancer` tells when it serves.
 */
export function startBalancer(options: {
  bind: string;
  apis: readonly string[];
  onOutput?: (chunk: string) => void;
}): Balancer {
  if (options.apis.length !== API_SERVERS.length) {
    throw new Error(`deploy/haproxy.cfg names ${API_SERVERS.length} api servers, got ${options.apis.length}`);
  }
  const child = spawn(HAPROXY, ['-f', HAPROXY_CONFIG, '-db'], {
    env: {
      ...process.env,
      LB_BIND: options.bind,
      ...Object.fromEntries(options.apis.map((address, index) => [`API_${index + 1}`, address])),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    options.onOutput?.(chunk.toString());
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    origin: `http://${options.bind}`,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Polls /readyz through the balancer until every api server has answered (both are in rotation). */
export async function waitForBalancer(balancer: Balancer, timeoutMs = 30_000): Promise<void> {
  const seen = new Set<string>();
  const deadline = Date.now() + timeoutMs;
  while (seen.size < API_SERVERS.length) {
    if (balancer.child.exitCode !== null) {
      throw new Error(`haproxy exited with ${balancer.child.exitCode}:\n${balancer.output()}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`the balancer did not reach every api (saw ${[...seen].join(', ') || 'none'})`);
    }
    const response = await fetch(`${balancer.origin}/readyz`).catch(() => undefined);
    const server = response?.headers.get('x-served-by');
    if (response?.status === 200 && server) seen.add(server);
    else await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
