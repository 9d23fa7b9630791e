import { PubSub, type PubSubEngine } from 'graphql-subscriptions';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { Redis } from 'ioredis';
import { TopicBus } from './topic-bus.js';

export interface PubSubHandle {
  kind: 'redis' | 'in-process';
  engine: PubSubEngine;
  bus: TopicBus;
  close(): Promise<void>;
}

/**
 * Redis pub/sub (a publisher and a subscriber connection) so every api process sees every event; an
 * in-process bus when REDIS_URL is unset, behind the same PubSubEngine interface.
 */
export function createPubSub(redisUrl: string | undefined): PubSubHandle {
  if (!redisUrl) {
    const engine = new PubSub();
    return { kind: 'in-process', engine, bus: new TopicBus(engine), close: async () => undefined };
  }
  const options = { maxRetriesPerRequest: null, lazyConnect: false };
  const engine = new RedisPubSub({
    publisher: new Redis(redisUrl, options),
    subscriber: new Redis(redisUrl, options),
  });
  return {
    kind: 'redis',
    engine,
    bus: new TopicBus(engine),
    close: async () => {
      await engine.close();
    },
  };
}
