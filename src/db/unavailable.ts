// Telling "the database (or Redis) is not there right now" apart from a bug, so that a caller gets
// SERVICE_UNAVAILABLE with Retry-After (try again shortly) instead of "Unexpected error.".

/** Driver adapter error kinds that mean the server cannot be reached or dropped the connection. */
const UNREACHABLE_KINDS = new Set([
  'DatabaseNotReachable',
  'DatabaseDoesNotExist',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);

/** Prisma's codes for the same. */
const UNREACHABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);

/** Postgres SQLSTATEs: admin/crash shutdown, cannot connect now, too many connections. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** Node and pg messages of a connection that failed or went away. */
const CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  "Can't reach database server",
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
];

/** Whether an error (or one of its causes) says Postgres is unreachable or went away. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 8; depth++) {
    const { code, meta, message, cause } = current as {
      code?: unknown;
      meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } };
      message?: unknown;
      cause?: unknown;
    };
    const adapterCause = meta?.driverAdapterError?.cause;
    if (typeof code === 'string' && (UNREACHABLE_PRISMA_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code))) {
      return true;
    }
    if (adapterCause && typeof adapterCause.kind === 'string' && UNREACHABLE_KINDS.has(adapterCause.kind)) {
      return true;
    }
    if (
      typeof adapterCause?.originalCode === 'string' &&
      UNAVAILABLE_SQLSTATES.has(adapterCause.originalCode)
    ) {
      return true;
    }
    if (
      typeof (current as { kind?: unknown }).kind === 'string' &&
      UNREACHABLE_KINDS.has((current as { kind: string }).kind)
    ) {
      return true;
    }
    if (typeof message === 'string' && CONNECTION_MESSAGES.some((text) => message.includes(text)))
      return true;
    current = cause;
  }
  return false;
}

/** Whether an error of ioredis or BullMQ says Redis is unreachable. */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|enableOfflineQueue|ECONNREFUSED|ECONNRESET|Redis is not ready|Command timed out/.test(
      error.message,
    )
  );
}
