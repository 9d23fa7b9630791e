// `npm run cluster`: the production shape on one machine, for a person to try. Two `ROLE=api` and two
// `ROLE=worker` processes on one Postgres and one Redis, behind HAProxy running deploy/haproxy.cfg (the
// shape test/cluster.test.ts checks). Each process's output is prefixed with its name; Ctrl-C stops them
// all. Kill one (its pid is printed) and watch the balancer and the other processes carry on.
//
// Environment (anything else is passed on to the processes, e.g. OPENAI_API_KEY, SHUTDOWN_DRAIN_SECONDS):
//   DATABASE_URL  default postgres://postgres@127.0.0.1:5432/conversation_intelligence_cluster (created if missing)
//   REDIS_URL     default redis://127.0.0.1:6379
//   HOST          default 127.0.0.1 (the balancer and every process)
//   LB_PORT       default 4100;  API_PORTS default 4101,4102;  WORKER_PORTS default 4111,4112
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { DEMO_LOGIN } from '../src/services/demo-seed.js';
import { API_ENV, API_SERVERS, startBalancer, waitForBalancer, WORKER_ENV } from './cluster-shape.js';

const env = process.env;
const DATABASE_URL =
  env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/conversation_intelligence_cluster';
const REDIS_URL = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const HOST = env.HOST ?? '127.0.0.1';
const LB_PORT = Number(env.LB_PORT ?? 4100);
const ports = (value: string) => value.split(',').map((port) => Number(port.trim()));
const API_PORTS = ports(env.API_PORTS ?? '4101,4102');
const WORKER_PORTS = ports(env.WORKER_PORTS ?? '4111,4112');
const origin = `http://${HOST}:${LB_PORT}`;

const children = new Map<string, ChildProcess>();
let ready = false;
let stopping = false;

/** Each line the child writes, prefixed with its name. */
function prefixLines(name: string, child: ChildProcess): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => console.log(`${name.padEnd(8)}| ${line}`));
  }
}

/** A child that is part of the cluster: its exit during start-up stops everything, later it is reported. */
function start(name: string, child: ChildProcess): ChildProcess {
  children.set(name, child);
  prefixLines(name, child);
  child.once('exit', (code, signal) => {
    children.delete(name);
    if (stopping) return;
    console.log(`${name.padEnd(8)}| exited (${signal ?? `code ${code}`})`);
    if (!ready || children.size === 0) void stop(1);
  });
  return child;
}

function tsx(script: string, extra: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script], {
    env: {
      ...env,
      DATABASE_URL,
      REDIS_URL,
      HOST,
      SEED_DEMO: 'false',
      DASHBOARD_URL: `${origin}/console`,
      ...extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const exits = [...children.values()].map(
    (child) =>
      new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve))),
  );
  for (const child of children.values()) child.kill('SIGTERM');
  await Promise.all(exits);
  process.exit(code);
}

async function createDatabaseIfMissing(): Promise<void> {
  const name = decodeURIComponent(new URL(DATABASE_URL).pathname.slice(1));
  const server = new URL(DATABASE_URL);
  server.pathname = '/postgres';
  const client = new pg.Client({ connectionString: server.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      console.log(`Created the database ${name}.`);
    }
  } finally {
    await client.end();
  }
}

/** Polls the process's /readyz until it answers 200. */
async function readyz(port: number): Promise<void> {
  while (!stopping) {
    const response = await fetch(`http://${HOST}:${port}/readyz`).catch(() => undefined);
    if (response?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  await createDatabaseIfMissing();
  // Migrations and the demo workspace once, before the processes start (each would migrate, as a no-op).
  const setup = tsx('prisma/seed.ts', {});
  prefixLines('setup', setup);
  if ((await new Promise((resolve) => setup.once('exit', resolve))) !== 0) return void stop(1);

  API_PORTS.forEach((port, index) =>
    start(API_SERVERS[index] ?? `api${index + 1}`, tsx('src/main.ts', { ...API_ENV, PORT: String(port) })),
  );
  WORKER_PORTS.forEach((port, index) =>
    start(`worker${index + 1}`, tsx('src/main.ts', { ...WORKER_ENV, PORT: String(port) })),
  );
  await Promise.all([...API_PORTS, ...WORKER_PORTS].map(readyz));
  if (stopping) return;

  const balancer = startBalancer({
    bind: `${HOST}:${LB_PORT}`,
    apis: API_PORTS.map((port) => `${HOST}:${port}`),
  });
  start('haproxy', balancer.child);
  await waitForBalancer(balancer);
  ready = true;

  const pids = [...children].map(([name, child]) => `${name} ${child.pid}`).join(', ');
  console.log(
    [
      '',
      `  Cluster ready: ${origin}/graphql through HAProxy (WebSocket: ws://${HOST}:${LB_PORT}/graphql)`,
      `  Agent console: ${origin}/console/ (after npm run console:build)`,
      `  Demo login: ${DEMO_LOGIN.email} / ${DEMO_LOGIN.password}`,
      `  Processes: ${pids}`,
      '  Try `kill -9 <pid>` on an api or a worker; Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  void stop(1);
});
