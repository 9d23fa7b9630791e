import { builder } from './builder.js';
import { MembershipRoleEnum } from './enums.js';

export const MembershipObject = builder.prismaObject('Membership', {
  authScopes: (membership) => ({
    can: { organizationId: membership.organizationId, permission: 'organization:read' },
  }),
  fields: (t) => ({
    role: t.expose('role', { type: MembershipRoleEnum }),
    user: t.relation('user'),
    organization: t.relation('organization'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});
