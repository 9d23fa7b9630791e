import type { ClassificationInput, ClassificationResult, DetectedEvent } from '../ai/classification.js';
import { fileMessageTypes } from '../ai/classification.js';
import type { ClassificationOutcome } from '../ai/language-model.js';
import { classifyLocally } from '../ai/local-classifier.js';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { ConversationPriority, EscalationType } from '../generated/prisma/enums.js';
import { outboxJob } from '../jobs/catalogue.js';
import { enqueueInTransaction } from '../jobs/outbox.js';
import type { Logger } from '../kernel/logger.js';
import { conversationChanges } from '../realtime/publisher.js';
import { parseEventPayload } from './event-payloads.js';
import { storeEvent } from './events.js';
import { lockConversation } from './conversation-locks.js';
import type { ServiceDeps } from './deps.js';
import { planEscalationDeliveries } from './notification-planning.js';
import { autoAssign } from './routing-queue.js';
import { MAX_LABELS, normalizeLabel } from './conversation-updates.js';
import {
  applyHandoff,
  firstMatch,
  recentCustomerScores,
  applicableTo,
  rulesQuery,
  trendLength,
  type HandoffOutcome,
} from './handoff.js';
import { senderRoleOf } from './sender-role.js';

/** How many earlier messages the classifier sees: enough for the bot's last answer (UNANSWERED). */
export const CONTEXT_MESSAGES = 6;

/** Which notification channels are configured decides what planning records as skipped. */
export type ClassificationDeps = Pick<
  ServiceDeps,
  'prisma' | 'model' | 'realtime' | 'afterCommit' | 'now' | 'metrics'
> & {
  logger?: Logger;
  notifications: Pick<ServiceDeps['notifications'], 'channels'>;
};

export type ClassificationJobResult =
  | { status: 'skipped'; reason: string }
  | { status: 'already-classified' }
  | {
      status: 'classified';
      escalations: { id: string; type: EscalationType; notified: boolean }[];
      events: number;
    };

const PRIORITY_RANK: Record<ConversationPriority, number> = { LOW: 0, NORMAL: 1, HIGH: 2, URGENT: 3 };

/**
 * The classification job: one inbound customer message → escalations (with evidence), detected business
 * events, language and topics. Idempotent: the message's classification is recorded (an INTENT analysis
 * keyed by the message id) in the same transaction as its results, under the conversation's row lock, so
 * a job run twice stores once and notifies once.
 */
export async function processClassification(
  deps: ClassificationDeps,
  job: { messageId: string },
): Promise<ClassificationJobResult> {
  const message = await deps.prisma.message.findUnique({
    where: { id: job.messageId },
    // The organization's handoff rules come with the message (one statement, not one more).
    include: {
      appService: true,
      organization: { select: { handoffRules: rulesQuery('customer-message') } },
    },
  });
  if (!message) return { status: 'skipped', reason: 'message not found' };
  if (message.senderType !== 'CUSTOMER') return { status: 'skipped', reason: 'not a customer message' };
  if (await alreadyClassified(deps.prisma, message.conversationId, message.id))
    return { status: 'already-classified' };

  const input = await classificationInput(deps.prisma, message);
  // A bare file needs no model: FILE_SENT comes from its type, the rest from the context.
  const bareFile =
    fileMessageTypes.includes(input.message.type as (typeof fileMessageTypes)[number]) &&
    !message.content.trim();
  const outcome: ClassificationOutcome = bareFile
    ? { result: classifyLocally(input), model: 'local' }
    : await deps.model.classify(input, { organizationId: message.organizationId });
  const now = deps.now?.() ?? new Date();
  const appService = message.appService;
  const enabled = new Set(appService.enabledEscalationTypes);

  let before: Prisma.ConversationGetPayload<object> | undefined;
  const stored = await deps.prisma.$transaction(async (tx) => {
    before = await lockConversation(tx, message.conversationId);
    if (await alreadyClassified(tx, message.conversationId, message.id)) return null;
    await tx.analysis.create({
      data: {
        organizationId: message.organizationId,
        conversationId: message.conversationId,
        type: 'INTENT',
        contextStartIndex: message.index,
        contextEndIndex: message.index,
        windowStart: message.sentAt,
        windowEnd: message.sentAt,
        // The message, not its sentAt, keys its classification: two messages can share a sentAt.
        subjectKey: message.id,
        origin: outcome.model,
        result: {
          messageId: message.id,
          model: outcome.model,
          fallback: outcome.fallback ?? null,
          language: outcome.result.language,
          topics: outcome.result.topics,
          emotion: outcome.result.emotion,
          escalations: outcome.result.escalations,
        } satisfies Prisma.InputJsonObject,
      },
    });

    const escalations: { id: string; type: EscalationType; notified: boolean; createdAt: Date }[] = [];
    for (const detected of outcome.result.escalations.filter((escalation) => enabled.has(escalation.type))) {
      const cooldownStart = new Date(now.getTime() - appService.escalationCooldownMinutes * 60_000);
      const recent = await tx.escalation.count({
        where: {
          conversationId: message.conversationId,
          type: detected.type,
          notified: true,
          createdAt: { gte: cooldownStart },
        },
      });
      const escalation = await tx.escalation.create({
        data: {
          organizationId: message.organizationId,
          conversationId: message.conversationId,
          messageId: message.id,
          type: detected.type,
          confidence: detected.confidence,
          evidence: detected.evidence.slice(0, 1000),
          detectedBy: outcome.fallback ? `local (fallback: ${outcome.fallback})` : outcome.model,
          // Within the cool-down the escalation is kept, but the business is not alerted again.
          notified: recent === 0,
          createdAt: now,
        },
      });
      escalations.push(escalation);
    }

    const events = await storeDetectedEvents(tx, message, outcome.result.events, deps.logger);

    const notified = escalations.filter((escalation) => escalation.notified);
    const conversationPatch: Prisma.ConversationUncheckedUpdateInput = {};
    if (!before.language && outcome.result.language !== 'other')
      conversationPatch.language = outcome.result.language;
    // Detected topics become labels (routing matches them with agents' topics), up to the label limit.
    if (appService.topicLabels && outcome.result.topics.length > 0) {
      const labels = [
        ...new Set([...before.labels, ...outcome.result.topics.map(normalizeLabel).filter(Boolean)]),
      ];
      if (labels.length > before.labels.length) conversationPatch.labels = labels.slice(0, MAX_LABELS);
    }
    if (notified.length > 0) {
      if (!before.escalatedAt) conversationPatch.escalatedAt = now;
      const wanted = escalationPriority(
        notified.map((e) => e.type),
        outcome.result,
      );
      if (PRIORITY_RANK[wanted] > PRIORITY_RANK[before.priority]) conversationPatch.priority = wanted;
    }
    // The conversation as it leaves this transaction, read again only when something else changed it.
    let after = before;
    if (Object.keys(conversationPatch).length > 0) {
      after = await tx.conversation.update({
        where: { id: message.conversationId },
        data: conversationPatch,
      });
    }
    for (const escalation of notified) {
      const deliveryIds = await planEscalationDeliveries(tx, {
        escalationId: escalation.id,
        channels: deps.notifications.channels,
      });
      for (const deliveryId of deliveryIds) {
        await enqueueInTransaction(
          tx,
          outboxJob('deliver', { deliveryId, organizationId: message.organizationId }),
        );
      }
    }
    // While the bot holds the conversation, the organization's handoff rules may give it to humans.
    let handoff: HandoffOutcome | null = null;
    if (before.status === 'BOT') {
      const rules = applicableTo(message.organization.handoffRules, message.appServiceId);
      if (rules.length > 0) {
        const trend = trendLength(rules);
        const found = firstMatch(rules, {
          kind: 'customer-message',
          text: message.content,
          language: outcome.result.language,
          escalations: outcome.result.escalations,
          emotion: outcome.result.emotion,
          recentScores: trend ? await recentCustomerScores(tx, message.conversationId, trend) : [],
        });
        if (found) {
          handoff = await applyHandoff(
            tx,
            after,
            { rule: found.rule, trigger: found.rule.triggerType, evidence: found.match.evidence },
            now,
            deps.notifications.channels,
          );
          after = handoff.conversation;
        }
      }
    }
    const held = before.assigneeId !== null && (before.status === 'ASSIGNED' || before.status === 'PENDING');
    if (!handoff && notified.length > 0 && appService.autoAssignOnEscalation && !held) {
      await autoAssign(tx, {
        conversationId: message.conversationId,
        organizationId: message.organizationId,
        assignedById: null,
        now,
      });
      after = await tx.conversation.findUniqueOrThrow({ where: { id: message.conversationId } });
    }
    return { escalations, events, after, handoffMessages: handoff?.messages ?? [] };
  });

  if (!stored) return { status: 'already-classified' };
  deps.afterCommit?.();
  for (const escalation of stored.escalations.filter((e) => e.notified)) {
    deps.metrics?.escalation(escalation.type, message.createdAt, now);
    await deps.realtime.escalationRaised(
      { id: escalation.id, organizationId: message.organizationId, conversationId: message.conversationId },
      message.appServiceId,
    );
  }
  for (const sent of stored.handoffMessages) await deps.realtime.messageAdded(sent);
  await deps.realtime.conversationUpdated(stored.after, conversationChanges(before ?? null, stored.after));
  return {
    status: 'classified',
    escalations: stored.escalations.map(({ id, type, notified }) => ({ id, type, notified })),
    events: stored.events,
  };
}

/** HIGH for an escalation; URGENT for an angry customer asking for a human. */
function escalationPriority(types: EscalationType[], result: ClassificationResult): ConversationPriority {
  return types.includes('SPEAK_TO_HUMAN') && result.emotion.emotion === 'ANGRY' ? 'URGENT' : 'HIGH';
}

async function alreadyClassified(
  db: PrismaClient | Prisma.TransactionClient,
  conversationId: string,
  messageId: string,
): Promise<boolean> {
  const found = await db.analysis.findFirst({
    where: { conversationId, type: 'INTENT', subjectKey: messageId },
    select: { id: true },
  });
  return found !== null;
}

async function classificationInput(
  prisma: PrismaClient,
  message: { conversationId: string; index: number; content: string; type: string },
): Promise<ClassificationInput> {
  const earlier = await prisma.message.findMany({
    where: {
      conversationId: message.conversationId,
      index: { lt: message.index },
      private: false,
      senderType: { not: 'SYSTEM' },
    },
    orderBy: { index: 'desc' },
    take: CONTEXT_MESSAGES,
    select: { senderType: true, content: true },
  });
  return {
    message: { type: message.type as ClassificationInput['message']['type'], text: message.content },
    context: earlier.reverse().map((m) => ({
      sender: senderRoleOf(m.senderType),
      text: m.content,
    })),
  };
}

/**
 * Stores what the classifier noticed as DETECTED events with their confidence, through the same payload
 * validation as recorded events; a detection that does not make a valid event (e.g. a meeting time that
 * is not a date) is skipped, not stored half-formed.
 */
async function storeDetectedEvents(
  tx: Prisma.TransactionClient,
  message: { id: string; organizationId: string; conversationId: string },
  detected: DetectedEvent[],
  logger: Logger | undefined,
): Promise<number> {
  let stored = 0;
  for (const event of detected) {
    const raw = detectedPayload(event);
    if (!raw) continue;
    try {
      const parsed = parseEventPayload(event.type, 'subtype' in event ? event.subtype : null, raw);
      await storeEvent(tx, {
        organizationId: message.organizationId,
        conversationId: message.conversationId,
        messageId: message.id,
        event: parsed,
        source: 'DETECTED',
        confidence: event.confidence,
      });
      stored++;
    } catch (error) {
      logger?.debug({ err: error, type: event.type }, 'detected event skipped');
    }
  }
  return stored;
}

function detectedPayload(event: DetectedEvent): Record<string, unknown> | null {
  if (event.type !== 'MEETING_SCHEDULED') return event.payload;
  const time = event.payload.timeScheduled ? Date.parse(event.payload.timeScheduled) : Number.NaN;
  if (Number.isNaN(time)) return null;
  return {
    timeScheduled: new Date(time),
    meetingChannel: event.payload.meetingChannel ?? 'unspecified',
    ...(event.payload.link ? { link: event.payload.link } : {}),
  };
}
