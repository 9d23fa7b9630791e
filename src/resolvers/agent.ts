import { builder } from './builder.js';
import { ChannelEnum } from './enums.js';
import { inOrganizationsWith } from './tenancy.js';

/** A person who works conversations, with the routing preferences of seed 003. */
export const AgentNode = builder.prismaNode('Agent', {
  id: { field: 'id' },
  nullable: true,
  findUnique: (id, ctx) => ({ id, ...inOrganizationsWith(ctx, 'organization:read') }),
  authScopes: (row) => ({ can: { organizationId: row.organizationId, permission: 'organization:read' } }),
  fields: (t) => ({
    name: t.exposeString('name'),
    email: t.exposeString('email', { nullable: true }),
    phoneNumber: t.exposeString('phoneNumber', { nullable: true }),
    otherInfo: t.expose('otherInfo', { type: 'JSON', nullable: true }),
    internal: t.exposeBoolean('internal'),
    origin: t.exposeString('origin'),
    channels: t.expose('channels', { type: [ChannelEnum] }),
    topics: t.exposeStringList('topics'),
    languages: t.exposeStringList('languages'),
    maxConcurrent: t.exposeInt('maxConcurrent'),
    available: t.exposeBoolean('available'),
    workingHours: t.expose('workingHours', { type: 'JSON', nullable: true }),
    timezone: t.exposeString('timezone'),
    lastAssignedAt: t.expose('lastAssignedAt', { type: 'DateTime', nullable: true }),
    user: t.relation('user', { nullable: true }),
    organization: t.relation('organization'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});
