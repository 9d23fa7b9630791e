import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { topicsOf, type TopicEvents, type TopicName } from '../../src/realtime/topics.js';

/**
 * Publishes a topic event on Redis exactly as the platform's RealtimePublisher does after a commit (through
 * graphql-redis-subscriptions: JSON on every topic of the event, a fresh eventId), so the api process under
 * test only does the subscriber's side. Resolves when Redis has taken every publish.
 */
export async function publishLikePlatform<N extends TopicName>(
  redis: Redis,
  name: N,
  event: Omit<TopicEvents[N], 'eventId'>,
): Promise<void> {
  const payload = { ...event, eventId: randomUUID() } as TopicEvents[N];
  await Promise.all(topicsOf(name, payload).map((topic) => redis.publish(topic, JSON.stringify(payload))));
}
