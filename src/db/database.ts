// One Prisma Client over either a Postgres server (pg Pool) or an embedded PGlite, with the same surface,
// so the app and the tests do not care which one they run on.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/prisma/client.js';
import { lockDataDir } from './data-dir-lock.js';
import { newPGlite } from './pglite.js';
import { cancellableClientFor, cancelTargetOf } from './query-cancellation.js';
import {
  allMigrationsApplied,
  applyMigrations,
  embeddedMigrationAdapter,
  type MigrationAdapterFactory,
  postgresMigrationAdapter,
} from './schema-engine.js';

export type DatabaseKind = 'postgres' | 'embedded';

export interface DatabaseOptions {
  /** Postgres connection string; when set, the server is used. */
  url?: string;
  /** PGlite data directory (created if missing); 'memory://' for in-memory. Used when url is not set. */
  dataDir?: string;
  /** Postgres pool size (default 10). */
  poolSize?: number;
  /** Postgres: statement_timeout of every connection, in ms (0 or unset: none). */
  statementTimeoutMs?: number;
  /** Postgres: how long to wait for a connection from the pool or the server (default 10 s). */
  connectTimeoutMs?: number;
}

export interface Database {
  kind: DatabaseKind;
  prisma: PrismaClient;
  /** Applies prisma/migrations (idempotent); returns the names newly applied. */
  migrate(): Promise<string[]>;
  /** SELECT 1; throws when the database is unreachable. */
  ping(): Promise<void>;
  /** Every SQL statement Prisma sends; returns the unsubscribe function. */
  onQuery(listener: (sql: string) => void): () => void;
  /** The pool's connections now (Postgres; the embedded database has one and no pool). */
  poolUse?(): PoolUse;
  close(): Promise<void>;
}

export interface PoolUse {
  max: number;
  /** Connections open, idle among them, and callers waiting for one. */
  total: number;
  idle: number;
  waiting: number;
}

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));
export const SCHEMA_PATH = fileURLToPath(new URL('../../prisma/schema.prisma', import.meta.url));

const DEFAULT_POOL_SIZE = 10;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    return openPostgres(options.url, {
      poolSize: options.poolSize ?? DEFAULT_POOL_SIZE,
      statementTimeoutMs: options.statementTimeoutMs ?? 0,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    });
  }
  if (options.dataDir) {
    const onDisk = !options.dataDir.includes('://');
    const unlock = onDisk ? await lockDataDir(options.dataDir) : async () => undefined;
    try {
      const client = await startPGlite(options.dataDir);
      return openEmbedded(client, unlock);
    } catch (error) {
      await unlock();
      throw error;
    }
  }
  throw new Error('openDatabase: set url (Postgres) or dataDir (embedded PGlite, "memory://" for in-memory)');
}

async function startPGlite(dataDir: string): Promise<PGlite> {
  // PGlite stores under the path as is; a missing parent directory fails deep inside its virtual FS.
  const onDisk = !dataDir.includes('://');
  if (onDisk) await mkdir(dataDir, { recursive: true });
  const client = newPGlite(dataDir);
  await client.waitReady;
  return client;
}

function openPostgres(
  url: string,
  options: { poolSize: number; statementTimeoutMs: number; connectTimeoutMs: number },
): Database {
  const { poolSize, statementTimeoutMs, connectTimeoutMs } = options;
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // A timeout so that a query fails instead of hanging when the server does not answer.
    connectionTimeoutMillis: connectTimeoutMs,
    // Guardrails in Postgres itself: no statement runs longer than this, no transaction idles open; and on
    // this side, for a server that cannot even say so (unreachable mid-query): a little longer.
    ...(statementTimeoutMs > 0
      ? { statement_timeout: statementTimeoutMs, query_timeout: statementTimeoutMs + 2000 }
      : {}),
    idle_in_transaction_session_timeout: 60_000,
    // Statements of an abandoned request are cancelled in Postgres (query-cancellation.ts).
    Client: cancellableClientFor(cancelTargetOf(url)),
  });
  const database = wrap('postgres', new PrismaPg(pool), postgresMigrationAdapter(url), () => pool.end());
  database.poolUse = () => ({
    max: poolSize,
    total: pool.totalCount,
    idle: pool.idleCount,
    waiting: pool.waitingCount,
  });
  return database;
}

/** A Database over an already started PGlite (the tests start theirs from a migrated snapshot); close() closes it. */
export function openEmbedded(client: PGlite, unlock: () => Promise<void> = async () => undefined): Database {
  return wrap('embedded', new PrismaPGlite(client), embeddedMigrationAdapter(client), () =>
    client.close().then(unlock),
  );
}

function wrap(
  kind: DatabaseKind,
  adapter: SqlDriverAdapterFactory,
  migrationAdapter: MigrationAdapterFactory,
  release: () => Promise<void>,
): Database {
  const prisma = new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] });
  const listeners = new Set<(sql: string) => void>();
  prisma.$on('query', (event) => {
    const sql = statementOf(event.query);
    for (const listener of listeners) listener(sql);
  });
  let closing: Promise<void> | undefined;
  return {
    kind,
    prisma,
    // A restart on an up-to-date database skips the schema engine (see allMigrationsApplied).
    migrate: async () =>
      (await allMigrationsApplied((sql) => prisma.$queryRawUnsafe(sql), MIGRATIONS_DIR))
        ? []
        : applyMigrations(migrationAdapter, MIGRATIONS_DIR),
    ping: async () => {
      await prisma.$queryRaw`SELECT 1`;
    },
    onQuery: (listener) => {
      // A wrapper per subscription, so that the same function subscribed twice is counted twice.
      const subscription = (sql: string) => listener(sql);
      listeners.add(subscription);
      return () => listeners.delete(subscription);
    },
    close: () => {
      closing ??= prisma.$disconnect().then(release);
      return closing;
    },
  };
}

/**
 * Prisma reports COMMIT/ROLLBACK that PGlite runs itself as `-- Implicit "COMMIT" query via underlying driver`;
 * report them as the statements they are, so that counts and texts match on both backends.
 * (BEGIN is issued inside the adapters and reported on neither.)
 */
function statementOf(query: string): string {
  const implicit = /^-- Implicit "(\w+)" query/.exec(query);
  return implicit?.[1] ?? query;
}
