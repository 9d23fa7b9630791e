// Vitest global setup: builds the Postgres template and the PGlite snapshot once, before the workers start,
// instead of letting every worker race for them; the teardown drops this run's databases.
import {
  backends,
  closeAdmin,
  dropLeftoverDatabases,
  ensureEmbeddedSnapshot,
  ensurePostgresTemplate,
} from './db.js';

export default async function setup(): Promise<() => Promise<void>> {
  // Inherited by the forked workers: it names this run's databases (see db.ts).
  const run = Date.now().toString(36);
  process.env.TEST_DB_RUN_ID = run;
  const usesPostgres = backends.includes('postgres');
  if (usesPostgres) {
    await ensurePostgresTemplate();
    await dropLeftoverDatabases();
  }
  if (backends.includes('embedded')) await ensureEmbeddedSnapshot();
  return async () => {
    if (!usesPostgres) return;
    await dropLeftoverDatabases(run);
    await closeAdmin();
  };
}
