// SLA policies: first-response, next-response and resolution targets for conversations handed to humans,
// per priority and app service. A schedule every 5 seconds works out each open conversation's deadlines and
// raises a WARNING at 80 % of a target's time and a BREACH at 100 %, once per conversation, target, kind and
// deadline (a unique key), published on the slaAlert subscription. Clocks start when the conversation left
// the bot (escalatedAt); with businessHoursOnly they count the app service's business hours only; while a
// conversation is PENDING (waiting for the customer) it raises nothing, and the time it waited moves its
// first-response and resolution deadlines later (conversations.paused_seconds, kept by a trigger).
import { z } from 'zod';
import type { Actor } from '../auth/actor.js';
import type { SlaAlert, SlaPolicy } from '../generated/prisma/client.js';
import type { ConversationPriority, SlaAlertKind, SlaTarget } from '../generated/prisma/enums.js';
import { badInput, forbidden } from '../kernel/errors.js';
import { jsonOf, recordAudit, type AuditChanges } from './audit-log.js';
import { businessDeadline } from './business-hours.js';
import { nowOf, type NotificationSetup, type ServiceDeps } from './deps.js';
import { notifyThroughChannels } from './notification-planning.js';
import { SLA_EVENT, slaEventKey } from './other-notices.js';
import type { Tx } from './transactions.js';
import { nameSchema } from './validation.js';

/** From a minute to 30 days. */
export const targetSecondsSchema = z
  .number()
  .int()
  .min(60)
  .max(30 * 86_400);
/** The share of a target's time after which a WARNING is raised. */
export const WARNING_AT = 0.8;
/** Conversations read per statement, and looked at per pass at most. */
const BATCH = 2000;
const MAX_PER_PASS = 100_000;

export interface SlaPolicyInput {
  organizationId: string;
  name: string;
  appServiceId?: string | null;
  priority?: ConversationPriority | null;
  firstResponseSeconds?: number | null;
  nextResponseSeconds?: number | null;
  resolutionSeconds?: number | null;
  businessHoursOnly?: boolean | null;
  active?: boolean | null;
}

export async function createSlaPolicy(
  deps: Pick<ServiceDeps, 'prisma'>,
  actor: Actor,
  input: SlaPolicyInput,
) {
  actor.assertCan(input.organizationId, 'agents:manage');
  if (!input.firstResponseSeconds && !input.nextResponseSeconds && !input.resolutionSeconds) {
    throw badInput('Give at least one of firstResponseSeconds, nextResponseSeconds, resolutionSeconds.');
  }
  if (input.appServiceId) {
    const found = await deps.prisma.appService.count({
      where: { id: input.appServiceId, organizationId: input.organizationId },
    });
    if (!found) throw badInput('No such app service in this organization.');
  }
  return deps.prisma.$transaction(async (tx) => {
    const policy = await tx.slaPolicy.create({
      data: {
        organizationId: input.organizationId,
        name: nameSchema.parse(input.name),
        appServiceId: input.appServiceId ?? null,
        priority: input.priority ?? null,
        firstResponseSeconds: input.firstResponseSeconds ?? null,
        nextResponseSeconds: input.nextResponseSeconds ?? null,
        resolutionSeconds: input.resolutionSeconds ?? null,
        businessHoursOnly: input.businessHoursOnly ?? false,
        active: input.active ?? true,
      },
    });
    await recordAudit(tx, {
      organizationId: policy.organizationId,
      actor,
      action: 'sla_policy.created',
      targetType: 'SLA_POLICY',
      targetId: policy.id,
      changes: policyFields(policy, 'to'),
    });
    return policy;
  });
}

/** A policy's fields as the `to` (created) or `from` (deleted) side of an audit entry. */
function policyFields(policy: SlaPolicy, side: 'from' | 'to'): AuditChanges {
  const fields = [
    'name',
    'appServiceId',
    'priority',
    'firstResponseSeconds',
    'nextResponseSeconds',
    'resolutionSeconds',
    'businessHoursOnly',
    'active',
  ] as const;
  return Object.fromEntries(fields.map((field) => [field, { [side]: jsonOf(policy[field]) }]));
}

export async function deleteSlaPolicy(
  deps: Pick<ServiceDeps, 'prisma'>,
  actor: Actor,
  input: { id: string },
) {
  actor.assertAuthenticated();
  const found = await deps.prisma.slaPolicy.findFirst({
    where: { id: input.id, organizationId: { in: actor.organizationIdsWith('agents:manage') } },
  });
  if (!found) throw forbidden();
  await deps.prisma.$transaction(async (tx) => {
    await tx.slaPolicy.delete({ where: { id: found.id } });
    await recordAudit(tx, {
      organizationId: found.organizationId,
      actor,
      action: 'sla_policy.deleted',
      targetType: 'SLA_POLICY',
      targetId: found.id,
      changes: policyFields(found, 'from'),
    });
  });
  return found;
}

/** The most specific active policy: app service and priority, then app service, then priority, then neither. */
export function policyFor(
  policies: readonly SlaPolicy[],
  conversation: { organizationId: string; appServiceId: string; priority: ConversationPriority },
): SlaPolicy | null {
  let best: SlaPolicy | null = null;
  let bestRank = -1;
  for (const policy of policies) {
    if (!policy.active || policy.organizationId !== conversation.organizationId) continue;
    if (policy.appServiceId && policy.appServiceId !== conversation.appServiceId) continue;
    if (policy.priority && policy.priority !== conversation.priority) continue;
    const rank = (policy.appServiceId ? 2 : 0) + (policy.priority ? 1 : 0);
    if (rank > bestRank || (rank === bestRank && best && policy.createdAt < best.createdAt)) {
      best = policy;
      bestRank = rank;
    }
  }
  return best;
}

/** What the clocks of one conversation read from. */
export interface SlaFacts {
  escalatedAt: Date;
  firstReplyAt: Date | null;
  resolvedAt: Date | null;
  /** The customer's latest message, and the latest public agent reply. */
  lastCustomerAt: Date | null;
  lastAgentAt: Date | null;
  /** Time spent PENDING so far: the first-response and resolution clocks stop meanwhile. */
  pausedSeconds: number;
}

export interface SlaDeadline {
  target: SlaTarget;
  startedAt: Date;
  warnAt: Date;
  dueAt: Date;
}

/** The running clocks (targets not yet met) of a conversation under a policy. */
export function runningDeadlines(policy: SlaPolicy, facts: SlaFacts, hours: unknown): SlaDeadline[] {
  const clocks: { target: SlaTarget; startedAt: Date; seconds: number; pausedMs: number }[] = [];
  const pausedMs = facts.pausedSeconds * 1000;
  if (policy.firstResponseSeconds && !facts.firstReplyAt) {
    const seconds = policy.firstResponseSeconds;
    clocks.push({ target: 'FIRST_RESPONSE', startedAt: facts.escalatedAt, seconds, pausedMs });
  }
  // After the first reply, each customer message not yet answered starts the next-response clock (its
  // message ended any wait for the customer: nothing paused since).
  if (
    policy.nextResponseSeconds &&
    facts.firstReplyAt &&
    facts.lastCustomerAt &&
    (!facts.lastAgentAt || facts.lastCustomerAt > facts.lastAgentAt) &&
    facts.lastCustomerAt > facts.firstReplyAt
  ) {
    const seconds = policy.nextResponseSeconds;
    clocks.push({ target: 'NEXT_RESPONSE', startedAt: facts.lastCustomerAt, seconds, pausedMs: 0 });
  }
  if (policy.resolutionSeconds && !facts.resolvedAt) {
    const seconds = policy.resolutionSeconds;
    clocks.push({ target: 'RESOLUTION', startedAt: facts.escalatedAt, seconds, pausedMs });
  }
  const window = policy.businessHoursOnly ? hours : null;
  // Time spent PENDING moves the deadline later by as much (wall-clock time, also with business hours).
  const later = (at: Date | null, ms: number) => (at ? new Date(at.getTime() + ms) : null);
  return clocks.flatMap(({ target, startedAt, seconds, pausedMs: paused }) => {
    const dueAt = later(businessDeadline(window, startedAt, seconds), paused);
    const warnAt = later(businessDeadline(window, startedAt, Math.floor(seconds * WARNING_AT)), paused);
    return dueAt && warnAt ? [{ target, startedAt, warnAt, dueAt }] : [];
  });
}

interface Candidate {
  id: string;
  organizationId: string;
  appServiceId: string;
  priority: ConversationPriority;
  escalatedAt: Date;
  firstReplyAt: Date | null;
  resolvedAt: Date | null;
  lastCustomerAt: Date | null;
  lastAgentAt: Date | null;
  pausedSeconds: number;
  businessHours: unknown;
}

/**
 * One pass: the warnings and breaches now due on conversations with humans (OPEN or ASSIGNED) in
 * organizations with active policies; each is stored once and published. Returns the alerts raised.
 */
export async function checkSlas(
  deps: Pick<ServiceDeps, 'prisma' | 'realtime' | 'now' | 'afterCommit'> & {
    /** The channels configured; absent: alerts are published, not sent (tools and tests). */
    notifications?: Pick<NotificationSetup, 'channels'>;
  },
): Promise<SlaAlert[]> {
  const now = nowOf(deps);
  const policies = await deps.prisma.slaPolicy.findMany({ where: { active: true } });
  if (policies.length === 0) return [];
  const organizations = [...new Set(policies.map((policy) => policy.organizationId))];
  // Page by id so that every open conversation is looked at in each pass, however many there are.
  const candidates: Candidate[] = [];
  for (let after = '00000000-0000-0000-0000-000000000000'; candidates.length < MAX_PER_PASS;) {
    const page = await deps.prisma.$queryRaw<Candidate[]>`
      SELECT c.id::text AS id, c.organization_id::text AS "organizationId", c.app_service_id::text AS "appServiceId",
        c.priority::text AS priority, c.escalated_at AS "escalatedAt", c.first_reply_at AS "firstReplyAt",
        c.resolved_at AS "resolvedAt", a.business_hours AS "businessHours", c.paused_seconds AS "pausedSeconds",
        (SELECT max(m.sent_at) FROM messages m WHERE m.conversation_id = c.id AND m.sender_type = 'CUSTOMER')
          AS "lastCustomerAt",
        (SELECT max(m.sent_at) FROM messages m
          WHERE m.conversation_id = c.id AND m.sender_type = 'AGENT' AND NOT m.private) AS "lastAgentAt"
      FROM conversations c JOIN app_services a ON a.id = c.app_service_id
      WHERE c.organization_id = ANY(${organizations}::uuid[]) AND c.escalated_at IS NOT NULL
        AND c.status IN ('OPEN', 'ASSIGNED') AND c.id > ${after}::uuid
      ORDER BY c.id
      LIMIT ${BATCH}`;
    candidates.push(...page);
    if (page.length < BATCH) break;
    after = page.at(-1)!.id;
  }
  const due: {
    organizationId: string;
    conversationId: string;
    policyId: string;
    target: SlaTarget;
    kind: SlaAlertKind;
    dueAt: Date;
  }[] = [];
  for (const conversation of candidates) {
    const policy = policyFor(policies, conversation);
    if (!policy) continue;
    for (const deadline of runningDeadlines(policy, conversation, conversation.businessHours)) {
      const base = {
        organizationId: conversation.organizationId,
        conversationId: conversation.id,
        policyId: policy.id,
        target: deadline.target,
        dueAt: deadline.dueAt,
      };
      if (now >= deadline.dueAt) due.push({ ...base, kind: 'BREACH' });
      else if (now >= deadline.warnAt) due.push({ ...base, kind: 'WARNING' });
    }
  }
  if (due.length === 0) return [];
  // Stored and planned in one transaction: an alert is never stored without its notifications.
  const raised = await deps.prisma.$transaction(async (tx) => {
    const inserted = await insertAlerts(tx, due);
    const channels = deps.notifications?.channels;
    if (channels) {
      for (const alert of inserted) {
        const conversation = candidates.find((candidate) => candidate.id === alert.conversationId)!;
        const event = { eventKey: slaEventKey(alert.id), webhookEvent: SLA_EVENT };
        await notifyThroughChannels(tx, conversation, event, channels, now);
      }
    }
    return inserted;
  });
  if (raised.length) deps.afterCommit?.();
  for (const alert of raised) {
    const conversation = candidates.find((candidate) => candidate.id === alert.conversationId)!;
    await deps.realtime.slaAlert(alert, conversation.appServiceId);
  }
  return raised;
}

/** Stores the alerts not stored before (the unique key), in one statement; returns those that are new. */
async function insertAlerts(
  db: Tx,
  due: {
    organizationId: string;
    conversationId: string;
    policyId: string;
    target: SlaTarget;
    kind: SlaAlertKind;
    dueAt: Date;
  }[],
): Promise<SlaAlert[]> {
  return db.$queryRaw<SlaAlert[]>`
    INSERT INTO sla_alerts (id, organization_id, conversation_id, policy_id, target, kind, due_at)
    SELECT gen_random_uuid(), a.organization_id, a.conversation_id, a.policy_id, a.target::"SlaTarget",
      a.kind::"SlaAlertKind", a.due_at
    FROM unnest(
      ${due.map((a) => a.organizationId)}::uuid[], ${due.map((a) => a.conversationId)}::uuid[],
      ${due.map((a) => a.policyId)}::uuid[], ${due.map((a) => a.target)}::text[],
      ${due.map((a) => a.kind)}::text[], ${due.map((a) => a.dueAt.toISOString())}::timestamptz[]
    ) AS a(organization_id, conversation_id, policy_id, target, kind, due_at)
    ON CONFLICT (conversation_id, target, kind, due_at) DO NOTHING
    RETURNING id::text AS id, organization_id::text AS "organizationId", conversation_id::text AS "conversationId",
      policy_id::text AS "policyId", target::text AS target, kind::text AS kind, due_at AS "dueAt",
      created_at AS "createdAt"`;
}

export interface SlaReportRow {
  target: SlaTarget;
  /** Conversations whose clock for this target ran in the period (escalated in it). */
  measured: number;
  /** Of those, how many met the target (or have not yet reached its deadline). */
  withinTarget: number;
  breaches: number;
}

/**
 * Per target, over conversations escalated in [from, to): how many were measured, how many met it, and the
 * breaches raised. Conversations without a policy are left out.
 */
export async function slaReport(
  deps: Pick<ServiceDeps, 'prisma' | 'now'>,
  organizationId: string,
  range: { from: Date; to: Date },
): Promise<SlaReportRow[]> {
  const policies = await deps.prisma.slaPolicy.findMany({ where: { organizationId, active: true } });
  const conversations = await deps.prisma.conversation.findMany({
    where: { organizationId, escalatedAt: { gte: range.from, lt: range.to } },
    select: {
      id: true,
      organizationId: true,
      appServiceId: true,
      priority: true,
      escalatedAt: true,
      firstReplyAt: true,
      resolvedAt: true,
      appService: { select: { businessHours: true } },
    },
    take: 50_000,
  });
  const breached = await deps.prisma.slaAlert.groupBy({
    by: ['target', 'conversationId'],
    where: { organizationId, kind: 'BREACH', conversationId: { in: conversations.map((c) => c.id) } },
  });
  const breachedSet = new Set(breached.map((row) => `${row.target}:${row.conversationId}`));
  const rows = new Map<SlaTarget, SlaReportRow>(
    (['FIRST_RESPONSE', 'NEXT_RESPONSE', 'RESOLUTION'] as const).map((target) => [
      target,
      { target, measured: 0, withinTarget: 0, breaches: 0 },
    ]),
  );
  for (const conversation of conversations) {
    const policy = policyFor(policies, conversation);
    if (!policy) continue;
    const targets: [SlaTarget, number | null][] = [
      ['FIRST_RESPONSE', policy.firstResponseSeconds],
      ['NEXT_RESPONSE', policy.nextResponseSeconds],
      ['RESOLUTION', policy.resolutionSeconds],
    ];
    for (const [target, seconds] of targets) {
      if (!seconds) continue;
      const row = rows.get(target)!;
      row.measured += 1;
      if (breachedSet.has(`${target}:${conversation.id}`)) row.breaches += 1;
      else row.withinTarget += 1;
    }
  }
  return [...rows.values()];
}
