import { PothosValidationError } from '@pothos/core';
import { GraphQLError } from 'graphql';
import { InputValidationError } from '@pothos/plugin-validation';
import type { Logger } from '../kernel/logger.js';
import { withoutSuggestions } from './hidden-suggestions.js';
import { isDatabaseUnavailable, isRedisUnavailable } from '../db/unavailable.js';
import { DomainError, serviceUnavailable, timedOut, type DomainErrorCode } from '../kernel/errors.js';

const UNEXPECTED = 'Unexpected error.';

/** The HTTP status of an answer that carries this code (Yoga takes it from `extensions.http`). */
const HTTP_STATUS: Partial<Record<DomainErrorCode, number>> = {
  RATE_LIMITED: 429,
  TIMEOUT: 503,
  SERVICE_UNAVAILABLE: 503,
};

function originalOf(error: unknown): unknown {
  let current = error;
  while (current instanceof GraphQLError && current.originalError) current = current.originalError;
  return current;
}

/** The GraphQL form of an expected failure: its message, `extensions.code`, and the HTTP status it calls for. */
export function toGraphQLError(error: DomainError, source?: GraphQLError): GraphQLError {
  const status = HTTP_STATUS[error.code];
  const retryAfter = error.retryAfterSeconds;
  return new GraphQLError(error.message, {
    nodes: source?.nodes,
    positions: source?.positions,
    path: source?.path,
    extensions: {
      code: error.code,
      ...(error.details ? { details: error.details } : {}),
      ...(retryAfter !== undefined ? { retryAfter } : {}),
      // Read by Yoga for the response's status and headers, and left out of the JSON it sends.
      ...(status
        ? {
            http: {
              status,
              ...(retryAfter !== undefined ? { headers: { 'Retry-After': String(retryAfter) } } : {}),
            },
          }
        : {}),
    },
  });
}

/** Postgres cancelled the statement: our statement timeout, or a cancel sent because the caller went away. */
export function isCancelledStatement(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 6; depth++) {
    const code = (current as { code?: unknown }).code;
    const message = (current as { message?: unknown }).message;
    if (code === '57014' || (typeof message === 'string' && message.includes('canceling statement'))) {
      return true;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Expected errors keep their message with a typed `extensions.code`; GraphQL's own errors (syntax,
 * unknown field, bad variable, an operation over a limit) keep theirs; anything else is logged with its
 * stack and masked.
 */
export function createErrorMasker(logger: Logger, options: { hideSuggestions?: boolean } = {}) {
  const mask = (error: unknown): Error => {
    const original = originalOf(error);
    const source = error instanceof GraphQLError ? error : undefined;
    if (original instanceof DomainError) return toGraphQLError(original, source);
    if (source && !source.path && source.message.startsWith('Variable "$')) {
      // A variable that does not fit its type (missing or mistyped field, both or neither field of a oneOf
      // input, unknown enum value, bad scalar): graphql-js composes the message, and there is nothing to hide.
      return toGraphQLError(new DomainError('BAD_USER_INPUT', source.message), source);
    }
    if (original instanceof InputValidationError) {
      const issues = original.issues.map((issue) => ({
        path: issue.path?.map((segment) => (typeof segment === 'object' ? segment.key : segment)).join('.'),
        message: issue.message,
      }));
      const first = issues[0];
      const message = first
        ? `Invalid input: ${first.path ? `${first.path} ` : ''}${first.message}`
        : 'Invalid input.';
      return toGraphQLError(new DomainError('BAD_USER_INPUT', message, { issues }), source);
    }
    if (original instanceof PothosValidationError) {
      // Pothos refuses arguments it cannot use (a malformed cursor, a negative page size): the caller's input.
      const code = original.extensions.code;
      return toGraphQLError(
        new DomainError(
          typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR'
            ? (code as DomainErrorCode)
            : 'BAD_USER_INPUT',
          original.message.slice(0, 300),
          original.extensions.details as Record<string, unknown> | undefined,
        ),
        source,
      );
    }
    if (isCancelledStatement(original)) return toGraphQLError(timedOut(), source);
    if (isDatabaseUnavailable(original) || isRedisUnavailable(original)) {
      logger.warn({ err: original, path: source?.path }, 'a backing service is unavailable');
      return toGraphQLError(serviceUnavailable(), source);
    }
    if (source && !source.originalError) {
      // Parse and validation errors of the operation itself.
      const code = source.extensions.code ?? 'GRAPHQL_VALIDATION_FAILED';
      return new GraphQLError(source.message, {
        nodes: source.nodes,
        positions: source.positions,
        path: source.path,
        extensions: { ...source.extensions, code },
      });
    }
    logger.error({ err: original, path: source?.path }, 'unexpected error');
    return new GraphQLError(UNEXPECTED, {
      nodes: source?.nodes,
      positions: source?.positions,
      path: source?.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  };
  if (!options.hideSuggestions) return mask;
  // Production: "Did you mean …?" would spell out the schema to whoever probes it.
  return (error: unknown): Error => {
    const masked = mask(error);
    if (masked instanceof GraphQLError && /Did you mean/.test(masked.message)) {
      return new GraphQLError(withoutSuggestions(masked.message), {
        nodes: masked.nodes,
        positions: masked.positions,
        path: masked.path,
        extensions: masked.extensions,
      });
    }
    return masked;
  };
}
