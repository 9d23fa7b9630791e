import { builder } from './builder.js';
import { eventReaders } from './event.js';
import { conversationOwner, loadConversationOf } from './owner-relation.js';

/** A follow-up row: made by a FOLLOWUP_DETECTION event, due at followUpDate. */
export const FollowUpObject = builder.prismaObject('FollowUp', {
  authScopes: (row) => eventReaders(row.organizationId),
  fields: (t) => ({
    score: t.exposeInt('score', { description: '0..100: how promising the follow-up is.' }),
    followUpDate: t.expose('followUpDate', { type: 'DateTime' }),
    doneAt: t.expose('doneAt', { type: 'DateTime', nullable: true }),
    event: t.relation('event'),
    // Up the ownership tree: a statement of its own (owner-relation.ts).
    conversation: t.prismaField({
      type: 'Conversation',
      select: conversationOwner,
      resolve: loadConversationOf,
    }),
    agent: t.relation('agent', { nullable: true }),
  }),
});
