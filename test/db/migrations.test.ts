import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Database,
  type DatabaseKind,
  MIGRATIONS_DIR,
  openDatabase,
  SCHEMA_PATH,
} from '../../src/db/database.js';
import {
  allMigrationsApplied,
  applyMigrations,
  diffMigrationsToSchema,
  embeddedMigrationAdapter,
  isEmptyScript,
  type MigrationAdapterFactory,
  postgresMigrationAdapter,
  withDatabaseName,
} from '../../src/db/schema-engine.js';
import {
  backends,
  createEmptyDatabase,
  createEmptyPGlite,
  createTestDatabase,
  TEST_SERVER_URL,
  type TestDatabase,
} from '../support/db.js';

async function migrationNames(): Promise<string[]> {
  const entries = await readdir(MIGRATIONS_DIR, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

async function checksum(name: string): Promise<string> {
  const sql = await readFile(path.join(MIGRATIONS_DIR, name, 'migration.sql'));
  return createHash('sha256').update(sql).digest('hex');
}

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
}

function migrationRows(db: Database): Promise<MigrationRow[]> {
  return db.prisma.$queryRaw<MigrationRow[]>`
    SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count
    FROM _prisma_migrations ORDER BY migration_name`;
}

describe.runIf(backends.includes('postgres'))('prisma/migrations against prisma/schema.prisma', () => {
  it('replays to exactly the schema (the diff on Postgres has no statements)', async () => {
    const sql = await diffMigrationsToSchema(
      postgresMigrationAdapter(TEST_SERVER_URL),
      MIGRATIONS_DIR,
      SCHEMA_PATH,
    );
    expect(isEmptyScript(sql), `migrations lag behind the schema; missing SQL:\n${sql}`).toBe(true);
  });

  it('would notice a schema change (the same diff against a schema with one more model)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'schema-'));
    try {
      const changed = path.join(dir, 'schema.prisma');
      const probe = '\nmodel MigrationProbe {\n  id Int @id\n\n  @@map("migration_probe")\n}\n';
      await writeFile(changed, (await readFile(SCHEMA_PATH, 'utf8')) + probe);
      const sql = await diffMigrationsToSchema(
        postgresMigrationAdapter(TEST_SERVER_URL),
        MIGRATIONS_DIR,
        changed,
      );
      expect(isEmptyScript(sql)).toBe(false);
      expect(sql).toContain('CREATE TABLE "migration_probe"');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** A bare database reached without Prisma Client, to apply a hand-made migrations directory to. */
async function bareDatabase(kind: DatabaseKind): Promise<{
  adapter: MigrationAdapterFactory;
  query(sql: string): Promise<Record<string, unknown>[]>;
  dispose(): Promise<void>;
}> {
  if (kind === 'embedded') {
    const client = await createEmptyPGlite();
    return {
      adapter: embeddedMigrationAdapter(client),
      query: async (sql) => (await client.query<Record<string, unknown>>(sql)).rows,
      dispose: () => client.close(),
    };
  }
  const name = `test_db_${process.env.TEST_DB_RUN_ID ?? Date.now().toString(36)}_bare${process.pid}`;
  const url = withDatabaseName(TEST_SERVER_URL, name);
  const admin = new pg.Client({ connectionString: TEST_SERVER_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    adapter: postgresMigrationAdapter(url),
    query: async (sql) => (await client.query<Record<string, unknown>>(sql)).rows,
    dispose: async () => {
      await client.end();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

async function writeMigrations(dir: string, migrations: Record<string, string>): Promise<void> {
  await writeFile(path.join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');
  for (const [name, sql] of Object.entries(migrations)) {
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, 'migration.sql'), sql);
  }
}

describe.each(backends)('%s backend', (kind) => {
  it('runs each migration script whole: $$ bodies survive, and a failing one is undone and not recorded', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
    const bare = await bareDatabase(kind);
    try {
      await writeMigrations(dir, {
        '20000101000000_function': [
          'CREATE TABLE probe_ok (id int);',
          'CREATE FUNCTION probe_one() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql;',
        ].join('\n'),
        '20000102000000_failing': 'CREATE TABLE probe_partial (id int);\nSELECT * FROM probe_missing;\n',
      });
      await expect(applyMigrations(bare.adapter, dir)).rejects.toThrow(/probe_missing/);

      expect(await bare.query('SELECT probe_one() AS one')).toEqual([{ one: 1 }]);
      expect(await bare.query("SELECT to_regclass('probe_partial') AS partial")).toEqual([{ partial: null }]);
      const rows = await bare.query(
        'SELECT migration_name, finished_at IS NOT NULL AS finished FROM _prisma_migrations ORDER BY 1',
      );
      expect(rows).toEqual([
        { migration_name: '20000101000000_function', finished: true },
        { migration_name: '20000102000000_failing', finished: false },
      ]);
    } finally {
      await bare.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('migrate() on an empty database', () => {
    let db: TestDatabase | undefined;
    afterAll(() => db?.drop());

    it('applies every migration, records it as `prisma migrate deploy` does, and is idempotent', async () => {
      db = await createEmptyDatabase(kind);
      const names = await migrationNames();
      expect(names.length).toBeGreaterThan(0);

      expect(await db.migrate()).toEqual(names);
      const rows = await migrationRows(db);
      expect(rows.map((row) => row.migration_name)).toEqual(names);
      for (const row of rows) {
        expect(row.checksum).toBe(await checksum(row.migration_name));
        expect(row.finished_at).toBeInstanceOf(Date);
        expect(row.rolled_back_at).toBeNull();
        expect(row.applied_steps_count).toBe(1);
      }
      expect(await db.prisma.organization.count()).toBe(0);

      expect(await db.migrate()).toEqual([]);
      expect(await migrationRows(db)).toHaveLength(names.length);
    });

    it('lets a restart skip the engine only while every migration is applied unchanged', async () => {
      const fresh = await createEmptyDatabase(kind);
      try {
        const query = (sql: string) => fresh.prisma.$queryRawUnsafe<unknown[]>(sql);
        expect(await allMigrationsApplied(query, MIGRATIONS_DIR)).toBe(false);
        await fresh.migrate();
        expect(await allMigrationsApplied(query, MIGRATIONS_DIR)).toBe(true);
        await fresh.prisma.$executeRawUnsafe(`UPDATE _prisma_migrations SET checksum = 'edited'`);
        expect(await allMigrationsApplied(query, MIGRATIONS_DIR)).toBe(false);
      } finally {
        await fresh.drop();
      }
    });
  });

  describe('test database', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase(kind);
    });
    afterAll(() => db?.drop());

    it('comes migrated and reachable', async () => {
      expect(db.kind).toBe(kind);
      await db.ping();
      expect((await migrationRows(db)).map((row) => row.migration_name)).toEqual(await migrationNames());
      expect(await db.migrate()).toEqual([]);
    });

    it('is not shared with another test database', async () => {
      const other = await createTestDatabase(kind);
      try {
        await other.prisma.organization.create({ data: { name: 'only-in-other' } });
        expect(await other.prisma.organization.count({ where: { name: 'only-in-other' } })).toBe(1);
        expect(await db.prisma.organization.count({ where: { name: 'only-in-other' } })).toBe(0);
      } finally {
        await other.drop();
      }
    });

    it('rolls back an interactive transaction that throws, and commits one that does not', async () => {
      const failing = db.prisma.$transaction(async (tx) => {
        await tx.organization.create({ data: { name: 'tx-rolled-back' } });
        expect(await tx.organization.count({ where: { name: 'tx-rolled-back' } })).toBe(1);
        throw new Error('abort');
      });
      await expect(failing).rejects.toThrow('abort');
      expect(await db.prisma.organization.count({ where: { name: 'tx-rolled-back' } })).toBe(0);

      await db.prisma.$transaction(async (tx) => {
        await tx.organization.create({ data: { name: 'tx-committed' } });
      });
      expect(await db.prisma.organization.count({ where: { name: 'tx-committed' } })).toBe(1);
    });

    it('rolls back a batch transaction when one of its statements fails', async () => {
      const email = `batch-${kind}@example.test`;
      await db.prisma.user.create({ data: { email, name: 'first', passwordHash: 'x' } });
      const batch = db.prisma.$transaction([
        db.prisma.organization.create({ data: { name: 'batch-rolled-back' } }),
        db.prisma.user.create({ data: { email, name: 'duplicate', passwordHash: 'x' } }),
      ]);
      await expect(batch).rejects.toMatchObject({ code: 'P2002' });
      expect(await db.prisma.organization.count({ where: { name: 'batch-rolled-back' } })).toBe(0);
    });

    it('reports every statement to onQuery listeners until they unsubscribe', async () => {
      const seen: string[] = [];
      const unsubscribe = db.onQuery((sql) => seen.push(sql));

      await db.prisma.organization.findMany();
      expect(seen.length).toBeGreaterThanOrEqual(1);
      expect(seen.join('\n')).toContain('"organizations"');
      const afterFirst = seen.length;

      await db.prisma.user.findMany();
      expect(seen.length).toBe(afterFirst * 2);
      expect(seen.at(-1)).toContain('"users"');

      seen.length = 0;
      await db.prisma.$transaction(async (tx) => {
        await tx.organization.count();
        await tx.user.count();
      });
      // Same statements on both backends: PGlite's implicit COMMIT is reported as COMMIT.
      expect(seen).toHaveLength(3);
      expect(seen.at(-1)).toBe('COMMIT');

      unsubscribe();
      seen.length = 0;
      await db.prisma.organization.findMany();
      expect(seen).toEqual([]);
    });
  });
});

describe.runIf(backends.includes('postgres'))('postgres test databases', () => {
  it('are dropped by drop()', async () => {
    const db = await createTestDatabase('postgres');
    const rows = await db.prisma.$queryRaw<{ name: string }[]>`SELECT current_database() AS name`;
    const name = rows[0]?.name;
    expect(name).toMatch(/^test_db_/);
    await db.drop();
    const admin = new pg.Client({ connectionString: TEST_SERVER_URL });
    await admin.connect();
    try {
      const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      expect(found.rowCount).toBe(0);
    } finally {
      await admin.end();
    }
  });

  it('ping() throws when the server is unreachable', async () => {
    const db = await openDatabase({ url: 'postgresql://postgres@127.0.0.1:1/none' });
    try {
      await expect(db.ping()).rejects.toThrow();
    } finally {
      await db.close();
    }
  });
});

describe.runIf(backends.includes('embedded'))('embedded database on disk', () => {
  it('creates a missing data directory and keeps the migrations across reopenings', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'pglite-'));
    const dataDir = path.join(root, 'nested', 'pglite');
    try {
      const first = await openDatabase({ dataDir });
      try {
        expect(await first.migrate()).toEqual(await migrationNames());
      } finally {
        await first.close();
      }
      const second = await openDatabase({ dataDir });
      try {
        expect(await second.migrate()).toEqual([]);
      } finally {
        await second.close();
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
    // Two PGlite starts on disk (initdb, then a reopening) and every migration: as long as its sibling below.
  }, 60_000);
});

describe('the embedded data directory', () => {
  it('refuses a second process on the same directory and frees it on close', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'ci-lock-'));
    const dataDir = path.join(root, 'pglite');
    try {
      // A live process (this test runner's parent) holds the lock: refused.
      await writeFile(`${dataDir}.lock`, String(process.ppid));
      await expect(openDatabase({ dataDir })).rejects.toThrow(/in use by process/);
      // A dead owner's lock is taken over, and released on close.
      await writeFile(`${dataDir}.lock`, '999999');
      const db = await openDatabase({ dataDir });
      await expect(openDatabase({ dataDir })).rejects.toThrow(new RegExp(`process ${process.pid}`));
      await db.close();
      const again = await openDatabase({ dataDir });
      await again.close();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 60_000);
});
