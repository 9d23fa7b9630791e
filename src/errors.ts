import { GraphQLError } from 'graphql';
import { InputValidationError } from '@pothos/plugin-validation';
import type { Logger } from './logger.js';
import { DomainError } from './services/errors.js';

const UNEXPECTED = 'Unexpected error.';

function originalOf(error: unknown): unknown {
  let current = error;
  while (current instanceof GraphQLError && current.originalError) current = current.originalError;
  return current;
}

/** The GraphQL form of an expected failure: its message and `extensions.code`. */
export function toGraphQLError(error: DomainError, source?: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: source?.nodes,
    positions: source?.positions,
    path: source?.path,
    extensions: { code: error.code, ...(error.details ? { details: error.details } : {}) },
  });
}

/**
 * Expected errors keep their message with a typed `extensions.code`; GraphQL's own errors (syntax,
 * unknown field, bad variable) keep theirs; anything else is logged with its stack and masked.
 */
export function createErrorMasker(logger: Logger) {
  return (error: unknown): Error => {
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
}
