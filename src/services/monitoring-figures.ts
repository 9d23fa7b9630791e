/**
 * Monitoring (the dashboard's monitoring block): figures per app service over a half-open range [from, to), computed with
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
 *
 * Read by the monitoring block (monitoring.ts, which checks the reader's reach) and the metrics rollup.
 */
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import type { EscalationType } from '../generated/prisma/enums.js';

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

export const ts = (date: Date) => Prisma.sql`${date.toISOString()}::timestamptz`;
const uuidList = (ids: string[]) => Prisma.join(ids.map((id) => Prisma.sql`${id}::uuid`));

export const emptyFigures = (): MonitoringFigures => ({
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
