import {
  Channel,
  ConversationPriority,
  ConversationStatus,
  EscalationType,
  MembershipRole,
  MessageType,
  SenderType,
} from '../generated/prisma/enums.js';
import { builder } from './builder.js';

export const MembershipRoleEnum = builder.enumType(MembershipRole, {
  name: 'MembershipRole',
  description:
    'OWNER manages everything; ADMIN app services, agents and keys; AGENT works conversations; ANALYST reads.',
});
export const ChannelEnum = builder.enumType(Channel, { name: 'Channel' });
export const ConversationStatusEnum = builder.enumType(ConversationStatus, { name: 'ConversationStatus' });
export const ConversationPriorityEnum = builder.enumType(ConversationPriority, {
  name: 'ConversationPriority',
});
export const SenderTypeEnum = builder.enumType(SenderType, { name: 'SenderType' });
export const EscalationTypeEnum = builder.enumType(EscalationType, { name: 'EscalationType' });
export const MessageTypeEnum = builder.enumType(MessageType, { name: 'MessageType' });

export const ApiKeyScopeEnum = builder.enumType('ApiKeyScope', {
  description: 'What an integrator key may do inside its organization.',
  values: {
    MESSAGES_WRITE: { value: 'messages:write', description: 'Ingest messages.' },
    EVENTS_WRITE: { value: 'events:write', description: 'Record business events.' },
    CONVERSATIONS_READ: {
      value: 'conversations:read',
      description: 'Read conversations, messages, contacts.',
    },
    ANALYTICS_READ: { value: 'analytics:read', description: 'Read analyses and monitoring.' },
  } as const,
});
