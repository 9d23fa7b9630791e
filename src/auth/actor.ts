import type { MembershipRole } from '../generated/prisma/enums.js';
import { forbidden, unauthenticated } from '../kernel/errors.js';
import { permissionsOfScopes, rolePermissions, type Permission } from './permissions.js';

export interface ActorUser {
  id: string;
  email: string;
  name: string;
}

export interface ActorApiKey {
  id: string;
  organizationId: string;
  scopes: readonly string[];
  /** The key's visible prefix (what the audit log shows for the key). */
  prefix?: string;
  /** When the key stops being valid (rotation grace, or an expiry given at creation). */
  expiresAt?: Date | null;
}

/**
 * Who is acting: a signed-in user (with the roles of their memberships), an integrator's API key
 * (inside exactly one organization, within its scopes), or nobody. Every service call asks it.
 */
export class Actor {
  private readonly grants: Map<string, ReadonlySet<Permission>>;

  private constructor(
    readonly kind: 'anonymous' | 'user' | 'apiKey',
    readonly user: ActorUser | null,
    readonly apiKey: ActorApiKey | null,
    readonly sessionId: string | null,
    private readonly roles: Map<string, MembershipRole>,
  ) {
    const grants = new Map<string, ReadonlySet<Permission>>();
    for (const [organizationId, role] of roles) grants.set(organizationId, rolePermissions[role]);
    if (apiKey) grants.set(apiKey.organizationId, permissionsOfScopes(apiKey.scopes));
    this.grants = grants;
  }

  static anonymous(): Actor {
    return new Actor('anonymous', null, null, null, new Map());
  }

  static forUser(
    user: ActorUser,
    sessionId: string | null,
    roles: ReadonlyMap<string, MembershipRole>,
  ): Actor {
    return new Actor('user', user, null, sessionId, new Map(roles));
  }

  static forApiKey(apiKey: ActorApiKey): Actor {
    return new Actor('apiKey', null, apiKey, null, new Map());
  }

  /** Records a membership made during this request (e.g. the creator of a new organization). */
  noteMembership(organizationId: string, role: MembershipRole): void {
    if (this.kind !== 'user') return;
    (this.roles as Map<string, MembershipRole>).set(organizationId, role);
    this.grants.set(organizationId, rolePermissions[role]);
  }

  /**
   * Who sees the same data as this actor: actors of one class share executions of live subscriptions
   * (src/graphql/subscription-groups.ts). A user's class is their roles, organization by organization (every
   * permission check and tenancy filter reads only those); an API key is a class of its own, because a
   * key may see its own record (`ApiKey` authorization) and keys are few.
   */
  get authorizationClass(): string {
    if (this.kind === 'apiKey') return `apiKey:${this.apiKey!.id}`;
    if (this.kind === 'anonymous') return 'anonymous';
    const roles = [...this.roles].map(([organizationId, role]) => `${organizationId}=${role}`).sort();
    return `user:${roles.join(',')}`;
  }

  get isAuthenticated(): boolean {
    return this.kind !== 'anonymous';
  }

  roleIn(organizationId: string): MembershipRole | null {
    return this.roles.get(organizationId) ?? null;
  }

  can(organizationId: string, permission: Permission): boolean {
    return this.grants.get(organizationId)?.has(permission) ?? false;
  }

  /** The organizations in which this actor has the permission: the tenancy filter of every query. */
  organizationIdsWith(permission: Permission): string[] {
    const ids: string[] = [];
    for (const [organizationId, granted] of this.grants)
      if (granted.has(permission)) ids.push(organizationId);
    return ids;
  }

  assertAuthenticated(): void {
    if (!this.isAuthenticated) throw unauthenticated();
  }

  assertCan(organizationId: string, permission: Permission): void {
    this.assertAuthenticated();
    if (!this.can(organizationId, permission)) throw forbidden();
  }

  requireUser(): ActorUser {
    if (this.user) return this.user;
    if (this.apiKey) throw forbidden('This needs a signed-in user; API keys cannot do it.');
    throw unauthenticated();
  }
}
