// Business events in the database: stored (by the classifier, or recorded by an integrator
// or an agent) and the filters and orders their lists read by. Their payloads: event-payloads.ts.
import type { Actor } from '../auth/actor.js';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { EventSource, EventType } from '../generated/prisma/enums.js';
import type { ServiceDeps } from './deps.js';
import { badInput, forbidden } from '../kernel/errors.js';
import { parseEventPayload, toStoredJson, type ParsedEvent } from './event-payloads.js';

type Db = Prisma.TransactionClient | PrismaClient;

export interface StoreEventInput {
  organizationId: string;
  conversationId: string;
  agentId?: string | null;
  messageId?: string | null;
  event: ParsedEvent;
  source: EventSource;
  /** 0..1, for DETECTED events. */
  confidence?: number | null;
  scheduledTo?: Date | null;
}

/**
 * Writes a parsed event (and for FOLLOWUP_DETECTION its FollowUp) in one statement batch: the nested
 * create is atomic, and inside a caller's transaction it joins that one. The ids must already be checked
 * to belong to the organization; the classifier calls this with source DETECTED.
 */
export async function storeEvent(db: Db, input: StoreEventInput) {
  const { event } = input;
  if (input.confidence !== null && input.confidence !== undefined) {
    if (!(input.confidence >= 0 && input.confidence <= 1)) {
      throw badInput('confidence must be between 0 and 1.');
    }
  }
  const agentId = input.agentId ?? null;
  return db.event.create({
    data: {
      organizationId: input.organizationId,
      conversationId: input.conversationId,
      agentId,
      messageId: input.messageId ?? null,
      type: event.type,
      subtype: event.subtype,
      payload: toStoredJson(event.data),
      source: input.source,
      confidence: input.confidence ?? null,
      scheduledTo: input.scheduledTo ?? defaultScheduledTo(event),
      ...(event.followUp
        ? {
            followUp: {
              create: {
                organizationId: input.organizationId,
                conversationId: input.conversationId,
                agentId,
                score: event.followUp.score,
                followUpDate: event.followUp.followUpDate,
              },
            },
          }
        : {}),
    },
  });
}

/** An event about a future moment is scheduled to it unless the caller says otherwise. */
function defaultScheduledTo(event: ParsedEvent): Date | null {
  if (event.type === 'MEETING_SCHEDULED') return event.data.timeScheduled;
  if (event.followUp) return event.followUp.followUpDate;
  return null;
}

export interface RecordEventInput {
  conversationId: string;
  agentId?: string | null;
  messageId?: string | null;
  scheduledTo?: Date | null;
  type: EventType;
  subtype?: string | null;
  /** The type's payload fields (for FOLLOWUP_DETECTION with score and followUpDate). */
  payload: unknown;
}

/**
 * An integrator (API key with events:write) or a member who works conversations records an event on a
 * conversation. The payload is validated before anything is read or written; the conversation, agent and
 * message must all be within the actor's reach in one organization, else FORBIDDEN (also for unknown ids,
 * so the answer never tells whether another tenant's id exists). A member's own agent is the default agent.
 */
export async function recordEvent(deps: ServiceDeps, actor: Actor, input: RecordEventInput) {
  actor.assertAuthenticated();
  const organizationIds = [
    ...new Set([
      ...actor.organizationIdsWith('events:record'),
      ...actor.organizationIdsWith('conversations:work'),
    ]),
  ];
  // Refuse who may record nowhere before judging their payload; validate before reading anything.
  if (organizationIds.length === 0) throw forbidden();
  const event = parseEventPayload(input.type, input.subtype, input.payload);
  const conversation = await deps.prisma.conversation.findFirst({
    where: { id: input.conversationId, organizationId: { in: organizationIds } },
    select: { id: true, organizationId: true },
  });
  if (!conversation) throw forbidden();
  const { organizationId } = conversation;

  let agentId: string | null = null;
  if (input.agentId) {
    const agent = await deps.prisma.agent.findFirst({
      where: { id: input.agentId, organizationId },
      select: { id: true },
    });
    if (!agent) throw forbidden();
    agentId = agent.id;
  } else if (actor.user) {
    const own = await deps.prisma.agent.findFirst({
      where: { organizationId, userId: actor.user.id },
      select: { id: true },
    });
    agentId = own?.id ?? null;
  }

  if (input.messageId) {
    const message = await deps.prisma.message.findFirst({
      // Integrators never see private notes, so they cannot point at one either.
      where: { id: input.messageId, organizationId, ...(actor.kind === 'apiKey' ? { private: false } : {}) },
      select: { conversationId: true },
    });
    if (!message) throw forbidden();
    if (message.conversationId !== conversation.id) {
      throw badInput('messageId must be a message of this conversation.');
    }
  }

  return storeEvent(deps.prisma, {
    organizationId,
    conversationId: conversation.id,
    agentId,
    messageId: input.messageId ?? null,
    event,
    source: 'RECORDED',
    scheduledTo: input.scheduledTo ?? null,
  });
}

/** Conversation.events(types): an empty or absent list means every type, like the inbox filters. */
export function eventsWhere(filter: { types?: readonly EventType[] | null }): Prisma.EventWhereInput {
  return filter.types?.length ? { type: { in: [...filter.types] } } : {};
}

/** Organization.followUps: open follow-ups (unless includeDone) due before a moment, soonest first. */
export function followUpsWhere(filter: {
  dueBefore?: Date | null;
  includeDone?: boolean | null;
}): Prisma.FollowUpWhereInput {
  return {
    ...(filter.dueBefore ? { followUpDate: { lt: filter.dueBefore } } : {}),
    ...(filter.includeDone ? {} : { doneAt: null }),
  };
}

export const followUpOrder: Prisma.FollowUpOrderByWithRelationInput[] = [
  { followUpDate: 'asc' },
  { eventId: 'asc' },
];

export const eventOrder: Prisma.EventOrderByWithRelationInput[] = [{ createdAt: 'desc' }, { id: 'desc' }];
