import type { IncomingMessage } from 'node:http';
import { createYoga, useReadinessCheck, type YogaServerInstance } from 'graphql-yoga';
import { ActorGuard, CredentialChecks } from '../auth/actor-guard.js';
import { authenticate, type Credentials } from '../auth/authenticate.js';
import { RecentApiKeys } from '../auth/recent-api-keys.js';
import type { Actor } from '../auth/actor.js';
import { apiOptionsOf, loadConfig, type ApiOptions } from '../config.js';
import type { Context } from './context.js';
import type { Database } from '../db/database.js';
import { createErrorMasker, toGraphQLError } from './error-masking.js';
import { yogaLogger } from './yoga-logger.js';
import { addressOfRequest } from '../protection/client-address.js';
import { FailureLog } from '../kernel/failure-log.js';
import { useHiddenSuggestions } from './hidden-suggestions.js';
import { useOperationLimits } from './operation-limits.js';
import { RateLimits } from '../protection/rate-limits.js';
import { useRequestGuards } from './request-guards.js';
import { CredentialWatch } from '../realtime/credential-changes.js';
import type { TopicBus } from '../realtime/topic-bus.js';
import { SharedLookup } from '../realtime/shared-lookup.js';
import { SubscriptionGroups, useSubscriptionGroups } from './subscription-groups.js';
import { useAccessLog } from './access-log.js';
import { useOperationTelemetry } from './operation-telemetry.js';
import { schema } from '../resolvers/schema.js';
import type { ServiceDeps } from '../services/deps.js';
import { DomainError } from '../kernel/errors.js';

export interface AppDeps {
  /** The api's database: authentication and /readyz use it (the services' prisma is its client). */
  db: Database;
  /** What resolvers hand to services (src/services/deps.ts); its rate limits guard the requests too. */
  services: ServiceDeps;
  bus: TopicBus;
  /** Limits and what the API shows about itself; the development defaults when not given. */
  api?: Partial<ApiOptions>;
  /** Other backends /readyz must reach besides the database (Redis); each rejects when it cannot. */
  readinessChecks?: (() => Promise<void>)[];
}

/** /readyz waits this long for each backend; a backend that does not answer makes the process not ready. */
const READINESS_TIMEOUT_MS = 2000;

function withTimeout(check: () => Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    check(),
    new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new Error('readiness check timed out')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** What graphql-ws hands to the context factory for socket operations. */
export interface SocketContext {
  connectionParams?: Readonly<Record<string, unknown>>;
  /** The Node request (HTTP, or the WebSocket upgrade): where the caller's address comes from. */
  req?: IncomingMessage;
  /** The caller's address, taken from the upgrade request when the socket opened (graphql-ws operations). */
  clientAddress?: string;
  /** Who the socket's connection_init authenticated, and when (graphql-ws operations only). */
  connectionActor?: { actor: Actor; at: number };
}

/**
 * A subscription sent right after connection_init (what clients do) acts as the actor the connection
 * was just authenticated as, instead of a second lookup with the same credentials. Later subscriptions
 * authenticate afresh, as do all HTTP requests.
 */
export const CONNECTION_ACTOR_REUSE_MS = 1000;

export type Yoga = YogaServerInstance<SocketContext, Context>;

const defaultQuery = `# Sign in with the demo account (printed at start-up), then send
#   { "Authorization": "Bearer <token>" } in the headers below.
# (Put the password in a variable rather than in the document when it is a real one.)
mutation LogIn {
  logIn(input: { email: "demo@example.com", password: "demo-password-1" }) { token }
}

query Walk {
  viewer {
    user { name email }
    organizations(first: 5) {
      edges { node { id name appServices(first: 5) { edges { node { id name channel
        conversations(first: 5) { edges { node { id status lastMessageAt
          messages(last: 5) { edges { node { senderType content sentAt } } } } } } } } } } }
    }
  }
}
`;

export function credentialsFromRequest(request: Request): Credentials {
  return { authorization: request.headers.get('authorization'), apiKey: request.headers.get('x-api-key') };
}

export function credentialsFromConnectionParams(
  params: Readonly<Record<string, unknown>> | undefined,
): Credentials {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    authorization: text(params?.authorization) ?? text(params?.Authorization),
    apiKey: text(params?.apiKey) ?? text(params?.['x-api-key']),
  };
}

/** The options a caller did not give, as the configuration's defaults (development mode). */
export function resolveApiOptions(given: Partial<ApiOptions> | undefined): ApiOptions {
  return { ...apiOptionsOf(loadConfig({})), ...given };
}

/**
 * Turns credentials into an actor, under the rate limits: an address that keeps sending refused
 * credentials is refused without a lookup, and an API key spends its request budget.
 */
export class Authenticator {
  constructor(
    private readonly db: Database,
    private readonly rateLimits: RateLimits,
    private readonly failures: FailureLog,
    /** API keys accepted a moment ago, trusted without a lookup (see RecentApiKeys). */
    readonly recentApiKeys: RecentApiKeys = new RecentApiKeys(0),
  ) {}

  async actorFor(credentials: Credentials, address: string): Promise<Actor> {
    if (credentials.authorization || credentials.apiKey) {
      try {
        this.rateLimits.assertNotBlockedLocally('authFailuresPerIp', address);
      } catch (error) {
        this.failures.note('rate limited', address, { limit: 'authFailuresPerIp' });
        throw error;
      }
    }
    let actor: Actor | undefined = this.recentApiKeys.get(credentials);
    try {
      if (!actor) {
        actor = await authenticate(this.db.prisma, credentials);
        this.recentApiKeys.remember(credentials, actor);
      }
    } catch (error) {
      if (error instanceof DomainError && error.code === 'UNAUTHENTICATED') {
        this.failures.note('credentials refused', address, { reason: error.message });
        await this.rateLimits.penalize('authFailuresPerIp', address);
      }
      throw error;
    }
    if (actor.apiKey) await this.rateLimits.consume('apiKeyRequests', actor.apiKey.id);
    return actor;
  }
}

/** The GraphQL app on its own, so tests can call `yoga.fetch` without a port. */
export function createYogaApp(deps: AppDeps): Yoga {
  const { yoga, credentialWatch } = createGraphQLApi(deps);
  void credentialWatch.start();
  return yoga;
}

export interface GraphQLApi {
  yoga: Yoga;
  /** The WebSocket server checks connections with it too. */
  authenticator: Authenticator;
  /** Ends live subscriptions whose credentials change; start() before serving them. */
  credentialWatch: CredentialWatch;
  /** Refused requests, counted; flush() writes what the current window holds. */
  failureLog: FailureLog;
  /** Live subscriptions sharing their executions. */
  subscriptionGroups: SubscriptionGroups;
}

export function createGraphQLApi(deps: AppDeps): GraphQLApi {
  const api = resolveApiOptions(deps.api);
  const { logger, settings } = deps.services;
  const maskError = createErrorMasker(logger, { hideSuggestions: !api.fieldSuggestions });
  // One per app: subscribers of the same event share its lookup.
  const sharedLookup = new SharedLookup();
  // One per app: subscriptions with the same credentials share their re-checks.
  const credentialChecks = new CredentialChecks(deps.db.prisma, settings.subscriberRecheckMs);
  const rateLimits = deps.services.rateLimits ?? RateLimits.none();
  const failureLog = new FailureLog(logger);
  const authenticator = new Authenticator(
    deps.db,
    rateLimits,
    failureLog,
    new RecentApiKeys(api.apiKeyCacheMs),
  );
  const credentialWatch = new CredentialWatch(deps.bus, logger);
  credentialWatch.onAnyChange(() => authenticator.recentApiKeys.forgetAll());
  const subscriptionGroups = new SubscriptionGroups();
  const yoga = createYoga<SocketContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/healthz',
    landingPage: false,
    graphiql: api.graphiql ? { title: 'Conversation intelligence', defaultQuery } : false,
    logging: yogaLogger(logger),
    maskedErrors: { maskError },
    maxRequestBodySize: api.maxRequestBodyBytes,
    context: async ({
      request,
      connectionParams,
      req,
      clientAddress: socketAddress,
      connectionActor,
    }): Promise<Context> => {
      const credentials = connectionParams
        ? credentialsFromConnectionParams(connectionParams)
        : credentialsFromRequest(request);
      const clientAddress = socketAddress ?? addressOfRequest(req, api.trustProxyHops);
      try {
        const actor =
          connectionActor && Date.now() - connectionActor.at < CONNECTION_ACTOR_REUSE_MS
            ? connectionActor.actor
            : await authenticator.actorFor(credentials, clientAddress);
        return {
          actor,
          actorGuard: new ActorGuard(credentialChecks, credentials, actor, settings.subscriberRecheckMs),
          deps: deps.services,
          db: deps.db,
          bus: deps.bus,
          sharedLookup,
          clientAddress,
          rateLimits,
          failureLog,
          credentialWatch,
        };
      } catch (error) {
        throw error instanceof DomainError ? toGraphQLError(error) : error;
      }
    },
    plugins: [
      // Shape limits first: a refused operation never reaches the context (no authentication, no SQL).
      ...(api.operationLimits ? [useOperationLimits(api.operationLimits)] : []),
      ...(api.fieldSuggestions ? [] : [useHiddenSuggestions()]),
      useRequestGuards({ anonymousIntrospection: api.anonymousIntrospection }),
      useSubscriptionGroups(subscriptionGroups),
      useAccessLog(logger),
      useOperationTelemetry(deps.services.metrics),
      useReadinessCheck({
        endpoint: '/readyz',
        check: async () => {
          const checks = [() => deps.db.ping(), ...(deps.readinessChecks ?? [])];
          await Promise.all(checks.map((check) => withTimeout(check, READINESS_TIMEOUT_MS)));
          return true;
        },
      }),
    ],
  });
  return { yoga, authenticator, credentialWatch, failureLog, subscriptionGroups };
}
