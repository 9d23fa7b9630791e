// Agent routing (seed 003): who may take a conversation, who takes it, and the queue when nobody can.
// The rules are pure functions over plain candidates; the database functions load candidates, write
// assignments and keep the queue, always inside the caller's transaction and under a per-organization lock.
import { z } from 'zod';
import { Prisma } from '../generated/prisma/client.js';
import type { AssignmentReason, Channel, ConversationStatus } from '../generated/prisma/enums.js';
import { forbidden } from '../kernel/errors.js';

type Tx = Prisma.TransactionClient;

// --- Working hours -----------------------------------------------------------------------------------------

export const weekDays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type WeekDay = (typeof weekDays)[number];

const clockTime = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time such as 09:30');
/**
 * [start, end) in the agent's local time. An end before the start runs past midnight into the next
 * day (["22:00","02:00"] on mon covers mon 22:00 to tue 02:00); "24:00" may end a day.
 */
const interval = z
  .tuple([clockTime, clockTime])
  .refine(([start]) => start !== '24:00', 'an interval cannot start at 24:00')
  .refine(([start, end]) => start !== end, 'an interval must not be empty');
const dayIntervals = z.array(interval).max(10).optional();

/**
 * Weekly working hours, e.g. `{ "mon": [["09:00","17:00"]], "sat": [["10:00","14:00"]] }`. Days left
 * out are days off; `{}` means never (and null on the agent means always).
 */
export const workingHoursSchema = z.strictObject({
  mon: dayIntervals,
  tue: dayIntervals,
  wed: dayIntervals,
  thu: dayIntervals,
  fri: dayIntervals,
  sat: dayIntervals,
  sun: dayIntervals,
});
export type WorkingHours = z.infer<typeof workingHoursSchema>;

const minutesOf = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

const clocks = new Map<string, Intl.DateTimeFormat | null>();

/** The weekday (0 = mon) and minute of the day of an instant in a time zone; null for an unknown zone. */
export function localClock(timezone: string, now: Date): { day: number; minutes: number } | null {
  let clock = clocks.get(timezone);
  if (clock === undefined) {
    try {
      clock = new Intl.DateTimeFormat('en-US', {
        timeZone: timezone,
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
    } catch {
      clock = null;
    }
    clocks.set(timezone, clock);
  }
  if (!clock) return null;
  const parts = clock.formatToParts(now);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const day = weekDays.indexOf(part('weekday').toLowerCase() as WeekDay);
  if (day < 0) return null;
  return { day, minutes: Number(part('hour')) * 60 + Number(part('minute')) };
}

/**
 * Whether `now` falls in the agent's working hours, read in their IANA time zone. null hours = always;
 * an unknown time zone with hours set = never (we cannot tell, so we do not route to them).
 */
export function isWithinWorkingHours(hours: WorkingHours | null, timezone: string, now: Date): boolean {
  if (!hours) return true;
  const local = localClock(timezone, now);
  if (!local) return false;
  const today = hours[weekDays[local.day]!] ?? [];
  const yesterday = hours[weekDays[(local.day + 6) % 7]!] ?? [];
  for (const [start, end] of today) {
    const from = minutesOf(start);
    const to = minutesOf(end);
    if (from < to ? local.minutes >= from && local.minutes < to : local.minutes >= from) return true;
  }
  // Yesterday's intervals that ran past midnight.
  for (const [start, end] of yesterday) {
    if (minutesOf(start) > minutesOf(end) && local.minutes < minutesOf(end)) return true;
  }
  return false;
}

// --- Eligibility and choice (pure) -------------------------------------------------------------------------

/** Conversations that count against an agent's capacity. */
export const ACTIVE_STATUSES: ConversationStatus[] = ['ASSIGNED', 'PENDING'];
/** Conversations that no longer wait for anyone, even if queuedAt was left set. */
const FINISHED_STATUSES: ConversationStatus[] = ['RESOLVED', 'CLOSED'];

export interface RoutingCandidate {
  id: string;
  available: boolean;
  channels: Channel[];
  topics: string[];
  languages: string[];
  maxConcurrent: number;
  workingHours: WorkingHours | null;
  timezone: string;
  lastAssignedAt: Date | null;
  /** Conversations assigned to the agent with status ASSIGNED or PENDING. */
  activeCount: number;
}

export interface RoutingNeed {
  /** The channel of the conversation's app service. */
  channel: Channel;
  /** The conversation's labels, matched against the agents' topics. */
  labels: string[];
  /** The conversation's language (e.g. "en", "ar-AE"), null when not detected. */
  language: string | null;
}

export type IneligibilityReason =
  'unavailable' | 'outside working hours' | 'channel' | 'topic' | 'language' | 'at capacity';

/** "ar-AE", "AR" and "ar_EG" are all Arabic: languages compare by their primary subtag, in any case. */
const primaryLanguage = (tag: string) => tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';

/**
 * Why the candidate cannot take the conversation now, or null when they can. The rules, in order:
 * - `unavailable`: the agent's own switch is off (also set when their membership ends);
 * - `outside working hours`: see isWithinWorkingHours;
 * - `channel`: an empty channel list serves every channel, otherwise it must list the conversation's;
 * - `topic`: an empty topic list serves every topic; a conversation without labels fits every agent;
 *   otherwise one topic must equal one label (ignoring case);
 * - `language`: an empty language list serves every language; an unknown conversation language fits
 *   every agent; otherwise one language must share the conversation's primary subtag ("en" serves "en-GB");
 * - `at capacity`: active conversations (ASSIGNED or PENDING) must stay under maxConcurrent.
 */
export function ineligibilityReason(
  candidate: RoutingCandidate,
  need: RoutingNeed,
  now: Date,
): IneligibilityReason | null {
  if (!candidate.available) return 'unavailable';
  if (!isWithinWorkingHours(candidate.workingHours, candidate.timezone, now)) return 'outside working hours';
  if (candidate.channels.length > 0 && !candidate.channels.includes(need.channel)) return 'channel';
  if (candidate.topics.length > 0 && need.labels.length > 0) {
    const labels = new Set(need.labels.map((label) => label.trim().toLowerCase()));
    if (!candidate.topics.some((topic) => labels.has(topic.trim().toLowerCase()))) return 'topic';
  }
  if (candidate.languages.length > 0 && need.language?.trim()) {
    const wanted = primaryLanguage(need.language);
    if (!candidate.languages.some((language) => primaryLanguage(language) === wanted)) return 'language';
  }
  if (candidate.activeCount >= candidate.maxConcurrent) return 'at capacity';
  return null;
}

/** Least loaded first; then longest idle (never assigned before anyone, then oldest lastAssignedAt); then id. */
export function compareCandidates(a: RoutingCandidate, b: RoutingCandidate): number {
  if (a.activeCount !== b.activeCount) return a.activeCount - b.activeCount;
  const idleA = a.lastAssignedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  const idleB = b.lastAssignedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  if (idleA !== idleB) return idleA < idleB ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The eligible candidate who should take the conversation, or null when nobody can. */
export function pickAgent(
  candidates: readonly RoutingCandidate[],
  need: RoutingNeed,
  now: Date,
): RoutingCandidate | null {
  let best: RoutingCandidate | null = null;
  for (const candidate of candidates) {
    if (ineligibilityReason(candidate, need, now) !== null) continue;
    if (!best || compareCandidates(candidate, best) < 0) best = candidate;
  }
  return best;
}

/** Whether the candidate could take some conversation now (available, in hours, a free slot). */
function hasFreeSlot(candidate: RoutingCandidate, now: Date): boolean {
  return (
    candidate.available &&
    candidate.activeCount < candidate.maxConcurrent &&
    isWithinWorkingHours(candidate.workingHours, candidate.timezone, now)
  );
}

// --- Database ----------------------------------------------------------------------------------------------

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
  return agents.map(({ _count, workingHours, ...agent }) => ({
    ...agent,
    workingHours: storedWorkingHours(workingHours),
    activeCount: _count.assigned,
  }));
}

export interface AssignToInput {
  conversationId: string;
  organizationId: string;
  agentId: string;
  reason: Extract<AssignmentReason, 'MANUAL' | 'AUTO' | 'TAKEOVER'>;
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

const routedConversationSelect = {
  id: true,
  organizationId: true,
  status: true,
  assigneeId: true,
  queuedAt: true,
  labels: true,
  language: true,
  appService: { select: { channel: true } },
} satisfies Prisma.ConversationSelect;

type RoutedConversation = Prisma.ConversationGetPayload<{ select: typeof routedConversationSelect }>;

const needOf = (conversation: RoutedConversation): RoutingNeed => ({
  channel: conversation.appService.channel,
  labels: conversation.labels,
  language: conversation.language,
});

/**
 * pickAgent for a conversation that may already have an active assignee: that conversation would move,
 * so it does not count against its current assignee while choosing.
 */
function pickFor(candidates: RoutingCandidate[], conversation: RoutedConversation, now: Date) {
  const current = currentAssigneeOf(candidates, conversation);
  if (current) current.activeCount -= 1;
  const picked = pickAgent(candidates, needOf(conversation), now);
  if (current) current.activeCount += 1;
  return picked;
}

function currentAssigneeOf(candidates: RoutingCandidate[], conversation: RoutedConversation) {
  if (!conversation.assigneeId || !ACTIVE_STATUSES.includes(conversation.status)) return undefined;
  return candidates.find((candidate) => candidate.id === conversation.assigneeId);
}

/** Keeps the in-memory loads right after an assignment, so later picks in the same pass see them. */
function noteAssigned(
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
      noteAssigned(candidates, conversation, picked, now);
      assigned.push({ conversationId: conversation.id, agentId: picked.id });
      if (!anyoneFree()) break;
    }
    const last = batch.at(-1);
    if (batch.length < DRAIN_BATCH || !last?.queuedAt) break;
    after = { queuedAt: last.queuedAt, id: last.id };
  }
  return assigned;
}
