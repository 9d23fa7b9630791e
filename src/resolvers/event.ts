import { EventSource, EventType } from '../generated/prisma/enums.js';
import * as eventPayloads from '../services/event-payloads.js';
import * as events from '../services/events.js';
import { builder } from './builder.js';
import { depsOf } from './deps.js';
import { decodeIdOf } from '../kernel/global-id.js';
import { MessageNode } from './message.js';
import { inOrganizationsWith } from './tenancy.js';
import { conversationOwner, loadConversationOf } from './owner-relation.js';

export const EventTypeEnum = builder.enumType(EventType, { name: 'EventType' });
export const EventSourceEnum = builder.enumType(EventSource, {
  name: 'EventSource',
  description: 'RECORDED by an integrator or a member; DETECTED by the classifier (with a confidence).',
});
export const CustomerInformationSubtypeEnum = builder.enumType('CustomerInformationSubtype', {
  values: eventPayloads.customerInformationSubtypes,
});

/** Who may see an event or follow-up row: readers of conversations, and the recorder in its own answer. */
export const eventReaders = (organizationId: string) => ({
  $any: {
    can: { organizationId, permission: 'conversations:read' as const },
    // An events:write key gets back the event it just recorded; node() and lists still need conversations:read.
    $all: { can: { organizationId, permission: 'events:record' as const } },
  },
});

// --- Payload: one object type per event type, resolved from the stored JSON -------------------------------

type PayloadOf<T extends EventType> = Extract<eventPayloads.EventPayload, { type: T }>;

const SalesStageChangePayload = builder
  .objectRef<PayloadOf<'SALES_STAGE_CHANGE'>>('SalesStageChangePayload')
  .implement({
    fields: (t) => ({
      oldStage: t.string({ resolve: (p) => p.data.oldStage }),
      newStage: t.string({ resolve: (p) => p.data.newStage }),
    }),
  });

const FollowupDetectionPayload = builder
  .objectRef<PayloadOf<'FOLLOWUP_DETECTION'>>('FollowupDetectionPayload')
  .implement({
    description: "The follow-up's score and date are on `Event.followUp`.",
    fields: (t) => ({
      followupTry: t.int({ resolve: (p) => p.data.followupTry }),
      followupTime: t.field({ type: 'DateTime', resolve: (p) => p.data.followupTime }),
      followupType: t.string({ resolve: (p) => p.data.followupType }),
    }),
  });

const ObjectionDetectionPayload = builder
  .objectRef<PayloadOf<'OBJECTION_DETECTION'>>('ObjectionDetectionPayload')
  .implement({
    fields: (t) => ({ objectionType: t.string({ resolve: (p) => p.data.objectionType }) }),
  });

const SaleMadePayload = builder.objectRef<PayloadOf<'SALE_MADE'>>('SaleMadePayload').implement({
  fields: (t) => ({
    product: t.string({ resolve: (p) => p.data.product }),
    price: t.float({ resolve: (p) => p.data.price }),
    currency: t.string({ nullable: true, description: 'ISO 4217.', resolve: (p) => p.data.currency ?? null }),
    discount: t.float({ nullable: true, resolve: (p) => p.data.discount ?? null }),
  }),
});

const MeetingScheduledPayload = builder
  .objectRef<PayloadOf<'MEETING_SCHEDULED'>>('MeetingScheduledPayload')
  .implement({
    fields: (t) => ({
      timeScheduled: t.field({ type: 'DateTime', resolve: (p) => p.data.timeScheduled }),
      meetingChannel: t.string({ resolve: (p) => p.data.meetingChannel }),
      link: t.string({ nullable: true, resolve: (p) => p.data.link ?? null }),
    }),
  });

const MeetingDonePayload = builder.objectRef<PayloadOf<'MEETING_DONE'>>('MeetingDonePayload').implement({
  fields: (t) => ({
    attended: t.boolean({ resolve: (p) => p.data.attended }),
    duration: t.int({ description: 'Seconds.', resolve: (p) => p.data.duration }),
    transcription: t.string({ nullable: true, resolve: (p) => p.data.transcription ?? null }),
    video: t.string({ nullable: true, resolve: (p) => p.data.video ?? null }),
  }),
});

const CustomerInformationDetectionPayload = builder
  .objectRef<PayloadOf<'CUSTOMER_INFORMATION_DETECTION'>>('CustomerInformationDetectionPayload')
  .implement({
    fields: (t) => ({
      subtype: t.field({ type: CustomerInformationSubtypeEnum, resolve: (p) => p.subtype }),
      value: t.string({ resolve: (p) => p.data.value }),
    }),
  });

const payloadTypeNames: Record<EventType, string> = {
  SALES_STAGE_CHANGE: 'SalesStageChangePayload',
  FOLLOWUP_DETECTION: 'FollowupDetectionPayload',
  OBJECTION_DETECTION: 'ObjectionDetectionPayload',
  SALE_MADE: 'SaleMadePayload',
  MEETING_SCHEDULED: 'MeetingScheduledPayload',
  MEETING_DONE: 'MeetingDonePayload',
  CUSTOMER_INFORMATION_DETECTION: 'CustomerInformationDetectionPayload',
};

export const EventPayloadUnion = builder.unionType('EventPayload', {
  description: "An event's typed payload; which member it is follows from the event's type.",
  types: [
    SalesStageChangePayload,
    FollowupDetectionPayload,
    ObjectionDetectionPayload,
    SaleMadePayload,
    MeetingScheduledPayload,
    MeetingDonePayload,
    CustomerInformationDetectionPayload,
  ],
  resolveType: (payload) => payloadTypeNames[payload.type],
});

// --- The Event node ------------------------------------------------------------------------------------------

export const EventNode = builder.prismaNode('Event', {
  id: { field: 'id' },
  nullable: true,
  description: 'A business event on a conversation.',
  findUnique: (id, ctx) => ({ id, ...inOrganizationsWith(ctx, 'conversations:read') }),
  authScopes: (row) => eventReaders(row.organizationId),
  fields: (t) => ({
    type: t.expose('type', { type: EventTypeEnum }),
    subtype: t.exposeString('subtype', {
      nullable: true,
      description: 'For CUSTOMER_INFORMATION_DETECTION: which information (a CustomerInformationSubtype).',
    }),
    source: t.expose('source', { type: EventSourceEnum }),
    confidence: t.exposeFloat('confidence', { nullable: true, description: '0..1, for DETECTED events.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    scheduledTo: t.expose('scheduledTo', {
      type: 'DateTime',
      nullable: true,
      description: 'When the event is due: by default the meeting time or the follow-up date.',
    }),
    payload: t.field({
      type: EventPayloadUnion,
      nullable: true,
      description: 'Null only for a stored payload that no longer fits its type.',
      resolve: (event) => eventPayloads.readEventPayload(event.type, event.subtype, event.payload),
    }),
    // Up the ownership tree: a statement of its own (owner-relation.ts).
    conversation: t.prismaField({
      type: 'Conversation',
      select: conversationOwner,
      resolve: loadConversationOf,
    }),
    agent: t.relation('agent', { nullable: true }),
    message: t.field({
      type: MessageNode,
      nullable: true,
      description: 'The message the event was seen in, if any.',
      select: { message: true },
      // Integrators never see private notes, not even through an event.
      resolve: (event, _args, ctx) =>
        event.message && !(event.message.private && ctx.actor.kind === 'apiKey') ? event.message : null,
    }),
    followUp: t.relation('followUp', { nullable: true, description: 'For FOLLOWUP_DETECTION.' }),
  }),
});

// --- recordEvent ---------------------------------------------------------------------------------------------

const SalesStageChangeInput = builder.inputType('SalesStageChangeInput', {
  fields: (t) => ({ oldStage: t.string(), newStage: t.string() }),
});

const FollowupDetectionInput = builder.inputType('FollowupDetectionInput', {
  fields: (t) => ({
    followupTry: t.int({ description: 'Which attempt this is.' }),
    followupTime: t.field({ type: 'DateTime' }),
    followupType: t.string(),
    score: t.int({ description: '0..100: how promising the follow-up is.' }),
    followUpDate: t.field({ type: 'DateTime', required: false, description: 'Defaults to followupTime.' }),
  }),
});

const ObjectionDetectionInput = builder.inputType('ObjectionDetectionInput', {
  fields: (t) => ({ objectionType: t.string() }),
});

const SaleMadeInput = builder.inputType('SaleMadeInput', {
  fields: (t) => ({
    product: t.string(),
    price: t.float({ description: 'At least 0.' }),
    currency: t.string({ required: false, description: 'ISO 4217, e.g. USD.' }),
    discount: t.float({ required: false }),
  }),
});

const MeetingScheduledInput = builder.inputType('MeetingScheduledInput', {
  fields: (t) => ({
    timeScheduled: t.field({ type: 'DateTime' }),
    meetingChannel: t.string(),
    link: t.string({ required: false, description: 'An http(s) URL.' }),
  }),
});

const MeetingDoneInput = builder.inputType('MeetingDoneInput', {
  fields: (t) => ({
    attended: t.boolean(),
    duration: t.int({ description: 'Seconds.' }),
    transcription: t.string({ required: false, description: 'At most 100,000 characters.' }),
    video: t.string({ required: false, description: 'An http(s) URL.' }),
  }),
});

const CustomerInformationDetectionInput = builder.inputType('CustomerInformationDetectionInput', {
  fields: (t) => ({ subtype: t.field({ type: CustomerInformationSubtypeEnum }), value: t.string() }),
});

const EventPayloadInput = builder.inputType('EventPayloadInput', {
  description:
    "Exactly one field: the event's type follows from which. Text fields hold at most 500 characters.",
  isOneOf: true,
  fields: (t) => ({
    salesStageChange: t.field({ type: SalesStageChangeInput, required: false }),
    followupDetection: t.field({ type: FollowupDetectionInput, required: false }),
    objectionDetection: t.field({ type: ObjectionDetectionInput, required: false }),
    saleMade: t.field({ type: SaleMadeInput, required: false }),
    meetingScheduled: t.field({ type: MeetingScheduledInput, required: false }),
    meetingDone: t.field({ type: MeetingDoneInput, required: false }),
    customerInformationDetection: t.field({ type: CustomerInformationDetectionInput, required: false }),
  }),
});

const RecordEventInput = builder.inputType('RecordEventInput', {
  fields: (t) => ({
    conversationId: t.id(),
    agentId: t.id({ required: false, description: "Defaults to the signed-in member's agent profile." }),
    messageId: t.id({
      required: false,
      description: 'A message of this conversation the event was seen in.',
    }),
    scheduledTo: t.field({ type: 'DateTime', required: false }),
    payload: t.field({ type: EventPayloadInput }),
  }),
});

/** The oneOf field given names the type (graphql-js guarantees exactly one); the subtype travels inside. */
function typedPayload(input: typeof EventPayloadInput.$inferInput): {
  type: EventType;
  subtype: string | null;
  payload: unknown;
} {
  const typed = (type: EventType, payload: unknown) => ({ type, subtype: null, payload });
  if (input.salesStageChange) return typed('SALES_STAGE_CHANGE', input.salesStageChange);
  if (input.followupDetection) return typed('FOLLOWUP_DETECTION', input.followupDetection);
  if (input.objectionDetection) return typed('OBJECTION_DETECTION', input.objectionDetection);
  if (input.saleMade) return typed('SALE_MADE', input.saleMade);
  if (input.meetingScheduled) return typed('MEETING_SCHEDULED', input.meetingScheduled);
  if (input.meetingDone) return typed('MEETING_DONE', input.meetingDone);
  const { subtype, ...payload } = input.customerInformationDetection;
  return { type: 'CUSTOMER_INFORMATION_DETECTION', subtype, payload };
}

builder.mutationField('recordEvent', (t) =>
  t.prismaField({
    type: EventNode,
    description:
      'Records a business event on a conversation: API keys with EVENTS_WRITE, or members who work conversations. ' +
      'FOLLOWUP_DETECTION also creates its follow-up.',
    args: { input: t.arg({ type: RecordEventInput }) },
    resolve: async (query, _root, { input }, ctx) => {
      const event = await events.recordEvent(depsOf(ctx), ctx.actor, {
        conversationId: decodeIdOf('Conversation', input.conversationId),
        agentId: input.agentId ? decodeIdOf('Agent', input.agentId) : null,
        messageId: input.messageId ? decodeIdOf('Message', input.messageId) : null,
        scheduledTo: input.scheduledTo ?? null,
        ...typedPayload(input.payload),
      });
      // Loaded by id with the requested relations: an EVENTS_WRITE-only key gets its event back, though the
      // node's tenancy filter (conversations:read) would hide it from relation lookups.
      return ctx.db.prisma.event.findUniqueOrThrow({ ...query, where: { id: event.id } });
    },
  }),
);
