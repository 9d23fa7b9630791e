import { builder } from './builder.js';
import { MembershipRoleEnum } from './enums.js';
import { loadOrganizationOf, organizationOwner } from './owner-relation.js';

export const MembershipObject = builder.prismaObject('Membership', {
  authScopes: (membership) => ({
    can: { organizationId: membership.organizationId, permission: 'organization:read' },
  }),
  fields: (t) => ({
    role: t.expose('role', { type: MembershipRoleEnum }),
    user: t.relation('user'),
    // Up the ownership tree: a statement of its own (owner-relation.ts).
    organization: t.prismaField({
      type: 'Organization',
      select: organizationOwner,
      resolve: loadOrganizationOf,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});
