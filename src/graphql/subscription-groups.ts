import {
  createSourceEventStream,
  execute,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from './context.js';

/**
 * Multiplexed subscriptions (Hasura's idea): subscribers whose operation, variables and authorization class
 * are the same would compute the same result for an event, so they share one execution of it, made by the
 * first of them to receive the event; the others wait for that result instead of running their own.
 *
 * What stays per subscriber: setting the subscription up (its own scope check, see subscribeTo) and the
 * stream of events it may see (its own credential re-checks and per-event rules, see authorizedStream), so a
 * revoked key or a removed member stops receiving exactly as before. Only the execution of the selection
 * set on an event is shared, and only inside one authorization class (Actor.authorizationClass): two
 * members with different roles never share a result.
 */
export class SubscriptionGroups {
  private readonly groups = new Map<string, SubscriptionGroup>();
  private readonly documentIds = new WeakMap<DocumentNode, number>();
  private nextDocumentId = 0;
  /** Executions run for all groups: one per event and group, however many members receive it. */
  executions = 0;

  /** Groups with at least one member (for metrics and tests). */
  get size(): number {
    return this.groups.size;
  }

  /** Members of all groups: the live subscriptions sharing executions. */
  get members(): number {
    let count = 0;
    for (const group of this.groups.values()) count += group.members;
    return count;
  }

  join(args: ExecutionArgs): SubscriptionGroup {
    const key = this.keyOf(args);
    let group = this.groups.get(key);
    if (!group) {
      group = new SubscriptionGroup(args, () => this.executions++);
      this.groups.set(key, group);
    }
    group.members++;
    return group;
  }

  leave(group: SubscriptionGroup): void {
    group.members--;
    if (group.members > 0) return;
    for (const [key, candidate] of this.groups) {
      if (candidate === group) {
        this.groups.delete(key);
        return;
      }
    }
  }

  /**
   * The same document (the parse cache hands out one DocumentNode per query text), operation, variables
   * and authorization class. A document parsed twice makes two groups: less sharing, never more.
   */
  private keyOf(args: ExecutionArgs): string {
    let documentId = this.documentIds.get(args.document);
    if (documentId === undefined) {
      documentId = this.nextDocumentId++;
      this.documentIds.set(args.document, documentId);
    }
    const { actor } = args.contextValue as Context;
    return `${documentId}\u0000${args.operationName ?? ''}\u0000${JSON.stringify(args.variableValues ?? {})}\u0000${actor.authorizationClass}`;
  }
}

export class SubscriptionGroup {
  members = 0;
  /** Per event (the one object the bus hands to every listener of a topic), its result. */
  private readonly results = new WeakMap<object, Promise<ExecutionResult>>();
  /** The first member's arguments: any member's would do, they are of one authorization class. */
  constructor(
    private readonly args: ExecutionArgs,
    private readonly onExecution: () => void,
  ) {}

  resultFor(event: unknown): Promise<ExecutionResult> {
    if (typeof event !== 'object' || event === null) return this.run(event);
    let result = this.results.get(event);
    if (!result) {
      result = this.run(event);
      this.results.set(event, result);
    }
    return result;
  }

  private async run(event: unknown): Promise<ExecutionResult> {
    this.onExecution();
    // A fresh context object per event, as graphql-js's subscribe gives each event its own execution:
    // per-context caches (Pothos, loaders) then live for one event, not for the life of the group.
    const contextValue = { ...(this.args.contextValue as Context) };
    return execute({ ...this.args, rootValue: event, contextValue });
  }
}

/**
 * graphql-js's `subscribe`, with the per-event execution shared through the groups: the member's own
 * source stream (created with its own context), each event mapped to its group's result.
 */
export function groupedSubscribe(groups: SubscriptionGroups) {
  return async (args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    const stream = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in stream)) return stream;
    const source = stream[Symbol.asyncIterator]();
    const group = groups.join(args);
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      groups.leave(group);
    };
    const iterator: AsyncIterableIterator<ExecutionResult> = {
      async next() {
        let item: IteratorResult<unknown>;
        try {
          item = await source.next();
        } catch (error) {
          leave();
          throw error;
        }
        if (item.done) {
          leave();
          return { done: true, value: undefined };
        }
        return { done: false, value: await group.resultFor(item.value) };
      },
      async return() {
        leave();
        await source.return?.();
        return { done: true, value: undefined };
      },
      async throw(error: unknown) {
        leave();
        await source.return?.();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  };
}

/** Every subscription (graphql-ws and SSE alike) goes through the groups. */
export function useSubscriptionGroups(groups: SubscriptionGroups): Plugin<Context> {
  const subscribe = groupedSubscribe(groups);
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(subscribe as Parameters<typeof setSubscribeFn>[0]);
    },
  };
}
