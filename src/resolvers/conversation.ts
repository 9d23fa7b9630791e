import { builder } from './builder.js';
import { ConversationPriorityEnum, ConversationStatusEnum } from './enums.js';
import { AgentNode } from './agent.js';
import { ContactNode } from './contact.js';
import { inOrganizationsWith } from './tenancy.js';
import { messageVisibility } from './message.js';

export const ConversationNode = builder.prismaNode('Conversation', {
  id: { field: 'id' },
  nullable: true,
  findUnique: (id, ctx) => ({ id, ...inOrganizationsWith(ctx, 'conversations:read') }),
  authScopes: (row) => ({ can: { organizationId: row.organizationId, permission: 'conversations:read' } }),
  fields: (t) => ({
    status: t.expose('status', { type: ConversationStatusEnum }),
    priority: t.expose('priority', { type: ConversationPriorityEnum }),
    labels: t.exposeStringList('labels'),
    language: t.exposeString('language', { nullable: true }),
    escalatedAt: t.expose('escalatedAt', { type: 'DateTime', nullable: true }),
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
    appService: t.relation('appService'),
    contact: t.relation('contact', { nullable: true }),
    assignee: t.relation('assignee', { nullable: true }),
    agents: t.field({
      type: [AgentNode],
      description: 'The agents who took part.',
      select: { agents: { select: { agent: true }, orderBy: { joinedAt: 'asc' } } },
      resolve: (conversation) => conversation.agents.map((participant) => participant.agent),
    }),
    externalParticipants: t.field({
      type: [ContactNode],
      select: { participants: { select: { contact: true }, orderBy: { joinedAt: 'asc' } } },
      resolve: (conversation) => conversation.participants.map((participant) => participant.contact),
    }),
    messages: t.relatedConnection('messages', {
      description: 'Oldest first; `last: 20` gives the newest twenty.',
      cursor: 'id',
      defaultSize: 50,
      maxSize: 200,
      totalCount: true,
      query: (_args, ctx) => ({ where: messageVisibility(ctx), orderBy: { index: 'asc' } }),
    }),
  }),
});
