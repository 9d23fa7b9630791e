// The moments outside a customer message's classification that can hand a conversation over: a bot reply
// (CONFIDENCE rules, a job queued by ingestion), a request (MANUAL, requestHandoff), and a wait (TIMEOUT,
// a schedule every few seconds). Each locks the conversation, hands over only what the bot still holds,
// and publishes after the commit.
import type { Actor } from '../auth/actor.js';
import type { Conversation, Message } from '../generated/prisma/client.js';
import { conflict } from '../kernel/errors.js';
import { conversationChanges } from '../realtime/publisher.js';
import { conversationInReach } from './conversation-actions.js';
import { lockConversation } from './conversation-locks.js';
import { nowOf, type NotificationSetup, type ServiceDeps } from './deps.js';
import { applyHandoff, firstMatch, rulesFor, type HandoffOutcome } from './handoff.js';
import type { HandoffFacts } from './handoff-triggers.js';
import type { Tx } from './transactions.js';

type MomentDeps = Pick<ServiceDeps, 'prisma' | 'realtime' | 'now' | 'afterCommit'> & {
  notifications: Pick<NotificationSetup, 'channels'>;
};

/** The CONFIDENCE rules, for one bot reply (queued by ingestion when it can match one). */
export async function checkBotReply(deps: MomentDeps, input: { messageId: string }) {
  const message = await deps.prisma.message.findUnique({ where: { id: input.messageId } });
  if (!message || message.senderType !== 'BOT') return { handedOver: false };
  const outcome = await inLockedConversation(deps, message.conversationId, async (tx, conversation, now) => {
    if (conversation.status !== 'BOT') return null;
    const rules = await rulesFor(tx, conversation, 'bot-message');
    const found = firstMatch(rules, {
      kind: 'bot-message',
      text: message.content,
      confidence: message.confidence,
    });
    return found
      ? applyHandoff(
          tx,
          conversation,
          { rule: found.rule, trigger: 'CONFIDENCE', evidence: found.match.evidence },
          now,
          deps.notifications.channels,
        )
      : null;
  });
  return { handedOver: outcome !== null };
}

/**
 * The integrator's (or its bot's) request: the first active MANUAL rule of the app service applies (its team,
 * priority and message), or, without one, the conversation goes to the whole organization's routing.
 * CONFLICT when humans hold it already.
 */
export async function requestHandoff(
  deps: MomentDeps,
  actor: Actor,
  input: { conversationId: string; reason: string },
): Promise<Conversation> {
  const found = await conversationInReach(deps.prisma, actor, input.conversationId, 'messages:ingest');
  const outcome = await inLockedConversation(deps, found.id, async (tx, conversation, now) => {
    if (conversation.status !== 'BOT')
      throw conflict(`The conversation is ${conversation.status}, not with the bot.`);
    const facts: HandoffFacts = { kind: 'manual', reason: input.reason };
    const rule = firstMatch(await rulesFor(tx, conversation, 'manual'), facts)?.rule ?? null;
    return applyHandoff(
      tx,
      conversation,
      { rule, trigger: 'MANUAL', evidence: input.reason },
      now,
      deps.notifications.channels,
    );
  });
  return outcome!.conversation;
}

/** Waiting customers are looked for this far past the shortest limit (a worker down for a while catches up). */
const CATCH_UP_SECONDS = 600;

/**
 * The TIMEOUT rules: conversations the bot holds whose last message is the customer's and has waited past
 * an active rule's limit. One statement finds the candidates of every organization with such rules.
 */
export async function handOffWaitingCustomers(deps: MomentDeps): Promise<number> {
  const now = nowOf(deps);
  const waiting = await deps.prisma.$queryRaw<{ id: string; sent_at: Date }[]>`
    WITH limits AS (
      SELECT organization_id, min((trigger->>'seconds')::int) AS seconds FROM handoff_rules
      WHERE active AND trigger_type = 'TIMEOUT' AND jsonb_typeof(trigger->'seconds') = 'number'
      GROUP BY organization_id
    )
    SELECT c.id::text AS id, last.sent_at FROM limits l
    JOIN conversations c ON c.organization_id = l.organization_id AND c.status = 'BOT'
      AND c.last_message_at <= ${now}::timestamptz - make_interval(secs => l.seconds)
      AND c.last_message_at > ${now}::timestamptz - make_interval(secs => l.seconds + ${CATCH_UP_SECONDS})
    CROSS JOIN LATERAL (
      SELECT sender_type, sent_at FROM messages m WHERE m.conversation_id = c.id ORDER BY m.index DESC LIMIT 1
    ) last
    WHERE last.sender_type = 'CUSTOMER'
    LIMIT 500`;
  let handedOver = 0;
  for (const candidate of waiting) {
    const outcome = await inLockedConversation(deps, candidate.id, async (tx, conversation, at) => {
      if (conversation.status !== 'BOT' || conversation.lastMessageAt > candidate.sent_at) return null;
      const waitedSeconds = (at.getTime() - candidate.sent_at.getTime()) / 1000;
      const found = firstMatch(await rulesFor(tx, conversation, 'timeout'), {
        kind: 'timeout',
        waitedSeconds,
      });
      return found
        ? applyHandoff(
            tx,
            conversation,
            { rule: found.rule, trigger: 'TIMEOUT', evidence: found.match.evidence },
            at,
            deps.notifications.channels,
          )
        : null;
    });
    if (outcome) handedOver += 1;
  }
  return handedOver;
}

/** Runs `fn` on the locked conversation; publishes its handoff (if any) after the commit. */
async function inLockedConversation(
  deps: MomentDeps,
  conversationId: string,
  fn: (tx: Tx, conversation: Conversation, now: Date) => Promise<HandoffOutcome | null>,
): Promise<HandoffOutcome | null> {
  let before: Conversation | undefined;
  const outcome = await deps.prisma.$transaction(async (tx) => {
    before = await lockConversation(tx, conversationId);
    return fn(tx, before, nowOf(deps));
  });
  if (outcome) await publishHandoff(deps, before!, outcome.conversation, outcome.messages);
  return outcome;
}

async function publishHandoff(
  deps: MomentDeps,
  before: Conversation,
  after: Conversation,
  messages: Message[],
) {
  deps.afterCommit?.();
  for (const message of messages) await deps.realtime.messageAdded(message);
  await deps.realtime.conversationUpdated(after, conversationChanges(before, after));
}
