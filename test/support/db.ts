// Fresh, migrated databases for tests, on either backend, cheap enough to make one per test file (or test).
// Postgres: each database is a copy of one migrated template (CREATE DATABASE … TEMPLATE takes ~0.1 s).
// Names: test_template_<migrations hash>, test_db_<run>_<random> where <run> is the run's start time.
// Embedded: each PGlite starts from a dump of a migrated one (~0.6 s instead of ~3 s initdb + migrations).
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import {
  type Database,
  type DatabaseKind,
  MIGRATIONS_DIR,
  openDatabase,
  openEmbedded,
} from '../../src/db/database.js';
import { newPGlite } from '../../src/db/pglite.js';
import {
  applyMigrations,
  embeddedMigrationAdapter,
  postgresMigrationAdapter,
  withDatabaseName,
} from '../../src/db/schema-engine.js';

/** `url` is set on Postgres, for tests that start other processes on the same database. */
export type TestDatabase = Database & { drop(): Promise<void>; url?: string };

/** A server URL whose user may create databases; the test databases live on that server. */
export const TEST_SERVER_URL =
  process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** Both backends, unless TEST_BACKENDS narrows them (e.g. TEST_BACKENDS=embedded where no server runs). */
export const backends: DatabaseKind[] = parseBackends(process.env.TEST_BACKENDS);

function parseBackends(value: string | undefined): DatabaseKind[] {
  if (!value) return ['postgres', 'embedded'];
  const kinds = value.split(',').map((part) => part.trim());
  const valid = kinds.filter((kind): kind is DatabaseKind => kind === 'postgres' || kind === 'embedded');
  if (valid.length !== kinds.length || valid.length === 0) {
    throw new Error(`TEST_BACKENDS must list postgres and/or embedded, got "${value}"`);
  }
  return valid;
}

export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  refuseInUnitTests();
  return kind === 'postgres' ? createPostgresDatabase() : createEmbeddedDatabase();
}

/** A database with nothing in it, not even migrations (for testing migrations themselves). */
export async function createEmptyDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  refuseInUnitTests();
  if (kind === 'embedded') {
    const db = openEmbedded(await createEmptyPGlite());
    return withDrop(db, async () => undefined);
  }
  const name = `${DATABASE_PREFIX}${runId()}_${randomBytes(6).toString('hex')}`;
  await admin().query(`CREATE DATABASE "${name}"`);
  const db = await openDatabase({ url: withDatabaseName(TEST_SERVER_URL, name), poolSize: 2 });
  return withDrop(db, () => dropDatabase(name));
}

/** The unit project (vitest.config.ts) sets TEST_NO_SERVICES: a test that needs a database is not a unit test. */
function refuseInUnitTests(): void {
  if (process.env.TEST_NO_SERVICES) {
    throw new Error('this test needs a database: move it out of UNIT_TESTS in vitest.config.ts');
  }
}

// --- Postgres --------------------------------------------------------------------------------------------

const DATABASE_PREFIX = 'test_db_';
const TEMPLATE_PREFIX = 'test_template_';
/** Serializes template builds across vitest workers and concurrent runs (arbitrary, fixed key). */
const TEMPLATE_LOCK_KEY = 727_070_001;
/** Test databases older than this are leftovers of killed runs and are dropped by the next run. */
const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

let adminPool: pg.Pool | undefined;

function admin(): pg.Pool {
  // allowExitOnIdle: a worker must not stay alive for an idle admin connection.
  adminPool ??= new pg.Pool({ connectionString: TEST_SERVER_URL, max: 2, allowExitOnIdle: true });
  return adminPool;
}

/** Names carry the run (set by the global setup) and a creation time, so leftovers can be found. */
function runId(): string {
  process.env.TEST_DB_RUN_ID ??= Date.now().toString(36);
  return process.env.TEST_DB_RUN_ID;
}

async function createPostgresDatabase(): Promise<TestDatabase> {
  const name = `${DATABASE_PREFIX}${runId()}_${randomBytes(6).toString('hex')}`;
  await cloneTemplate(name);
  const url = withDatabaseName(TEST_SERVER_URL, name);
  const db = await openDatabase({ url, poolSize: 4 });
  return { ...withDrop(db, () => dropDatabase(name)), url };
}

/**
 * pg's Pool.end() resolves before its sockets have closed; DROP … WITH (FORCE) at that moment kills those
 * backends and the dying clients emit unhandled 'error' events. So wait for them first, and force only
 * connections that were really left open.
 */
async function dropDatabase(name: string): Promise<void> {
  try {
    await retryWhileBusy(() => admin().query(`DROP DATABASE IF EXISTS "${name}"`));
  } catch (error) {
    if (!isBusy(error)) throw error;
    await admin().query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

async function cloneTemplate(name: string): Promise<void> {
  const create = async () => {
    const template = await ensurePostgresTemplate();
    await retryWhileBusy(() => admin().query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  };
  try {
    await create();
  } catch (error) {
    // A concurrent run on other migrations may have dropped our template as outdated: build it again.
    if (!(error instanceof Error && /template database .* does not exist/.test(error.message))) throw error;
    templateReady = undefined;
    await create();
  }
}

let templateReady: Promise<string> | undefined;

/** The migrated template for the current migrations (its name carries their hash); built at most once. */
export function ensurePostgresTemplate(): Promise<string> {
  templateReady ??= buildTemplateOnce().catch((error: unknown) => {
    templateReady = undefined;
    throw error;
  });
  return templateReady;
}

async function buildTemplateOnce(): Promise<string> {
  const template = `${TEMPLATE_PREFIX}${(await migrationsHash()).slice(0, 16)}`;
  const lock = await admin().connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
    const { rows } = await lock.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`${TEMPLATE_PREFIX}%`],
    );
    // Templates of other migration states (and half-built ones) go, unless someone is cloning them right now.
    for (const { datname } of rows.filter((row) => row.datname !== template)) {
      await lock.query(`DROP DATABASE IF EXISTS "${datname}"`).catch(() => undefined);
    }
    if (!rows.some((row) => row.datname === template)) {
      // Built under another name and renamed, so a half-built template is never cloned.
      const building = `${template}_build_${randomBytes(4).toString('hex')}`;
      await lock.query(`CREATE DATABASE "${building}"`);
      await applyMigrations(
        postgresMigrationAdapter(withDatabaseName(TEST_SERVER_URL, building)),
        MIGRATIONS_DIR,
      );
      await retryWhileBusy(() => lock.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`));
    }
    return template;
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]).catch(() => undefined);
    lock.release();
  }
}

/** Drops the test databases of the given run, and those of runs older than a day (killed runs' leftovers). */
export async function dropLeftoverDatabases(run?: string): Promise<void> {
  const { rows } = await admin().query<{ datname: string }>(
    'SELECT datname FROM pg_database WHERE datname LIKE $1',
    [`${DATABASE_PREFIX}%`],
  );
  const now = Date.now();
  const doomed = rows
    .map((row) => row.datname)
    .filter((name) => {
      const nameRun = name.slice(DATABASE_PREFIX.length).split('_')[0] ?? '';
      const age = now - Number.parseInt(nameRun, 36);
      return nameRun === run || !(age < STALE_AFTER_MS);
    });
  for (const name of doomed) {
    await admin().query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

export async function closeAdmin(): Promise<void> {
  const pool = adminPool;
  adminPool = undefined;
  await pool?.end();
}

/** CREATE DATABASE … TEMPLATE and RENAME fail while a just-closed connection is still being torn down. */
async function retryWhileBusy<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      if (!isBusy(error) || attempt >= 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}

function isBusy(error: unknown): boolean {
  return error instanceof Error && /being accessed by other users/.test(error.message);
}

// --- Embedded --------------------------------------------------------------------------------------------

const CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/test-db', import.meta.url));

let snapshot: Promise<Blob> | undefined;
let emptySnapshot: Promise<Blob> | undefined;

async function createEmbeddedDatabase(): Promise<TestDatabase> {
  const client = newPGlite(undefined, { loadDataDir: await ensureEmbeddedSnapshot() });
  await client.waitReady;
  // Nothing outlives the in-memory instance: closing it is the drop.
  return withDrop(openEmbedded(client), async () => undefined);
}

/**
 * A dump of a freshly migrated PGlite, kept in node_modules/.cache keyed by the migrations and the
 * PGlite version, so that workers (and later runs) skip initdb and migrations.
 */
export function ensureEmbeddedSnapshot(): Promise<Blob> {
  snapshot ??= loadOrBuildSnapshot().catch((error: unknown) => {
    snapshot = undefined;
    throw error;
  });
  return snapshot;
}

/**
 * An in-memory PGlite as `new PGlite('memory://')` leaves it (initdb, nothing else), from a cached dump:
 * loading one takes about half the time of initdb.
 */
export async function createEmptyPGlite(): Promise<PGlite> {
  emptySnapshot ??= loadOrBuildSnapshot('empty', async () => undefined).catch((error: unknown) => {
    emptySnapshot = undefined;
    throw error;
  });
  const client = newPGlite(undefined, { loadDataDir: await emptySnapshot });
  await client.waitReady;
  return client;
}

async function loadOrBuildSnapshot(
  key?: string,
  prepare: (client: PGlite) => Promise<unknown> = (client) =>
    applyMigrations(embeddedMigrationAdapter(client), MIGRATIONS_DIR),
): Promise<Blob> {
  key ??= (await migrationsHash()).slice(0, 16);
  const file = path.join(CACHE_DIR, `pglite-${await pgliteVersion()}-${key}.tar`);
  const cached = await readFile(file).catch(() => undefined);
  if (cached) return new Blob([cached]);
  const client = newPGlite('memory://');
  try {
    await client.waitReady;
    await prepare(client);
    const dump = await client.dumpDataDir('none');
    // Written aside and renamed: concurrent workers may build it at once, and none may read half a file.
    await mkdir(CACHE_DIR, { recursive: true });
    const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writeFile(partial, new Uint8Array(await dump.arrayBuffer()));
    await rename(partial, file);
    await removeOtherSnapshots(path.basename(file));
    return dump;
  } finally {
    await client.close();
  }
}

/** Snapshots of earlier migration states (or PGlite versions) are 40 MB each and never used again. */
async function removeOtherSnapshots(keep: string): Promise<void> {
  const files = await readdir(CACHE_DIR).catch(() => []);
  const isEmpty = (file: string) => file.endsWith('-empty.tar');
  const stale = files.filter(
    (file) =>
      file.startsWith('pglite-') && file.endsWith('.tar') && file !== keep && isEmpty(file) === isEmpty(keep),
  );
  await Promise.all(stale.map((file) => rm(path.join(CACHE_DIR, file), { force: true })));
}

/** The dump format belongs to the PGlite build, so its version is part of the cache key. */
async function pgliteVersion(): Promise<string> {
  // The package exports no ./package.json; it sits one level above the resolved dist/ entry.
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const manifest: unknown = JSON.parse(
    await readFile(path.join(path.dirname(entry), '..', 'package.json'), 'utf8'),
  );
  const version =
    typeof manifest === 'object' && manifest !== null ? Reflect.get(manifest, 'version') : undefined;
  return typeof version === 'string' ? version : 'unknown';
}

// --- Shared ----------------------------------------------------------------------------------------------

/** Identifies the migrations' content: templates and snapshots are rebuilt when a migration changes. */
async function migrationsHash(): Promise<string> {
  const hash = createHash('sha256');
  const entries = await readdir(MIGRATIONS_DIR, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const file = entry.isDirectory() ? path.join(entry.name, 'migration.sql') : entry.name;
    hash.update(file).update('\0');
    hash.update(await readFile(path.join(MIGRATIONS_DIR, file)).catch(() => Buffer.alloc(0)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

function withDrop(db: Database, drop: () => Promise<void>): TestDatabase {
  let dropped: Promise<void> | undefined;
  return {
    ...db,
    drop: () => {
      dropped ??= db.close().then(drop);
      return dropped;
    },
  };
}
