// Every embedded PGlite the platform starts (the database, the schema engine's shadow, the tests' snapshots)
// is started here, with the Postgres extensions the migrations create (pg_trgm: conversation search).
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';

/** The extensions the migrations need, bundled with PGlite (`@electric-sql/pglite/contrib/*`). */
export const pgliteExtensions = { pg_trgm };

/** A PGlite in `dataDir` ('memory://' for in-memory), or from `options` (e.g. loadDataDir), with the extensions. */
export function newPGlite(dataDir: string | undefined, options: PGliteOptions = {}): PGlite {
  const withExtensions = { ...options, extensions: { ...options.extensions, ...pgliteExtensions } };
  return dataDir === undefined ? new PGlite(withExtensions) : new PGlite(dataDir, withExtensions);
}
