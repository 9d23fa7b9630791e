import type { ConversationFilter } from '../services/conversations.js';
import { builder } from './builder.js';
import { ConversationPriorityEnum, ConversationStatusEnum } from './enums.js';
import { decodeIdOf } from '../kernel/global-id.js';
import { z } from 'zod';

export const ConversationFilterInput = builder.inputType('ConversationFilter', {
  fields: (t) => ({
    status: t.field({ type: [ConversationStatusEnum], required: false }),
    priority: t.field({ type: [ConversationPriorityEnum], required: false }),
    assigneeId: t.id({ required: false, description: 'An Agent id.' }),
    unassigned: t.boolean({ required: false }),
    escalated: t.boolean({ required: false }),
    label: t.string({ required: false, validate: z.string().max(100) }),
    search: t.string({
      required: false,
      description:
        'Case-insensitive text in the messages, or the contact name or phone (a substring scan: to find words in a large ' +
        'workspace, with accents and Arabic spellings folded, use Query.searchConversations).',
      validate: z.string().trim().min(1).max(200),
    }),
    updatedSince: t.field({ type: 'DateTime', required: false }),
  }),
});

type FilterArg = typeof ConversationFilterInput.$inferInput;

export function toConversationFilter(filter: FilterArg | null | undefined): ConversationFilter | undefined {
  if (!filter) return undefined;
  return { ...filter, assigneeId: filter.assigneeId ? decodeIdOf('Agent', filter.assigneeId) : null };
}
