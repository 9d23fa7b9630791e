import { decodeIdOf } from '../kernel/global-id.js';
import * as organizations from '../services/organizations.js';
import { emailSchema } from '../services/validation.js';
import { builder } from './builder.js';
import { depsOf } from './deps.js';
import { MembershipRoleEnum } from './enums.js';
import { loadOrganizationOf, organizationOwner } from './owner-relation.js';

/** A user's role in an organization; the member mutations below return it. */
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

const AddMemberInput = builder.inputType('AddMemberInput', {
  fields: (t) => ({
    organizationId: t.id(),
    email: t.string({ validate: emailSchema }),
    role: t.field({ type: MembershipRoleEnum }),
  }),
});

builder.mutationField('addMember', (t) =>
  t.field({
    type: MembershipObject,
    description:
      'Adds an existing user to the organization (OWNER only); working roles also get an agent profile.',
    authScopes: { user: true },
    args: { input: t.arg({ type: AddMemberInput }) },
    resolve: (_root, { input }, ctx) =>
      organizations.addMember(depsOf(ctx), ctx.actor, {
        organizationId: decodeIdOf('Organization', input.organizationId),
        email: input.email,
        role: input.role,
      }),
  }),
);

const MemberInput = builder.inputType('MemberInput', {
  fields: (t) => ({ organizationId: t.id(), userId: t.id() }),
});

builder.mutationField('removeMember', (t) =>
  t.field({
    type: MembershipObject,
    description: 'Removes a member (OWNER only). The last owner cannot be removed.',
    authScopes: { user: true },
    args: { input: t.arg({ type: MemberInput }) },
    resolve: (_root, { input }, ctx) =>
      organizations.removeMember(depsOf(ctx), ctx.actor, {
        organizationId: decodeIdOf('Organization', input.organizationId),
        userId: decodeIdOf('User', input.userId),
      }),
  }),
);

const ChangeMemberRoleInput = builder.inputType('ChangeMemberRoleInput', {
  fields: (t) => ({ organizationId: t.id(), userId: t.id(), role: t.field({ type: MembershipRoleEnum }) }),
});

builder.mutationField('changeMemberRole', (t) =>
  t.field({
    type: MembershipObject,
    authScopes: { user: true },
    args: { input: t.arg({ type: ChangeMemberRoleInput }) },
    resolve: (_root, { input }, ctx) =>
      organizations.changeMemberRole(depsOf(ctx), ctx.actor, {
        organizationId: decodeIdOf('Organization', input.organizationId),
        userId: decodeIdOf('User', input.userId),
        role: input.role,
      }),
  }),
);
