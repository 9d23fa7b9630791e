import { createYoga, useReadinessCheck, type YogaServerInstance } from 'graphql-yoga';
import { LocalModel } from './ai/create-language-model.js';
import type { LanguageModel } from './ai/language-model.js';
import { ActorGuard, CredentialChecks } from './auth/actor-guard.js';
import { authenticate, type Credentials } from './auth/authenticate.js';
import type { Context } from './context.js';
import type { Database } from './db/database.js';
import type { JobQueue } from './jobs/queue.js';
import { createErrorMasker, toGraphQLError } from './errors.js';
import type { Logger } from './logger.js';
import type { RealtimePublisher } from './realtime/publisher.js';
import type { TopicBus } from './realtime/topic-bus.js';
import { SharedLookup } from './realtime/shared-lookup.js';
import { schema } from './resolvers/schema.js';
import type { ServiceSettings } from './services/deps.js';
import { DomainError } from './services/errors.js';

export interface AppDeps {
  db: Database;
  logger: Logger;
  settings: ServiceSettings;
  bus: TopicBus;
  realtime: RealtimePublisher;
  jobs: JobQueue;
  /** Called after a commit that wrote outbox jobs, so the relay enqueues them at once. */
  onJobsQueued?: () => void;
  /** The configured language model; the local rules when not given (tests, tools). */
  model?: LanguageModel;
}

/** What graphql-ws hands to the context factory for socket operations. */
export interface SocketContext {
  connectionParams?: Readonly<Record<string, unknown>>;
}

export type Yoga = YogaServerInstance<SocketContext, Context>;

const defaultQuery = `# Sign in with the demo account (printed at start-up), then send
#   { "Authorization": "Bearer <token>" } in the headers below.
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

/** The GraphQL app on its own, so tests can call `yoga.fetch` without a port. */
export function createYogaApp(deps: AppDeps): Yoga {
  const maskError = createErrorMasker(deps.logger);
  // One per app: subscribers of the same event share its lookup.
  const sharedLookup = new SharedLookup();
  // One per app: subscriptions with the same credentials share their re-checks.
  const credentialChecks = new CredentialChecks(deps.db.prisma, deps.settings.subscriberRecheckMs);
  const model = deps.model ?? new LocalModel();
  return createYoga<SocketContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/healthz',
    landingPage: false,
    graphiql: { title: 'Conversation intelligence', defaultQuery },
    logging: {
      debug: (...args) => deps.logger.debug(args.map(String).join(' ')),
      info: (...args) => deps.logger.info(args.map(String).join(' ')),
      warn: (...args) => deps.logger.warn(args.map(String).join(' ')),
      error: (...args) => deps.logger.error(args.map(String).join(' ')),
    },
    maskedErrors: { maskError },
    context: async ({ request, connectionParams }): Promise<Context> => {
      const credentials = connectionParams
        ? credentialsFromConnectionParams(connectionParams)
        : credentialsFromRequest(request);
      try {
        const actor = await authenticate(deps.db.prisma, credentials);
        return {
          actor,
          actorGuard: new ActorGuard(credentialChecks, credentials, actor, deps.settings.subscriberRecheckMs),
          db: deps.db,
          settings: deps.settings,
          logger: deps.logger,
          bus: deps.bus,
          realtime: deps.realtime,
          sharedLookup,
          jobs: deps.jobs,
          model,
          ...(deps.onJobsQueued ? { onJobsQueued: deps.onJobsQueued } : {}),
        };
      } catch (error) {
        throw error instanceof DomainError ? toGraphQLError(error) : error;
      }
    },
    plugins: [useReadinessCheck({ endpoint: '/readyz', check: () => deps.db.ping().then(() => true) })],
  });
}
