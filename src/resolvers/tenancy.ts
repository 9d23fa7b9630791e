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
