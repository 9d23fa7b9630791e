import type { Actor } from '../auth/actor.js';
import type { Permission } from '../auth/permissions.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Scope } from '../realtime/topics.js';
import { badInput, forbidden } from '../kernel/errors.js';

export interface ScopeArgs {
  organizationId?: string | null;
  appServiceId?: string | null;
  conversationId?: string | null;
}

/**
 * What a subscription listens to: exactly one of an organization, an app service or a conversation, which
 * the actor must hold one of the permissions on (FORBIDDEN otherwise, also for unknown ids).
 */
export async function subscriptionScope(
  prisma: PrismaClient,
  actor: Actor,
  args: ScopeArgs,
  permissions: Permission[],
  allowed: Scope[],
): Promise<{ scope: Scope; id: string; organizationId: string }> {
  actor.assertAuthenticated();
  const given = (['organization', 'appService', 'conversation'] as const).filter(
    (scope) => allowed.includes(scope) && args[`${scope}Id`],
  );
  if (given.length !== 1) {
    throw badInput(`Give exactly one of ${allowed.map((scope) => `${scope}Id`).join(', ')}.`);
  }
  const scope = given[0]!;
  const id = args[`${scope}Id`]!;
  const organizations = [
    ...new Set(permissions.flatMap((permission) => actor.organizationIdsWith(permission))),
  ];
  const where = { id, organizationId: { in: organizations } };
  const select = { organizationId: true } as const;
  const organizationId =
    scope === 'organization'
      ? organizations.includes(id)
        ? id
        : undefined
      : scope === 'appService'
        ? (await prisma.appService.findFirst({ where, select }))?.organizationId
        : (await prisma.conversation.findFirst({ where, select }))?.organizationId;
  if (!organizationId) throw forbidden();
  return { scope, id, organizationId };
}
