import { PubSub } from 'graphql-subscriptions';
import { pino } from 'pino';
import { openDatabase, type Database } from '../../src/db/database.js';
import { createInProcessQueue } from '../../src/jobs/in-process-queue.js';
import { RealtimePublisher } from '../../src/realtime/publisher.js';
import { TopicBus } from '../../src/realtime/topic-bus.js';
import { createYogaApp, type Yoga } from '../../src/graphql/yoga.js';
import { localServiceDeps } from '../../src/local-services.js';

export interface InProcessApp {
  db: Database;
  yoga: Yoga;
  /** A POST to /graphql through `yoga.fetch` (no port); the parsed JSON body. */
  post<T>(
    query: string,
    variables: Record<string, unknown>,
    headers: Record<string, string>,
  ): Promise<{ data?: T; errors?: unknown[] }>;
  /** Runs fn; returns its result and every SQL statement Prisma sent meanwhile (deterministic counts). */
  countStatements<T>(fn: () => Promise<T>): Promise<{ result: T; statements: string[] }>;
  close(): Promise<void>;
}

/**
 * The platform's GraphQL app inside the bench process, on an existing database, the way the tests build it
 * (test/support/app.ts): no relay, no workers, no timers, so that nothing but the request itself sends SQL.
 * For counting statements per request, not for timing (timings come from the spawned production process).
 */
export async function inProcessApp(databaseUrl: string): Promise<InProcessApp> {
  const db = await openDatabase({ url: databaseUrl, poolSize: 2 });
  const logger = pino({ level: 'silent' });
  const bus = new TopicBus(new PubSub());
  const jobs = createInProcessQueue({ logger });
  const yoga = createYogaApp({
    db,
    services: localServiceDeps({
      prisma: db.prisma,
      logger,
      settings: {
        sessionTtlMs: 86_400_000,
        apiKeyRotationGraceMs: 3_600_000,
        subscriberRecheckMs: 0,
        maxSubscriptionsPerConnection: 5,
        allowPrivateWebhooks: false,
      },
      realtime: new RealtimePublisher(bus, logger),
      jobs,
    }),
    bus,
  });
  return {
    db,
    yoga,
    async post<T>(query: string, variables: Record<string, unknown>, headers: Record<string, string>) {
      const response = await yoga.fetch('http://bench/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as { data?: T; errors?: unknown[] };
    },
    async countStatements<T>(fn: () => Promise<T>) {
      const statements: string[] = [];
      const stop = db.onQuery((sql) => statements.push(sql));
      try {
        return { result: await fn(), statements };
      } finally {
        stop();
      }
    },
    async close() {
      await jobs.close();
      await db.close();
    },
  };
}
