import type { Actor } from '../auth/actor.js';
import type { Permission } from '../auth/permissions.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Scope } from '../realtime/topics.js';
import { badInput, forbidden } from '../kernel/errors.js';

/**
 * Which organization an app service or a conversation belongs to never changes, so it is remembered (ids
 * are UUIDs, unique across databases): a reconnect storm of a thousand agents costs one lookup, not a
 * thousand. The permission check itself is made on every subscribe.
 */
const owners = new Map<string, string>();
const MAX_OWNERS = 10_000;

function remember(id: string, organizationId: string): void {
  if (owners.size >= MAX_OWNERS) owners.delete(owners.keys().next().value!);
  owners.set(id, organizationId);
}

async function ownerOf(prisma: PrismaClient, scope: 'appService' | 'conversation', id: string) {
  const known = owners.get(id);
  if (known) return known;
  const select = { organizationId: true } as const;
  const row =
    scope === 'appService'
      ? await prisma.appService.findUnique({ where: { id }, select })
      : await prisma.conversation.findUnique({ where: { id }, select });
  if (row) remember(id, row.organizationId);
  return row?.organizationId;
}

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
  const organizationId = scope === 'organization' ? id : await ownerOf(prisma, scope, id);
  // Unknown ids and other tenants' ids are refused alike.
  if (!organizationId || !organizations.includes(organizationId)) throw forbidden();
  return { scope, id, organizationId };
}
