import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import type { Context } from '../context.js';
import type { Permission } from '../auth/permissions.js';
import type PrismaTypes from '../generated/pothos-prisma-types.js';
import { getDatamodel } from '../generated/pothos-prisma-types.js';
import { forbidden } from '../services/errors.js';
import { decodeGlobalId, encodeGlobalId } from './global-id.js';

export interface AuthScopes {
  /** Any signed-in user or API key. */
  authenticated: boolean;
  /** A signed-in user (not an API key). */
  user: boolean;
  /** The actor holds this permission in this organization. */
  can: { organizationId: string; permission: Permission };
  /** The actor holds at least one of these permissions in this organization. */
  canAny: { organizationId: string; permissions: Permission[] };
}

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  AuthScopes: AuthScopes;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
    ID: { Input: string; Output: string };
  };
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: true;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  defaultFieldNullability: false,
  defaultInputFieldRequiredness: true,
  plugins: [ScopeAuthPlugin, ErrorsPlugin, ValidationPlugin, PrismaPlugin, RelayPlugin],
  scopeAuth: {
    authScopes: (ctx) => ({
      authenticated: ctx.actor.isAuthenticated,
      user: ctx.actor.kind === 'user',
      can: ({ organizationId, permission }) => ctx.actor.can(organizationId, permission),
      canAny: ({ organizationId, permissions }) =>
        permissions.some((permission) => ctx.actor.can(organizationId, permission)),
    }),
    unauthorizedError: () => forbidden(),
  },
  errors: { defaultTypes: [] },
  prisma: {
    client: (ctx) => ctx.db.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    filterConnectionTotalCount: true,
    onUnusedQuery: process.env.NODE_ENV === 'production' ? null : 'warn',
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    encodeGlobalID: encodeGlobalId,
    decodeGlobalID: decodeGlobalId,
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
  },
});

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('JSON', JSONResolver);

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
