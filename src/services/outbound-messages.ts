import type { Actor } from '../auth/actor.js';
import type { Prisma } from '../generated/prisma/client.js';
import { nowOf, type ServiceDeps } from './deps.js';
import { badInput } from '../kernel/errors.js';
import { HANDOFF_MESSAGE_ORIGIN } from './handoff.js';

/**
 * What the integrator must deliver to the customer, not yet acknowledged: agents' public replies and the
 * platform's handoff messages. Private notes never appear here.
 */
export function outboundWhere(actor: Actor): Prisma.MessageWhereInput {
  const organizations = [
    ...new Set([
      ...actor.organizationIdsWith('messages:ingest'),
      ...actor.organizationIdsWith('conversations:read'),
    ]),
  ];
  return { organizationId: { in: organizations }, ...OUTBOUND, deliveredAt: null };
}

/** Agents' public replies and the platform's handoff messages (publisher.ts isOutbound says the same). */
const OUTBOUND: Prisma.MessageWhereInput = {
  private: false,
  OR: [{ senderType: 'AGENT' }, { senderType: 'SYSTEM', origin: HANDOFF_MESSAGE_ORIGIN }],
};

/** Marks outbound messages delivered; unknown, foreign or already acknowledged ids are skipped. */
export async function acknowledgeOutboundMessages(
  deps: ServiceDeps,
  actor: Actor,
  input: { messageIds: string[] },
) {
  actor.assertAuthenticated();
  if (input.messageIds.length > 500) throw badInput('At most 500 messages per call.');
  const where: Prisma.MessageWhereInput = {
    id: { in: input.messageIds },
    organizationId: { in: actor.organizationIdsWith('messages:ingest') },
    ...OUTBOUND,
    deliveredAt: null,
  };
  const { count } = await deps.prisma.message.updateMany({ where, data: { deliveredAt: nowOf(deps) } });
  return count;
}
