// `npm run bench [-- --quick] [--only ingest,dashboard] [--rounds 5] [--no-build]`: every scenario of the
// benchmark issue against its baseline, on real Postgres (DATABASE_URL) and Redis (REDIS_URL), in production
// mode (the built `dist/`). Progress goes to stderr; the table to stdout and, with the JSON, to bench/results/.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { scenarios } from './scenarios/index.js';
import { describeMachine } from './support/machine.js';
import { PROJECT_ROOT } from './support/processes.js';
import { resultTable } from './support/table.js';
import type { BenchContext, Measurement } from './support/types.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    rounds: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
  },
});
const quick = values.quick ?? false;
const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
process.env.DATABASE_URL = databaseUrl;
process.env.REDIS_URL = redisUrl;
const only = values.only?.split(',').map((id) => id.trim());
const unknown = only?.filter((id) => !scenarios.some((scenario) => scenario.id === id)) ?? [];
if (unknown.length) {
  console.error(
    `Unknown scenario(s): ${unknown.join(', ')}. Known: ${scenarios.map((s) => s.id).join(', ')}`,
  );
  process.exit(2);
}
const selected = scenarios.filter((scenario) => !only || only.includes(scenario.id));
const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const context: BenchContext = {
  quick,
  rounds: values.rounds ? Number(values.rounds) : quick ? 2 : 5,
  databaseUrl,
  redisUrl,
  log,
};

if (!values['no-build']) {
  log('building dist/ (production mode)');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
}

const machine = await describeMachine(databaseUrl, redisUrl);
const startedAt = new Date();
const measurements: Measurement[] = [];
const failures: { scenario: string; error: string }[] = [];
for (const scenario of selected) {
  log(`— ${scenario.title}`);
  const began = performance.now();
  try {
    const figures = await scenario.run({ ...context, log: (line) => log(`  [${scenario.id}] ${line}`) });
    measurements.push(...figures);
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    failures.push({ scenario: scenario.id, error: message });
    log(`  [${scenario.id}] FAILED: ${message}`);
  }
  log(`  [${scenario.id}] ${((performance.now() - began) / 1000).toFixed(1)} s`);
}

const seconds = (Date.now() - startedAt.getTime()) / 1000;
const table = resultTable(measurements);
const mode = quick ? 'quick' : 'full';
const stamp = startedAt.toISOString().replace(/[:.]/g, '-').slice(0, 19);
const header =
  `# Benchmark results (${mode}, ${startedAt.toISOString()}, ${seconds.toFixed(0)} s)\n\n` +
  `Machine: ${machine.cpu}, ${machine.memoryGiB} GiB, ${machine.os}; Node ${machine.node}, ` +
  `PostgreSQL ${machine.postgres}, Redis ${machine.redis}; commit ${machine.commit}; ` +
  `load average at start ${machine.loadAverage.join(' / ')}.\n\n` +
  `Every ratio is ours / baseline, measured in the same invocation, alternating, ${context.rounds} rounds, median quoted.\n`;
const failed = failures.length
  ? `\n## Failed scenarios\n\n${failures.map((f) => `- ${f.scenario}: ${f.error.split('\n')[0]}`).join('\n')}\n`
  : '';
const markdown = `${header}\n${table}\n${failed}`;
const resultsDir = join(PROJECT_ROOT, 'bench', 'results');
await mkdir(resultsDir, { recursive: true });
const base = join(resultsDir, `${mode}-${stamp}`);
await writeFile(`${base}.md`, markdown);
await writeFile(
  `${base}.json`,
  `${JSON.stringify({ mode, startedAt, seconds, rounds: context.rounds, machine, measurements, failures }, null, 2)}\n`,
);
process.stdout.write(`\n${markdown}\n`);
log(`written ${base}.md and .json`);
process.exit(failures.length ? 1 : 0);
