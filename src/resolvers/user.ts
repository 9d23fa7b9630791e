import { builder } from './builder.js';

/** An individual who signs in. Visible to themselves and to members of organizations they share. */
export const UserNode = builder.prismaNode('User', {
  id: { field: 'id' },
  nullable: true,
  findUnique: (id, ctx) => ({
    id,
    OR: [
      { id: ctx.actor.user?.id ?? '00000000-0000-0000-0000-000000000000' },
      { memberships: { some: { organizationId: { in: ctx.actor.organizationIdsWith('members:read') } } } },
    ],
  }),
  fields: (t) => ({
    email: t.exposeString('email'),
    name: t.exposeString('name'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});
