import type { Actor } from '../auth/actor.js';
import type { ActorGuard } from '../auth/actor-guard.js';
import type { LanguageModel } from '../ai/language-model.js';
import type { Database } from '../db/database.js';
import type { JobQueue } from '../jobs/queue.js';
import type { Logger } from '../kernel/logger.js';
import type { CredentialWatch } from '../realtime/credential-changes.js';
import type { RealtimePublisher } from '../realtime/publisher.js';
import type { TopicBus } from '../realtime/topic-bus.js';
import type { SharedLookup } from '../realtime/shared-lookup.js';
import type { ServiceSettings } from '../services/deps.js';
import type { FailureLog } from '../kernel/failure-log.js';
import type { RateLimits } from '../protection/rate-limits.js';

/** Per-request context: who is asking, and what the resolvers may call. */
export interface Context {
  actor: Actor;
  /** Re-checks the credentials of long-lived subscriptions. */
  actorGuard: ActorGuard;
  db: Database;
  settings: ServiceSettings;
  logger: Logger;
  bus: TopicBus;
  realtime: RealtimePublisher;
  sharedLookup: SharedLookup;
  /** Background jobs (failedJobs, retryJob); resolvers read it through jobQueueOf. */
  jobs: JobQueue;
  onJobsQueued?: () => void;
  /** The configured language model (runSentimentAnalysis). */
  model: LanguageModel;
  /** Where the request came from (TRUST_PROXY decides whether X-Forwarded-For counts). */
  clientAddress: string;
  rateLimits: RateLimits;
  /** Refused requests, logged once per kind and address, counted under a flood. */
  failureLog: FailureLog;
  /** Pushes credential changes to the live subscriptions (absent in apps without a server). */
  credentialWatch?: CredentialWatch;
}
