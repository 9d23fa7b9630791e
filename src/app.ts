import { Redis } from 'ioredis';
import { z } from 'zod';
import { createLanguageModel } from './ai/create-language-model.js';
import type { LanguageModel } from './ai/language-model.js';
import { apiOptionsOf, type Config } from './config.js';
import { openDatabase, type Database, type DatabaseOptions } from './db/database.js';
import { createBullmqQueue } from './jobs/bullmq-queue.js';
import { createInProcessQueue } from './jobs/in-process-queue.js';
import { outsideQueryScope } from './db/query-cancellation.js';
import { enqueueInTransaction, OutboxRelay } from './jobs/outbox.js';
import type { JobHandler, JobQueue, QueueName } from './jobs/queue.js';
import { OutboxReconciler } from './jobs/reconciler.js';
import { OutboxSettlement } from './jobs/settlement.js';
import { startWorkers } from './jobs/runner.js';
import type { Logger } from './kernel/logger.js';
import { createNotificationSenders } from './notifications/senders.js';
import { RateLimits } from './protection/rate-limits.js';
import { createPubSub, type PubSubHandle } from './realtime/pubsub.js';
import { RealtimePublisher } from './realtime/publisher.js';
import type { RunningServer } from './server.js';
import { processClassification } from './services/classification.js';
import { drainAllQueues } from './services/conversation-actions.js';
import type { ServiceSettings } from './services/deps.js';
import { deliverNotification, sweepStuckDeliveries } from './services/notifications.js';
import { catchUpSentiment } from './services/sentiment.js';
import { rollupMetrics } from './services/metrics-rollup.js';
import { recordModelUsage } from './services/model-usage.js';

export interface Application {
  db: Database;
  pubsub: PubSubHandle;
  jobs: JobQueue;
  relay: OutboxRelay;
  realtime: RealtimePublisher;
  model: LanguageModel;
  /** Null when ROLE=worker. */
  server: RunningServer | null;
  stop(): Promise<void>;
}

const classifyJob = z.object({ messageId: z.uuid(), organizationId: z.uuid() });
const deliverJob = z.object({ deliveryId: z.uuid(), organizationId: z.uuid() });

/**
 * The composition root: picks each adapter once from the configuration (DESIGN section 2) and starts the
 * roles asked for: the api (HTTP + WebSocket), the workers, or both.
 */
export async function startApplication(
  config: Config,
  logger: Logger,
  options: {
    db?: Database;
    /** The workers' database (a pool with a longer statement timeout); `db` when not given. */
    workerDb?: Database;
  } = {},
): Promise<Application> {
  const db = options.db ?? (await openDatabase(databaseOptions(config, 'api')));
  const workerDb = options.workerDb ?? db;
  const prisma = workerDb.prisma;
  const settings: ServiceSettings = {
    sessionTtlMs: config.sessionTtlMs,
    apiKeyRotationGraceMs: config.apiKeyRotationGraceMs,
    subscriberRecheckMs: config.subscriberRecheckMs,
    maxSubscriptionsPerConnection: config.maxSubscriptionsPerConnection,
    allowPrivateWebhooks: config.allowPrivateWebhooks,
  };
  const pubsub = createPubSub(config.redisUrl);
  const realtime = new RealtimePublisher(pubsub.bus, logger);
  // A job's outbox row stays until the job settles (deleted when it completes, DEAD when it has used up its
  // tries), so a job the queue loses is found and added again (the reconciler, below; in memory, a restart).
  const jobs = config.redisUrl
    ? createBullmqQueue(config.redisUrl, {
        logger,
        lockDurationMs: config.jobs.lockMs,
        stalledIntervalMs: config.jobs.stalledCheckMs,
      })
    : createInProcessQueue({ logger });
  const settlement = new OutboxSettlement(prisma, logger);
  let reconciler: OutboxReconciler | undefined;
  const relay = new OutboxRelay(prisma, jobs, { logger, reclaimOnStart: jobs.kind === 'in-process' });
  // A kick comes from a request; the relay's pass must not be cancelled with that request's SQL.
  const kick = () => outsideQueryScope(() => void relay.kick());
  // Shared through Redis by every api process; its own connection, failing fast (the limits fall back to
  // memory) rather than queueing commands while Redis is away.
  const rateLimitRedis =
    config.rateLimits && config.redisUrl && config.role !== 'worker'
      ? new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
      : undefined;
  rateLimitRedis?.on('error', (error: Error) => logger.debug({ err: error }, 'rate-limit redis'));
  const rateLimits = new RateLimits(config.rateLimits, rateLimitRedis);
  const model = createLanguageModel(
    { openai: config.openai },
    {
      recordUsage: recordModelUsage(prisma),
      onUsageError: (error) => logger.warn({ err: error }, 'model usage not recorded'),
    },
  );
  const notifications = createNotificationSenders({
    smtp: config.smtp,
    whatsapp: config.whatsapp,
    allowPrivateWebhooks: config.allowPrivateWebhooks,
  });

  if (config.role !== 'api') {
    const classification: JobHandler = async (_name, data) =>
      processClassification(
        { prisma, model, realtime, notificationChannels: notifications.channels, afterCommit: kick, logger },
        { messageId: classifyJob.parse(data).messageId },
      );
    const delivery: JobHandler = async (_name, data) => {
      const job = deliverJob.parse(data);
      return deliverNotification(
        {
          prisma,
          senders: notifications.senders,
          dashboardUrl: config.dashboardUrl,
          allowPrivateWebhooks: config.allowPrivateWebhooks,
          // The retry is queued in the transaction that records the failure, so it cannot be lost.
          scheduleRetry: async (tx, retry) => {
            await enqueueInTransaction(tx, {
              queue: 'notifications',
              name: 'deliver',
              payload: { deliveryId: retry.deliveryId, organizationId: job.organizationId },
              availableAt: retry.runAt,
            });
          },
        },
        { deliveryId: job.deliveryId },
      );
    };
    const handlers: Partial<Record<QueueName, JobHandler>> = {
      classification,
      notifications: delivery,
      metrics: async () => rollupMetrics(prisma, { now: new Date() }),
      // Agents whose shift starts become eligible by the clock: queued conversations go to them.
      routing: async () => ({ assigned: await drainAllQueues({ prisma, settings, realtime }) }),
      // Each run catches up every closed hour of the look-back still missing: a lost run loses nothing.
      sentiment: async () =>
        (await catchUpSentiment({ prisma, model, realtime, logger })).map((w) => ({
          windowEnd: w.windowEnd,
          analysed: w.analysed,
          modelCalls: w.modelCalls,
          skipped: w.skipped,
          failed: w.failed.length,
        })),
    };
    startWorkers(
      jobs,
      Object.fromEntries(
        Object.entries(handlers).map(([queue, handler]) => [queue, settlement.settle(handler)]),
      ),
      { concurrency: config.workerConcurrency },
    );
    reconciler = new OutboxReconciler(prisma, jobs, {
      logger,
      intervalMs: config.jobs.reconcileIntervalMs,
      leaseMs: config.jobs.reconcileLeaseMs,
      schedules: [
        // Hourly metrics rollup (monitoring growth): at :05, after the hour's data has landed.
        { queue: 'metrics', name: 'hourly-rollup', cron: '5 * * * *' },
        { queue: 'sentiment', name: 'hourly', cron: config.sentimentCron },
        { queue: 'routing', name: 'drain-queues', cron: '* * * * *' },
      ],
      sweeps: [{ name: 'stuck deliveries', run: () => sweepStuckDeliveries(prisma) }],
    });
    // The first pass registers the schedules; later ones restore them if Redis lost them.
    await reconciler.pass();
    reconciler.start();
  }
  relay.start();

  const server =
    config.role === 'worker'
      ? null
      : // Loaded only for the api: a worker starts without the GraphQL schema and server (~1 s of imports).
        await (
          await import('./server.js')
        ).startServer(
          {
            db,
            logger,
            settings,
            bus: pubsub.bus,
            realtime,
            jobs,
            onJobsQueued: kick,
            model,
            rateLimits,
            api: apiOptionsOf(config),
            ...(pubsub.kind === 'redis' ? { readinessChecks: [() => pubsub.ping()] } : {}),
          },
          { port: config.port, host: config.host },
        );

  let stopping: Promise<void> | undefined;
  return {
    db,
    pubsub,
    jobs,
    relay,
    realtime,
    model,
    server,
    stop() {
      stopping ??= (async () => {
        await server?.stop();
        await reconciler?.stop();
        await relay.stop();
        await jobs.close();
        await settlement.flush();
        notifications.close();
        await pubsub.close();
        rateLimitRedis?.disconnect();
        if (workerDb !== db) await workerDb.close();
        await db.close();
      })();
      return stopping;
    },
  };
}

/** How to open the database for the api's requests or for the workers (pool size, statement timeout). */
export function databaseOptions(config: Config, use: 'api' | 'worker'): DatabaseOptions {
  if (!config.databaseUrl) return { dataDir: `${config.dataDir}/pglite` };
  return {
    url: config.databaseUrl,
    poolSize: config.database.poolSize,
    statementTimeoutMs:
      use === 'api' ? config.database.statementTimeoutMs : config.database.workerStatementTimeoutMs,
    // A request answers SERVICE_UNAVAILABLE within seconds when Postgres is away; workers can wait longer.
    connectTimeoutMs: use === 'api' ? 3000 : 10_000,
  };
}
