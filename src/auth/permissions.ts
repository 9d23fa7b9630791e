import type { MembershipRole } from '../generated/prisma/enums.js';

/** What can be done inside one organization. Roles and API-key scopes both map onto these. */
export type Permission =
  | 'organization:read'
  | 'conversations:read'
  | 'conversations:work'
  /** Labels and priority: agents, and integrators' keys with conversations:write. */
  | 'conversations:triage'
  | 'messages:ingest'
  | 'events:record'
  | 'analytics:read'
  /** CSV exports of conversations and reports (src/services/exports.ts): OWNER, ADMIN and ANALYST, not AGENT. */
  | 'data:export'
  | 'appServices:manage'
  | 'agents:manage'
  | 'apiKeys:manage'
  /** Reading the audit log (src/services/audit-log.ts): OWNER and ADMIN; never an API key. */
  | 'auditLog:read'
  | 'members:read'
  | 'members:manage'
  | 'organization:manage';

const reader: Permission[] = ['organization:read', 'conversations:read', 'analytics:read', 'members:read'];
const analyst: Permission[] = [...reader, 'data:export'];
const agent: Permission[] = [...reader, 'conversations:work', 'conversations:triage'];
const admin: Permission[] = [
  ...agent,
  'data:export',
  'appServices:manage',
  'agents:manage',
  'apiKeys:manage',
  'auditLog:read',
];
const owner: Permission[] = [...admin, 'members:manage', 'organization:manage'];

export const rolePermissions: Record<MembershipRole, ReadonlySet<Permission>> = {
  ANALYST: new Set(analyst),
  AGENT: new Set(agent),
  ADMIN: new Set(admin),
  OWNER: new Set(owner),
};

/** Roles whose members work conversations and so get an Agent profile. */
export const rolesWithAgentProfile: readonly MembershipRole[] = ['OWNER', 'ADMIN', 'AGENT'];

export const apiKeyScopes = [
  'messages:write',
  'events:write',
  'conversations:read',
  'conversations:write',
  'analytics:read',
] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];

export function isApiKeyScope(value: string): value is ApiKeyScope {
  return (apiKeyScopes as readonly string[]).includes(value);
}

/** An API key can read its organization and app services, plus what its scopes grant; never manage keys or members. */
const scopePermissions: Record<ApiKeyScope, Permission[]> = {
  'messages:write': ['messages:ingest'],
  'events:write': ['events:record'],
  'conversations:read': ['conversations:read'],
  'conversations:write': ['conversations:triage'],
  'analytics:read': ['analytics:read'],
};

export function permissionsOfScopes(scopes: readonly string[]): ReadonlySet<Permission> {
  const granted = new Set<Permission>(['organization:read']);
  for (const scope of scopes) {
    if (isApiKeyScope(scope)) for (const permission of scopePermissions[scope]) granted.add(permission);
  }
  return granted;
}
