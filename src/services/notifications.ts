// The dashboard's notifications: read state (the organization's, shared by its members).
import type { Actor } from '../auth/actor.js';
import { nowOf, type ServiceDeps } from './deps.js';
import { badInput } from '../kernel/errors.js';

/**
 * Marks the organization's dashboard notifications read: those given (unknown, foreign or already read
 * ids are skipped), or every unread one. Read state is the organization's, shared by its members.
 * Returns how many changed.
 */
export async function markNotificationsRead(
  deps: ServiceDeps,
  actor: Actor,
  input: { organizationId: string; ids?: string[] | null },
): Promise<number> {
  actor.assertCan(input.organizationId, 'conversations:read');
  actor.requireUser();
  if (input.ids && input.ids.length > 500) throw badInput('At most 500 notifications per call.');
  const { count } = await deps.prisma.notification.updateMany({
    where: {
      organizationId: input.organizationId,
      readAt: null,
      ...(input.ids ? { id: { in: input.ids } } : {}),
    },
    data: { readAt: nowOf(deps) },
  });
  return count;
}
