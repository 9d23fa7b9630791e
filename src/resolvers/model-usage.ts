import type { ModelUsageTotal } from '../services/model-usage.js';
import { builder } from './builder.js';

/** What Organization.modelUsage lists. */
export const ModelUsageTotalObject = builder.objectRef<ModelUsageTotal>('ModelUsageTotal').implement({
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
