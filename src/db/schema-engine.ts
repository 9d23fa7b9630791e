// Prisma's schema engine (the one behind `prisma migrate`), run as WebAssembly over a driver adapter.
// The CLI's native engine binary is downloaded from a host we cannot reach, so migrations go through
// @prisma/schema-engine-wasm instead; migration files and `_prisma_migrations` keep Prisma's own format.
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  DriverAdapterError,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { DiffTarget, MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm';
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { newPGlite } from './pglite.js';

export type MigrationAdapterFactory = SqlMigrationAwareDriverAdapterFactory;

const LOCKFILE = 'migration_lock.toml';
const MIGRATION_FILE = 'migration.sql';
const NO_FILTERS = { externalTables: [], externalEnums: [] };

let loaded: Promise<void> | undefined;
let lastPanic: string | undefined;

/** Instantiates the wasm module once per process (wasm-bindgen keeps it in module state). */
function loadEngine(): Promise<void> {
  loaded ??= (async () => {
    // The glue reports Rust panics to this global; without it a panic surfaces as a TypeError.
    const registry = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { set_message(message: string): void } };
    registry.PRISMA_WASM_PANIC_REGISTRY ??= { set_message: (message) => (lastPanic = message) };
    const gluePath = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = await readFile(path.join(path.dirname(gluePath), 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, {
      './schema_engine_bg.js': withTrackedTimers(glue),
    });
    glue.__wbg_set_wasm(instance.exports);
    const start = instance.exports.__wbindgen_start;
    if (typeof start === 'function') start();
  })();
  return loaded;
}

// The engine leaves a 10 s timer behind after each command, which would keep a finished script alive;
// its timers are tracked and cleared once no command is running.
const pendingTimers = new Set<ReturnType<typeof setTimeout>>();
let runningCommands = 0;

function withTrackedTimers(imports: WebAssembly.ModuleImports): WebAssembly.ModuleImports {
  const name = Object.keys(imports).find((key) => key.startsWith('__wbg_setTimeout_'));
  if (!name) return imports;
  const trackedSetTimeout = (callback: () => void, ms: number) => {
    const timer = setTimeout(() => {
      pendingTimers.delete(timer);
      callback();
    }, ms >>> 0);
    pendingTimers.add(timer);
    return timer;
  };
  return { ...imports, [name]: trackedSetTimeout };
}

function clearTimersIfIdle(): void {
  if (runningCommands > 0) return;
  for (const timer of pendingTimers) clearTimeout(timer);
  pendingTimers.clear();
}

/**
 * The engine never disposes the adapters it opens, and it holds `pg_advisory_lock(72707369)` on its
 * connection for as long as that lives; so every adapter opened for one command is disposed after it.
 */
function disposingAfterUse(factory: MigrationAdapterFactory): {
  factory: MigrationAdapterFactory;
  disposeAll(): Promise<void>;
} {
  const opened: SqlDriverAdapter[] = [];
  const track = async (adapter: Promise<SqlDriverAdapter>) => {
    const value = await adapter;
    opened.push(value);
    return value;
  };
  return {
    factory: {
      provider: factory.provider,
      adapterName: factory.adapterName,
      connect: () => track(factory.connect()),
      connectToShadowDb: () => track(factory.connectToShadowDb()),
    },
    disposeAll: async () => {
      const results = await Promise.allSettled(opened.splice(0).map((adapter) => adapter.dispose()));
      const failed = results.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}

/** Runs one engine command with a fresh engine, so no connection outlives the call. */
async function withEngine<T>(
  adapterFactory: MigrationAdapterFactory,
  schema: { path: string; content: string } | undefined,
  run: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  await loadEngine();
  const logs: string[] = [];
  const datamodels: [string, string][] | undefined = schema ? [[schema.path, schema.content]] : undefined;
  const tracked = disposingAfterUse(adapterFactory);
  runningCommands += 1;
  try {
    const engine = await glue.SchemaEngine.new(
      { datamodels },
      (line: unknown) => logs.push(String(line)),
      bindMigrationAwareSqlAdapterFactory(tracked.factory),
    );
    try {
      return await run(engine);
    } finally {
      engine.free();
    }
  } catch (error) {
    throw engineError(error, logs);
  } finally {
    runningCommands -= 1;
    clearTimersIfIdle();
    await tracked.disposeAll();
  }
}

/** Engine errors arrive as plain objects or bare strings; turn them into Errors that say what failed. */
function engineError(error: unknown, logs: string[]): Error {
  const message =
    error instanceof Error
      ? error.message
      : typeof error === 'object' && error !== null && 'message' in error
        ? String(error.message)
        : String(error);
  const detail = [lastPanic ? `panic: ${lastPanic}` : '', ...logs.flatMap(warningOrError)]
    .filter(Boolean)
    .join('\n');
  lastPanic = undefined;
  return new Error(detail ? `Schema engine: ${message}\n${detail}` : `Schema engine: ${message}`, {
    cause: error,
  });
}

/** The engine logs JSON lines; the INFO ones (one per applied migration, with its script) are noise here. */
function warningOrError(line: string): string[] {
  try {
    const entry: unknown = JSON.parse(line);
    const level = typeof entry === 'object' && entry !== null ? Reflect.get(entry, 'level') : undefined;
    if (level !== 'WARN' && level !== 'ERROR') return [];
    const fields: unknown = Reflect.get(entry as object, 'fields');
    const message =
      typeof fields === 'object' && fields !== null ? Reflect.get(fields, 'message') : undefined;
    return [`${level}: ${typeof message === 'string' ? message : line.trim()}`];
  } catch {
    return line.trim() ? [line.trim()] : [];
  }
}

/** Reads prisma/migrations the way the Prisma CLI does (directories sorted by name). */
export async function readMigrations(migrationsDir: string): Promise<MigrationList> {
  const baseDir = path.resolve(migrationsDir);
  const lockContent = await readFile(path.join(baseDir, LOCKFILE), 'utf8').catch(() => null);
  const entries = await readdir(baseDir, { withFileTypes: true }).catch(() => []);
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b));
  const migrationDirectories = await Promise.all(
    names.map(async (name) => ({
      path: name,
      migrationFile: {
        path: MIGRATION_FILE,
        content: await readFile(path.join(baseDir, name, MIGRATION_FILE), 'utf8').then(
          (value) => ({ tag: 'ok' as const, value }),
          (error: unknown) => ({ tag: 'error' as const, value: String(error) }),
        ),
      },
    })),
  );
  return {
    baseDir,
    lockfile: { path: LOCKFILE, content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

/** `prisma migrate deploy`: applies the unapplied migrations, returns their names. */
export async function applyMigrations(
  adapterFactory: MigrationAdapterFactory,
  migrationsDir: string,
): Promise<string[]> {
  const migrationsList = await readMigrations(migrationsDir);
  const output = await withEngine(adapterFactory, undefined, (engine) =>
    engine.applyMigrations({ migrationsList, filters: NO_FILTERS }),
  );
  return output.appliedMigrationNames;
}

/**
 * True when `_prisma_migrations` records every migration directory as applied (finished, not rolled back,
 * with the file's checksum) and nothing else: then applyMigrations would do nothing, and a restart need not
 * load the engine (a 5 MB WebAssembly module, about a third of a second). Any doubt (no table yet, a failed,
 * edited or unknown migration, an unreadable file) answers false, leaving the decision to the engine.
 */
export async function allMigrationsApplied(
  query: (sql: string) => Promise<unknown[]>,
  migrationsDir: string,
): Promise<boolean> {
  const { migrationDirectories } = await readMigrations(migrationsDir);
  let rows: { migration_name: string; checksum: string; applied: boolean }[];
  try {
    rows = (await query(
      `SELECT migration_name, checksum,
         (finished_at IS NOT NULL AND rolled_back_at IS NULL) AS applied
       FROM _prisma_migrations WHERE rolled_back_at IS NULL`,
    )) as typeof rows;
  } catch {
    return false;
  }
  if (rows.length !== migrationDirectories.length || rows.some((row) => !row.applied)) return false;
  const recorded = new Map(rows.map((row) => [row.migration_name, row.checksum]));
  return migrationDirectories.every(
    ({ path: name, migrationFile: { content } }) =>
      content.tag === 'ok' && recorded.get(name) === createHash('sha256').update(content.value).digest('hex'),
  );
}

async function diffToSchema(
  adapterFactory: MigrationAdapterFactory,
  from: DiffTarget,
  schemaPath: string,
): Promise<string> {
  const schema = { path: path.resolve(schemaPath), content: await readFile(schemaPath, 'utf8') };
  const result = await withEngine(adapterFactory, schema, (engine) =>
    engine.diff({
      from,
      to: { tag: 'schemaDatamodel', files: [schema] },
      script: true,
      exitCode: null,
      filters: NO_FILTERS,
    }),
  );
  return result.stdout ?? '';
}

/** SQL that takes a database built from the migrations to schema.prisma (replays them on a shadow database). */
export async function diffMigrationsToSchema(
  adapterFactory: MigrationAdapterFactory,
  migrationsDir: string,
  schemaPath: string,
): Promise<string> {
  const migrations = await readMigrations(migrationsDir);
  // Before the first migration there is no lockfile yet, and the engine takes the connector from it.
  // (Diffing from 'empty' instead would add a `CREATE SCHEMA "public"` that a real history never needs.)
  if (migrations.lockfile.content === null && migrations.migrationDirectories.length === 0) {
    migrations.lockfile.content = 'provider = "postgresql"\n';
  }
  return diffToSchema(adapterFactory, { tag: 'migrations', ...migrations }, schemaPath);
}

/** True when a diff script has no statements (the engine still emits comments such as "empty migration"). */
export function isEmptyScript(sql: string): boolean {
  return sql
    .split('\n')
    .map((line) => line.trim())
    .every((line) => line === '' || line.startsWith('--'));
}

// ---------------------------------------------------------------------------------------------------------
// Adapters for the engine. The stock factories are fine for Prisma Client but not for migrations:
// - PrismaPg.executeScript splits the script on ';' (breaks on $$ bodies and string literals) and runs the
//   pieces on whichever pooled connection is free; PrismaPg.connectToShadowDb reuses a connection string
//   whose database name wins over the shadow one, so the "shadow" work would land on the real database.
// - PrismaPGlite.executeScript does not await the script: a failing migration is recorded as applied and
//   its error becomes an unhandled rejection. Its shadow database is never closed.
// Both are fixed by running the whole script as one simple-protocol query (an implicit transaction,
// as the native engine does) and by owning the shadow database's lifetime.

/** Postgres for the engine: one connection (its advisory lock is session-scoped), shadow databases on the server. */
export function postgresMigrationAdapter(url: string): MigrationAdapterFactory {
  const open = async (connectionString: string, afterDispose?: () => Promise<void>) => {
    const pool = withCharAsText(new pg.Pool({ connectionString, max: 1 }));
    const adapter = await new PrismaPg(pool, { disposeExternalPool: true }).connect();
    return withScriptRunner(adapter, async (script) => void (await pool.query(script)), afterDispose);
  };
  return {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: () => open(url),
    connectToShadowDb: async () => {
      const name = `prisma_migrate_shadow_db_${randomUUID().replaceAll('-', '')}`;
      await runOnServer(url, `CREATE DATABASE "${name}"`);
      return open(withDatabaseName(url, name), () =>
        runOnServer(url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      );
    },
  };
}

/** PGlite for the engine: the given instance, and a throwaway in-memory instance as shadow database. */
export function embeddedMigrationAdapter(client: PGlite): MigrationAdapterFactory {
  const open = async (db: PGlite, afterDispose?: () => Promise<void>) => {
    const adapter = await new PrismaPGlite(db).connect();
    return withScriptRunner(adapter, async (script) => void (await db.exec(script)), afterDispose);
  };
  return {
    provider: 'postgres',
    adapterName: 'pglite-prisma-adapter',
    connect: () => open(client),
    connectToShadowDb: async () => {
      const shadow = newPGlite('memory://');
      return open(shadow, () => shadow.close());
    },
  };
}

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/**
 * adapter-pg has no column type for Postgres' internal one-byte "char" (pg_class.relkind, pg_constraint.contype…),
 * which the engine's catalog queries return, and fails with "Column type 'char' could not be deserialized".
 * The value already arrives as a one-character string; only the reported type needs to say text.
 */
function withCharAsText(pool: pg.Pool): pg.Pool {
  const query = pool.query.bind(pool) as (config: string | pg.QueryConfig) => Promise<pg.QueryResult>;
  const patched = async (config: string | pg.QueryConfig) => {
    const result = await query(config);
    for (const column of result.fields ?? []) {
      if (column.dataTypeID === PG_CHAR_OID) column.dataTypeID = PG_TEXT_OID;
    }
    return result;
  };
  return Object.assign(pool, { query: patched });
}

export function withDatabaseName(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

async function runOnServer(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function withScriptRunner(
  adapter: SqlDriverAdapter,
  runScript: (script: string) => Promise<void>,
  afterDispose?: () => Promise<void>,
): SqlDriverAdapter {
  // The engine disposes shadow connections itself and we dispose everything after each command: once is enough.
  let disposed: Promise<void> | undefined;
  const wrapped: SqlDriverAdapter = {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    queryRaw: (query) => adapter.queryRaw(query),
    executeRaw: (query) => adapter.executeRaw(query),
    startTransaction: (isolationLevel) => adapter.startTransaction(isolationLevel),
    executeScript: (script) => runScript(script).catch(toDriverAdapterError),
    dispose: () => {
      disposed ??= adapter.dispose().then(afterDispose);
      return disposed;
    },
  };
  const info = adapter.getConnectionInfo?.bind(adapter);
  if (info) wrapped.getConnectionInfo = info;
  return wrapped;
}

/** Postgres errors (from pg or PGlite) as the adapter error the engine understands, so it can report them. */
function toDriverAdapterError(error: unknown): never {
  if (!(error instanceof Error) || typeof field(error, 'code') !== 'string') throw error;
  throw new DriverAdapterError({
    kind: 'postgres',
    code: field(error, 'code') ?? 'N/A',
    severity: field(error, 'severity') ?? 'ERROR',
    message: error.message,
    detail: field(error, 'detail'),
    column: field(error, 'column'),
    hint: field(error, 'hint'),
  });
}

function field(error: Error, name: string): string | undefined {
  const value: unknown = Reflect.get(error, name);
  return typeof value === 'string' ? value : undefined;
}
