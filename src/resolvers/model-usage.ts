import { modelUsageSummary, type ModelUsageTotal } from '../services/model-usage.js';
import { builder } from './builder.js';
import { OrganizationNode } from './organization.js';

const ModelUsageTotalObject = builder.objectRef<ModelUsageTotal>('ModelUsageTotal').implement({
  description: 'Language-model tokens an organization used, per model and purpose.',
  fields: (t) => ({
    model: t.exposeString('model'),
    purpose: t.exposeString('purpose', {
      description: 'What the tokens were spent on, e.g. "classification".',
    }),
    requests: t.exposeInt('requests', { description: 'Requests the model answered.' }),
    // Float: a busy organization's totals can pass the 32-bit range of Int.
    promptTokens: t.exposeFloat('promptTokens'),
    completionTokens: t.exposeFloat('completionTokens'),
    totalTokens: t.exposeFloat('totalTokens'),
  }),
});

builder.prismaObjectFields(OrganizationNode, (t) => ({
  modelUsage: t.field({
    type: [ModelUsageTotalObject],
    description:
      'Token usage of the language model between `from` (included) and `to` (excluded), per model and purpose; empty without analytics access.',
    args: {
      from: t.arg({ type: 'DateTime', required: true }),
      to: t.arg({ type: 'DateTime', required: true }),
    },
    resolve: (org, args, ctx) =>
      ctx.actor.can(org.id, 'analytics:read')
        ? modelUsageSummary(ctx.db.prisma, ctx.actor, {
            organizationId: org.id,
            from: args.from,
            to: args.to,
          })
        : [],
  }),
}));
