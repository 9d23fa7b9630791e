import { getOperationAST, GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { currentRequestId } from '../db/query-cancellation.js';
import { DomainError } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';
import type { Context } from './context.js';

/**
 * One log line per operation (info): its name and type, how long it ran, the error codes of its answer,
 * who asked (the credential's kind, an API key's organization), and the request id, never variables or
 * credentials. Every error of an HTTP answer carries the request id in `extensions.requestId`, so a
 * caller's report can be matched to the log. Unexpected errors are logged once more, at error level, by
 * the error masker; expected ones (wrong password, CONFLICT, bad input) only here, at info.
 */
export function useAccessLog(logger: Logger): Plugin<Context> {
  const log = (args: ExecutionArgs, started: number, result: ExecutionResult | AsyncIterable<unknown>) => {
    // A subscription's line is written when its stream starts (its events are not operations).
    const codes = Symbol.asyncIterator in result ? [] : codesOf(result);
    // Refusals under a flood are counted by the failure log, one line a minute, not one each.
    if (codes.includes('RATE_LIMITED')) return;
    const ctx = args.contextValue as Context;
    const operation = getOperationAST(args.document, args.operationName);
    logger.info(
      {
        operation: args.operationName ?? operation?.name?.value ?? null,
        type: operation?.operation ?? null,
        ms: Math.round((performance.now() - started) * 10) / 10,
        codes,
        credential: ctx.actor.kind,
        ...(ctx.actor.apiKey ? { organizationId: ctx.actor.apiKey.organizationId } : {}),
      },
      'graphql operation',
    );
  };
  return {
    onExecute({ args }) {
      const started = performance.now();
      return { onExecuteDone: ({ result }) => log(args, started, result) };
    },
    onSubscribe({ args }) {
      const started = performance.now();
      return { onSubscribeResult: ({ result }) => log(args, started, result) };
    },
    onResultProcess({ result, setResult }) {
      const requestId = currentRequestId();
      if (!requestId || Array.isArray(result) || Symbol.asyncIterator in result) return;
      if (!result.errors?.length) return;
      setResult({ ...result, errors: result.errors.map((error) => withRequestId(error, requestId)) });
    },
  };
}

/** The codes the caller will see: masking runs after this hook, so a domain error is read from its origin. */
export function codesOf(result: ExecutionResult): string[] {
  const codeOf = (error: GraphQLError) => {
    if (error.extensions?.code) return String(error.extensions.code);
    return error.originalError instanceof DomainError ? error.originalError.code : 'INTERNAL_SERVER_ERROR';
  };
  return [...new Set((result.errors ?? []).map(codeOf))];
}

function withRequestId(error: GraphQLError, requestId: string): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, requestId },
  });
}
