import { builder } from './builder.js';
import { ChannelEnum } from './enums.js';
import { inOrganizationsWith } from './tenancy.js';

const membersOnly = {
  authScopes: (agent: { organizationId: string }) => ({
    can: { organizationId: agent.organizationId, permission: 'members:read' as const },
  }),
  unauthorizedResolver: () => null,
};

/** A person who works conversations, with the routing preferences of seed 003. */
export const AgentNode = builder.prismaNode('Agent', {
  id: { field: 'id' },
  nullable: true,
  findUnique: (id, ctx) => ({ id, ...inOrganizationsWith(ctx, 'organization:read') }),
  authScopes: (row) => ({ can: { organizationId: row.organizationId, permission: 'organization:read' } }),
  fields: (t) => ({
    name: t.exposeString('name'),
    // Contact details of staff are for members, not for integrator keys.
    email: t.exposeString('email', { nullable: true, ...membersOnly }),
    phoneNumber: t.exposeString('phoneNumber', { nullable: true, ...membersOnly }),
    otherInfo: t.expose('otherInfo', { type: 'JSON', nullable: true, ...membersOnly }),
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
    user: t.relation('user', { nullable: true, ...membersOnly }),
    organization: t.relation('organization'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});
