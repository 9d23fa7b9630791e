import { getOperationAST, type GraphQLError, Kind, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from './context.js';
import { DomainError, unauthenticated } from '../kernel/errors.js';
import { toGraphQLError } from './error-masking.js';
import { operationMeasureOf } from './operation-limits.js';

/**
 * Checks that need to know who is asking, so they run once the context (and the actor) exists, before
 * execution: a signed-in user's hourly query-cost budget (GitHub's points model: what an operation may
 * load, from the operation limits' cost) and whether anonymous callers may introspect.
 */
export function useRequestGuards(options: { anonymousIntrospection: boolean }): Plugin<Context> {
  const guard = async (args: {
    contextValue: Context;
    document: DocumentNode;
    operationName?: string | null;
  }) => {
    const ctx = args.contextValue;
    if (
      !options.anonymousIntrospection &&
      !ctx.actor.isAuthenticated &&
      introspects(args.document, args.operationName)
    ) {
      throw unauthenticated('Sign in to introspect the schema.');
    }
    const measure = operationMeasureOf(ctx);
    if (ctx.actor.user && measure && ctx.rateLimits.has('userCost')) {
      await ctx.rateLimits.spend('userCost', ctx.actor.user.id, Math.max(1, measure.cost));
    }
  };
  const refuse = (error: unknown): { errors: GraphQLError[] } => {
    if (error instanceof DomainError) return { errors: [toGraphQLError(error)] };
    throw error;
  };
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      await guard(args).catch((error: unknown) => setResultAndStopExecution(refuse(error)));
    },
    async onSubscribe({ args, setResultAndStopExecution }) {
      await guard(args).catch((error: unknown) => setResultAndStopExecution(refuse(error)));
    },
  };
}

/** Whether the operation reads the schema (`__schema` or `__type` at its root; `__typename` does not count). */
function introspects(document: DocumentNode, operationName?: string | null): boolean {
  const operation = getOperationAST(document, operationName);
  return (
    operation?.selectionSet.selections.some(
      (selection) =>
        selection.kind === Kind.FIELD &&
        (selection.name.value === '__schema' || selection.name.value === '__type'),
    ) ?? false
  );
}
