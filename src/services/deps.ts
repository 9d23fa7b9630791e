import type { PrismaClient } from '../generated/prisma/client.js';
import type { RateLimits } from '../protection/rate-limits.js';
import type { RealtimePublisher } from '../realtime/publisher.js';

export interface ServiceSettings {
  sessionTtlMs: number;
  apiKeyRotationGraceMs: number;
  /** How often a subscription re-checks its credentials while events flow. */
  subscriberRecheckMs: number;
  /** The most subscriptions one WebSocket connection may hold. */
  maxSubscriptionsPerConnection: number;
  /** WEBHOOKS_ALLOW_PRIVATE (development): webhook URLs may point at loopback and private addresses. */
  allowPrivateWebhooks?: boolean;
}

/** What a service function needs besides the actor and its input. */
export interface ServiceDeps {
  prisma: PrismaClient;
  settings: ServiceSettings;
  /** Publishes real-time events; services call it after their transaction committed. */
  realtime: RealtimePublisher;
  /** Called after a commit that queued jobs (transactional outbox), so they start without waiting for the relay's next pass. */
  onJobsQueued?: () => void;
  now?: () => Date;
  /** Sign-in and sign-up limits; none when absent. */
  rateLimits?: RateLimits;
}

export const nowOf = (deps: ServiceDeps): Date => (deps.now ? deps.now() : new Date());
