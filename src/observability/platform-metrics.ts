// The gauges read when /metrics is scraped: the job queues, the outbox, the database pools, and (on an api
// process) open sockets and live subscriptions. Every process reports the queues and the outbox it shares
// with the others, so a dashboard takes their max, not their sum (docs in the README's metrics section).
import type { Database } from '../db/database.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import { queueNames, type JobQueue } from '../jobs/queue.js';
import type { Metrics } from './metrics.js';

export function watchPlatform(
  metrics: Metrics,
  sources: { jobs: JobQueue; prisma: PrismaClient; pools: Record<string, Database> },
): void {
  metrics.slowGauge(
    'queue_jobs',
    'Jobs in each queue by state (failed: kept after using up their tries).',
    ['queue', 'state'],
    async (gauge) => {
      const counts = await Promise.all(queueNames.map((queue) => sources.jobs.counts(queue)));
      queueNames.forEach((queue, index) => {
        for (const [state, count] of Object.entries(counts[index]!)) gauge.set({ queue, state }, count);
      });
    },
  );

  // One statement for both outbox gauges, read once per refresh.
  let outbox: Promise<OutboxFigure[]> | undefined;
  const readOutbox = () => (outbox ??= outboxFigures(sources.prisma).finally(() => (outbox = undefined)));
  metrics.slowGauge(
    'outbox_jobs',
    'Outbox rows by status: PENDING (not yet handed to the queue), ENQUEUED (in the queue, not settled), DEAD (dead letters).',
    ['status'],
    async (gauge) => {
      const figures = await readOutbox();
      for (const status of ['PENDING', 'ENQUEUED', 'DEAD']) {
        gauge.set({ status }, figures.find((figure) => figure.status === status)?.count ?? 0);
      }
    },
  );
  metrics.slowGauge(
    'outbox_oldest_seconds',
    'Age of the oldest outbox row by status (PENDING: the oldest due and not yet relayed).',
    ['status'],
    async (gauge) => {
      const figures = await readOutbox();
      for (const status of ['PENDING', 'ENQUEUED', 'DEAD']) {
        gauge.set({ status }, figures.find((figure) => figure.status === status)?.oldestSeconds ?? 0);
      }
    },
  );

  metrics.gauge(
    'db_pool_connections',
    'Postgres pool connections by pool (api, worker) and state (open, idle, waiting: callers waiting for one; max).',
    ['pool', 'state'],
    (gauge) => {
      for (const [pool, database] of Object.entries(sources.pools)) {
        const use = database.poolUse?.();
        if (!use) continue;
        gauge.set({ pool, state: 'open' }, use.total);
        gauge.set({ pool, state: 'idle' }, use.idle);
        gauge.set({ pool, state: 'waiting' }, use.waiting);
        gauge.set({ pool, state: 'max' }, use.max);
      }
    },
  );
}

/** What an api process serves live. */
export function watchServer(
  metrics: Metrics,
  server: { openSockets(): number; subscriptionGroups: { size: number; members: number } },
): void {
  metrics.gauge('websocket_connections', 'Open graphql-ws connections.', [], (gauge) =>
    gauge.set(server.openSockets()),
  );
  metrics.gauge(
    'subscriptions_active',
    'Live GraphQL subscriptions (WebSocket and SSE), and the distinct executions they share.',
    ['kind'],
    (gauge) => {
      gauge.set({ kind: 'subscriptions' }, server.subscriptionGroups.members);
      gauge.set({ kind: 'groups' }, server.subscriptionGroups.size);
    },
  );
}

interface OutboxFigure {
  status: string;
  count: number;
  oldestSeconds: number;
}

function outboxFigures(prisma: PrismaClient): Promise<OutboxFigure[]> {
  // Rows scheduled for later are not late: a PENDING row counts from when it became due.
  return prisma.$queryRaw<OutboxFigure[]>`
    SELECT status::text AS status,
      count(*) FILTER (WHERE status <> 'PENDING' OR available_at <= now())::int AS count,
      COALESCE(EXTRACT(EPOCH FROM now() - min(
        CASE status
          WHEN 'PENDING' THEN available_at
          WHEN 'ENQUEUED' THEN COALESCE(enqueued_at, created_at)
          ELSE COALESCE(dead_at, created_at)
        END
      ) FILTER (WHERE status <> 'PENDING' OR available_at <= now())), 0)::float8 AS "oldestSeconds"
    FROM outbox_jobs GROUP BY status`;
}
