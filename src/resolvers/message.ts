import { z } from 'zod';
import type { Context } from '../graphql/context.js';
import { acknowledgeOutboundMessages } from '../services/outbound-messages.js';
import { depsOf } from './deps.js';
import { decodeIdOf } from '../kernel/global-id.js';
import { scopeArgsOf, sharedKey, subscribeTo } from './subscription-helpers.js';
import type { MessageAddedEvent, OutboundMessageEvent } from '../realtime/topics.js';
import { builder } from './builder.js';
import { ChannelEnum, MessageTypeEnum, SenderTypeEnum } from './enums.js';
import { conversationReaders, inOrganizationsWith } from './tenancy.js';
import { conversationOwner, loadContact, loadConversationOf } from './owner-relation.js';

/** Messages readable by the actor; integrators (API keys) never see private notes. */
export function messageVisibility(ctx: Context) {
  return {
    ...inOrganizationsWith(ctx, 'conversations:read'),
    ...(ctx.actor.kind === 'apiKey' ? { private: false } : {}),
  };
}

export const MessageNode = builder.prismaNode('Message', {
  id: { field: 'id' },
  // Select mode: a query loads only the columns its fields ask for (lists of these are long).
  select: { id: true, organizationId: true },
  nullable: true,
  findUnique: (id, ctx) => ({ id, ...messageVisibility(ctx) }),
  // Lookups and lists need conversations:read; an integrator that wrote it may also read it back in a payload.
  authScopes: conversationReaders,
  fields: (t) => ({
    index: t.exposeInt('index', { description: 'Position in the conversation, from 0.' }),
    senderType: t.expose('senderType', { type: SenderTypeEnum }),
    content: t.exposeString('content'),
    type: t.expose('type', { type: MessageTypeEnum }),
    link: t.exposeString('link', { nullable: true }),
    channel: t.expose('channel', { type: ChannelEnum }),
    subchannel: t.exposeString('subchannel', { nullable: true }),
    confidence: t.exposeFloat('confidence', {
      nullable: true,
      description: "A BOT message's confidence in its own answer, as the integrator reported it.",
    }),
    private: t.exposeBoolean('private', { description: 'An internal note, never sent to the customer.' }),
    metaData: t.expose('metaData', { type: 'JSON', nullable: true }),
    origin: t.exposeString('origin'),
    sentAt: t.expose('sentAt', { type: 'DateTime' }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    // Up the ownership tree: a statement of its own (owner-relation.ts).
    conversation: t.prismaField({
      type: 'Conversation',
      select: conversationOwner,
      resolve: loadConversationOf,
    }),
    senderContact: t.prismaField({
      type: 'Contact',
      nullable: true,
      select: { senderContactId: true, organizationId: true },
      resolve: (query, row, _args, ctx) => loadContact(query, row.senderContactId, row.organizationId, ctx),
    }),
    senderAgent: t.relation('senderAgent', { nullable: true }),
  }),
});

const AcknowledgeOutboundMessagesInput = builder.inputType('AcknowledgeOutboundMessagesInput', {
  fields: (t) => ({ messageIds: t.idList({ validate: z.array(z.string()).min(1).max(500) }) }),
});

builder.mutationField('acknowledgeOutboundMessages', (t) =>
  t.int({
    description: 'The connector delivered these agent replies; returns how many were newly acknowledged.',
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: AcknowledgeOutboundMessagesInput }) },
    resolve: (_root, { input }, ctx) =>
      acknowledgeOutboundMessages(depsOf(ctx), ctx.actor, {
        messageIds: input.messageIds.map((id) => decodeIdOf('Message', id)),
      }),
  }),
);

builder.subscriptionField('messageAdded', (t) =>
  t.prismaField({
    type: MessageNode,
    description:
      'Every new message of a conversation, an app service or an organization (give exactly one id). ' +
      'Integrator keys need CONVERSATIONS_READ and never receive private notes.',
    args: {
      conversationId: t.arg.id({ required: false }),
      appServiceId: t.arg.id({ required: false }),
      organizationId: t.arg.id({ required: false }),
    },
    subscribe: (_root, args, ctx) =>
      subscribeTo(ctx, 'messageAdded', scopeArgsOf(args), {
        permissions: ['conversations:read'],
        scopes: ['organization', 'appService', 'conversation'],
        accept: (event) => !event.private || ctx.actor.kind === 'user',
      }),
    resolve: (query, event, _args, ctx) => {
      const { eventId, messageId } = event as unknown as MessageAddedEvent;
      return ctx.sharedLookup.get(sharedKey(eventId, query), () =>
        ctx.db.prisma.message.findUniqueOrThrow({ ...query, where: { id: messageId } }),
      );
    },
  }),
);

builder.subscriptionField('outboundMessage', (t) =>
  t.prismaField({
    type: MessageNode,
    description:
      'Agent replies a connector must deliver to customers (never private notes), as they are sent. ' +
      'For API keys with MESSAGES_WRITE; acknowledge delivery with acknowledgeOutboundMessages.',
    args: { appServiceId: t.arg.id() },
    subscribe: (_root, args, ctx) =>
      subscribeTo(ctx, 'outboundMessage', scopeArgsOf(args), {
        permissions: ['messages:ingest', 'conversations:read'],
        scopes: ['appService'],
      }),
    resolve: (query, event, _args, ctx) => {
      const { eventId, messageId } = event as unknown as OutboundMessageEvent;
      return ctx.sharedLookup.get(sharedKey(eventId, query), () =>
        ctx.db.prisma.message.findUniqueOrThrow({ ...query, where: { id: messageId } }),
      );
    },
  }),
);
