import type { Actor } from '../auth/actor.js';
import { generateApiKey } from '../auth/api-key-format.js';
import type { ApiKeyScope } from '../auth/permissions.js';
import { sha256Hex } from '../auth/tokens.js';
import { recordAudit } from './audit-log.js';
import { nowOf, type ServiceDeps } from './deps.js';
import { badInput, conflict, forbidden } from '../kernel/errors.js';

export interface CreateApiKeyInput {
  organizationId: string;
  name: string;
  scopes: ApiKeyScope[];
  expiresAt?: Date | null;
}

/** Creates a key; the secret is returned here once and only its SHA-256 is stored. */
export async function createApiKey(deps: ServiceDeps, actor: Actor, input: CreateApiKeyInput) {
  actor.assertCan(input.organizationId, 'apiKeys:manage');
  const user = actor.requireUser();
  if (input.scopes.length === 0) throw badInput('An API key needs at least one scope.');
  if (input.expiresAt && input.expiresAt <= nowOf(deps)) throw badInput('expiresAt must be in the future.');
  const { key, prefix } = generateApiKey();
  const apiKey = await deps.prisma.$transaction(async (tx) => {
    const apiKey = await tx.apiKey.create({
      data: {
        organizationId: input.organizationId,
        name: input.name,
        scopes: [...new Set(input.scopes)],
        prefix,
        secretHash: sha256Hex(key),
        createdById: user.id,
        expiresAt: input.expiresAt ?? null,
      },
    });
    await recordAudit(tx, {
      organizationId: apiKey.organizationId,
      actor,
      action: 'api_key.created',
      targetType: 'API_KEY',
      targetId: apiKey.id,
      changes: {
        name: { to: apiKey.name },
        prefix: { to: apiKey.prefix },
        scopes: { to: apiKey.scopes },
        expiresAt: { to: apiKey.expiresAt?.toISOString() ?? null },
      },
    });
    return apiKey;
  });
  return { apiKey, secret: key };
}

export async function revokeApiKey(deps: ServiceDeps, actor: Actor, input: { id: string }) {
  const existing = await findManagedKey(deps, actor, input.id);
  if (existing.revokedAt) return existing;
  const revoked = await deps.prisma.$transaction(async (tx) => {
    const revoked = await tx.apiKey.update({ where: { id: existing.id }, data: { revokedAt: nowOf(deps) } });
    await recordAudit(tx, {
      organizationId: revoked.organizationId,
      actor,
      action: 'api_key.revoked',
      targetType: 'API_KEY',
      targetId: revoked.id,
      changes: {
        prefix: { from: revoked.prefix, to: revoked.prefix },
        revokedAt: { from: null, to: revoked.revokedAt!.toISOString() },
      },
    });
    return revoked;
  });
  await deps.realtime.credentialsChanged({ kind: 'apiKey', apiKeyId: revoked.id });
  return revoked;
}

/**
 * Issues a new key with the same name and scopes; the old one keeps working for the grace period
 * (so connectors can be redeployed without downtime), then expires.
 */
export async function rotateApiKey(
  deps: ServiceDeps,
  actor: Actor,
  input: { id: string; gracePeriodHours?: number | null },
) {
  const user = actor.requireUser();
  const old = await findManagedKey(deps, actor, input.id);
  const now = nowOf(deps);
  if (old.revokedAt || (old.expiresAt && old.expiresAt <= now)) {
    throw conflict('A revoked or expired key cannot be rotated; create a new one.');
  }
  const graceMs =
    input.gracePeriodHours === undefined || input.gracePeriodHours === null
      ? deps.settings.apiKeyRotationGraceMs
      : input.gracePeriodHours * 3_600_000;
  const graceEnd = new Date(now.getTime() + graceMs);
  const { key, prefix } = generateApiKey();
  const rotated = await deps.prisma.$transaction(async (tx) => {
    // Guarded on rotatedTo being empty, so two concurrent rotations cannot both succeed.
    const claimed = await tx.apiKey.updateMany({
      where: { id: old.id, revokedAt: null, rotatedTo: null },
      data: { expiresAt: old.expiresAt && old.expiresAt < graceEnd ? old.expiresAt : graceEnd },
    });
    if (claimed.count !== 1) throw conflict('This key has already been rotated.');
    const apiKey = await tx.apiKey.create({
      data: {
        organizationId: old.organizationId,
        name: old.name,
        scopes: old.scopes,
        prefix,
        secretHash: sha256Hex(key),
        createdById: user.id,
        expiresAt: null,
        rotatedFromId: old.id,
      },
    });
    const previous = await tx.apiKey.findUniqueOrThrow({ where: { id: old.id } });
    // The target is the key rotated; the new key is named by its id and prefix, never its secret.
    await recordAudit(tx, {
      organizationId: old.organizationId,
      actor,
      action: 'api_key.rotated',
      targetType: 'API_KEY',
      targetId: old.id,
      changes: {
        prefix: { from: old.prefix, to: apiKey.prefix },
        replacedById: { from: null, to: apiKey.id },
        expiresAt: {
          from: old.expiresAt?.toISOString() ?? null,
          to: previous.expiresAt?.toISOString() ?? null,
        },
      },
    });
    return { apiKey, secret: key, previous };
  });
  // The old key now expires: processes that trust it from a recent lookup look it up again.
  await deps.realtime.credentialsChanged({ kind: 'apiKey', apiKeyId: old.id });
  return rotated;
}

async function findManagedKey(deps: ServiceDeps, actor: Actor, id: string) {
  // API keys never manage keys, not even their own.
  actor.requireUser();
  const key = await deps.prisma.apiKey.findFirst({
    where: { id, organizationId: { in: actor.organizationIdsWith('apiKeys:manage') } },
  });
  if (!key) throw forbidden();
  return key;
}
