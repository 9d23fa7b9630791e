// Tenancy filters: the where-clauses that keep every read inside the organizations where the actor holds a
// permission. Every node lookup and every list of the schema uses one of these (see builder.ts).
import type { Permission } from '../auth/permissions.js';
import type { Context } from '../graphql/context.js';

/** The where-clause that keeps a query inside the organizations where the actor holds a permission. */
export function inOrganizationsWith(
  ctx: Context,
  permission: Permission,
): { organizationId: { in: string[] } } {
  return { organizationId: { in: ctx.actor.organizationIdsWith(permission) } };
}

/** The same for the organizations themselves (their own id, not an organizationId column). */
export function organizationsWith(ctx: Context, permission: Permission): { id: { in: string[] } } {
  return { id: { in: ctx.actor.organizationIdsWith(permission) } };
}

/**
 * Who may see a conversation, its messages and its contact: a reader of conversations, or an integrator
 * whose key wrote it (messages:ingest), reading it back in a payload. One list for the three types and the
 * conversationUpdated subscription.
 */
export const CONVERSATION_READERS: Permission[] = ['conversations:read', 'messages:ingest'];

/** The auth scope of a row only CONVERSATION_READERS of its organization may see. */
export const conversationReaders = (row: { organizationId: string }) => ({
  canAny: { organizationId: row.organizationId, permissions: CONVERSATION_READERS },
});
