import { z } from 'zod';
import { isApiKeyScope } from '../auth/permissions.js';
import * as apiKeys from '../services/api-keys.js';
import { nameSchema } from '../services/validation.js';
import { builder } from './builder.js';
import { depsOf } from './deps.js';
import { decodeIdOf } from '../kernel/global-id.js';
import { inOrganizationsWith } from './tenancy.js';
import { loadOrganizationOf, organizationOwner } from './owner-relation.js';

const ApiKeyScopeEnum = builder.enumType('ApiKeyScope', {
  description: 'What an integrator key may do inside its organization.',
  values: {
    MESSAGES_WRITE: { value: 'messages:write', description: 'Ingest messages.' },
    EVENTS_WRITE: { value: 'events:write', description: 'Record business events.' },
    CONVERSATIONS_READ: {
      value: 'conversations:read',
      description: 'Read conversations, messages, contacts.',
    },
    CONVERSATIONS_WRITE: {
      value: 'conversations:write',
      description:
        'Set labels and priority of conversations (addLabels, removeLabels, setConversationPriority).',
    },
    ANALYTICS_READ: { value: 'analytics:read', description: 'Read analyses and monitoring.' },
  } as const,
});

const ApiKeyStatusEnum = builder.enumType('ApiKeyStatus', {
  values: ['ACTIVE', 'REVOKED', 'EXPIRED'] as const,
});

/** An integrator's key. The secret itself is never readable: only at creation or rotation. */
export const ApiKeyNode = builder.prismaNode('ApiKey', {
  id: { field: 'id' },
  nullable: true,
  findUnique: (id, ctx) => ({ id, ...inOrganizationsWith(ctx, 'apiKeys:manage') }),
  authScopes: (row, ctx) => ({
    $any: {
      can: { organizationId: row.organizationId, permission: 'apiKeys:manage' },
      // A key may see its own record through `viewer.apiKey`.
      authenticated: ctx.actor.apiKey?.id === row.id,
    },
  }),
  fields: (t) => ({
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix', { description: 'The visible start of the key, e.g. cik_3f9a1c2b7d4e.' }),
    scopes: t.field({
      type: [ApiKeyScopeEnum],
      resolve: (key) => key.scopes.filter(isApiKeyScope),
    }),
    status: t.field({
      type: ApiKeyStatusEnum,
      resolve: (key) =>
        key.revokedAt ? 'REVOKED' : key.expiresAt && key.expiresAt <= new Date() ? 'EXPIRED' : 'ACTIVE',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastUsedAt: t.expose('lastUsedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Updated at most once a minute.',
    }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    createdBy: t.relation('createdBy', { nullable: true }),
    // Up the ownership tree: a statement of its own (owner-relation.ts).
    organization: t.prismaField({
      type: 'Organization',
      select: organizationOwner,
      resolve: loadOrganizationOf,
    }),
    rotatedFrom: t.relation('rotatedFrom', { nullable: true }),
  }),
});

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  fields: (t) => ({
    organizationId: t.id(),
    name: t.string({ validate: nameSchema }),
    scopes: t.field({
      type: [ApiKeyScopeEnum],
      validate: z.array(z.string()).min(1, 'needs at least one scope'),
    }),
    expiresAt: t.field({ type: 'DateTime', required: false }),
  }),
});

const ApiKeySecretPayload = builder
  .objectRef<{ apiKey: Awaited<ReturnType<typeof apiKeys.createApiKey>>['apiKey']; secret: string }>(
    'ApiKeySecretPayload',
  )
  .implement({
    description: 'A key and its secret. The secret is shown this once; store it now.',
    fields: (t) => ({
      apiKey: t.field({ type: ApiKeyNode, resolve: (payload) => payload.apiKey }),
      secret: t.exposeString('secret'),
    }),
  });

builder.mutationField('createApiKey', (t) =>
  t.field({
    type: ApiKeySecretPayload,
    description: 'Creates an integrator key (ADMIN or OWNER).',
    authScopes: { user: true },
    args: { input: t.arg({ type: CreateApiKeyInput }) },
    resolve: (_root, { input }, ctx) =>
      apiKeys.createApiKey(depsOf(ctx), ctx.actor, {
        ...input,
        organizationId: decodeIdOf('Organization', input.organizationId),
      }),
  }),
);

const ApiKeyIdInput = builder.inputType('RevokeApiKeyInput', { fields: (t) => ({ id: t.id() }) });

builder.mutationField('revokeApiKey', (t) =>
  t.field({
    type: ApiKeyNode,
    description: 'Stops a key at once. Revoking twice is harmless.',
    authScopes: { user: true },
    args: { input: t.arg({ type: ApiKeyIdInput }) },
    resolve: (_root, { input }, ctx) =>
      apiKeys.revokeApiKey(depsOf(ctx), ctx.actor, { id: decodeIdOf('ApiKey', input.id) }),
  }),
);

const RotateApiKeyInput = builder.inputType('RotateApiKeyInput', {
  fields: (t) => ({
    id: t.id(),
    gracePeriodHours: t.float({
      required: false,
      description: 'How long the old key keeps working (default API_KEY_ROTATION_GRACE_HOURS, 24).',
      validate: z.number().min(0).max(720),
    }),
  }),
});

const RotateApiKeyPayload = builder
  .objectRef<Awaited<ReturnType<typeof apiKeys.rotateApiKey>>>('RotateApiKeyPayload')
  .implement({
    fields: (t) => ({
      apiKey: t.field({ type: ApiKeyNode, resolve: (payload) => payload.apiKey }),
      secret: t.exposeString('secret', { description: 'The new secret, shown this once.' }),
      previousKey: t.field({
        type: ApiKeyNode,
        description: 'The old key, now expiring at the end of the grace period.',
        resolve: (payload) => payload.previous,
      }),
    }),
  });

builder.mutationField('rotateApiKey', (t) =>
  t.field({
    type: RotateApiKeyPayload,
    description: 'Issues a new secret with the same name and scopes; the old one works for a grace period.',
    authScopes: { user: true },
    args: { input: t.arg({ type: RotateApiKeyInput }) },
    resolve: (_root, { input }, ctx) =>
      apiKeys.rotateApiKey(depsOf(ctx), ctx.actor, {
        id: decodeIdOf('ApiKey', input.id),
        gracePeriodHours: input.gracePeriodHours,
      }),
  }),
);
