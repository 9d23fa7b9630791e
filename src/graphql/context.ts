import type { Actor } from '../auth/actor.js';
import type { ActorGuard } from '../auth/actor-guard.js';
import type { Database } from '../db/database.js';
import type { CredentialWatch } from '../realtime/credential-changes.js';
import type { TopicBus } from '../realtime/topic-bus.js';
import type { SharedLookup } from '../realtime/shared-lookup.js';
import type { ServiceDeps } from '../services/deps.js';
import type { FailureLog } from '../kernel/failure-log.js';
import type { RateLimits } from '../protection/rate-limits.js';

/** Per-request context: who is asking, and what the resolvers may call. */
export interface Context {
  actor: Actor;
  /** Re-checks the credentials of long-lived subscriptions. */
  actorGuard: ActorGuard;
  /** What resolvers hand to services: the same for every request of this app. */
  deps: ServiceDeps;
  db: Database;
  bus: TopicBus;
  sharedLookup: SharedLookup;
  /** Where the request came from (TRUST_PROXY decides whether X-Forwarded-For counts). */
  clientAddress: string;
  rateLimits: RateLimits;
  /** Refused requests, logged once per kind and address, counted under a flood. */
  failureLog: FailureLog;
  /** Pushes credential changes to the live subscriptions (absent in apps without a server). */
  credentialWatch?: CredentialWatch;
}
