import { z } from 'zod';
import type { Conversation, Message } from '../generated/prisma/client.js';
import * as actions from '../services/conversation-actions.js';
import { MAX_MESSAGE_LENGTH } from '../services/conversation-actions.js';
import * as updates from '../services/conversation-updates.js';
import { MAX_LABELS } from '../services/conversation-updates.js';
import {
  conversationStats,
  conversationTranscript,
  type ConversationStats,
} from '../services/conversation-insights.js';
import { eventOrder, eventsWhere } from '../services/events.js';
import { queuePosition } from '../services/routing-queue.js';
import { sentimentTimeline } from '../services/sentiment-report.js';
import { builder } from './builder.js';
import { HandoffReasonRef, handoffReasonOf } from './handoff-rule.js';
import { depsOf } from './deps.js';
import { ConversationPriorityEnum, ConversationStatusEnum, SenderTypeEnum } from './enums.js';
import { decodeIdOf } from '../kernel/global-id.js';
import { scopeArgsOf, sharedKey, subscribeTo } from './subscription-helpers.js';
import type { ConversationUpdatedEvent } from '../realtime/topics.js';
import { AgentNode } from './agent.js';
import { ContactNode } from './contact.js';
import { EventTypeEnum } from './event.js';
import { CONVERSATION_READERS, conversationReaders, inOrganizationsWith } from './tenancy.js';
import { MessageNode, messageVisibility } from './message.js';
import { paged } from './pagination.js';
import { loadContact } from './owner-relation.js';
import { AnalysisTypeEnum, SentimentResultObject } from './sentiment.js';

/** Fields that read beyond the conversation row itself: for readers, not for a key that only writes. */
const readersOnly = (conversation: { organizationId: string }) => ({
  can: { organizationId: conversation.organizationId, permission: 'conversations:read' as const },
});
const hiddenFromWriters = {
  authScopes: readersOnly,
  unauthorizedResolver: () => null,
  nullable: true,
} as const;

const ConversationStatsObject = builder.objectRef<ConversationStats>('ConversationStats').implement({
  description:
    "The conversation's statistics: messages per sender, private notes, duration, first reply, escalations.",
  fields: (t) => ({
    messages: t.exposeInt('messages', {
      description: 'Messages to or from the customer (private notes apart).',
    }),
    messagesBySenderType: t.field({
      type: [
        builder.objectRef<ConversationStats['messagesBySenderType'][number]>('SenderTypeCount').implement({
          fields: (f) => ({
            senderType: f.expose('senderType', { type: SenderTypeEnum }),
            count: f.exposeInt('count'),
          }),
        }),
      ],
      resolve: (stats) => stats.messagesBySenderType,
    }),
    privateNotes: t.exposeInt('privateNotes'),
    durationSeconds: t.exposeInt('durationSeconds'),
    firstReplySeconds: t.exposeInt('firstReplySeconds', {
      nullable: true,
      description: 'From the start, or the escalation when there was one, to the first human reply.',
    }),
    escalations: t.exposeInt('escalations'),
  }),
});

export const ConversationNode = builder.prismaNode('Conversation', {
  id: { field: 'id' },
  // Select mode: a query loads only the columns its fields ask for (lists of these are long).
  select: { id: true, organizationId: true },
  nullable: true,
  findUnique: (id, ctx) => ({ id, ...inOrganizationsWith(ctx, 'conversations:read') }),
  // Lookups and lists need conversations:read; an integrator that wrote it may also read it back in a payload.
  authScopes: conversationReaders,
  fields: (t) => ({
    status: t.expose('status', { type: ConversationStatusEnum }),
    priority: t.expose('priority', { type: ConversationPriorityEnum }),
    labels: t.exposeStringList('labels'),
    language: t.exposeString('language', { nullable: true }),
    escalatedAt: t.expose('escalatedAt', { type: 'DateTime', nullable: true }),
    team: t.relation('team', {
      nullable: true,
      description: 'The team it is routed within (a handoff rule, a transfer); null: any agent.',
    }),
    handoffReason: t.field({
      type: HandoffReasonRef,
      nullable: true,
      description: 'Why the bot handed it to humans (the last handoff); null when it never did.',
      select: { handoffReason: true },
      resolve: (conversation) => handoffReasonOf(conversation.handoffReason),
    }),
    firstReplyAt: t.expose('firstReplyAt', {
      type: 'DateTime',
      nullable: true,
      description: 'First human reply.',
    }),
    resolvedAt: t.expose('resolvedAt', { type: 'DateTime', nullable: true }),
    closedAt: t.expose('closedAt', { type: 'DateTime', nullable: true }),
    lastMessageAt: t.expose('lastMessageAt', { type: 'DateTime' }),
    messageCount: t.exposeInt('messageCount'),
    metaData: t.expose('metaData', { type: 'JSON', nullable: true }),
    origin: t.exposeString('origin'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    // Up the ownership tree: a statement of its own (owner-relation.ts).
    appService: t.prismaField({
      type: 'AppService',
      select: { appServiceId: true, organizationId: true },
      resolve: (query, row, _args, ctx) =>
        ctx.db.prisma.appService.findUniqueOrThrow({
          ...query,
          where: { id: row.appServiceId, organizationId: row.organizationId },
        }),
    }),
    // Up the ownership tree too: Contact.conversations comes back down (owner-relation.ts).
    contact: t.prismaField({
      type: 'Contact',
      nullable: true,
      select: { contactId: true, organizationId: true },
      resolve: (query, row, _args, ctx) => loadContact(query, row.contactId, row.organizationId, ctx),
    }),
    assignee: t.relation('assignee', { nullable: true }),
    agents: t.field({
      type: [AgentNode],
      description: 'The agents who took part.',
      select: { agents: { select: { agent: true }, orderBy: { joinedAt: 'asc' } } },
      resolve: (conversation) => conversation.agents.map((participant) => participant.agent),
    }),
    externalParticipants: t.field({
      type: [ContactNode],
      ...hiddenFromWriters,
      select: { participants: { select: { contact: true }, orderBy: { joinedAt: 'asc' } } },
      resolve: (conversation) => conversation.participants.map((participant) => participant.contact),
    }),
    messages: t.relatedConnection('messages', {
      description: 'Oldest first; `last: 20` gives the newest twenty.',
      cursor: 'id',
      ...paged(50, 200),
      totalCount: true,
      query: (_args, ctx) => ({ where: messageVisibility(ctx), orderBy: { index: 'asc' } }),
    }),
    transcript: t.string({
      description: 'The conversation as plain text, one line per message, for export.',
      ...hiddenFromWriters,
      resolve: (conversation, _args, ctx) => conversationTranscript(ctx.db.prisma, ctx.actor, conversation),
    }),
    stats: t.field({
      type: ConversationStatsObject,
      ...hiddenFromWriters,
      select: { createdAt: true, escalatedAt: true, firstReplyAt: true },
      resolve: (conversation, _args, ctx) => conversationStats(ctx.db.prisma, conversation),
    }),
    queuePosition: t.int({
      nullable: true,
      description: 'Its place in the routing queue while it waits for an agent (1 = next).',
      select: { queuedAt: true },
      resolve: (conversation, _args, ctx) =>
        conversation.queuedAt ? queuePosition(ctx.db.prisma, conversation) : null,
    }),
    escalations: t.relatedConnection('escalations', {
      description: 'Newest first.',
      cursor: 'id',
      ...paged(20, 100),
      totalCount: true,
      query: (_args, ctx) => ({
        where: inOrganizationsWith(ctx, 'conversations:read'),
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      }),
    }),
    events: t.relatedConnection('events', {
      description: 'Business events, newest first; `types` keeps only those types.',
      cursor: 'id',
      ...paged(20, 100),
      totalCount: true,
      args: { types: t.arg({ type: [EventTypeEnum], required: false }) },
      query: (args, ctx) => ({
        where: {
          ...inOrganizationsWith(ctx, 'conversations:read'),
          ...eventsWhere({ types: args.types }),
        },
        orderBy: eventOrder,
      }),
    }),
    // Analytics are not conversations:read: without analytics:read the timeline is empty, not an error.
    sentiment: t.field({
      type: [SentimentResultObject],
      description:
        'The emotion timeline: the hour windows inside [from, to), oldest first; empty without analytics access.',
      args: { from: t.arg({ type: 'DateTime' }), to: t.arg({ type: 'DateTime' }) },
      select: { organizationId: true },
      resolve: (conversation, args, ctx) =>
        ctx.actor.can(conversation.organizationId, 'analytics:read')
          ? sentimentTimeline(ctx.db.prisma, conversation.id, args)
          : [],
    }),
    analyses: t.relation('analyses', {
      description: 'Analyses of the given types (all when omitted), oldest window first.',
      args: { types: t.arg({ type: [AnalysisTypeEnum], required: false }) },
      query: (args, ctx) => ({
        where: {
          ...inOrganizationsWith(ctx, 'analytics:read'),
          ...(args.types ? { type: { in: args.types } } : {}),
        },
        orderBy: [{ windowStart: 'asc' }, { type: 'asc' }],
        take: 500,
      }),
    }),
  }),
});

const ConversationIdInput = builder.inputType('ConversationIdInput', {
  fields: (t) => ({ conversationId: t.id() }),
});
const conversationIdOf = (input: { conversationId: string }) => ({
  conversationId: decodeIdOf('Conversation', input.conversationId),
});

const TakeOverConversationInput = builder.inputType('TakeOverConversationInput', {
  fields: (t) => ({
    conversationId: t.id(),
    message: t.string({
      required: false,
      validate: z.string().trim().min(1).max(MAX_MESSAGE_LENGTH).optional(),
    }),
    force: t.boolean({ required: false, description: 'ADMIN/OWNER: take it from the agent who holds it.' }),
  }),
});

const ConversationMessagePayload = builder
  .objectRef<{ conversation: Conversation; message: Message | null }>('ConversationMessagePayload')
  .implement({
    fields: (t) => ({
      conversation: t.field({ type: ConversationNode, resolve: (payload) => payload.conversation }),
      message: t.field({ type: MessageNode, nullable: true, resolve: (payload) => payload.message }),
    }),
  });

const SendMessageInput = builder.inputType('SendMessageInput', {
  fields: (t) => ({
    conversationId: t.id(),
    content: t.string({
      required: false,
      validate: z.string().trim().min(1).max(MAX_MESSAGE_LENGTH).optional(),
    }),
    cannedResponseId: t.id({
      required: false,
      description: 'Send this canned response, variables filled in.',
    }),
    private: t.boolean({ required: false, description: 'An internal note for colleagues; never sent out.' }),
  }),
});

const AssignConversationInput = builder.inputType('AssignConversationInput', {
  fields: (t) => ({
    conversationId: t.id(),
    agentId: t.id({ required: false }),
    auto: t.boolean({
      required: false,
      description: 'Route by the routing rules (eligible agents, least loaded); may queue.',
    }),
  }),
});

const AssignConversationPayload = builder
  .objectRef<{ conversation: Conversation; queuePosition: number | null }>('AssignConversationPayload')
  .implement({
    fields: (t) => ({
      conversation: t.field({ type: ConversationNode, resolve: (payload) => payload.conversation }),
      queuePosition: t.exposeInt('queuePosition', {
        nullable: true,
        description: 'Set when nobody was eligible: the conversation waits, 1 = next.',
      }),
    }),
  });

const SetConversationStatusInput = builder.inputType('SetConversationStatusInput', {
  fields: (t) => ({ conversationId: t.id(), status: t.field({ type: ConversationStatusEnum }) }),
});
const SetConversationPriorityInput = builder.inputType('SetConversationPriorityInput', {
  fields: (t) => ({ conversationId: t.id(), priority: t.field({ type: ConversationPriorityEnum }) }),
});
const LabelsInput = builder.inputType('ConversationLabelsInput', {
  fields: (t) => ({
    conversationId: t.id(),
    labels: t.stringList({ validate: z.array(z.string().trim().min(1).max(50)).min(1).max(MAX_LABELS) }),
  }),
});

const workScopes = { user: true } as const;
/** Labels and priority: agents, and integrators' keys with CONVERSATIONS_WRITE (the service checks which). */
const triageScopes = { authenticated: true } as const;

const TransferConversationInput = builder.inputType('TransferConversationInput', {
  fields: (t) => ({
    conversationId: t.id(),
    teamId: t.id({ required: false, description: 'Routed within this team (or queued there).' }),
    agentId: t.id({ required: false, description: 'Assigned to this agent.' }),
    note: t.string({ required: false, validate: z.string().trim().max(2000).optional().nullable() }),
  }),
});

builder.mutationFields((t) => ({
  transferConversation: t.field({
    type: ConversationNode,
    description:
      'Hands the conversation to a team (routing within it) or to an agent: a private note records where, by ' +
      'whom and why, and the assignment history records it. Give teamId or agentId.',
    authScopes: workScopes,
    args: { input: t.arg({ type: TransferConversationInput }) },
    resolve: (_root, { input }, ctx) =>
      actions.transferConversation(depsOf(ctx), ctx.actor, {
        conversationId: decodeIdOf('Conversation', input.conversationId),
        teamId: input.teamId ? decodeIdOf('Team', input.teamId) : null,
        agentId: input.agentId ? decodeIdOf('Agent', input.agentId) : null,
        note: input.note ?? null,
      }),
  }),
  takeOverConversation: t.field({
    type: ConversationMessagePayload,
    description: "The viewer's agent takes the conversation from the bot, and optionally sends a message.",
    authScopes: workScopes,
    args: { input: t.arg({ type: TakeOverConversationInput }) },
    resolve: (_root, { input }, ctx) =>
      actions.takeOverConversation(depsOf(ctx), ctx.actor, { ...input, ...conversationIdOf(input) }),
  }),
  sendMessage: t.field({
    type: ConversationMessagePayload,
    description: 'An agent reply (or private note). On a conversation no human holds, sending takes it over.',
    authScopes: workScopes,
    args: { input: t.arg({ type: SendMessageInput }) },
    resolve: (_root, { input }, ctx) =>
      actions.sendMessage(depsOf(ctx), ctx.actor, {
        ...input,
        ...conversationIdOf(input),
        cannedResponseId: input.cannedResponseId
          ? decodeIdOf('CannedResponse', input.cannedResponseId)
          : null,
      }),
  }),
  assignConversation: t.field({
    type: AssignConversationPayload,
    description: 'Assign to an agent, or `auto: true` to route (least loaded eligible agent, else queue).',
    authScopes: workScopes,
    args: { input: t.arg({ type: AssignConversationInput }) },
    resolve: (_root, { input }, ctx) =>
      actions.assignConversation(depsOf(ctx), ctx.actor, {
        ...conversationIdOf(input),
        agentId: input.agentId ? decodeIdOf('Agent', input.agentId) : null,
        auto: input.auto,
      }),
  }),
  releaseConversation: t.field({
    type: ConversationNode,
    description: 'Back to the bot (or the open queue when the app service has no bot).',
    authScopes: workScopes,
    args: { input: t.arg({ type: ConversationIdInput }) },
    resolve: (_root, { input }, ctx) =>
      updates.releaseConversation(depsOf(ctx), ctx.actor, conversationIdOf(input)),
  }),
  setConversationStatus: t.field({
    type: ConversationNode,
    description: 'Any legal lifecycle transition, e.g. PENDING while waiting for the customer.',
    authScopes: workScopes,
    args: { input: t.arg({ type: SetConversationStatusInput }) },
    resolve: (_root, { input }, ctx) =>
      updates.setConversationStatus(depsOf(ctx), ctx.actor, {
        ...conversationIdOf(input),
        status: input.status,
      }),
  }),
  resolveConversation: t.field({
    type: ConversationNode,
    authScopes: workScopes,
    args: { input: t.arg({ type: ConversationIdInput }) },
    resolve: (_root, { input }, ctx) =>
      updates.resolveConversation(depsOf(ctx), ctx.actor, conversationIdOf(input)),
  }),
  reopenConversation: t.field({
    type: ConversationNode,
    authScopes: workScopes,
    args: { input: t.arg({ type: ConversationIdInput }) },
    resolve: (_root, { input }, ctx) =>
      updates.reopenConversation(depsOf(ctx), ctx.actor, conversationIdOf(input)),
  }),
  closeConversation: t.field({
    type: ConversationNode,
    description: 'Final: a customer who writes again starts a new conversation.',
    authScopes: workScopes,
    args: { input: t.arg({ type: ConversationIdInput }) },
    resolve: (_root, { input }, ctx) =>
      updates.closeConversation(depsOf(ctx), ctx.actor, conversationIdOf(input)),
  }),
  setConversationPriority: t.field({
    type: ConversationNode,
    authScopes: triageScopes,
    args: { input: t.arg({ type: SetConversationPriorityInput }) },
    resolve: (_root, { input }, ctx) =>
      updates.setConversationPriority(depsOf(ctx), ctx.actor, {
        ...conversationIdOf(input),
        priority: input.priority,
      }),
  }),
  addLabels: t.field({
    type: ConversationNode,
    authScopes: triageScopes,
    args: { input: t.arg({ type: LabelsInput }) },
    resolve: (_root, { input }, ctx) =>
      updates.changeLabels(depsOf(ctx), ctx.actor, { ...conversationIdOf(input), add: input.labels }),
  }),
  removeLabels: t.field({
    type: ConversationNode,
    authScopes: triageScopes,
    args: { input: t.arg({ type: LabelsInput }) },
    resolve: (_root, { input }, ctx) =>
      updates.changeLabels(depsOf(ctx), ctx.actor, { ...conversationIdOf(input), remove: input.labels }),
  }),
}));

builder.subscriptionField('conversationUpdated', (t) =>
  t.prismaField({
    type: ConversationNode,
    description:
      'A conversation changed: created, new message, status, assignee (takeover, release), priority or labels. ' +
      'Connectors (MESSAGES_WRITE) may subscribe by app service to learn when a human takes over.',
    args: {
      conversationId: t.arg.id({ required: false }),
      appServiceId: t.arg.id({ required: false }),
      organizationId: t.arg.id({ required: false }),
    },
    subscribe: (_root, args, ctx) =>
      subscribeTo(ctx, 'conversationUpdated', scopeArgsOf(args), {
        permissions: CONVERSATION_READERS,
        scopes: ['organization', 'appService', 'conversation'],
      }),
    resolve: (query, event, _args, ctx) => {
      const { eventId, conversationId } = event as unknown as ConversationUpdatedEvent;
      return ctx.sharedLookup.get(sharedKey(eventId, query), () =>
        ctx.db.prisma.conversation.findUniqueOrThrow({ ...query, where: { id: conversationId } }),
      );
    },
  }),
);
