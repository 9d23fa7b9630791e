import { AssignmentReason } from '../generated/prisma/enums.js';
import { builder } from './builder.js';

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
    agent: t.relation('agent', { nullable: true }),
    conversation: t.relation('conversation'),
  }),
});
