import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/database.js';
import { withDatabaseName } from '../../src/db/schema-engine.js';

/**
 * A migrated database for a benchmark scenario: a throw-away database on the Postgres server of DATABASE_URL,
 * or an in-memory PGlite when it is unset. `url` is the new database's, for another process to use. `dispose()` closes and drops it.
 */
export async function scratchDatabase(
  label: string,
  serverUrl = process.env.DATABASE_URL,
): Promise<Database & { url?: string; dispose(): Promise<void> }> {
  if (!serverUrl) {
    const db = await openDatabase({ dataDir: 'memory://' });
    await db.migrate();
    return { ...db, dispose: () => db.close() };
  }
  const name = `${label}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = withDatabaseName(serverUrl, name);
  const db = await openDatabase({ url });
  await db.migrate();
  return {
    ...db,
    url,
    async dispose() {
      await db.close();
      // pg's pool resolves end() before its sockets are gone: retry instead of killing them with FORCE.
      for (let attempt = 0; ; attempt++) {
        try {
          await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
          break;
        } catch (error) {
          if (attempt >= 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      await admin.end();
    },
  };
}
