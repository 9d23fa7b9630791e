import { builder } from './builder.js';
import { ApiKeyNode } from './api-key.js';
import { UserNode } from './user.js';
import { paged } from './pagination.js';
import { organizationsWith } from './tenancy.js';

const Viewer = builder.objectRef<Record<string, never>>('Viewer').implement({
  description: 'Who is asking: a signed-in user, or an integrator API key acting for its organization.',
  fields: (t) => ({
    user: t.prismaField({
      type: UserNode,
      nullable: true,
      resolve: (query, _viewer, _args, ctx) =>
        ctx.actor.user ? ctx.db.prisma.user.findUnique({ ...query, where: { id: ctx.actor.user.id } }) : null,
    }),
    apiKey: t.prismaField({
      type: ApiKeyNode,
      nullable: true,
      description: 'The key in use, when an integrator asks.',
      resolve: (query, _viewer, _args, ctx) =>
        ctx.actor.apiKey
          ? ctx.db.prisma.apiKey.findUnique({ ...query, where: { id: ctx.actor.apiKey.id } })
          : null,
    }),
    organizations: t.prismaConnection({
      type: 'Organization',
      description: "The businesses the user belongs to, or the API key's organization.",
      cursor: 'id',
      ...paged(20, 100),
      totalCount: (_viewer, _args, ctx) => ctx.actor.organizationIdsWith('organization:read').length,
      resolve: (query, _viewer, _args, ctx) =>
        ctx.db.prisma.organization.findMany({
          ...query,
          where: organizationsWith(ctx, 'organization:read'),
          orderBy: [{ name: 'asc' }, { id: 'asc' }],
        }),
    }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: Viewer,
    description: 'Who is asking; an empty viewer when nobody signed in.',
    resolve: () => ({}),
  }),
);
