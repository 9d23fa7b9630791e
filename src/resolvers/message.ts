import type { Context } from '../context.js';
import { builder } from './builder.js';
import { ChannelEnum, MessageTypeEnum, SenderTypeEnum } from './enums.js';
import { inOrganizationsWith } from './tenancy.js';

/** Messages readable by the actor; integrators (API keys) never see private notes. */
export function messageVisibility(ctx: Context) {
  return {
    ...inOrganizationsWith(ctx, 'conversations:read'),
    ...(ctx.actor.kind === 'apiKey' ? { private: false } : {}),
  };
}

export const MessageNode = builder.prismaNode('Message', {
  id: { field: 'id' },
  nullable: true,
  findUnique: (id, ctx) => ({ id, ...messageVisibility(ctx) }),
  authScopes: (row) => ({ can: { organizationId: row.organizationId, permission: 'conversations:read' } }),
  fields: (t) => ({
    index: t.exposeInt('index', { description: 'Position in the conversation, from 0.' }),
    senderType: t.expose('senderType', { type: SenderTypeEnum }),
    content: t.exposeString('content'),
    type: t.expose('type', { type: MessageTypeEnum }),
    link: t.exposeString('link', { nullable: true }),
    channel: t.expose('channel', { type: ChannelEnum }),
    subchannel: t.exposeString('subchannel', { nullable: true }),
    private: t.exposeBoolean('private', { description: 'An internal note, never sent to the customer.' }),
    metaData: t.expose('metaData', { type: 'JSON', nullable: true }),
    origin: t.exposeString('origin'),
    sentAt: t.expose('sentAt', { type: 'DateTime' }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    conversation: t.relation('conversation'),
    senderContact: t.relation('senderContact', { nullable: true }),
    senderAgent: t.relation('senderAgent', { nullable: true }),
  }),
});
