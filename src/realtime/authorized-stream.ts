import type { Actor } from '../auth/actor.js';
import type { ActorGuard } from '../auth/actor-guard.js';
import { forbidden } from '../kernel/errors.js';

export interface StreamAuthorization<E> {
  guard: ActorGuard;
  /** Per event: whether this subscriber receives it (e.g. integrators never get private notes). */
  mayReceive: (actor: Actor, event: E) => boolean;
  /** Whether the subscriber may still hold the subscription: per event, and when its credentials change. */
  stillEntitled: (actor: Actor) => boolean;
  /** Registers for pushed credential changes (logOut, revoked key, removed member); returns the unwatch. */
  watchCredentials?: (onChange: () => void) => () => void;
}

/**
 * The events of a topic that the subscriber may still see. Before each delivery the subscriber's
 * credentials are re-checked (at most every few seconds, see ActorGuard); a pushed credential change
 * re-checks at once, between events. A revoked key, an ended session or a removed member ends the
 * subscription with an error instead of receiving more.
 */
export function authorizedStream<E>(
  source: AsyncIterableIterator<E>,
  { guard, mayReceive, stillEntitled, watchCredentials }: StreamAuthorization<E>,
): AsyncIterableIterator<E> {
  const end = async () => {
    unwatch?.();
    await source.return?.();
  };
  /** Throws (after ending the stream) when the subscriber lost its access. */
  const check = async (changedAt?: number): Promise<Actor> => {
    let actor: Actor;
    try {
      actor = await guard.fresh(changedAt);
    } catch (error) {
      await end();
      throw error;
    }
    if (!stillEntitled(actor)) {
      await end();
      throw forbidden('Your access to this subscription has ended.');
    }
    return actor;
  };
  // A change pushed while waiting for the next event: the waiting next() re-checks at once.
  let changed: (() => void) | undefined;
  let changedAt: number | undefined;
  const unwatch = watchCredentials?.(() => {
    changedAt ??= Date.now();
    changed?.();
  });
  let pendingItem: Promise<IteratorResult<E>> | undefined;
  const iterator: AsyncIterableIterator<E> = {
    async next() {
      for (;;) {
        pendingItem ??= source.next();
        const item = await Promise.race([
          pendingItem,
          new Promise<'changed'>((resolve) => {
            changed = () => resolve('changed');
            if (changedAt !== undefined) resolve('changed');
          }),
        ]);
        changed = undefined;
        if (item === 'changed') {
          const since = changedAt;
          changedAt = undefined;
          await check(since);
          continue;
        }
        pendingItem = undefined;
        if (item.done) {
          unwatch?.();
          return item;
        }
        const actor = await check();
        if (mayReceive(actor, item.value)) return item;
      }
    },
    async return() {
      await end();
      return { done: true, value: undefined };
    },
    async throw(error: unknown) {
      await end();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
