import { Redis } from 'ioredis';
import { createLanguageModel } from './ai/create-language-model.js';
import type { LanguageModel } from './ai/language-model.js';
import { apiOptionsOf, type Config } from './config.js';
import { openDatabase, type Database, type DatabaseOptions } from './db/database.js';
import type { PrismaClient } from './generated/prisma/client.js';
import { createBullmqQueue } from './jobs/bullmq-queue.js';
import { jobSchedules } from './jobs/catalogue.js';
import { createInProcessQueue } from './jobs/in-process-queue.js';
import { outsideQueryScope } from './db/query-cancellation.js';
import { OutboxRelay } from './jobs/outbox.js';
import type { JobQueue } from './jobs/queue.js';
import { OutboxReconciler } from './jobs/reconciler.js';
import { OutboxSettlement } from './jobs/settlement.js';
import type { Logger } from './kernel/logger.js';
import { createNotificationSenders } from './notifications/senders.js';
import { RateLimits } from './protection/rate-limits.js';
import { createPubSub, type PubSubHandle } from './realtime/pubsub.js';
import { RealtimePublisher } from './realtime/publisher.js';
import type { RunningServer } from './server.js';
import type { ServiceDeps, ServiceSettings } from './services/deps.js';
import { sweepStuckDeliveries } from './services/notification-delivery.js';
import { recordModelUsage } from './services/model-usage.js';
import { startJobWorkers } from './workers/start-workers.js';
import { instrumentJobs } from './observability/job-telemetry.js';
import { Metrics } from './observability/metrics.js';
import type { MetricsAccess } from './observability/metrics-endpoint.js';
import { watchPlatform, watchServer } from './observability/platform-metrics.js';
import { startWorkerListener, type WorkerListener } from './observability/worker-listener.js';

export interface Application {
  db: Database;
  pubsub: PubSubHandle;
  jobs: JobQueue;
  relay: OutboxRelay;
  realtime: RealtimePublisher;
  model: LanguageModel;
  /** Null when ROLE=worker. */
  server: RunningServer | null;
  /** ROLE=worker's listener for /metrics, /healthz and /readyz; null in other roles. */
  workerListener: WorkerListener | null;
  metrics: Metrics;
  /** Not ready from now on (the api's and the worker listener's /readyz answer 503), still working. */
  drain(): void;
  stop(): Promise<void>;
}

/**
 * The composition root: picks each adapter once from the configuration, builds the services' deps (one
 * ServiceDeps for the api's pool, one for the workers') and starts the roles asked for: the api (HTTP +
 * WebSocket), the workers (the job catalogue wired to the queue), or both.
 */
export async function startApplication(
  config: Config,
  logger: Logger,
  options: {
    db?: Database;
    /** The workers' database (a pool with a longer statement timeout); `db` when not given. */
    workerDb?: Database;
    /** The process's metrics (main.ts adds the process figures); a fresh registry when not given. */
    metrics?: Metrics;
  } = {},
): Promise<Application> {
  const db = options.db ?? (await openDatabase(databaseOptions(config, 'api')));
  const workerDb = options.workerDb ?? db;
  const metrics = options.metrics ?? new Metrics({ role: config.role, processMetrics: false });
  const metricsAccess: MetricsAccess = { metrics, ...config.metrics };
  const prisma = workerDb.prisma;
  const settings: ServiceSettings = {
    sessionTtlMs: config.sessionTtlMs,
    apiKeyRotationGraceMs: config.apiKeyRotationGraceMs,
    subscriberRecheckMs: config.subscriberRecheckMs,
    maxSubscriptionsPerConnection: config.maxSubscriptionsPerConnection,
    allowPrivateWebhooks: config.allowPrivateWebhooks,
    exports: config.exports,
  };
  const pubsub = createPubSub(config.redisUrl);
  const realtime = new RealtimePublisher(pubsub.bus, logger);
  // A job's outbox row stays until the job settles (deleted when it completes, DEAD when it has used up its
  // tries), so a job the queue loses is found and added again (the reconciler, below; in memory, a restart).
  const jobs = config.redisUrl
    ? createBullmqQueue(config.redisUrl, {
        prefix: config.queuePrefix,
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
  const rateLimits = new RateLimits(config.rateLimits, rateLimitRedis, config.rateLimitPrefix, (limit) =>
    metrics.rateLimited(limit),
  );
  const model = createLanguageModel(
    { openai: config.openai },
    {
      recordUsage: recordModelUsage(prisma),
      onUsageError: (error) => logger.warn({ err: error }, 'model usage not recorded'),
      observer: metrics,
    },
  );
  const notifications = createNotificationSenders({
    smtp: config.smtp,
    whatsapp: config.whatsapp,
    allowPrivateWebhooks: config.allowPrivateWebhooks,
  });
  // One shape for resolvers and jobs; only the database pool differs between the api and the workers.
  const servicesOn = (client: PrismaClient): ServiceDeps => ({
    prisma: client,
    settings,
    realtime,
    logger,
    afterCommit: kick,
    rateLimits,
    model,
    jobs,
    notifications: { ...notifications, dashboardUrl: config.dashboardUrl },
    metrics,
  });
  watchPlatform(metrics, {
    jobs,
    prisma,
    pools:
      workerDb === db ? { [config.role === 'worker' ? 'worker' : 'api']: db } : { api: db, worker: workerDb },
  });

  if (config.role !== 'api') {
    startJobWorkers(jobs, servicesOn(prisma), {
      concurrency: config.workerConcurrency,
      // The span and the duration cover the settlement's SQL too.
      wrap: (handler) => instrumentJobs(settlement.settle(handler), metrics),
    });
    reconciler = new OutboxReconciler(prisma, jobs, {
      logger,
      intervalMs: config.jobs.reconcileIntervalMs,
      leaseMs: config.jobs.reconcileLeaseMs,
      schedules: jobSchedules({ analyseSentiment: config.sentimentCron }),
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
            services: servicesOn(db.prisma),
            bus: pubsub.bus,
            api: apiOptionsOf(config),
            ...(pubsub.kind === 'redis' ? { readinessChecks: [() => pubsub.ping()] } : {}),
          },
          { port: config.port, host: config.host, metrics: metricsAccess },
        );
  if (server) watchServer(metrics, server);
  const workerListener =
    config.role === 'worker'
      ? await startWorkerListener({
          port: config.port,
          host: config.host,
          metrics: metricsAccess,
          readinessChecks: [() => workerDb.ping(), ...(pubsub.kind === 'redis' ? [() => pubsub.ping()] : [])],
        })
      : null;

  let stopping: Promise<void> | undefined;
  return {
    db,
    pubsub,
    jobs,
    relay,
    realtime,
    model,
    server,
    workerListener,
    metrics,
    drain() {
      server?.drain();
      workerListener?.drain();
    },
    stop() {
      stopping ??= (async () => {
        await server?.stop();
        await workerListener?.stop();
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
