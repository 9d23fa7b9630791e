import { z } from 'zod';

/**
 * The classifier contract: what a classifier (the local rules or the OpenAI adapter) receives for one inbound
 * customer message, and what it must return. Both implementations validate against these schemas.
 */

export const escalationTypes = [
  'SPEAK_TO_HUMAN',
  'DISCOUNT_REQUEST',
  'BOOK_FLIGHT',
  'FLIGHT_PRICES',
  'FILE_SENT',
  'UNANSWERED',
] as const;
export type EscalationType = (typeof escalationTypes)[number];

export const emotions = ['DISAPPOINTED', 'ANGRY', 'NEUTRAL', 'HAPPY', 'SATISFIED'] as const;
export type Emotion = (typeof emotions)[number];

export const messageTypeNames = ['TEXT', 'IMAGE', 'AUDIO', 'VIDEO', 'FILE', 'LOCATION', 'TEMPLATE'] as const;
export type MessageTypeName = (typeof messageTypeNames)[number];

/** Message types that carry a file: their arrival alone is a FILE_SENT escalation. */
export const fileMessageTypes: readonly MessageTypeName[] = ['IMAGE', 'AUDIO', 'VIDEO', 'FILE'];

export const contextSenders = ['customer', 'bot', 'agent'] as const;
export type ContextSender = (typeof contextSenders)[number];

export const languages = ['en', 'ar', 'fr', 'other'] as const;
export type Language = (typeof languages)[number];

export const objectionTypes = ['PRICE', 'TIMING', 'COMPETITOR', 'TRUST', 'NEED', 'AUTHORITY'] as const;
export type ObjectionType = (typeof objectionTypes)[number];

export const customerInformationSubtypes = [
  'NAME',
  'AGE',
  'GRADUATION_INSTITUTION',
  'DESIRED_INSTITUTION',
  'COURSE_INTENDED',
  'EXAM_YEAR',
  'EXSTUDENT',
] as const;
export type CustomerInformationSubtype = (typeof customerInformationSubtypes)[number];

export const contextMessageSchema = z.object({
  sender: z.enum(contextSenders),
  text: z.string(),
});
export type ContextMessage = z.infer<typeof contextMessageSchema>;

export const classificationInputSchema = z.object({
  message: z.object({ type: z.enum(messageTypeNames), text: z.string() }),
  /** Earlier messages of the conversation, oldest first (a few are enough). */
  context: z.array(contextMessageSchema),
});
export type ClassificationInput = z.infer<typeof classificationInputSchema>;

const confidenceSchema = z.number().min(0).max(1);

export const detectedEscalationSchema = z.object({
  type: z.enum(escalationTypes),
  confidence: confidenceSchema,
  /** The customer's own words (a substring of the message text) that show it; may be empty for a bare file. */
  evidence: z.string(),
});
export type DetectedEscalation = z.infer<typeof detectedEscalationSchema>;

export const emotionResultSchema = z.object({
  emotion: z.enum(emotions),
  /** −100 (hostile) … 0 (neutral) … 100 (delighted). */
  score: z.number().int().min(-100).max(100),
});
export type EmotionResult = z.infer<typeof emotionResultSchema>;

const eventBase = { confidence: confidenceSchema, evidence: z.string() };

export const objectionEventSchema = z.object({
  type: z.literal('OBJECTION_DETECTION'),
  payload: z.object({ objectionType: z.enum(objectionTypes) }),
  ...eventBase,
});

export const customerInformationEventSchema = z.object({
  type: z.literal('CUSTOMER_INFORMATION_DETECTION'),
  subtype: z.enum(customerInformationSubtypes),
  payload: z.object({ value: z.string() }),
  ...eventBase,
});

export const meetingScheduledEventSchema = z.object({
  type: z.literal('MEETING_SCHEDULED'),
  payload: z.object({
    /** The time as the customer wrote it ("Tuesday at 3pm"); resolving it to a date is the caller's job. */
    timeScheduled: z.string().nullable(),
    meetingChannel: z.string().nullable(),
    link: z.string().nullable(),
  }),
  ...eventBase,
});

export const detectedEventSchema = z.discriminatedUnion('type', [
  objectionEventSchema,
  customerInformationEventSchema,
  meetingScheduledEventSchema,
]);
export type DetectedEvent = z.infer<typeof detectedEventSchema>;

export const classificationResultSchema = z.object({
  /** At most one entry per type, in the order of `escalationTypes`. */
  escalations: z.array(detectedEscalationSchema),
  emotion: emotionResultSchema,
  language: z.enum(languages),
  /** Coarse subjects of the message (e.g. "flights", "pricing"), lower-case, for analytics. */
  topics: z.array(z.string()),
  events: z.array(detectedEventSchema),
});
export type ClassificationResult = z.infer<typeof classificationResultSchema>;

/** Orders escalations as `escalationTypes` does and keeps one per type (the most confident). */
export function canonicalEscalations(list: readonly DetectedEscalation[]): DetectedEscalation[] {
  const best = new Map<EscalationType, DetectedEscalation>();
  for (const item of list) {
    const previous = best.get(item.type);
    if (!previous || item.confidence > previous.confidence) best.set(item.type, item);
  }
  return escalationTypes.flatMap((type) => {
    const item = best.get(type);
    return item ? [item] : [];
  });
}
