import { AssignmentReason } from '../generated/prisma/enums.js';
import { builder } from './builder.js';
import { conversationOwner, loadConversationOf } from './owner-relation.js';

export const AssignmentReasonEnum = builder.enumType(AssignmentReason, {
  name: 'AssignmentReason',
  description:
    'MANUAL: assigned by someone; AUTO: by the router; TAKEOVER: an agent took it from the bot; RELEASE: given back to the bot; QUEUED: waiting for a free agent.',
});

/** One change of a conversation's assignee (routing history); agent is null for RELEASE and QUEUED. */
export const AssignmentRecordObject = builder.prismaObject('AssignmentRecord', {
  authScopes: (record) => ({
    can: { organizationId: record.organizationId, permission: 'conversations:read' },
  }),
  fields: (t) => ({
    reason: t.expose('reason', { type: AssignmentReasonEnum }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    // Up the ownership tree: a statement of its own (owner-relation.ts).
    agent: t.prismaField({
      type: 'Agent',
      nullable: true,
      select: { agentId: true, organizationId: true },
      resolve: (query, row, _args, ctx) =>
        row.agentId
          ? ctx.db.prisma.agent.findUnique({
              ...query,
              where: { id: row.agentId, organizationId: row.organizationId },
            })
          : null,
    }),
    // Up the ownership tree: a statement of its own (owner-relation.ts).
    conversation: t.prismaField({
      type: 'Conversation',
      select: conversationOwner,
      resolve: loadConversationOf,
    }),
  }),
});
