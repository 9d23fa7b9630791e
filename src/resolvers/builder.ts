/**
 * The Pothos schema builder: the GraphQL edge of the services.
 *
 * Read authorization lives in this layer, the resolvers; it alone decides what a read returns:
 *  - rows: each node's `findUnique` and the schema's connections and lists filter by the organizations where
 *    the actor holds the permission (tenancy.ts), so another tenant's rows are never read;
 *  - objects: each tenant-owned object type states the permission to see it (`authScopes` with `can` or
 *    `canAny`, below; ContactIdentifier is reached only through its Contact), checked on each object
 *    returned whatever the path to it (payload, subscription, relation); subscriptions also check when they
 *    start (subscription-helpers.ts);
 *  - fields behind a further permission (analytics, staff contact details) answer null or empty without it.
 * Why here: only the GraphQL layer knows a read's shape (which relations, how deep), and a check per type
 * covers every path to it. Services authorize writes (`actor.assertCan`); the two that compute figures
 * (monitoring, model usage) check analytics:read again because they also run without a resolver in front.
 */
import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import { getNamedType, isLeafType, isListType, isNonNullType } from 'graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import type { Context } from '../graphql/context.js';
import type { Permission } from '../auth/permissions.js';
import type PrismaTypes from '../generated/pothos-prisma-types.js';
import { getDatamodel } from '../generated/pothos-prisma-types.js';
import { forbidden, unauthenticated } from '../kernel/errors.js';
import { decodeGlobalId, encodeGlobalId } from '../kernel/global-id.js';

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

/** The builder's type parameters, for helpers that take one of its field builders. */
export interface BuilderTypes {
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
}

export const builder = new SchemaBuilder<BuilderTypes>({
  defaultFieldNullability: false,
  defaultInputFieldRequiredness: true,
  plugins: [ScopeAuthPlugin, ComplexityPlugin, ErrorsPlugin, ValidationPlugin, PrismaPlugin, RelayPlugin],
  // The cost model of the operation limits (src/graphql/operation-limits.ts), GitHub's node limit: the
  // objects an operation may load. An object field costs 1, a scalar nothing; a connection multiplies what
  // is under it by its page size (paged()), any other list of objects by 10. The limits themselves are
  // checked in validation, before anything runs, not here.
  complexity: {
    fieldComplexity: (_args, _ctx, field) => {
      if (isLeafType(getNamedType(field.type))) return 0;
      const type = isNonNullType(field.type) ? field.type.ofType : field.type;
      return isListType(type) ? { field: 1, multiplier: 10 } : 1;
    },
  },
  scopeAuth: {
    authScopes: (ctx) => ({
      authenticated: ctx.actor.isAuthenticated,
      user: ctx.actor.kind === 'user',
      can: ({ organizationId, permission }) => ctx.actor.can(organizationId, permission),
      canAny: ({ organizationId, permissions }) =>
        permissions.some((permission) => ctx.actor.can(organizationId, permission)),
    }),
    // Nobody signed in: say so (UNAUTHENTICATED), rather than that the caller lacks a permission.
    unauthorizedError: (_parent, ctx) => (ctx.actor.isAuthenticated ? forbidden() : unauthenticated()),
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
    // The connection's page size already multiplies its edges (paged()).
    edgesFieldOptions: { nullable: false, complexity: { field: 0, multiplier: 1 } },
    // Replaced by our own `nodes` (resolvers/node.ts): a malformed id there is null, not the whole answer.
    nodesQueryOptions: false,
    nodeFieldOptions: { nullable: false },
  },
});

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('JSON', JSONResolver);

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
