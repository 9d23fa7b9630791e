// Auto-resolve: in app services that ask for it, conversations with no message (from anyone) for their
// autoResolveMinutes are resolved, by a schedule every minute, with a private note saying so. Conversations
// an agent holds (ASSIGNED, PENDING) only where autoResolveHeld says so.
import type { Conversation } from '../generated/prisma/client.js';
import { conversationChanges } from '../realtime/publisher.js';
import { lockConversation } from './conversation-locks.js';
import { placeBySentAt } from './conversation-store.js';
import { recordConversationChange, systemActor } from './audit-log.js';
import { sendCsatSurvey } from './csat.js';
import { nowOf, type ServiceDeps } from './deps.js';
import { drainAfter } from './routing-queue.js';

/** Conversations resolved per pass at most; the next pass (a minute later) takes the rest. */
const BATCH = 500;
const AUTO_RESOLVE = systemActor('auto-resolve');

export async function autoResolveIdle(
  deps: Pick<ServiceDeps, 'prisma' | 'realtime' | 'now'>,
): Promise<number> {
  const now = nowOf(deps);
  const idle = await deps.prisma.$queryRaw<{ id: string; minutes: number; held: boolean }[]>`
    SELECT c.id::text AS id, a.auto_resolve_minutes AS minutes, a.auto_resolve_held AS held
    FROM app_services a
    JOIN conversations c ON c.app_service_id = a.id
      AND c.last_message_at < ${now}::timestamptz - make_interval(mins => a.auto_resolve_minutes)
      AND (c.status IN ('BOT', 'OPEN') OR (a.auto_resolve_held AND c.status IN ('ASSIGNED', 'PENDING')))
    WHERE a.auto_resolve_minutes > 0
    LIMIT ${BATCH}`;
  const freed = new Set<string>();
  let resolved = 0;
  for (const candidate of idle) {
    let before: Conversation | undefined;
    const outcome = await deps.prisma.$transaction(async (tx) => {
      before = await lockConversation(tx, candidate.id);
      const at = nowOf(deps);
      const allowed = ['BOT', 'OPEN', ...(candidate.held ? ['ASSIGNED', 'PENDING'] : [])];
      // Re-checked under the lock: a message or an agent may have come since the scan.
      if (!allowed.includes(before.status)) return null;
      if (before.lastMessageAt.getTime() >= at.getTime() - candidate.minutes * 60_000) return null;
      const index = await placeBySentAt(tx, before, at);
      await tx.message.create({
        data: {
          organizationId: before.organizationId,
          appServiceId: before.appServiceId,
          conversationId: before.id,
          index,
          senderType: 'SYSTEM',
          content: `Resolved automatically: no message for ${candidate.minutes} minutes.`,
          channel: (await tx.appService.findUniqueOrThrow({ where: { id: before.appServiceId } })).channel,
          private: true,
          origin: 'auto-resolve',
          sentAt: at,
        },
      });
      const updated = await tx.conversation.update({
        where: { id: before.id },
        // A private note does not make the conversation active again (lastMessageAt stays).
        data: { status: 'RESOLVED', resolvedAt: at, queuedAt: null, messageCount: { increment: 1 } },
      });
      await recordConversationChange(tx, AUTO_RESOLVE, 'conversation.status_changed', before, updated);
      // The app service's satisfaction survey, when a human agent answered (csat.ts).
      const survey = await sendCsatSurvey(tx, before.id, at);
      return { conversation: updated, survey };
    });
    if (!outcome || !before) continue;
    const after = outcome.conversation;
    if (outcome.survey) await deps.realtime.messageAdded(outcome.survey);
    resolved += 1;
    if (before.assigneeId && (before.status === 'ASSIGNED' || before.status === 'PENDING')) {
      freed.add(before.organizationId);
    }
    await deps.realtime.conversationUpdated(after, conversationChanges(before, after));
  }
  // Agents whose conversations were resolved have room for the queue.
  for (const organizationId of freed) await drainAfter(deps, organizationId);
  return resolved;
}
