// The routing queue: a conversation routed or queued when nobody can take it, its place in the queue, and
// the queue drained (in an organization after an agent frees up, or in all of them by the schedule) with
// subscribers told of the assignments.
import { Prisma } from '../generated/prisma/client.js';
import type { ConversationStatus } from '../generated/prisma/enums.js';
import { forbidden } from '../kernel/errors.js';
import { nowOf, type ServiceDeps } from './deps.js';
import { hasFreeSlot } from './routing.js';
import {
  assignTo,
  loadCandidates,
  lockOrganizationRouting,
  noteAssigned,
  pickFor,
  routedConversationSelect,
  type RoutedConversation,
} from './routing-assignment.js';
import type { Tx } from './transactions.js';
import { recordAudit, recordAudits, systemActor, type AuditEntry } from './audit-log.js';

/** Who the audit log names for assignments the router makes on its own (a handoff, the queue drained). */
const ROUTING = systemActor('routing');

function routedEntry(
  conversation: { id: string; organizationId: string; assigneeId: string | null; status: ConversationStatus },
  agentId: string,
): AuditEntry {
  return {
    organizationId: conversation.organizationId,
    actor: ROUTING,
    action: 'conversation.assigned',
    targetType: 'CONVERSATION',
    targetId: conversation.id,
    changes: {
      assigneeId: { from: conversation.assigneeId, to: agentId },
      status: { from: conversation.status, to: 'ASSIGNED' },
    },
  };
}

/** Conversations that no longer wait for anyone, even if queuedAt was left set. */
const FINISHED_STATUSES: ConversationStatus[] = ['RESOLVED', 'CLOSED'];

export type AutoAssignResult =
  { assigned: true; agentId: string } | { assigned: false; queuePosition: number };

/**
 * Routes one conversation: assigns it to the best eligible agent (reason AUTO), or, when nobody is
 * eligible, puts it in the organization's queue (keeping its place if it was already waiting; the QUEUED
 * record is written only when it starts waiting) and returns its 1-based position. A queued conversation
 * keeps its status (the bot goes on answering) and any assignee until drainQueue routes it.
 * The caller should hold the conversation's row lock (taken before this, see lockOrganizationRouting),
 * so that no concurrent action changes it between the choice and the write.
 * FORBIDDEN when the conversation is not in the organization.
 */
export async function autoAssign(
  tx: Tx,
  input: { conversationId: string; organizationId: string; assignedById: string | null; now: Date },
): Promise<AutoAssignResult> {
  const { conversationId, organizationId, now } = input;
  await lockOrganizationRouting(tx, organizationId);
  const conversation = await tx.conversation.findFirst({
    where: { id: conversationId, organizationId },
    select: routedConversationSelect,
  });
  if (!conversation) throw forbidden();
  const candidates = await loadCandidates(tx, organizationId);
  const picked = pickFor(candidates, conversation, now);
  if (picked) {
    await assignTo(tx, {
      conversationId,
      organizationId,
      agentId: picked.id,
      reason: 'AUTO',
      assignedById: input.assignedById,
      now,
    });
    // A user's auto-assignment or transfer is recorded by its action; without a user, routing decided.
    if (input.assignedById === null) await recordAudit(tx, routedEntry(conversation, picked.id));
    return { assigned: true, agentId: picked.id };
  }
  let queuedAt = conversation.queuedAt;
  if (!queuedAt) {
    queuedAt = now;
    await tx.conversation.update({ where: { id: conversationId }, data: { queuedAt } });
    await tx.assignmentRecord.create({
      data: {
        organizationId,
        conversationId,
        agentId: null,
        assignedById: input.assignedById,
        reason: 'QUEUED',
        createdAt: now,
      },
    });
  }
  const position = await queuePosition(tx, { id: conversationId, organizationId, queuedAt });
  return { assigned: false, queuePosition: position ?? 1 };
}

/** The queue of an organization: waiting conversations, oldest queuedAt first, id breaking ties. */
const queueWhere = (organizationId: string): Prisma.ConversationWhereInput => ({
  organizationId,
  queuedAt: { not: null },
  status: { notIn: FINISHED_STATUSES },
});
const queueOrder: Prisma.ConversationOrderByWithRelationInput[] = [{ queuedAt: 'asc' }, { id: 'asc' }];

/**
 * The 1-based place of a waiting conversation in its organization's queue; null when it is not queued.
 * Takes a transaction or the client.
 */
export async function queuePosition(
  db: Pick<Tx, 'conversation'>,
  conversation: { id: string; organizationId: string; queuedAt: Date | null },
): Promise<number | null> {
  const { queuedAt } = conversation;
  if (!queuedAt) return null;
  const ahead = await db.conversation.count({
    where: {
      ...queueWhere(conversation.organizationId),
      OR: [{ queuedAt: { lt: queuedAt } }, { queuedAt, id: { lt: conversation.id } }],
    },
  });
  return ahead + 1;
}

const DRAIN_BATCH = 100;

/**
 * The next waiting conversations after `after`, row-locked. SKIP LOCKED: a conversation someone is acting
 * on right now (a takeover, a manual assignment, an incoming message) is left to them rather than waited
 * for (waiting while holding the routing lock could deadlock) or overwritten; the next drain sees it.
 */
async function lockQueueBatch(
  tx: Tx,
  organizationId: string,
  after: { queuedAt: Date; id: string } | null,
): Promise<RoutedConversation[]> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id::text AS id FROM conversations
    WHERE organization_id = ${organizationId}::uuid
      AND queued_at IS NOT NULL
      AND status NOT IN ('RESOLVED', 'CLOSED')
      ${after ? Prisma.sql`AND (queued_at, id) > (${after.queuedAt.toISOString()}::timestamptz, ${after.id}::uuid)` : Prisma.empty}
    ORDER BY queued_at, id
    LIMIT ${DRAIN_BATCH}
    FOR UPDATE SKIP LOCKED`;
  if (rows.length === 0) return [];
  return tx.conversation.findMany({
    where: { id: { in: rows.map((row) => row.id) } },
    orderBy: queueOrder,
    select: routedConversationSelect,
  });
}

/**
 * Assigns waiting conversations, oldest first, while some agent has a free slot; loads are kept in
 * memory as it goes. A conversation nobody can take (e.g. a language nobody free speaks) keeps its
 * place, and the ones behind it may still be assigned. Call it when a conversation is released, resolved
 * or closed, or an agent becomes available (in its own transaction, or after lockOrganizationRouting).
 */
export async function drainQueue(
  tx: Tx,
  input: { organizationId: string; now: Date },
): Promise<{ conversationId: string; agentId: string }[]> {
  const { organizationId, now } = input;
  await lockOrganizationRouting(tx, organizationId);
  const candidates = await loadCandidates(tx, organizationId);
  const anyoneFree = () => candidates.some((candidate) => hasFreeSlot(candidate, now));
  const assigned: { conversationId: string; agentId: string }[] = [];
  const audits: AuditEntry[] = [];
  let after: { queuedAt: Date; id: string } | null = null;
  while (anyoneFree()) {
    const batch = await lockQueueBatch(tx, organizationId, after);
    for (const conversation of batch) {
      const picked = pickFor(candidates, conversation, now);
      if (!picked) continue;
      await assignTo(tx, {
        conversationId: conversation.id,
        organizationId,
        agentId: picked.id,
        reason: 'AUTO',
        assignedById: null,
        now,
      });
      audits.push(routedEntry(conversation, picked.id));
      noteAssigned(candidates, conversation, picked, now);
      assigned.push({ conversationId: conversation.id, agentId: picked.id });
      if (!anyoneFree()) break;
    }
    const last = batch.at(-1);
    if (batch.length < DRAIN_BATCH || !last?.queuedAt) break;
    after = { queuedAt: last.queuedAt, id: last.id };
  }
  await recordAudits(tx, audits);
  return assigned;
}

/** After an agent frees up, queued conversations get assigned (its own transaction, after the change committed). */
export async function drainAfter(
  deps: Pick<ServiceDeps, 'prisma' | 'realtime' | 'now'>,
  organizationId: string,
): Promise<void> {
  const assigned = await deps.prisma.$transaction((tx) =>
    drainQueue(tx, { organizationId, now: nowOf(deps) }),
  );
  await publishAssignments(deps, assigned);
}

/** Tells subscribers about conversations the queue handed to agents. */
export async function publishAssignments(
  deps: Pick<ServiceDeps, 'prisma' | 'realtime'>,
  assigned: { conversationId: string; agentId: string }[],
): Promise<void> {
  if (assigned.length === 0) return;
  const conversations = await deps.prisma.conversation.findMany({
    where: { id: { in: assigned.map((a) => a.conversationId) } },
    select: { id: true, organizationId: true, appServiceId: true },
  });
  for (const conversation of conversations) {
    await deps.realtime.conversationUpdated(conversation, ['assignee', 'status']);
  }
}

/**
 * Assigns waiting conversations in every organization that has some, for agents who became eligible by
 * the clock (a shift starting) rather than by an action. Run every minute by the routing schedule.
 */
export async function drainAllQueues(
  deps: Pick<ServiceDeps, 'prisma' | 'realtime' | 'now'>,
): Promise<number> {
  const organizations = await deps.prisma.conversation.findMany({
    where: { queuedAt: { not: null }, status: { notIn: ['RESOLVED', 'CLOSED'] } },
    distinct: ['organizationId'],
    select: { organizationId: true },
  });
  let assigned = 0;
  for (const { organizationId } of organizations) {
    const drained = await deps.prisma.$transaction((tx) =>
      drainQueue(tx, { organizationId, now: nowOf(deps) }),
    );
    await publishAssignments(deps, drained);
    assigned += drained.length;
  }
  return assigned;
}
