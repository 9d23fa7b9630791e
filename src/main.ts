import { databaseOptions, startApplication } from './app.js';
import { ConfigError, describeBackends, loadConfig, type Config } from './config.js';
import { openDatabase } from './db/database.js';
import { createLogger } from './kernel/logger.js';
import { currentRequestId } from './db/query-cancellation.js';
import { DEMO_LOGIN, seedDemoWorkspace } from './services/demo-seed.js';
import { Metrics } from './observability/metrics.js';
import { currentTraceId, startTracing } from './observability/tracing.js';

async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  // Signals are handled from the start: one during start-up (migrations, connections) lets the start finish
  // and then stops cleanly, instead of killing the process half-way.
  let stopRequested: string | undefined;
  let stopNow: ((signal: string) => void) | undefined = undefined;
  const onSignal = (signal: string) => {
    if (stopNow) stopNow(signal);
    else stopRequested ??= signal;
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));

  // Every line logged while a request is served carries its id (x-request-id).
  // Every line logged while a request is served carries its id (x-request-id), and the trace's id when
  // tracing is on.
  const logger = createLogger(config.logLevel, () => {
    const requestId = currentRequestId();
    const traceId = currentTraceId();
    return { ...(requestId ? { requestId } : {}), ...(traceId ? { traceId } : {}) };
  });
  logger.info({ role: config.role, backends: describeBackends(config) }, 'starting');

  // Before the database opens, so that Prisma's queries are traced from the first.
  const tracing = config.tracing ? await startTracing({ ...config.tracing, role: config.role }) : undefined;
  if (!config.metrics.enabled) logger.warn('/metrics is off: set METRICS_TOKEN to scrape this process');

  const db = await openDatabase(databaseOptions(config, config.role === 'worker' ? 'worker' : 'api'));
  const applied = await db.migrate();
  if (applied.length) logger.info({ migrations: applied }, 'migrations applied');

  const seedWanted = config.seedDemo === 'true' || (config.seedDemo === 'auto' && db.kind === 'embedded');
  if (seedWanted) {
    const seeded = await seedDemoWorkspace(db.prisma);
    if (seeded) {
      logger.info('demo workspace created');
      process.stdout.write(
        `\n  Demo integrator API key (shown once, only its hash is stored):\n  ${seeded.apiKey}\n`,
      );
    }
  }

  // Serving requests and running jobs in one process: the jobs get a pool of their own, with the longer
  // statement timeout (embedded PGlite is one connection either way).
  const workerDb =
    config.role === 'all' && config.databaseUrl
      ? await openDatabase(databaseOptions(config, 'worker'))
      : undefined;
  const app = await startApplication(config, logger, {
    db,
    ...(workerDb ? { workerDb } : {}),
    metrics: new Metrics({ role: config.role }),
  });
  if (app.server) {
    logger.info({ url: app.server.url }, 'GraphQL API and GraphiQL ready');
    if (seedWanted) {
      process.stdout.write(
        `\n  Agent console: ${app.server.url.replace(/\/graphql$/, '/console/')}` +
          `\n  GraphiQL: ${app.server.url}\n  Demo login: ${DEMO_LOGIN.email} / ${DEMO_LOGIN.password}\n` +
          `  (run the LogIn mutation, then send "Authorization: Bearer <token>")\n\n`,
      );
    }
  }
  if (config.role !== 'api') logger.info({ jobs: app.jobs.kind }, 'workers running');
  if (app.workerListener) logger.info({ url: app.workerListener.url }, 'worker health and metrics ready');

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal, drainMs: config.shutdownDrainMs }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 15_000 + config.shutdownDrainMs);
    timer.unref();
    // Not ready first, still serving: the load balancer stops sending new requests before the port closes.
    if (config.shutdownDrainMs > 0) {
      app.drain();
      await new Promise((resolve) => setTimeout(resolve, config.shutdownDrainMs));
    }
    await app.stop();
    await tracing?.shutdown().catch(() => undefined);
    logger.info('stopped');
    process.exit(0);
  };
  stopNow = (signal) => void shutdown(signal);
  if (stopRequested) void shutdown(stopRequested);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
