// Routing in the database: the per-organization routing lock, the candidates with their loads, an
// assignment written, and the choice for a conversation that may already have an assignee. Always inside
// the caller's transaction.
import { Prisma } from '../generated/prisma/client.js';
import type { AssignmentReason } from '../generated/prisma/enums.js';
import { forbidden } from '../kernel/errors.js';
import {
  ACTIVE_STATUSES,
  pickAgent,
  workingHoursSchema,
  type RoutingCandidate,
  type RoutingNeed,
  type WorkingHours,
} from './routing.js';
import type { Tx } from './transactions.js';
import { isOpen } from './business-hours.js';

/** First key of the two-key advisory lock space: "routing" (arbitrary, fixed; the second is the organization). */
const ROUTING_LOCK_NAMESPACE = 0x726f7574;

/**
 * Serializes routing decisions within one organization until the transaction ends, so that two
 * assignments never both take an agent's last free slot. Reentrant within a transaction.
 * Lock order, to stay free of deadlocks: a conversation's row lock (SELECT … FOR UPDATE, as the
 * conversation actions take it) before this lock, this lock before any agent row is written. drainQueue
 * skips conversations whose row someone else holds, so it never waits on a row while holding this lock.
 */
export async function lockOrganizationRouting(tx: Tx, organizationId: string): Promise<void> {
  // ::text because Prisma cannot read a void column.
  await tx.$queryRaw`SELECT pg_advisory_xact_lock(${ROUTING_LOCK_NAMESPACE}::int4, hashtext(${organizationId}::text))::text AS locked`;
}

const candidateSelect = {
  id: true,
  available: true,
  channels: true,
  topics: true,
  languages: true,
  maxConcurrent: true,
  workingHours: true,
  timezone: true,
  lastAssignedAt: true,
  teams: { select: { teamId: true } },
  _count: { select: { assigned: { where: { status: { in: ACTIVE_STATUSES } } } } },
} satisfies Prisma.AgentSelect;

/** Stored hours are validated on input; unreadable ones (written around the API) mean "never", not "always". */
function storedWorkingHours(value: Prisma.JsonValue): WorkingHours | null {
  if (value === null) return null;
  const parsed = workingHoursSchema.safeParse(value);
  return parsed.success ? parsed.data : {};
}

/** Every agent of the organization with their active load, in one statement. */
export async function loadCandidates(tx: Tx, organizationId: string): Promise<RoutingCandidate[]> {
  const agents = await tx.agent.findMany({
    where: { organizationId },
    select: candidateSelect,
    orderBy: { id: 'asc' },
  });
  return agents.map(({ _count, workingHours, teams, ...agent }) => ({
    ...agent,
    workingHours: storedWorkingHours(workingHours),
    activeCount: _count.assigned,
    teamIds: teams.map((team) => team.teamId),
  }));
}

export interface AssignToInput {
  conversationId: string;
  organizationId: string;
  agentId: string;
  reason: Extract<AssignmentReason, 'MANUAL' | 'AUTO' | 'TAKEOVER' | 'TRANSFER'>;
  /** The user who assigned it; null for the router or an integrator. */
  assignedById: string | null;
  now: Date;
}

const isNotFound = (error: unknown) =>
  error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025';

/**
 * Makes the agent the conversation's assignee (status ASSIGNED, out of the queue), adds them to its
 * participants, stamps their lastAssignedAt and records the assignment. Checks no routing rule (a
 * manual assignment may override them); FORBIDDEN when the agent or the conversation is not in the
 * organization.
 */
export async function assignTo(tx: Tx, input: AssignToInput) {
  const { conversationId, organizationId, agentId, now } = input;
  try {
    await tx.agent.update({ where: { id: agentId, organizationId }, data: { lastAssignedAt: now } });
    const conversation = await tx.conversation.update({
      where: { id: conversationId, organizationId },
      data: { assigneeId: agentId, status: 'ASSIGNED', queuedAt: null },
    });
    await tx.conversationAgent.createMany({
      data: [{ conversationId, agentId, joinedAt: now }],
      skipDuplicates: true,
    });
    await tx.assignmentRecord.create({
      data: {
        organizationId,
        conversationId,
        agentId,
        assignedById: input.assignedById,
        reason: input.reason,
        createdAt: now,
      },
    });
    return conversation;
  } catch (error) {
    if (isNotFound(error)) throw forbidden();
    throw error;
  }
}

export const routedConversationSelect = {
  id: true,
  organizationId: true,
  status: true,
  assigneeId: true,
  queuedAt: true,
  labels: true,
  language: true,
  teamId: true,
  team: { select: { businessHours: true } },
  appService: { select: { channel: true, businessHours: true } },
} satisfies Prisma.ConversationSelect;

export type RoutedConversation = Prisma.ConversationGetPayload<{ select: typeof routedConversationSelect }>;

const needOf = (conversation: RoutedConversation, now: Date): RoutingNeed => ({
  channel: conversation.appService.channel,
  labels: conversation.labels,
  language: conversation.language,
  teamId: conversation.teamId,
  open: isOpen(conversation.team?.businessHours, now) && isOpen(conversation.appService.businessHours, now),
});

/**
 * pickAgent for a conversation that may already have an active assignee: that conversation would move,
 * so it does not count against its current assignee while choosing.
 */
export function pickFor(candidates: RoutingCandidate[], conversation: RoutedConversation, now: Date) {
  const current = currentAssigneeOf(candidates, conversation);
  if (current) current.activeCount -= 1;
  const picked = pickAgent(candidates, needOf(conversation, now), now);
  if (current) current.activeCount += 1;
  return picked;
}

function currentAssigneeOf(candidates: RoutingCandidate[], conversation: RoutedConversation) {
  if (!conversation.assigneeId || !ACTIVE_STATUSES.includes(conversation.status)) return undefined;
  return candidates.find((candidate) => candidate.id === conversation.assigneeId);
}

/** Keeps the in-memory loads right after an assignment, so later picks in the same pass see them. */
export function noteAssigned(
  candidates: RoutingCandidate[],
  conversation: RoutedConversation,
  picked: RoutingCandidate,
  now: Date,
) {
  const previous = currentAssigneeOf(candidates, conversation);
  if (previous) previous.activeCount -= 1;
  picked.activeCount += 1;
  picked.lastAssignedAt = now;
}
