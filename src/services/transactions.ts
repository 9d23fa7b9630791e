import type { Prisma } from '../generated/prisma/client.js';

export type Tx = Prisma.TransactionClient;

/**
 * Serializes work on one key until the transaction ends (Postgres advisory lock; PGlite has it too).
 * Used where a read-then-write must not interleave: a customer's conversation, an organization's routing.
 */
export async function lockKey(tx: Tx, key: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
}

/** lockKey for several keys in one statement, taken in the order given (sort them for a fixed order). */
export async function lockKeysInOrder(tx: Tx, keys: string[]): Promise<void> {
  if (keys.length === 1) return lockKey(tx, keys[0]!);
  if (keys.length === 0) return;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(k, 0))
    FROM unnest(${keys}::text[]) WITH ORDINALITY AS t(k, n) ORDER BY n`;
}

/**
 * A unique constraint refused the write: P2002 from Prisma's own queries, or Postgres' 23505 from a raw
 * statement (Prisma reports it as P2010 "Raw query failed", with the driver adapter's error in meta).
 */
export const isUniqueViolation = (error: unknown): boolean => {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  const { code, meta } = error as {
    code: unknown;
    meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } };
  };
  const cause = meta?.driverAdapterError?.cause;
  return (
    code === 'P2002' ||
    (code === 'P2010' && (cause?.kind === 'UniqueConstraintViolation' || cause?.originalCode === '23505'))
  );
};
