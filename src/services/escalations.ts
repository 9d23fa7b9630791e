import type { Actor } from '../auth/actor.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { EscalationType } from '../generated/prisma/enums.js';
import { nowOf, type ServiceDeps } from './deps.js';
import { forbidden } from '../kernel/errors.js';

export interface EscalationFilter {
  types?: EscalationType[] | null;
  appServiceId?: string | null;
  /** Several app services at once (with appServiceId: those of both lists). */
  appServiceIds?: string[] | null;
  acknowledged?: boolean | null;
  since?: Date | null;
}

export function escalationFilterWhere(
  filter: EscalationFilter | null | undefined,
): Prisma.EscalationWhereInput {
  if (!filter) return {};
  return {
    ...(filter.types?.length ? { type: { in: filter.types } } : {}),
    ...(filter.appServiceId || filter.appServiceIds?.length
      ? {
          conversation: {
            appServiceId: {
              in: [...(filter.appServiceId ? [filter.appServiceId] : []), ...(filter.appServiceIds ?? [])],
            },
          },
        }
      : {}),
    ...(filter.acknowledged === true ? { acknowledgedAt: { not: null } } : {}),
    ...(filter.acknowledged === false ? { acknowledgedAt: null } : {}),
    ...(filter.since ? { createdAt: { gte: filter.since } } : {}),
  };
}

/** An agent has seen the escalation and is on it; acknowledging twice keeps the first acknowledgement. */
export async function acknowledgeEscalation(
  deps: ServiceDeps,
  actor: Actor,
  input: { escalationId: string },
) {
  const user = actor.requireUser();
  const escalation = await deps.prisma.escalation.findFirst({
    where: {
      id: input.escalationId,
      organizationId: { in: actor.organizationIdsWith('conversations:work') },
    },
  });
  if (!escalation) throw forbidden();
  if (escalation.acknowledgedAt) return escalation;
  await deps.prisma.escalation.updateMany({
    where: { id: escalation.id, acknowledgedAt: null },
    data: { acknowledgedAt: nowOf(deps), acknowledgedById: user.id },
  });
  return deps.prisma.escalation.findUniqueOrThrow({ where: { id: escalation.id } });
}

/**
 * Escalations nobody has acknowledged yet, that the business was notified of (a cool-down-suppressed one
 * is not an alert): the badge of the escalations queue, in one count.
 */
export function unacknowledgedWhere(scope: Prisma.EscalationWhereInput): Prisma.EscalationWhereInput {
  return { ...scope, acknowledgedAt: null, notified: true };
}
