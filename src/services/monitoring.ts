/**
 * Monitoring (seed 000's block): figures per app service over a half-open range [from, to), computed with
 * SQL aggregates, a fixed number of statements whatever the data size:
 *
 * - numberOfChatSessions: conversations with at least one (non-private) message sent in the range;
 * - numberOfMessages: non-private messages sent in the range (internal notes are not chat);
 * - escalatedConversations: conversations whose escalatedAt (their first escalation) is in the range;
 * - issuesResolved: conversations whose resolvedAt is in the range;
 * - resolutionTime: average seconds from createdAt to resolvedAt over those resolved in the range;
 * - firstResponseTime: average seconds from escalatedAt (or, never escalated, createdAt, i.e. the bot's
 *   hand-off) to firstReplyAt, over conversations whose first human reply is in the range; a reply that
 *   came before the escalation did not answer it and is left out;
 * - escalationsByType: escalations created in the range, per type.
 */
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import type { EscalationType } from '../generated/prisma/enums.js';
import type { Actor } from '../auth/actor.js';
import { forbidden } from '../kernel/errors.js';
import { assertRange } from './date-range.js';

const DAY_MS = 86_400_000;

export type MonitoringInterval = 'HOUR' | 'DAY' | 'WEEK';

export interface MonitoringFigures {
  numberOfChatSessions: number;
  numberOfMessages: number;
  escalatedConversations: number;
  issuesResolved: number;
  /** Seconds; null when nothing was resolved in the range. */
  resolutionTime: number | null;
  /** Seconds; null when no first reply fell in the range. */
  firstResponseTime: number | null;
  escalationsByType: { type: EscalationType; count: number }[];
}

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
}

export interface OrganizationMonitoring extends MonitoringFigures {
  organizationId: string;
  from: Date;
  to: Date;
  appServices: AppServiceMonitoring[];
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

const ts = (date: Date) => Prisma.sql`${date.toISOString()}::timestamptz`;
const uuidList = (ids: string[]) => Prisma.join(ids.map((id) => Prisma.sql`${id}::uuid`));

const emptyFigures = (): MonitoringFigures => ({
  numberOfChatSessions: 0,
  numberOfMessages: 0,
  escalatedConversations: 0,
  issuesResolved: 0,
  resolutionTime: null,
  firstResponseTime: null,
  escalationsByType: [],
});

/** The figures per app service, unchecked (callers check reach): three aggregate statements for any number of app services. */
export async function figuresByAppService(
  prisma: PrismaClient,
  organizationId: string,
  ids: string[],
  from: Date,
  to: Date,
): Promise<
  Map<string, MonitoringFigures & { resolvedSeconds: number; repliedSeconds: number; replied: number }>
> {
  const result = new Map<
    string,
    MonitoringFigures & { resolvedSeconds: number; repliedSeconds: number; replied: number }
  >();
  for (const id of ids)
    result.set(id, { ...emptyFigures(), resolvedSeconds: 0, repliedSeconds: 0, replied: 0 });
  if (ids.length === 0) return result;

  const [messages, conversations, escalations] = await Promise.all([
    // Grouping by conversation first: a hash aggregate, faster than count(DISTINCT) over many rows.
    prisma.$queryRaw<{ app_service_id: string; sessions: number; messages: number }[]>`
      SELECT app_service_id::text AS app_service_id, count(*)::int AS sessions, sum(n)::int AS messages
      FROM (
        SELECT app_service_id, conversation_id, count(*) AS n FROM messages
        WHERE app_service_id IN (${uuidList(ids)})
          AND sent_at >= ${ts(from)} AND sent_at < ${ts(to)} AND NOT private
        GROUP BY app_service_id, conversation_id
      ) per_conversation
      GROUP BY app_service_id`,
    prisma.$queryRaw<
      {
        app_service_id: string;
        escalated: number;
        resolved: number;
        resolved_seconds: number | null;
        replied: number;
        replied_seconds: number | null;
      }[]
    >`
      SELECT app_service_id::text AS app_service_id,
        count(*) FILTER (WHERE escalated_at >= ${ts(from)} AND escalated_at < ${ts(to)})::int AS escalated,
        count(*) FILTER (WHERE resolved_at >= ${ts(from)} AND resolved_at < ${ts(to)})::int AS resolved,
        sum(extract(epoch FROM resolved_at - created_at))
          FILTER (WHERE resolved_at >= ${ts(from)} AND resolved_at < ${ts(to)})::float8 AS resolved_seconds,
        count(*) FILTER (WHERE first_reply_at >= ${ts(from)} AND first_reply_at < ${ts(to)}
          AND first_reply_at >= coalesce(escalated_at, created_at))::int AS replied,
        sum(extract(epoch FROM first_reply_at - coalesce(escalated_at, created_at)))
          FILTER (WHERE first_reply_at >= ${ts(from)} AND first_reply_at < ${ts(to)}
            AND first_reply_at >= coalesce(escalated_at, created_at))::float8 AS replied_seconds
      FROM conversations
      WHERE app_service_id IN (${uuidList(ids)})
        AND ((escalated_at >= ${ts(from)} AND escalated_at < ${ts(to)})
          OR (resolved_at >= ${ts(from)} AND resolved_at < ${ts(to)})
          OR (first_reply_at >= ${ts(from)} AND first_reply_at < ${ts(to)}))
      GROUP BY app_service_id`,
    prisma.$queryRaw<{ app_service_id: string; type: EscalationType; count: number }[]>`
      SELECT c.app_service_id::text AS app_service_id, e.type::text AS type, count(*)::int AS count
      FROM escalations e JOIN conversations c ON c.id = e.conversation_id
      WHERE e.organization_id = ${organizationId}::uuid AND c.app_service_id IN (${uuidList(ids)})
        AND e.created_at >= ${ts(from)} AND e.created_at < ${ts(to)}
      GROUP BY c.app_service_id, e.type
      ORDER BY e.type::text`,
  ]);
  for (const row of messages) {
    const figures = result.get(row.app_service_id)!;
    figures.numberOfChatSessions = row.sessions;
    figures.numberOfMessages = row.messages;
  }
  for (const row of conversations) {
    const figures = result.get(row.app_service_id)!;
    figures.escalatedConversations = row.escalated;
    figures.issuesResolved = row.resolved;
    figures.resolvedSeconds = row.resolved_seconds ?? 0;
    figures.resolutionTime = row.resolved > 0 ? figures.resolvedSeconds / row.resolved : null;
    figures.replied = row.replied;
    figures.repliedSeconds = row.replied_seconds ?? 0;
    figures.firstResponseTime = row.replied > 0 ? figures.repliedSeconds / row.replied : null;
  }
  for (const row of escalations)
    result.get(row.app_service_id)!.escalationsByType.push({ type: row.type, count: row.count });
  return result;
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

/** The monitoring block of one app service. Permission: analytics:read. */
export async function monitoringBlock(
  prisma: PrismaClient,
  actor: Actor,
  input: { appServiceId: string; from: Date; to: Date },
): Promise<AppServiceMonitoring> {
  assertRange(input.from, input.to);
  const reach = await appServicesInReach(prisma, actor, { appServiceIds: [input.appServiceId] });
  const [figures, metrics] = await Promise.all([
    figuresByAppService(prisma, reach.organizationId, reach.ids, input.from, input.to),
    metricsOf(prisma, reach.ids, input.from, input.to),
  ]);
  return toAppServiceMonitoring(input.appServiceId, figures, metrics, input.from, input.to);
}

function toAppServiceMonitoring(
  appServiceId: string,
  figures: Awaited<ReturnType<typeof figuresByAppService>>,
  metrics: Map<string, MonitoringMetric[]>,
  from: Date,
  to: Date,
): AppServiceMonitoring {
  const { resolvedSeconds: _r, repliedSeconds: _p, replied: _n, ...own } = figures.get(appServiceId)!;
  return { appServiceId, from, to, ...own, growthPercentage: metrics.get(appServiceId) ?? [] };
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
  assertRange(input.from, input.to);
  const reach = await appServicesInReach(prisma, actor, { organizationId: input.organizationId });
  const [figures, metrics] = await Promise.all([
    figuresByAppService(prisma, reach.organizationId, reach.ids, input.from, input.to),
    metricsOf(prisma, reach.ids, input.from, input.to),
  ]);
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
    appServices: reach.ids.map((id) => toAppServiceMonitoring(id, figures, metrics, input.from, input.to)),
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
