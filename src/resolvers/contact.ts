import { builder } from './builder.js';
import { ChannelEnum } from './enums.js';
import { paged } from './pagination.js';
import { conversationReaders, inOrganizationsWith } from './tenancy.js';

/** A customer; the same person on several channels is one contact with several identifiers. */
export const ContactNode = builder.prismaNode('Contact', {
  id: { field: 'id' },
  // Select mode: a query loads only the columns its fields ask for (lists of these are long).
  select: { id: true, organizationId: true },
  nullable: true,
  findUnique: (id, ctx) => ({ id, ...inOrganizationsWith(ctx, 'conversations:read') }),
  // Lookups and lists need conversations:read; an integrator that wrote it may also read it back in a payload.
  authScopes: conversationReaders,
  fields: (t) => ({
    name: t.exposeString('name', { nullable: true }),
    phone: t.exposeString('phone', { nullable: true }),
    metaData: t.expose('metaData', { type: 'JSON', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    identifiers: t.relation('identifiers', { query: { orderBy: { createdAt: 'asc' } } }),
    conversations: t.relatedConnection('conversations', {
      description: "The contact's conversations on every app service, latest activity first.",
      cursor: 'id',
      ...paged(10, 50),
      totalCount: true,
      query: (_args, ctx) => ({
        where: inOrganizationsWith(ctx, 'conversations:read'),
        orderBy: [{ lastMessageAt: 'desc' }, { id: 'desc' }],
      }),
    }),
  }),
});

builder.prismaObject('ContactIdentifier', {
  fields: (t) => ({
    channel: t.expose('channel', { type: ChannelEnum }),
    externalId: t.exposeString('externalId'),
  }),
});
