import type { Actor } from '../auth/actor.js';
import type { ActorGuard } from '../auth/actor-guard.js';
import { forbidden } from '../services/errors.js';

/**
 * The events of a topic that the subscriber may still see. Before each delivery the subscriber's
 * credentials are re-checked (at most every few seconds, see ActorGuard): a revoked key or a removed
 * member ends the subscription with an error instead of receiving more.
 */
export function authorizedStream<E>(
  source: AsyncIterableIterator<E>,
  guard: ActorGuard,
  mayReceive: (actor: Actor, event: E) => boolean,
  stillEntitled: (actor: Actor, event: E) => boolean,
): AsyncIterableIterator<E> {
  const end = async () => {
    await source.return?.();
  };
  const iterator: AsyncIterableIterator<E> = {
    async next() {
      for (;;) {
        const item = await source.next();
        if (item.done) return item;
        let actor: Actor;
        try {
          actor = await guard.fresh();
        } catch (error) {
          await end();
          throw error;
        }
        if (!stillEntitled(actor, item.value)) {
          await end();
          throw forbidden('Your access to this subscription has ended.');
        }
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
