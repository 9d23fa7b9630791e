// What an agent changes on a conversation besides who holds it: its status (release to the bot, resolve,
// close, reopen, any legal transition), its priority and its labels. Each runs on the locked conversation
// (withConversation); a change that frees an agent drains the queue afterwards.
import type { Actor } from '../auth/actor.js';
import type { ConversationPriority, ConversationStatus } from '../generated/prisma/enums.js';
import { badInput, conflict } from '../kernel/errors.js';
import { changedFields, recordConversationChange } from './audit-log.js';
import { withConversation } from './conversation-actions.js';
import { assertTransition, unheldStatus } from './conversation-lifecycle.js';
import { sendCsatSurvey } from './csat.js';
import type { ServiceDeps } from './deps.js';
import { drainAfter } from './routing-queue.js';

/** Hands the conversation back to the bot (or to the open queue when the app service has no bot). */
export async function releaseConversation(
  deps: ServiceDeps,
  actor: Actor,
  input: { conversationId: string },
) {
  const { conversation } = await withConversation(
    deps,
    actor,
    input.conversationId,
    async (tx, current, now) => {
      const appService = await tx.appService.findUniqueOrThrow({ where: { id: current.appServiceId } });
      const status = unheldStatus(appService.botEnabled);
      if (current.status !== status) assertTransition(current.status, status);
      if (current.assigneeId) {
        await tx.assignmentRecord.create({
          data: {
            organizationId: current.organizationId,
            conversationId: current.id,
            agentId: current.assigneeId,
            assignedById: actor.user?.id ?? null,
            reason: 'RELEASE',
            createdAt: now,
          },
        });
      }
      const conversation = await tx.conversation.update({
        where: { id: current.id },
        // From RESOLVED this is a reopening, handed to the bot.
        data: { status, assigneeId: null, queuedAt: null, resolvedAt: null },
      });
      await recordConversationChange(tx, actor, 'conversation.status_changed', current, conversation);
      return { conversation };
    },
  );
  await drainAfter(deps, conversation.organizationId);
  return conversation;
}

export async function resolveConversation(
  deps: ServiceDeps,
  actor: Actor,
  input: { conversationId: string },
) {
  return changeStatus(deps, actor, input.conversationId, 'RESOLVED');
}

export async function closeConversation(deps: ServiceDeps, actor: Actor, input: { conversationId: string }) {
  return changeStatus(deps, actor, input.conversationId, 'CLOSED');
}

/** RESOLVED → back to its agent (ASSIGNED) when it had one, else to the bot or the open queue. */
export async function reopenConversation(deps: ServiceDeps, actor: Actor, input: { conversationId: string }) {
  const outcome = await withConversation(deps, actor, input.conversationId, async (tx, conversation) => {
    if (conversation.status !== 'RESOLVED') throw conflict(`Only a RESOLVED conversation can be reopened.`);
    const appService = await tx.appService.findUniqueOrThrow({ where: { id: conversation.appServiceId } });
    const reopened = await tx.conversation.update({
      where: { id: conversation.id },
      data: {
        status: conversation.assigneeId ? 'ASSIGNED' : unheldStatus(appService.botEnabled),
        resolvedAt: null,
      },
    });
    await recordConversationChange(tx, actor, 'conversation.status_changed', conversation, reopened);
    return { conversation: reopened };
  });
  return outcome.conversation;
}

/** Any legal transition; RESOLVED and CLOSED stamp their times; ASSIGNED needs an assignee; BOT releases. */
export async function setConversationStatus(
  deps: ServiceDeps,
  actor: Actor,
  input: { conversationId: string; status: ConversationStatus },
) {
  if (input.status === 'BOT') return releaseConversation(deps, actor, input);
  return changeStatus(deps, actor, input.conversationId, input.status);
}

async function changeStatus(
  deps: ServiceDeps,
  actor: Actor,
  conversationId: string,
  status: ConversationStatus,
) {
  const result = await withConversation(deps, actor, conversationId, async (tx, conversation, now) => {
    if (conversation.status === status) return { conversation, freed: false };
    assertTransition(conversation.status, status);
    if (status === 'ASSIGNED' && !conversation.assigneeId) throw conflict('Assign an agent first.');
    const finished = status === 'RESOLVED' || status === 'CLOSED';
    const updated = await tx.conversation.update({
      where: { id: conversation.id },
      data: {
        status,
        ...(status === 'RESOLVED' ? { resolvedAt: now } : {}),
        ...(status === 'CLOSED' ? { closedAt: now } : {}),
        ...(finished ? { queuedAt: null } : {}),
        ...(conversation.status === 'RESOLVED' ? { resolvedAt: null } : {}),
      },
    });
    await recordConversationChange(tx, actor, 'conversation.status_changed', conversation, updated);
    // A resolution may send the app service's satisfaction survey, in this transaction (csat.ts).
    const survey = status === 'RESOLVED' ? await sendCsatSurvey(tx, conversation.id, now) : null;
    return {
      conversation: survey
        ? await tx.conversation.findUniqueOrThrow({ where: { id: conversation.id } })
        : updated,
      message: survey,
      freed: finished && conversation.assigneeId !== null,
    };
  });
  if (result.freed) await drainAfter(deps, result.conversation.organizationId);
  return result.conversation;
}

export async function setConversationPriority(
  deps: ServiceDeps,
  actor: Actor,
  input: { conversationId: string; priority: ConversationPriority },
) {
  const outcome = await withConversation(
    deps,
    actor,
    input.conversationId,
    async (tx, conversation) => {
      const updated = await tx.conversation.update({
        where: { id: conversation.id },
        data: { priority: input.priority },
      });
      const changes = changedFields(conversation, updated, ['priority']);
      if (changes) {
        await recordConversationChange(
          tx,
          actor,
          'conversation.priority_changed',
          conversation,
          updated,
          changes,
        );
      }
      return { conversation: updated };
    },
    'conversations:triage',
  );
  return outcome.conversation;
}

/** Labels are trimmed and lower-cased, so "Billing" and "billing " are one topic for routing. */
export const MAX_LABELS = 20;
export const normalizeLabel = (label: string) => label.trim().toLowerCase();

export async function changeLabels(
  deps: ServiceDeps,
  actor: Actor,
  input: { conversationId: string; add?: string[]; remove?: string[] },
) {
  const add = (input.add ?? []).map(normalizeLabel).filter(Boolean);
  const remove = new Set((input.remove ?? []).map(normalizeLabel));
  const outcome = await withConversation(
    deps,
    actor,
    input.conversationId,
    async (tx, conversation) => {
      const labels = [...new Set([...conversation.labels, ...add])].filter((label) => !remove.has(label));
      if (labels.length > MAX_LABELS) throw badInput(`A conversation has at most ${MAX_LABELS} labels.`);
      const updated = await tx.conversation.update({ where: { id: conversation.id }, data: { labels } });
      const changes = changedFields(conversation, updated, ['labels']);
      if (changes) {
        await recordConversationChange(
          tx,
          actor,
          'conversation.labels_changed',
          conversation,
          updated,
          changes,
        );
      }
      return { conversation: updated };
    },
    'conversations:triage',
  );
  return outcome.conversation;
}
