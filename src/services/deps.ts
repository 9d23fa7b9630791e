import type { LanguageModel } from '../ai/language-model.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { JobQueue } from '../jobs/queue.js';
import type { Clock } from '../kernel/clock.js';
import type { Logger } from '../kernel/logger.js';
import type { NoticeSender } from '../notifications/notice.js';
import type { WebhookSender } from '../notifications/webhooks.js';
import type { Metrics } from '../observability/metrics.js';
import type { RateLimits } from '../protection/rate-limits.js';
import type { RealtimePublisher } from '../realtime/publisher.js';

export { nowOf } from '../kernel/clock.js';

export interface ServiceSettings {
  sessionTtlMs: number;
  apiKeyRotationGraceMs: number;
  /** How often a subscription re-checks its credentials while events flow. */
  subscriberRecheckMs: number;
  /** The most subscriptions one WebSocket connection may hold. */
  maxSubscriptionsPerConnection: number;
  /** WEBHOOKS_ALLOW_PRIVATE (development): webhook URLs may point at loopback and private addresses. */
  allowPrivateWebhooks?: boolean;
  /** CSV exports (src/services/exports.ts); DEFAULT_EXPORT_SETTINGS when absent. */
  exports?: ExportSettings;
}

/** EXPORT_TTL_MINUTES, EXPORT_BATCH_SIZE, EXPORT_CHUNK_KIB. */
export interface ExportSettings {
  /** How long a READY export can be downloaded; then its chunks are deleted. */
  ttlMs: number;
  /** Conversations read per keyset page by the export job. */
  batchSize: number;
  /** A chunk row is written once the CSV text pending reaches this many bytes. */
  chunkBytes: number;
}

export const DEFAULT_EXPORT_SETTINGS: ExportSettings = {
  ttlMs: 3_600_000,
  batchSize: 1000,
  chunkBytes: 256 * 1024,
};

/** The notification channels as configured: who can send, and where the links in a notice point. */
export interface NotificationSetup {
  /** Which channels this platform can send on at all (planning records the others as skipped). */
  channels: { email: boolean; whatsapp: boolean };
  /** A sender per configured channel; a delivery on a channel without one is SKIPPED. */
  senders: { email?: NoticeSender; whatsapp?: NoticeSender; webhook?: WebhookSender };
  /** DASHBOARD_URL: links point at `${dashboardUrl}/conversations/<id>`. */
  dashboardUrl: string;
}

/**
 * What a service needs besides the actor and its input: one shape, built once by the composition root
 * (src/app.ts) for the api (src/graphql/context.ts hands it to resolvers) and once for the workers (each
 * job handler receives it). A service asks only for the parts it uses (`Pick<ServiceDeps, …>`), so a test
 * gives only those.
 */
export interface ServiceDeps {
  prisma: PrismaClient;
  settings: ServiceSettings;
  /** Publishes real-time events; services call it after their transaction committed. */
  realtime: RealtimePublisher;
  logger: Logger;
  /**
   * Called after a commit that wrote outbox jobs, so the relay hands them to the queue at once instead of
   * at its next pass (the jobs are safe either way: they are rows of the committed transaction).
   */
  afterCommit?: () => void;
  /** The time; the system's when absent (tests set it). */
  now?: Clock;
  /** Sign-in, sign-up and budget limits; none when absent. */
  rateLimits?: RateLimits;
  /** The configured language model (the OpenAI adapter or the local rules). */
  model: LanguageModel;
  /** The job queue itself, for what the outbox cannot do: list and retry failed jobs. */
  jobs: JobQueue;
  notifications: NotificationSetup;
  /** The process's metrics (src/observability/metrics.ts); none in tests that do not look at them. */
  metrics?: Metrics;
}
