import { PubSub, type PubSubEngine } from 'graphql-subscriptions';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { Redis } from 'ioredis';
import { TopicBus } from './topic-bus.js';

export interface PubSubHandle {
  kind: 'redis' | 'in-process';
  engine: PubSubEngine;
  bus: TopicBus;
  /** Resolves when the backend answers (Redis PING within the timeout); rejects otherwise. */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** How long a publish may wait for Redis: a request never hangs on a live update (it is best effort). */
export const PUBLISH_TIMEOUT_MS = 1000;

/**
 * Redis pub/sub (a publisher and a subscriber connection) so every api process sees every event; an
 * in-process bus when REDIS_URL is unset, behind the same PubSubEngine interface.
 */
export function createPubSub(redisUrl: string | undefined): PubSubHandle {
  if (!redisUrl) {
    const engine = new PubSub();
    return {
      kind: 'in-process',
      engine,
      bus: new TopicBus(engine),
      ping: async () => undefined,
      close: async () => undefined,
    };
  }
  // The publisher fails at once while Redis is away (no offline queue) and gives up on a command after a
  // second: publishing is best effort, and a request must not wait for Redis to come back. The subscriber
  // keeps its queue so that it subscribes again by itself after a reconnect.
  const publisher = new Redis(redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: PUBLISH_TIMEOUT_MS,
  });
  const subscriber = new Redis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
  // Without listeners ioredis would throw its connection errors; they are expected during an outage.
  publisher.on('error', () => undefined);
  subscriber.on('error', () => undefined);
  const engine = new RedisPubSub({ publisher, subscriber });
  return {
    kind: 'redis',
    engine,
    bus: new TopicBus(engine),
    ping: async (timeoutMs = 1000) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          publisher.ping(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('Redis did not answer PING')), timeoutMs);
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: async () => {
      await engine.close();
    },
  };
}
