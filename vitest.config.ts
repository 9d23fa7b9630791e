import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const require = createRequire(import.meta.url);

/**
 * Test files that need neither a database nor Redis: pure code, local HTTP/SMTP receivers, child processes
 * that stop before connecting. `npm run test:unit` runs only these (no global setup, no Postgres, no
 * Redis); `vitest run` runs them and all the others. A file belongs here by what it does, not by its name:
 * the unit project makes test/support/db.ts refuse to create databases and points Redis nowhere, so a file
 * listed here by mistake fails instead of quietly needing the services.
 */
const UNIT_TESTS = [
  'test/actor-guard.test.ts',
  'test/recent-api-keys.test.ts',
  'test/ai/classifier-goals.test.ts',
  'test/architecture-doc.test.ts',
  'test/ai/evaluation.test.ts',
  'test/ai/labels.test.ts',
  'test/ai/learned-model.test.ts',
  'test/ai/local-classifier.test.ts',
  'test/ai/openai-model.test.ts',
  'test/ai/openai-sentiment.test.ts',
  'test/bench-harness.test.ts',
  'test/business-hours.test.ts',
  'test/codegen.test.ts',
  'test/config.test.ts',
  'test/console-assets.test.ts',
  'test/csv.test.ts',
  'test/handoff-triggers.test.ts',
  'test/jobs/in-process-queue.test.ts',
  'test/layers.test.ts',
  'test/notifications/email.test.ts',
  'test/notifications/whatsapp.test.ts',
  'test/operation-limits.test.ts',
  'test/query-shape.test.ts',
  'test/schema.test.ts',
  'test/shared-lookup.test.ts',
];

/** The longest files (minutes: real processes, faults, on-disk PGlite), started first so no worker ends alone with one. */
const LONGEST_TESTS = ['test/faults/faults.test.ts', 'test/db/migrations.test.ts'];

/**
 * Vitest starts the files that took longest last time first, but with no record of earlier runs (a fresh
 * checkout, CI) it starts the largest files first, and the fault suite is a small file.
 */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification) => {
      const index = LONGEST_TESTS.findIndex((file) => spec.moduleId.endsWith(file));
      return index === -1 ? LONGEST_TESTS.length : index;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  resolve: {
    // Node resolves `graphql` to its CommonJS build (no "exports" map); make Vite do the same so that
    // our code and the libraries share one graphql instance.
    alias: { graphql: require.resolve('graphql') },
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    sequence: { sequencer: LongestFirst },
    // Vitest's default on n cores is n - 1 workers: one on a 2-core machine, where the files mostly wait
    // (on Postgres, Redis, child processes, timers) and a second worker nearly halves the run.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: UNIT_TESTS,
          // The files share their workers' modules (about half the run is importing src otherwise): a unit
          // test leaves no global state behind (fake timers restored, no vi.mock, no process.env writes).
          isolate: false,
          env: { TEST_NO_SERVICES: '1', TEST_REDIS_URL: 'redis://no-redis-in-unit-tests.invalid:6379' },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: UNIT_TESTS,
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/setup.ts'],
        },
      },
    ],
  },
});
