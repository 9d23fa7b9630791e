// Reports: per agent, per team and per label, over local calendar days in the organization's time zone.
// Two statements whatever the data size (the time zone, then one aggregate). What each figure means:
//
// - the conversations of a row: those whose (latest) resolution falls in the range, attributed to their
//   assignee (the agent who held them when they were resolved), their team, and each of their labels;
// - conversationsHandled: how many;
// - first response time: seconds from the handoff to humans (escalatedAt; never escalated: the start of the
//   conversation, its first customer message) to the first public agent reply; a reply that came before the
//   handoff did not answer it and is left out, as in monitoring. p50 and p90 (percentile_cont, interpolated);
// - resolution time: seconds from the same start to the resolution, p50 and p90; both are wall-clock times
//   (time spent PENDING included);
// - CSAT: the surveys sent after resolutions in the range (csat.ts), by the agent and team recorded at the
//   resolution and by the conversation's labels: responses, average rating, share rating 4–5;
// - SLA: slaMeasured counts the conversations that were handed to humans and fall under an active SLA
//   policy (sla.ts policyFor: app service and priority, either may be open) or raised an SLA alert;
//   slaMet those of them with no BREACH; slaMetPercent = slaMet / slaMeasured.
import { Prisma } from '../generated/prisma/client.js';
import type { Actor } from '../auth/actor.js';
import { badInput, forbidden } from '../kernel/errors.js';
import { startOfLocalDay } from './business-hours.js';
import { SATISFIED_FROM } from './csat.js';
import { MAX_RANGE_DAYS } from './date-range.js';
import type { ServiceDeps } from './deps.js';

export const reportDimensions = ['AGENT', 'TEAM', 'LABEL'] as const;
export type ReportDimension = (typeof reportDimensions)[number];

export interface ReportInput {
  organizationId: string;
  /** Local calendar days (YYYY-MM-DD) in the organization's time zone, both included; at most 366 days. */
  from: string;
  to: string;
  /** Which rows; every kind when absent or empty. */
  dimensions?: readonly ReportDimension[] | null;
}

export interface ReportRow {
  dimension: ReportDimension;
  /** The agent's or team's id (raw uuid), or the label. */
  key: string;
  /** The agent's or team's name, or the label. */
  name: string;
  conversationsHandled: number;
  /** Seconds; null when no conversation of the row has a first reply that counts. */
  firstResponseP50: number | null;
  firstResponseP90: number | null;
  /** Seconds; null when the row has no conversation. */
  resolutionP50: number | null;
  resolutionP90: number | null;
  csatResponses: number;
  /** 1–5; null without responses. */
  csatAverage: number | null;
  /** Percent of responses rating 4 or 5; null without responses. */
  csatSatisfiedPercent: number | null;
  slaMeasured: number;
  slaMet: number;
  /** Percent; null when no conversation of the row falls under a policy. */
  slaMetPercent: number | null;
}

export interface OrganizationReport {
  organizationId: string;
  timezone: string;
  from: string;
  to: string;
  /** The instants the range covers: [start, end). */
  start: Date;
  end: Date;
  /** Agents, then teams, then labels, each by name. */
  rows: ReportRow[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** Days since the epoch of a YYYY-MM-DD that is a real date; BAD_USER_INPUT otherwise. */
function dayNumber(date: string, name: string): number {
  const ms = DATE.test(date) ? Date.parse(`${date}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw badInput(`${name} must be a date such as 2026-01-31.`, { [name]: date });
  }
  return ms / DAY_MS;
}

/** The next calendar day of a YYYY-MM-DD. */
const nextDay = (date: string) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);

/** The report of an organization. Permission: analytics:read (FORBIDDEN otherwise, as monitoring). */
export async function organizationReport(
  deps: Pick<ServiceDeps, 'prisma'>,
  actor: Actor,
  input: ReportInput,
): Promise<OrganizationReport> {
  actor.assertCan(input.organizationId, 'analytics:read');
  const days = dayNumber(input.to, 'to') - dayNumber(input.from, 'from') + 1;
  if (days < 1) throw badInput('from must not be after to.', { from: input.from, to: input.to });
  if (days > MAX_RANGE_DAYS) throw badInput(`The range may not exceed ${MAX_RANGE_DAYS} days.`);
  const dimensions = input.dimensions?.length ? [...new Set(input.dimensions)] : [...reportDimensions];
  const organization = await deps.prisma.organization.findUnique({
    where: { id: input.organizationId },
    select: { timezone: true },
  });
  if (!organization) throw forbidden();
  const { timezone } = organization;
  const start = startOfLocalDay(timezone, input.from);
  const end = startOfLocalDay(timezone, nextDay(input.to));
  const rows = await reportRows(deps.prisma, input.organizationId, start, end, dimensions);
  return { organizationId: input.organizationId, timezone, from: input.from, to: input.to, start, end, rows };
}

interface RawRow {
  dimension: ReportDimension;
  key: string;
  name: string;
  handled: number;
  frt_p50: number | null;
  frt_p90: number | null;
  rt_p50: number | null;
  rt_p90: number | null;
  responses: number;
  average: number | null;
  satisfied: number;
  sla_measured: number;
  sla_met: number;
}

/** The rows over [start, end), unchecked (the caller checked the reader): one statement. */
async function reportRows(
  prisma: Pick<ServiceDeps, 'prisma'>['prisma'],
  organizationId: string,
  start: Date,
  end: Date,
  dimensions: ReportDimension[],
): Promise<ReportRow[]> {
  const org = Prisma.sql`${organizationId}::uuid`;
  const from = Prisma.sql`${start.toISOString()}::timestamptz`;
  const to = Prisma.sql`${end.toISOString()}::timestamptz`;
  const rows = await prisma.$queryRaw<RawRow[]>`
    WITH handled AS (
      SELECT c.id, c.assignee_id, c.team_id, c.labels,
        CASE WHEN c.first_reply_at >= coalesce(c.escalated_at, c.created_at)
          THEN extract(epoch FROM c.first_reply_at - coalesce(c.escalated_at, c.created_at))::float8
        END AS first_response,
        greatest(extract(epoch FROM c.resolved_at - coalesce(c.escalated_at, c.created_at)), 0)::float8
          AS resolution,
        (c.escalated_at IS NOT NULL AND (
          EXISTS (SELECT 1 FROM sla_policies p WHERE p.organization_id = c.organization_id AND p.active
            AND (p.app_service_id IS NULL OR p.app_service_id = c.app_service_id)
            AND (p.priority IS NULL OR p.priority = c.priority))
          OR EXISTS (SELECT 1 FROM sla_alerts a WHERE a.conversation_id = c.id))) AS sla_measured,
        EXISTS (SELECT 1 FROM sla_alerts a WHERE a.conversation_id = c.id AND a.kind = 'BREACH') AS breached
      FROM conversations c
      WHERE c.organization_id = ${org} AND c.resolved_at >= ${from} AND c.resolved_at < ${to}
    ), keyed AS (
      SELECT 'AGENT'::text AS dimension, h.assignee_id::text AS key, h.first_response, h.resolution,
        h.sla_measured, h.breached
      FROM handled h WHERE h.assignee_id IS NOT NULL
      UNION ALL
      SELECT 'TEAM', h.team_id::text, h.first_response, h.resolution, h.sla_measured, h.breached
      FROM handled h WHERE h.team_id IS NOT NULL
      UNION ALL
      SELECT 'LABEL', l.label, h.first_response, h.resolution, h.sla_measured, h.breached
      FROM handled h CROSS JOIN LATERAL unnest(h.labels) AS l(label)
    ), perf AS (
      SELECT dimension, key, count(*)::int AS handled,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY first_response) AS frt_p50,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY first_response) AS frt_p90,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution) AS rt_p50,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY resolution) AS rt_p90,
        count(*) FILTER (WHERE sla_measured)::int AS sla_measured,
        count(*) FILTER (WHERE sla_measured AND NOT breached)::int AS sla_met
      FROM keyed GROUP BY dimension, key
    ), surveys AS (
      SELECT s.agent_id, s.team_id, s.rating, c.labels
      FROM csat_surveys s JOIN conversations c ON c.id = s.conversation_id
      WHERE s.organization_id = ${org} AND s.resolved_at >= ${from} AND s.resolved_at < ${to}
    ), rated AS (
      SELECT 'AGENT'::text AS dimension, agent_id::text AS key, rating FROM surveys WHERE agent_id IS NOT NULL
      UNION ALL
      SELECT 'TEAM', team_id::text, rating FROM surveys WHERE team_id IS NOT NULL
      UNION ALL
      SELECT 'LABEL', l.label, rating FROM surveys CROSS JOIN LATERAL unnest(surveys.labels) AS l(label)
    ), csat AS (
      SELECT dimension, key, count(rating)::int AS responses, avg(rating)::float8 AS average,
        count(*) FILTER (WHERE rating >= ${SATISFIED_FROM})::int AS satisfied
      FROM rated GROUP BY dimension, key
    ), joined AS (
      SELECT coalesce(p.dimension, q.dimension) AS dimension, coalesce(p.key, q.key) AS key,
        coalesce(p.handled, 0) AS handled, p.frt_p50, p.frt_p90, p.rt_p50, p.rt_p90,
        coalesce(q.responses, 0) AS responses, q.average, coalesce(q.satisfied, 0) AS satisfied,
        coalesce(p.sla_measured, 0) AS sla_measured, coalesce(p.sla_met, 0) AS sla_met
      FROM perf p FULL JOIN csat q ON q.dimension = p.dimension AND q.key = p.key
    )
    SELECT j.dimension, j.key, coalesce(ag.name, t.name, j.key) AS name, j.handled::int AS handled,
      j.frt_p50, j.frt_p90, j.rt_p50, j.rt_p90, j.responses::int AS responses, j.average,
      j.satisfied::int AS satisfied, j.sla_measured::int AS sla_measured, j.sla_met::int AS sla_met
    FROM joined j
      LEFT JOIN agents ag ON j.dimension = 'AGENT' AND ag.id::text = j.key AND ag.organization_id = ${org}
      LEFT JOIN teams t ON j.dimension = 'TEAM' AND t.id::text = j.key AND t.organization_id = ${org}
    WHERE j.dimension = ANY(${dimensions}::text[])
    ORDER BY CASE j.dimension WHEN 'AGENT' THEN 0 WHEN 'TEAM' THEN 1 ELSE 2 END, 3, j.key`;
  return rows.map((row) => ({
    dimension: row.dimension,
    key: row.key,
    name: row.name,
    conversationsHandled: row.handled,
    firstResponseP50: row.frt_p50,
    firstResponseP90: row.frt_p90,
    resolutionP50: row.rt_p50,
    resolutionP90: row.rt_p90,
    csatResponses: row.responses,
    csatAverage: row.responses ? row.average : null,
    csatSatisfiedPercent: row.responses ? (100 * row.satisfied) / row.responses : null,
    slaMeasured: row.sla_measured,
    slaMet: row.sla_met,
    slaMetPercent: row.sla_measured ? (100 * row.sla_met) / row.sla_measured : null,
  }));
}
