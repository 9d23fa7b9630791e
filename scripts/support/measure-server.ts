import { pino } from 'pino';
import { createInProcessQueue } from '../../src/jobs/in-process-queue.js';
import { createPubSub } from '../../src/realtime/pubsub.js';
import { RealtimePublisher } from '../../src/realtime/publisher.js';
import { localServiceDeps } from '../../src/local-services.js';
import { startServer } from '../../src/server.js';
import { createTenant, graphql } from '../../bench/support/tenant.js';
import { scratchDatabase } from './scratch-database.js';

/**
 * A real server for a measurement, on a scratch database (Postgres with DATABASE_URL, else in-memory
 * PGlite) and Redis pub/sub with REDIS_URL, with one tenant ready: a user, an organization, a WhatsApp app
 * service and an API key with MESSAGES_WRITE.
 */
export async function startMeasureServer(label: string) {
  const db = await scratchDatabase(label);
  const logger = pino({ level: 'silent' });
  const pubsub = createPubSub(process.env.REDIS_URL);
  const realtime = new RealtimePublisher(pubsub.bus, logger);
  // Measurements of the api alone: jobs are queued (outbox) but not run here.
  const jobs = createInProcessQueue({ logger });
  const server = await startServer(
    {
      db,
      services: localServiceDeps({
        prisma: db.prisma,
        logger,
        settings: {
          sessionTtlMs: 3_600_000,
          apiKeyRotationGraceMs: 0,
          subscriberRecheckMs: 2000,
          maxSubscriptionsPerConnection: 50,
        },
        realtime,
        jobs,
      }),
      bus: pubsub.bus,
    },
    { port: 0, host: '127.0.0.1' },
  );

  const gql = <T>(query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) =>
    graphql<T>(server.url, query, variables, headers);
  const tenant = await createTenant(server.url, label);

  return {
    db,
    pubsub,
    realtime,
    server,
    gql,
    tenant,
    async stop() {
      await server.stop();
      await jobs.close();
      await pubsub.close();
      await db.dispose();
    },
  };
}

/** The value at quantile q of ascending-sorted numbers. */
export const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
