/** The expected failures of the domain; the GraphQL layer maps each code to `extensions.code`. */
export type DomainErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  /** Over a rate limit or a budget; `retryAfterSeconds` says when to try again. */
  | 'RATE_LIMITED'
  /** The operation ran past its time limit and was cancelled (nothing of it was kept). */
  | 'TIMEOUT'
  /** The database or Redis is unreachable for now; retry after `retryAfterSeconds`. */
  | 'SERVICE_UNAVAILABLE';

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    /** For RATE_LIMITED: whole seconds until a retry can succeed. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const unauthenticated = (message = 'Sign in or send an API key.') =>
  new DomainError('UNAUTHENTICATED', message);
export const forbidden = (message = 'You are not allowed to do this.') =>
  new DomainError('FORBIDDEN', message);
export const badInput = (message: string, details?: Record<string, unknown>) =>
  new DomainError('BAD_USER_INPUT', message, details);
export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} not found.`);
export const conflict = (message: string) => new DomainError('CONFLICT', message);
export const rateLimited = (message: string, retryAfterSeconds: number) =>
  new DomainError('RATE_LIMITED', message, undefined, Math.max(1, Math.ceil(retryAfterSeconds)));
export const serviceUnavailable = (
  message = 'The service is briefly unavailable; retry shortly (with the same idempotency key, a retry stores nothing twice).',
) => new DomainError('SERVICE_UNAVAILABLE', message, undefined, 5);
export const timedOut = (
  message = 'The operation took too long and was cancelled; nothing of it was kept.',
) => new DomainError('TIMEOUT', message);
