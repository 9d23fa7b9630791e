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

// Enums used by more than one type file; an enum of one type lives with that type.

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
