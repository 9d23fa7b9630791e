import type { ConversationStatus } from '../generated/prisma/enums.js';
import { conflict } from '../kernel/errors.js';

/**
 * The lifecycle: open → bot → assigned → pending → resolved → closed, with these ways back (release to the bot, pending ↔ assigned, reopen after resolved). CLOSED is final: a customer
 * who writes again starts a new conversation.
 */
const legal: Record<ConversationStatus, readonly ConversationStatus[]> = {
  OPEN: ['BOT', 'ASSIGNED', 'PENDING', 'RESOLVED', 'CLOSED'],
  BOT: ['OPEN', 'ASSIGNED', 'RESOLVED', 'CLOSED'],
  ASSIGNED: ['OPEN', 'BOT', 'PENDING', 'RESOLVED', 'CLOSED'],
  PENDING: ['OPEN', 'BOT', 'ASSIGNED', 'RESOLVED', 'CLOSED'],
  RESOLVED: ['OPEN', 'BOT', 'ASSIGNED', 'CLOSED'],
  CLOSED: [],
};

export function canTransition(from: ConversationStatus, to: ConversationStatus): boolean {
  return legal[from].includes(to);
}

export function assertTransition(from: ConversationStatus, to: ConversationStatus): void {
  if (!canTransition(from, to)) {
    throw conflict(`A conversation cannot go from ${from} to ${to}.`);
  }
}

/** Statuses in which a conversation is still being worked on (not resolved or closed). */
export const ACTIVE_STATUSES: ConversationStatus[] = ['OPEN', 'BOT', 'ASSIGNED', 'PENDING'];

/** Where a conversation goes when no human holds it: the bot when the app service has one. */
export const unheldStatus = (botEnabled: boolean): ConversationStatus => (botEnabled ? 'BOT' : 'OPEN');
