import { PubSub } from 'graphql-subscriptions';
import { pino } from 'pino';
import { RealtimePublisher } from '../../src/realtime/publisher.js';
import { TopicBus } from '../../src/realtime/topic-bus.js';
import type { Database, DatabaseKind } from '../../src/db/database.js';
import { createInProcessQueue } from '../../src/jobs/in-process-queue.js';
import type { JobQueue } from '../../src/jobs/queue.js';
import type { ApiOptions } from '../../src/config.js';
import type { RateLimits } from '../../src/protection/rate-limits.js';
import { createYogaApp, type Yoga } from '../../src/graphql/yoga.js';
import { localServiceDeps } from '../../src/local-services.js';
import { createTestDatabase } from './db.js';

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: {
    message: string;
    path?: (string | number)[];
    extensions?: { code?: string } & Record<string, unknown>;
  }[];
}

export interface Auth {
  token?: string;
  apiKey?: string;
}

export interface TestApp {
  db: Database;
  yoga: Yoga;
  /** An in-process queue with no workers: tests start the ones they need. */
  jobs: JobQueue;
  /** How many commits told the relay that outbox jobs wait (afterCommit). */
  readonly jobsQueuedSignals: number;
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    auth?: Auth,
  ): Promise<GraphQLResponse<T>>;
  /** Runs fn and returns how many SQL statements Prisma sent meanwhile. */
  countStatements<T>(fn: () => Promise<T>): Promise<{ result: T; statements: string[] }>;
  close(): Promise<void>;
}

export const testSettings = {
  sessionTtlMs: 86_400_000,
  apiKeyRotationGraceMs: 3_600_000,
  subscriberRecheckMs: 0,
  maxSubscriptionsPerConnection: 5,
};

/**
 * A yoga app over a fresh database of the given kind; requests go through `yoga.fetch`, no port. The
 * operation limits are the defaults unless `options.api` says otherwise; no rate limits unless given.
 */
export async function createTestApp(
  kind: DatabaseKind,
  options: { api?: Partial<ApiOptions>; rateLimits?: RateLimits } = {},
): Promise<TestApp> {
  const db = await createTestDatabase(kind);
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const bus = new TopicBus(new PubSub());
  const jobs = createInProcessQueue({ logger });
  let jobsQueuedSignals = 0;
  const yoga = createYogaApp({
    db,
    services: localServiceDeps({
      prisma: db.prisma,
      logger,
      settings: testSettings,
      realtime: new RealtimePublisher(bus, logger),
      jobs,
      afterCommit: () => void jobsQueuedSignals++,
      ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
    }),
    bus,
    ...(options.api ? { api: options.api } : {}),
  });
  return {
    db,
    yoga,
    jobs,
    get jobsQueuedSignals() {
      return jobsQueuedSignals;
    },
    async gql(query, variables, auth) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (auth?.token) headers.authorization = `Bearer ${auth.token}`;
      if (auth?.apiKey) headers['x-api-key'] = auth.apiKey;
      const response = await yoga.fetch('http://test/graphql', {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as never;
    },
    async countStatements(fn) {
      const statements: string[] = [];
      const stop = db.onQuery((sql) => statements.push(sql));
      try {
        const result = await fn();
        return { result, statements };
      } finally {
        stop();
      }
    },
    close: async () => {
      await jobs.close();
      await db.drop();
    },
  };
}

/** The error codes of a response, in order. */
export const codesOf = (response: GraphQLResponse<unknown>) =>
  (response.errors ?? []).map((error) => error.extensions?.code);
