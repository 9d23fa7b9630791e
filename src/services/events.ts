import { customerInformationSubtypes, type CustomerInformationSubtype } from '../ai/classification.js';
import { z } from 'zod';
import type { Actor } from '../auth/actor.js';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { EventSource, EventType } from '../generated/prisma/enums.js';
import type { ServiceDeps } from './deps.js';
import { badInput, forbidden } from '../kernel/errors.js';
import { limits } from './validation.js';

// Business events of seed 001: each type has its own payload, stored as camelCase JSON on the Event row.

export const eventLimits = {
  text: 500,
  transcription: 100_000,
  followupTry: 1_000,
  /** Seconds; a week is far beyond any meeting. */
  duration: 604_800,
  price: 1e12,
} as const;

// Seed 001's subtypes, shared with the classifier that detects them.
export { customerInformationSubtypes, type CustomerInformationSubtype };

const text = (max: number = eventLimits.text) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const optional = <T extends z.ZodType>(schema: T) =>
  schema.nullish().transform((value) => value ?? undefined);

// Dates come as Date from GraphQL and as ISO strings from stored JSON and the classifier. The year bound
// keeps every accepted date inside what Postgres stores (and out of obvious typos).
const dateTime = z
  .union([z.date(), z.iso.datetime({ offset: true })], {
    error: 'must be a date-time such as 2025-05-01T09:30:00Z',
  })
  .transform((value) => new Date(value))
  .refine(
    (date) => date.getUTCFullYear() >= 1900 && date.getUTCFullYear() <= 9999,
    'must fall between the years 1900 and 9999',
  );

const url = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(limits.url, `must be at most ${limits.url} characters`);

const currencies = new Set(Intl.supportedValuesOf('currency'));
const currency = z
  .string()
  .trim()
  .toUpperCase()
  .refine((code) => currencies.has(code), 'must be an ISO 4217 currency code such as USD');

const amount = z
  .number('must be a number')
  .min(0, 'must be at least 0')
  .max(eventLimits.price, `must be at most ${eventLimits.price}`);

/** The stored JSON of each type; the strict objects refuse unknown keys (typos from integrators or models). */
export const eventPayloadSchemas = {
  SALES_STAGE_CHANGE: z.strictObject({ oldStage: text(), newStage: text() }),
  FOLLOWUP_DETECTION: z.strictObject({
    followupTry: z
      .int('must be an integer')
      .min(0, 'must be at least 0')
      .max(eventLimits.followupTry, `must be at most ${eventLimits.followupTry}`),
    followupTime: dateTime,
    followupType: text(),
  }),
  OBJECTION_DETECTION: z.strictObject({ objectionType: text() }),
  SALE_MADE: z.strictObject({
    product: text(),
    price: amount,
    currency: optional(currency),
    discount: optional(amount),
  }),
  MEETING_SCHEDULED: z.strictObject({
    timeScheduled: dateTime,
    meetingChannel: text(),
    link: optional(url),
  }),
  MEETING_DONE: z.strictObject({
    attended: z.boolean('must be true or false'),
    duration: z
      .int('must be an integer')
      .min(0, 'must be at least 0')
      .max(eventLimits.duration, `must be at most ${eventLimits.duration} seconds`),
    transcription: optional(text(eventLimits.transcription)),
    video: optional(url),
  }),
  CUSTOMER_INFORMATION_DETECTION: z.strictObject({ value: text() }),
} satisfies Record<EventType, z.ZodType>;

/** A follow-up's own row (seed 001's follow_up table), given alongside a FOLLOWUP_DETECTION payload. */
const followUpSchema = z.strictObject({
  score: z.int('must be an integer').min(0, 'must be at least 0').max(100, 'must be at most 100'),
  followUpDate: optional(dateTime),
});

const followupDetectionInputSchema = eventPayloadSchemas.FOLLOWUP_DETECTION.extend(followUpSchema.shape);

export type EventPayloadData = { [T in EventType]: z.output<(typeof eventPayloadSchemas)[T]> };

/** A payload with its type (and subtype): what the GraphQL union resolves by. */
export type EventPayload = {
  [T in EventType]: {
    type: T;
    subtype: T extends 'CUSTOMER_INFORMATION_DETECTION' ? CustomerInformationSubtype : null;
    data: EventPayloadData[T];
  };
}[EventType];

export interface FollowUpData {
  score: number;
  followUpDate: Date;
}

export type ParsedEvent = EventPayload & {
  /** Only for FOLLOWUP_DETECTION: the FollowUp row to create with the event. */
  followUp: FollowUpData | null;
};

interface Issue {
  path: string;
  message: string;
}

function issuesOf(error: z.ZodError): Issue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

function invalid(type: EventType | string, issues: Issue[]): never {
  const first = issues[0];
  const detail = first ? `: ${first.path ? `${first.path} ` : ''}${first.message}` : '.';
  throw badInput(`Invalid ${type} payload${detail}`, { issues });
}

const isEventType = (type: string): type is EventType => Object.hasOwn(eventPayloadSchemas, type);
const isSubtype = (value: unknown): value is CustomerInformationSubtype =>
  (customerInformationSubtypes as readonly unknown[]).includes(value);

/**
 * Validates an event's payload for its type: from GraphQL (`recordEvent`) and from the classifier alike.
 * For FOLLOWUP_DETECTION the raw object also carries `score` and optional `followUpDate` (defaults to
 * `followupTime`) for the FollowUp row. Refuses anything else with BAD_USER_INPUT and `details.issues`.
 */
export function parseEventPayload(
  type: EventType,
  subtype: string | null | undefined,
  raw: unknown,
): ParsedEvent {
  if (!isEventType(type)) invalid(type, [{ path: 'type', message: 'is not an event type' }]);
  if (type === 'CUSTOMER_INFORMATION_DETECTION') {
    if (!isSubtype(subtype)) {
      invalid(type, [
        { path: 'subtype', message: `must be one of ${customerInformationSubtypes.join(', ')}` },
      ]);
    }
  } else if (subtype !== null && subtype !== undefined) {
    invalid(type, [{ path: 'subtype', message: `is not allowed for ${type}` }]);
  }

  if (type === 'FOLLOWUP_DETECTION') {
    const parsed = followupDetectionInputSchema.safeParse(raw);
    if (!parsed.success) invalid(type, issuesOf(parsed.error));
    const { score, followUpDate, ...data } = parsed.data;
    return {
      type,
      subtype: null,
      data,
      followUp: { score, followUpDate: followUpDate ?? data.followupTime },
    };
  }
  const parsed = eventPayloadSchemas[type].safeParse(raw);
  if (!parsed.success) invalid(type, issuesOf(parsed.error));
  return {
    type,
    subtype: type === 'CUSTOMER_INFORMATION_DETECTION' ? subtype : null,
    data: parsed.data,
    followUp: null,
  } as ParsedEvent;
}

/**
 * A stored payload read back for GraphQL. Every row was validated on the way in, so a mismatch means the
 * schema moved on since; such a payload reads as null instead of failing the whole list around it.
 */
export function readEventPayload(
  type: EventType,
  subtype: string | null,
  json: unknown,
): EventPayload | null {
  if (type === 'CUSTOMER_INFORMATION_DETECTION' && !isSubtype(subtype)) return null;
  const parsed = eventPayloadSchemas[type].safeParse(json);
  if (!parsed.success) return null;
  return {
    type,
    subtype: type === 'CUSTOMER_INFORMATION_DETECTION' ? subtype : null,
    data: parsed.data,
  } as EventPayload;
}

/** The JSON column's form: dates as ISO strings, absent optional fields left out. */
function toStoredJson(data: EventPayloadData[EventType]): Prisma.InputJsonObject {
  return JSON.parse(JSON.stringify(data)) as Prisma.InputJsonObject;
}

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
