// Monitoring (the dashboard's monitoring block): the figures of one app service or of an organization's, with their rolled-up
// metrics, over [from, to), and the figures per bucket (monitoringSeries). The figures themselves, and what
// each means: monitoring-figures.ts.
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import type { EscalationType } from '../generated/prisma/enums.js';
import type { Actor } from '../auth/actor.js';
import { forbidden } from '../kernel/errors.js';
import { csatByAppService, csatFiguresOf, emptyCsatFigures, type CsatFigures } from './csat.js';
import { assertRange } from './date-range.js';
import { emptyFigures, figuresByAppService, ts, type MonitoringFigures } from './monitoring-figures.js';

const DAY_MS = 86_400_000;

export type MonitoringInterval = 'HOUR' | 'DAY' | 'WEEK';

export interface MonitoringTransaction {
  value: number;
  time: Date;
  currentGrowth: number | null;
}

export interface MonitoringMetric {
  name: string;
  transactions: MonitoringTransaction[];
}

export interface AppServiceMonitoring extends MonitoringFigures {
  appServiceId: string;
  from: Date;
  to: Date;
  /** The rolled-up metrics of the app service, with their transactions in the range. */
  growthPercentage: MonitoringMetric[];
  /** Satisfaction over the surveys sent after resolutions in the range (csat.ts). */
  csat: CsatFigures;
}

export interface OrganizationMonitoring extends MonitoringFigures {
  organizationId: string;
  from: Date;
  to: Date;
  appServices: AppServiceMonitoring[];
  /** From the app services' counts (not an average of averages). */
  csat: CsatFigures;
}

export interface MonitoringBucket {
  start: Date;
  end: Date;
  numberOfMessages: number;
  numberOfChatSessions: number;
  escalatedConversations: number;
  issuesResolved: number;
}

/** The app services (of one organization) the actor may read analytics of; FORBIDDEN otherwise. */
async function appServicesInReach(
  prisma: PrismaClient,
  actor: Actor,
  input: { appServiceIds: string[] } | { organizationId: string },
): Promise<{ organizationId: string; ids: string[] }> {
  actor.assertAuthenticated();
  const organizations = actor.organizationIdsWith('analytics:read');
  if ('organizationId' in input) {
    if (!organizations.includes(input.organizationId)) throw forbidden();
    const rows = await prisma.appService.findMany({
      where: { organizationId: input.organizationId },
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    return { organizationId: input.organizationId, ids: rows.map((row) => row.id) };
  }
  const rows = await prisma.appService.findMany({
    where: { id: { in: input.appServiceIds }, organizationId: { in: organizations } },
    select: { id: true, organizationId: true },
  });
  const organizationIds = new Set(rows.map((row) => row.organizationId));
  // Unknown and foreign look the same: nothing to learn about other tenants' ids.
  if (rows.length !== new Set(input.appServiceIds).size || organizationIds.size !== 1) throw forbidden();
  return { organizationId: rows[0]!.organizationId, ids: input.appServiceIds };
}

/** Metrics of the app services with their transactions in [from, to), oldest first (two statements). */
async function metricsOf(prisma: PrismaClient, ids: string[], from: Date, to: Date) {
  const metrics = await prisma.metric.findMany({
    where: { appServiceId: { in: ids } },
    orderBy: { name: 'asc' },
    select: {
      appServiceId: true,
      name: true,
      transactions: {
        where: { time: { gte: from, lt: to } },
        orderBy: { time: 'asc' },
        select: { value: true, time: true, currentGrowth: true },
      },
    },
  });
  const byAppService = new Map<string, MonitoringMetric[]>();
  for (const metric of metrics) {
    const list = byAppService.get(metric.appServiceId) ?? [];
    list.push({ name: metric.name, transactions: metric.transactions });
    byAppService.set(metric.appServiceId, list);
  }
  return byAppService;
}

/** The range checked, then the figures and metrics of the app services in the actor's reach over it. */
async function figuresInReach(
  prisma: PrismaClient,
  actor: Actor,
  scope: { appServiceIds: string[] } | { organizationId: string },
  range: { from: Date; to: Date },
) {
  assertRange(range.from, range.to);
  const reach = await appServicesInReach(prisma, actor, scope);
  const [figures, metrics, csat] = await Promise.all([
    figuresByAppService(prisma, reach.organizationId, reach.ids, range.from, range.to),
    metricsOf(prisma, reach.ids, range.from, range.to),
    csatByAppService(prisma, reach.ids, range.from, range.to),
  ]);
  return { reach, figures, metrics, csat };
}

/** The monitoring block of one app service. Permission: analytics:read. */
export async function monitoringBlock(
  prisma: PrismaClient,
  actor: Actor,
  input: { appServiceId: string; from: Date; to: Date },
): Promise<AppServiceMonitoring> {
  const { figures, metrics, csat } = await figuresInReach(
    prisma,
    actor,
    { appServiceIds: [input.appServiceId] },
    input,
  );
  return toAppServiceMonitoring(input.appServiceId, figures, metrics, csat, input.from, input.to);
}

function toAppServiceMonitoring(
  appServiceId: string,
  figures: Awaited<ReturnType<typeof figuresByAppService>>,
  metrics: Map<string, MonitoringMetric[]>,
  csat: Map<string, CsatFigures>,
  from: Date,
  to: Date,
): AppServiceMonitoring {
  const { resolvedSeconds: _r, repliedSeconds: _p, replied: _n, ...own } = figures.get(appServiceId)!;
  return {
    appServiceId,
    from,
    to,
    ...own,
    growthPercentage: metrics.get(appServiceId) ?? [],
    csat: csat.get(appServiceId) ?? emptyCsatFigures(),
  };
}

/**
 * The organization's figures: counts summed over its app services; the averages are weighted by their
 * counts (total seconds / total conversations), not averages of averages.
 */
export async function organizationMonitoring(
  prisma: PrismaClient,
  actor: Actor,
  input: { organizationId: string; from: Date; to: Date },
): Promise<OrganizationMonitoring> {
  const { reach, figures, metrics, csat } = await figuresInReach(
    prisma,
    actor,
    { organizationId: input.organizationId },
    input,
  );
  const csatTotal = { surveysSent: 0, responses: 0, ratingSum: 0, satisfied: 0 };
  for (const each of csat.values()) {
    csatTotal.surveysSent += each.surveysSent;
    csatTotal.responses += each.responses;
    csatTotal.ratingSum += each.ratingSum;
    csatTotal.satisfied += each.satisfied;
  }
  const total = emptyFigures();
  let resolvedSeconds = 0;
  let repliedSeconds = 0;
  let replied = 0;
  const byType = new Map<EscalationType, number>();
  for (const each of figures.values()) {
    total.numberOfChatSessions += each.numberOfChatSessions;
    total.numberOfMessages += each.numberOfMessages;
    total.escalatedConversations += each.escalatedConversations;
    total.issuesResolved += each.issuesResolved;
    resolvedSeconds += each.resolvedSeconds;
    repliedSeconds += each.repliedSeconds;
    replied += each.replied;
    for (const { type, count } of each.escalationsByType) byType.set(type, (byType.get(type) ?? 0) + count);
  }
  total.resolutionTime = total.issuesResolved > 0 ? resolvedSeconds / total.issuesResolved : null;
  total.firstResponseTime = replied > 0 ? repliedSeconds / replied : null;
  total.escalationsByType = [...byType]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, count]) => ({ type, count }));
  return {
    organizationId: input.organizationId,
    from: input.from,
    to: input.to,
    ...total,
    csat: csatFiguresOf(csatTotal),
    appServices: reach.ids.map((id) =>
      toAppServiceMonitoring(id, figures, metrics, csat, input.from, input.to),
    ),
  };
}

const UNIT: Record<MonitoringInterval, { unit: string; ms: number }> = {
  HOUR: { unit: 'hour', ms: 3_600_000 },
  DAY: { unit: 'day', ms: DAY_MS },
  WEEK: { unit: 'week', ms: 7 * DAY_MS },
};

/** The UTC start of the bucket holding `date` (weeks start on Monday, as date_trunc's ISO weeks). */
export function bucketStart(date: Date, interval: MonitoringInterval): Date {
  const start = new Date(date);
  start.setUTCMinutes(0, 0, 0);
  if (interval === 'HOUR') return start;
  start.setUTCHours(0);
  if (interval === 'DAY') return start;
  start.setUTCDate(start.getUTCDate() - ((start.getUTCDay() + 6) % 7));
  return start;
}

/**
 * The figures per UTC bucket (date_trunc) covering [from, to), empty buckets as zeros, one statement.
 * Only activity inside [from, to) counts, even in the first and last buckets, which may stick out of it.
 * numberOfChatSessions per bucket counts conversations with a message in that bucket, so the buckets do
 * not add up to the range's figure when a conversation spans buckets.
 */
export async function monitoringSeries(
  prisma: PrismaClient,
  actor: Actor,
  input: { appServiceId: string; from: Date; to: Date; interval: MonitoringInterval },
): Promise<MonitoringBucket[]> {
  assertRange(input.from, input.to);
  const reach = await appServicesInReach(prisma, actor, { appServiceIds: [input.appServiceId] });
  const { unit, ms } = UNIT[input.interval];
  const first = bucketStart(input.from, input.interval);
  const last = bucketStart(new Date(input.to.getTime() - 1), input.interval);
  const id = Prisma.sql`${reach.ids[0]!}::uuid`;
  const inRange = (column: Prisma.Sql) =>
    Prisma.sql`${column} >= ${ts(input.from)} AND ${column} < ${ts(input.to)}`;
  // Bucketing on UTC wall time: date_trunc on a timestamptz would follow the session's time zone.
  const bucket = (column: Prisma.Sql) => Prisma.sql`date_trunc(${unit}, ${column} AT TIME ZONE 'UTC')`;
  const rows = await prisma.$queryRaw<
    { start: Date; messages: number; sessions: number; escalated: number; resolved: number }[]
  >`
    WITH buckets AS (
      SELECT generate_series(${ts(first)} AT TIME ZONE 'UTC', ${ts(last)} AT TIME ZONE 'UTC',
        ${`${ms / 1000} seconds`}::interval) AS b
    ), m AS (
      SELECT ${bucket(Prisma.sql`sent_at`)} AS b, count(*)::int AS messages,
        count(DISTINCT conversation_id)::int AS sessions
      FROM messages WHERE app_service_id = ${id} AND ${inRange(Prisma.sql`sent_at`)} AND NOT private
      GROUP BY 1
    ), e AS (
      SELECT ${bucket(Prisma.sql`escalated_at`)} AS b, count(*)::int AS n
      FROM conversations WHERE app_service_id = ${id} AND ${inRange(Prisma.sql`escalated_at`)}
      GROUP BY 1
    ), r AS (
      SELECT ${bucket(Prisma.sql`resolved_at`)} AS b, count(*)::int AS n
      FROM conversations WHERE app_service_id = ${id} AND ${inRange(Prisma.sql`resolved_at`)}
      GROUP BY 1
    )
    SELECT (buckets.b AT TIME ZONE 'UTC') AS start,
      coalesce(m.messages, 0)::int AS messages, coalesce(m.sessions, 0)::int AS sessions,
      coalesce(e.n, 0)::int AS escalated, coalesce(r.n, 0)::int AS resolved
    FROM buckets
      LEFT JOIN m ON m.b = buckets.b LEFT JOIN e ON e.b = buckets.b LEFT JOIN r ON r.b = buckets.b
    ORDER BY buckets.b`;
  return rows.map((row) => {
    const start = new Date(row.start);
    return {
      start,
      end: new Date(start.getTime() + ms),
      numberOfMessages: row.messages,
      numberOfChatSessions: row.sessions,
      escalatedConversations: row.escalated,
      issuesResolved: row.resolved,
    };
  });
}
