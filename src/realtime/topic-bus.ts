import type { PubSubEngine } from 'graphql-subscriptions';
import { serviceUnavailable } from '../kernel/errors.js';

/** Events one slow subscriber may have waiting before its subscription is ended. */
export const MAX_BUFFERED_EVENTS = 1000;

/** How long subscribing may wait for Redis before the subscription is refused (SERVICE_UNAVAILABLE). */
export const SUBSCRIBE_TIMEOUT_MS = 2000;

/**
 * Topics over a PubSubEngine (Redis or in-process). `listen` resolves only once the engine confirms the
 * subscription (for Redis: SUBSCRIBE acknowledged), so a subscription field that awaits it is really
 * listening when it starts; `listeners` counts live listeners per topic, for readiness checks and metrics.
 */
export class TopicBus {
  private readonly counts = new Map<string, number>();

  constructor(readonly engine: PubSubEngine) {}

  publish(topic: string, payload: unknown): Promise<void> {
    return this.engine.publish(topic, payload);
  }

  listeners(topic: string): number {
    return this.counts.get(topic) ?? 0;
  }

  async listen<E>(topic: string): Promise<AsyncIterableIterator<E>> {
    const queue: E[] = [];
    let waiting: ((result: IteratorResult<E>) => void) | undefined;
    let failure: Error | undefined;
    let closed = false;
    const subscribing = this.engine.subscribe(
      topic,
      (event: E) => {
        if (closed) return;
        if (waiting) {
          const resolve = waiting;
          waiting = undefined;
          resolve({ done: false, value: event });
        } else if (queue.length < MAX_BUFFERED_EVENTS) {
          queue.push(event);
        } else {
          failure = new Error('This subscriber fell too far behind; subscribe again.');
        }
      },
      {},
    );
    let timer: NodeJS.Timeout | undefined;
    const timedOut = Symbol('timed out');
    const subscribed = await Promise.race([
      subscribing,
      new Promise<typeof timedOut>((resolve) => {
        timer = setTimeout(() => resolve(timedOut), SUBSCRIBE_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    if (subscribed === timedOut) {
      // Redis is away: refuse now, and drop the subscription if it is made once Redis is back.
      closed = true;
      void subscribing.then((id) => this.engine.unsubscribe(id)).catch(() => undefined);
      throw serviceUnavailable('Live updates are unavailable for a moment; subscribe again shortly.');
    }
    const subscriptionId = subscribed;
    this.counts.set(topic, this.listeners(topic) + 1);
    const close = async (): Promise<IteratorResult<E>> => {
      if (!closed) {
        closed = true;
        this.engine.unsubscribe(subscriptionId);
        const left = this.listeners(topic) - 1;
        if (left > 0) this.counts.set(topic, left);
        else this.counts.delete(topic);
        waiting?.({ done: true, value: undefined });
        waiting = undefined;
      }
      return { done: true, value: undefined };
    };
    const iterator: AsyncIterableIterator<E> = {
      next: async () => {
        if (failure) {
          await close();
          throw failure;
        }
        if (queue.length > 0) return { done: false, value: queue.shift()! };
        if (closed) return { done: true, value: undefined };
        return new Promise<IteratorResult<E>>((resolve) => (waiting = resolve));
      },
      return: close,
      throw: async (error: unknown) => {
        await close();
        throw error;
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}
