// Scenario 7, start-up: the time from spawning the process to the first answered query (`{ __typename }`
// POSTed to /graphql until it answers 200 with data; polled every 5 ms, refused connections included).
//  - Ours: `node dist/main.js` in production mode on Postgres and Redis (a Redis logical database of the
//    scenario's own), default ROLE (all: api and workers), default LOG_LEVEL and SEED_DEMO, on a database
//    already migrated: a normal restart. Baseline: a minimal graphql-yoga hello server
//    (bench/baselines/yoga-hello.ts), compiled here to plain ESM JavaScript and run by plain `node` as the
//    platform's dist/ is, so neither pays a TypeScript loader. Alternating, the median quoted. Goal: ≤ 5×.
//  - Reported without a goal: the first start on a fresh (empty, unmigrated) Postgres database, which
//    applies every migration first; and the embedded default from a new data directory (`node
//    dist/main.js` with no DATABASE_URL/REDIS_URL, DATA_DIR=<new temp dir>, SEED_DEMO default: PGlite is
//    created, migrated and the demo workspace seeded; most of it is PGlite's own initdb in WebAssembly).
// --quick: no fresh-database start, one embedded start instead of three (the restart rounds come from the
// harness: 2 quick, 5 full).
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import ts from 'typescript';
import { scratchDatabase } from '../support/scratch-database.js';
import { withDatabaseName } from '../../src/db/schema-engine.js';
import { alternate, compare, median, report } from '../support/measurement.js';
import { delay, freePort, PROJECT_ROOT } from '../support/processes.js';
import { claimRedisDatabase } from '../support/redis-db.js';
import type { Measurement, Scenario } from '../support/types.js';

const QUERY = JSON.stringify({ query: '{ __typename }' });

export const startupScenario: Scenario = {
  id: 'startup',
  title: 'Start-up',
  async run(context) {
    const extraRounds = context.quick ? 1 : 3;
    const baseline = await compileBaseline();
    const redis = await claimRedisDatabase(context.redisUrl, 'startup');
    const db = await scratchDatabase('bench_startup', context.databaseUrl);
    try {
      const platformEnv = { DATABASE_URL: db.url!, REDIS_URL: redis.url };
      // One start first, so the first round does not pay for a cold file cache (it warms the baseline's
      // modules too: graphql-yoga is among the platform's).
      await timeToFirstAnswer('platform', ['dist/main.js'], platformEnv);
      const restart = await alternate(context.rounds, {
        ours: async () => {
          const ms = await timeToFirstAnswer('platform', ['dist/main.js'], platformEnv);
          context.log(`restart on Postgres + Redis: ${ms.toFixed(0)} ms`);
          return ms;
        },
        baseline: async () => {
          const ms = await timeToFirstAnswer('yoga hello', [baseline], {});
          context.log(`yoga hello: ${ms.toFixed(0)} ms`);
          return ms;
        },
      });

      const fresh: number[] = [];
      const embedded: number[] = [];
      for (let round = 0; round < extraRounds; round++) {
        if (!context.quick) {
          fresh.push(await freshDatabaseStart(context.databaseUrl, redis.url));
          context.log(`first start on a fresh database: ${fresh.at(-1)!.toFixed(0)} ms`);
        }
        embedded.push(await embeddedStart());
        context.log(`embedded default, new data directory: ${embedded.at(-1)!.toFixed(0)} ms`);
      }
      const measurements: Measurement[] = [
        compare({
          scenario: 'startup',
          metric: 'spawn to first answered query, restart on Postgres + Redis (ROLE=all)',
          unit: 'ms',
          ours: restart.ours,
          baseline: restart.baseline,
          baselineLabel: 'graphql-yoga hello',
          goal: { op: '<=', value: 5 },
          detail: { oursRounds: restart.oursRounds, baselineRounds: restart.baselineRounds },
        }),
        ...(fresh.length
          ? [
              report({
                scenario: 'startup',
                metric:
                  'spawn to first answered query, first start on a fresh Postgres database (migrations)',
                unit: 'ms',
                ours: median(fresh),
                detail: { rounds: fresh },
              }),
            ]
          : []),
        report({
          scenario: 'startup',
          metric: 'spawn to first answered query, embedded default from a new data directory',
          unit: 'ms',
          ours: median(embedded),
          detail: { rounds: embedded },
        }),
      ];
      return measurements;
    } finally {
      await db.dispose();
      await redis.release();
    }
  },
};

/** bench/baselines/yoga-hello.ts as plain ESM JavaScript under node_modules/.cache (so its imports resolve). */
async function compileBaseline(): Promise<string> {
  const source = await readFile(join(PROJECT_ROOT, 'bench/baselines/yoga-hello.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023 },
  });
  const dir = join(PROJECT_ROOT, 'node_modules/.cache/bench-baselines');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'yoga-hello.mjs');
  await writeFile(file, outputText);
  return file;
}

/**
 * Spawns `node <args>` (NODE_ENV=production, PORT, HOST=127.0.0.1, `env`, nothing else of the bench's own
 * settings), polls `{ __typename }` until it is answered with data, returns the milliseconds since the spawn,
 * and stops the process (SIGTERM, then SIGKILL after 15 s).
 */
async function timeToFirstAnswer(
  label: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<number> {
  const port = await freePort();
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !['DATABASE_URL', 'REDIS_URL', 'ROLE', 'LOG_LEVEL', 'SEED_DEMO', 'DATA_DIR'].includes(key),
    ),
  );
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    // SHUTDOWN_DRAIN_SECONDS=0: no load balancer here, so the platform stops at once between rounds.
    env: {
      ...inherited,
      NODE_ENV: 'production',
      SHUTDOWN_DRAIN_SECONDS: '0',
      PORT: String(port),
      HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`${label} exited before answering:\n${stderr}`);
      try {
        const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: QUERY,
          signal: AbortSignal.timeout(5_000),
        });
        if (response.ok) {
          const body = (await response.json()) as { data?: { __typename?: string } };
          if (body.data?.__typename === 'Query') return performance.now() - started;
        } else {
          await response.arrayBuffer();
        }
      } catch {
        // not listening yet
      }
      if (performance.now() - started > timeoutMs)
        throw new Error(`${label} did not answer within ${timeoutMs / 1000} s:\n${stderr}`);
      await delay(5);
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
  }
}

/** An empty database (not migrated): the platform applies every migration before it serves. */
async function freshDatabaseStart(serverUrl: string, redisUrl: string): Promise<number> {
  const name = `bench_startup_fresh_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
    const ms = await timeToFirstAnswer('platform (fresh database)', ['dist/main.js'], {
      DATABASE_URL: withDatabaseName(serverUrl, name),
      REDIS_URL: redisUrl,
    }).finally(() => dropDatabase(admin, name));
    return ms;
  } finally {
    await admin.end();
  }
}

/** DROP DATABASE, retried while the stopped server's connections are still going away. */
async function dropDatabase(admin: pg.Client, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
      return;
    } catch (error) {
      if (attempt >= 20) throw error;
      await delay(100);
    }
  }
}

/** No DATABASE_URL or REDIS_URL, a new DATA_DIR: PGlite is created, migrated and the demo seeded. */
async function embeddedStart(): Promise<number> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-startup-'));
  try {
    return await timeToFirstAnswer('platform (embedded)', ['dist/main.js'], { DATA_DIR: dataDir });
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
