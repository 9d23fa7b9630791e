import { GraphQLError } from 'graphql';
import type { YogaLogger } from 'graphql-yoga';
import type { Logger } from '../kernel/logger.js';

/**
 * Yoga's own messages, through pino. Yoga reports every error it hands to our masker at error level, and
 * a GraphQLError's text includes the operation's source (where a password may be written inline): the
 * masker already logs what is unexpected, so these go to debug with the message and code only.
 */
export function yogaLogger(logger: Logger): YogaLogger {
  const text = (args: unknown[]) =>
    args.map((arg) => (arg instanceof Error ? describe(arg) : String(arg))).join(' ');
  return {
    debug: (...args) => logger.debug(text(args)),
    info: (...args) => logger.info(text(args)),
    warn: (...args) => logger.warn(text(args)),
    error: (...args) => logger.debug(text(args)),
  };
}

function describe(error: Error): string {
  const code = error instanceof GraphQLError ? error.extensions.code : undefined;
  return `${error.name}: ${error.message.split('\n')[0] ?? ''}${code ? ` (${String(code)})` : ''}`;
}
