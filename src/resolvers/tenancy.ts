import type { Permission } from '../auth/permissions.js';
import type { Context } from '../graphql/context.js';

/** The where-clause that keeps a query inside the organizations where the actor holds a permission. */
export function inOrganizationsWith(
  ctx: Context,
  permission: Permission,
): { organizationId: { in: string[] } } {
  return { organizationId: { in: ctx.actor.organizationIdsWith(permission) } };
}
