// An agent's work on a conversation: the locked frame every action runs in (withConversation), taking
// it over, replying (or an internal note) and assigning it. Status, priority and labels: conversation-updates.ts.
import type { Actor } from '../auth/actor.js';
import type { Permission } from '../auth/permissions.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Conversation, Message } from '../generated/prisma/client.js';
import { recordConversationChange } from './audit-log.js';
import { renderCannedResponse } from './canned-responses.js';
import { nowOf, type ServiceDeps } from './deps.js';
import { badInput, conflict, forbidden } from '../kernel/errors.js';
import { lockConversation } from './conversation-locks.js';
import { placeBySentAt } from './conversation-store.js';
import { assertReplyFits } from './outbound-messages.js';
import { assignTo } from './routing-assignment.js';
import { autoAssign, drainAfter } from './routing-queue.js';
import type { Tx } from './transactions.js';
import { conversationChanges } from '../realtime/publisher.js';

/** The longest message an agent or integrator may send, in characters. */
export const MAX_MESSAGE_LENGTH = 20_000;

type Db = Tx | PrismaClient;

/** The conversation, when the actor holds the permission in its organization; FORBIDDEN otherwise (also when unknown). */
export async function conversationInReach(db: Db, actor: Actor, id: string, permission: Permission) {
  actor.assertAuthenticated();
  const conversation = await db.conversation.findFirst({
    where: { id, organizationId: { in: actor.organizationIdsWith(permission) } },
    select: { id: true, organizationId: true },
  });
  if (!conversation) throw forbidden();
  return conversation;
}

/** The signed-in user's agent profile in the organization: who takes over, replies, is assigned. */
async function ownAgent(tx: Tx, actor: Actor, organizationId: string) {
  const user = actor.requireUser();
  const agent = await tx.agent.findFirst({ where: { organizationId, userId: user.id } });
  if (!agent) throw forbidden('You have no agent profile in this organization.');
  return agent;
}

function assertWorkable(conversation: Conversation): void {
  if (conversation.status === 'RESOLVED' || conversation.status === 'CLOSED') {
    throw conflict(`The conversation is ${conversation.status}; reopen it first.`);
  }
}

const isHeld = (conversation: Conversation) =>
  conversation.assigneeId !== null &&
  (conversation.status === 'ASSIGNED' || conversation.status === 'PENDING');

/** What an action changed: the conversation after it, and the message it added, if any. */
interface Outcome {
  conversation: Conversation;
  message?: Message | null;
}

/**
 * Runs fn on the locked conversation inside a transaction (concurrent actions on one conversation queue
 * up), then, once committed, publishes what changed.
 */
export async function withConversation<T extends Outcome>(
  deps: ServiceDeps,
  actor: Actor,
  conversationId: string,
  fn: (tx: Tx, conversation: Conversation, now: Date) => Promise<T>,
  /** What the actor must hold in the conversation's organization (labels and priority: triage). */
  permission: Permission = 'conversations:work',
): Promise<T> {
  let before: Conversation | undefined;
  const outcome = await deps.prisma.$transaction(async (tx) => {
    const found = await conversationInReach(tx, actor, conversationId, permission);
    before = await lockConversation(tx, found.id);
    // The clock is read under the lock, so messages are stamped in the order they are stored.
    return fn(tx, before, nowOf(deps));
  });
  const changes = conversationChanges(before ?? null, outcome.conversation);
  if (outcome.message) {
    await deps.realtime.messageAdded(outcome.message);
    if (!outcome.message.private) changes.push('message');
  }
  await deps.realtime.conversationUpdated(outcome.conversation, changes);
  return outcome;
}

/** The actor assigns the conversation to the agent: by taking it over, or by hand. */
function assignBy(
  tx: Tx,
  actor: Actor,
  conversation: Conversation,
  agentId: string,
  reason: 'TAKEOVER' | 'MANUAL' | 'TRANSFER',
  now: Date,
) {
  return assignTo(tx, {
    conversationId: conversation.id,
    organizationId: conversation.organizationId,
    agentId,
    reason,
    assignedById: actor.user?.id ?? null,
    now,
  });
}

export interface TakeOverInput {
  conversationId: string;
  message?: string | null;
  /** ADMIN or OWNER only: take it even from the agent who holds it. */
  force?: boolean | null;
}

/**
 * The viewer's agent takes the conversation from the bot (or from nobody): status ASSIGNED, assignee set,
 * and with a message, sends it. When another agent holds it: CONFLICT, unless an ADMIN/OWNER forces it.
 * Two agents at once: the row lock makes the second see the first's assignment, so exactly one wins.
 */
export async function takeOverConversation(deps: ServiceDeps, actor: Actor, input: TakeOverInput) {
  const result = await withConversation(deps, actor, input.conversationId, async (tx, conversation, now) => {
    assertWorkable(conversation);
    const agent = await ownAgent(tx, actor, conversation.organizationId);
    let current = conversation;
    const previousAssignee = conversation.assigneeId;
    if (isHeld(conversation) && conversation.assigneeId !== agent.id) {
      if (!input.force) throw conflict('Another agent holds this conversation.');
      const role = actor.roleIn(conversation.organizationId);
      if (role !== 'ADMIN' && role !== 'OWNER')
        throw forbidden('Only admins and owners can force a takeover.');
    }
    if (!(isHeld(conversation) && conversation.assigneeId === agent.id)) {
      current = await assignBy(tx, actor, conversation, agent.id, 'TAKEOVER', now);
      const forced = previousAssignee !== null && isHeld(conversation);
      await recordConversationChange(
        tx,
        actor,
        'conversation.taken_over',
        conversation,
        current,
        forced ? { forced: { from: false, to: true } } : undefined,
      );
    }
    const message = input.message
      ? await appendAgentMessage(tx, current, agent.id, input.message, false, now)
      : null;
    if (message) current = await tx.conversation.findUniqueOrThrow({ where: { id: current.id } });
    return {
      conversation: current,
      message,
      freed: previousAssignee !== null && previousAssignee !== agent.id,
    };
  });
  if (result.freed) await drainAfter(deps, result.conversation.organizationId);
  return { conversation: result.conversation, message: result.message };
}

export interface SendMessageInput {
  conversationId: string;
  content?: string | null;
  cannedResponseId?: string | null;
  /** An internal note: never sent to the customer, never takes the conversation over. */
  private?: boolean | null;
}

/**
 * An agent's reply. On a conversation no human holds, sending takes it over first ("takeover
 * that conversation by sending"); on one a colleague holds, the reply joins without changing the assignee.
 * The first public human reply sets firstReplyAt.
 */
export async function sendMessage(deps: ServiceDeps, actor: Actor, input: SendMessageInput) {
  if (!input.content && !input.cannedResponseId) throw badInput('Give content or a cannedResponseId.');
  const isPrivate = input.private ?? false;
  return withConversation(deps, actor, input.conversationId, async (tx, conversation, now) => {
    assertWorkable(conversation);
    const agent = await ownAgent(tx, actor, conversation.organizationId);
    const content = input.cannedResponseId
      ? await renderCannedResponse(tx, { id: input.cannedResponseId, conversation, agent })
      : input.content!;
    if (content.length > MAX_MESSAGE_LENGTH)
      throw badInput(`A message has at most ${MAX_MESSAGE_LENGTH} characters.`);
    let current = conversation;
    if (!isPrivate && !isHeld(conversation)) {
      current = await assignBy(tx, actor, conversation, agent.id, 'TAKEOVER', now);
      await recordConversationChange(tx, actor, 'conversation.taken_over', conversation, current);
    }
    const message = await appendAgentMessage(tx, current, agent.id, content, isPrivate, now);
    return { message, conversation: await tx.conversation.findUniqueOrThrow({ where: { id: current.id } }) };
  });
}

async function appendAgentMessage(
  tx: Tx,
  conversation: Conversation,
  agentId: string,
  content: string,
  isPrivate: boolean,
  now: Date,
): Promise<Message> {
  const appService = await tx.appService.findUniqueOrThrow({
    where: { id: conversation.appServiceId },
    select: { channel: true },
  });
  // Inside the transaction: a refused reply also undoes the takeover that came with it.
  if (!isPrivate) assertReplyFits(appService.channel, content);
  const index = await placeBySentAt(tx, conversation, now);
  const message = await tx.message.create({
    data: {
      organizationId: conversation.organizationId,
      appServiceId: conversation.appServiceId,
      conversationId: conversation.id,
      index,
      senderType: 'AGENT',
      senderAgentId: agentId,
      content,
      channel: appService.channel,
      private: isPrivate,
      origin: 'agent',
      sentAt: now,
    },
  });
  await tx.conversation.update({
    where: { id: conversation.id },
    data: {
      messageCount: { increment: 1 },
      // Internal notes do not move the conversation up the inbox, nor count as a reply.
      ...(isPrivate ? {} : { lastMessageAt: now }),
      ...(!isPrivate && !conversation.firstReplyAt ? { firstReplyAt: now } : {}),
    },
  });
  await tx.conversationAgent.upsert({
    where: { conversationId_agentId: { conversationId: conversation.id, agentId } },
    create: { conversationId: conversation.id, agentId },
    update: {},
  });
  return message;
}

export interface AssignInput {
  conversationId: string;
  agentId?: string | null;
  /** Route with the routing rules (routing.ts); when nobody is eligible the conversation waits in the queue. */
  auto?: boolean | null;
}

export async function assignConversation(deps: ServiceDeps, actor: Actor, input: AssignInput) {
  if (Boolean(input.agentId) === Boolean(input.auto)) throw badInput('Give either agentId or auto: true.');
  const result = await withConversation(deps, actor, input.conversationId, async (tx, conversation, now) => {
    assertWorkable(conversation);
    const previous = conversation.assigneeId;
    if (input.agentId) {
      const agent = await tx.agent.findFirst({
        where: { id: input.agentId, organizationId: conversation.organizationId },
        select: { id: true },
      });
      if (!agent) throw forbidden('That agent is not in this organization.');
      const assigned = await assignBy(tx, actor, conversation, agent.id, 'MANUAL', now);
      await recordConversationChange(tx, actor, 'conversation.assigned', conversation, assigned);
      return { conversation: assigned, queuePosition: null, previous };
    }
    const routed = await autoAssign(tx, {
      conversationId: conversation.id,
      organizationId: conversation.organizationId,
      assignedById: actor.user?.id ?? null,
      now,
    });
    const current = await tx.conversation.findUniqueOrThrow({ where: { id: conversation.id } });
    await recordConversationChange(tx, actor, 'conversation.assigned', conversation, current);
    return { conversation: current, queuePosition: routed.assigned ? null : routed.queuePosition, previous };
  });
  if (result.previous && result.previous !== result.conversation.assigneeId) {
    await drainAfter(deps, result.conversation.organizationId);
  }
  return { conversation: result.conversation, queuePosition: result.queuePosition };
}

export interface TransferInput {
  conversationId: string;
  /** To a team: routed within it (or queued there); to an agent of the organization: assigned to them. */
  teamId?: string | null;
  agentId?: string | null;
  note?: string | null;
}

/**
 * Hands a conversation to a team or an agent: the assignment is recorded (TRANSFER for an agent; AUTO or
 * QUEUED within a team), and a private note by the viewer's agent says where it went and why. A team or
 * agent of another organization is refused like one that does not exist.
 */
export async function transferConversation(deps: ServiceDeps, actor: Actor, input: TransferInput) {
  if (Boolean(input.teamId) === Boolean(input.agentId)) throw badInput('Give either teamId or agentId.');
  const result = await withConversation(deps, actor, input.conversationId, async (tx, conversation, now) => {
    assertWorkable(conversation);
    const by = await ownAgent(tx, actor, conversation.organizationId);
    let target: string;
    let current: Conversation;
    if (input.teamId) {
      const team = await tx.team.findFirst({
        where: { id: input.teamId, organizationId: conversation.organizationId },
        select: { id: true, name: true },
      });
      if (!team) throw badInput('No such team in this organization.');
      await tx.conversation.update({
        where: { id: conversation.id },
        // Out of the current agent's hands: routing within the team decides.
        data: { teamId: team.id, assigneeId: null, status: 'OPEN' },
      });
      await autoAssign(tx, {
        conversationId: conversation.id,
        organizationId: conversation.organizationId,
        assignedById: actor.user?.id ?? null,
        now,
      });
      target = `team ${team.name}`;
    } else {
      const agent = await tx.agent.findFirst({
        where: { id: input.agentId!, organizationId: conversation.organizationId },
        select: { id: true, name: true },
      });
      if (!agent) throw badInput('No such agent in this organization.');
      await assignBy(tx, actor, conversation, agent.id, 'TRANSFER', now);
      target = agent.name;
    }
    current = await tx.conversation.findUniqueOrThrow({ where: { id: conversation.id } });
    await recordConversationChange(tx, actor, 'conversation.transferred', conversation, current, {
      transferredTo: { to: input.teamId ? `team:${input.teamId}` : `agent:${input.agentId}` },
    });
    const note = `Transferred to ${target} by ${by.name}${input.note ? `: ${input.note}` : '.'}`;
    const message = await appendAgentMessage(
      tx,
      current,
      by.id,
      note.slice(0, MAX_MESSAGE_LENGTH),
      true,
      now,
    );
    current = await tx.conversation.findUniqueOrThrow({ where: { id: conversation.id } });
    return { conversation: current, message, previous: conversation.assigneeId };
  });
  if (result.previous && result.previous !== result.conversation.assigneeId) {
    await drainAfter(deps, result.conversation.organizationId);
  }
  return result.conversation;
}
