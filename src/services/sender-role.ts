import type { ContextMessage } from '../ai/classification.js';
import type { SenderType } from '../generated/prisma/enums.js';

/** A stored sender type (SenderType, or its text from raw SQL) as the models' role: customer, bot or agent. */
export const senderRoleOf = (type: SenderType | (string & {})): ContextMessage['sender'] =>
  type === 'CUSTOMER' ? 'customer' : type === 'BOT' ? 'bot' : 'agent';
