// Business events: each type has its own payload, stored as camelCase JSON on the Event row.
// The payload rules, validated on the way in (GraphQL and the classifier alike) and read back for GraphQL;
// events.ts stores and records events.
import { customerInformationSubtypes, type CustomerInformationSubtype } from '../ai/classification.js';
import { z } from 'zod';
import type { Prisma } from '../generated/prisma/client.js';
import type { EventType } from '../generated/prisma/enums.js';
import { badInput } from '../kernel/errors.js';
import { limits } from './validation.js';

export const eventLimits = {
  text: 500,
  transcription: 100_000,
  followupTry: 1_000,
  /** Seconds; a week is far beyond any meeting. */
  duration: 604_800,
  price: 1e12,
} as const;

// The events' subtypes, shared with the classifier that detects them.
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

/** A follow-up's own row (the follow_ups table), given alongside a FOLLOWUP_DETECTION payload. */
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
export function toStoredJson(data: EventPayloadData[EventType]): Prisma.InputJsonObject {
  return JSON.parse(JSON.stringify(data)) as Prisma.InputJsonObject;
}
