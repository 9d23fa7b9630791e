// The audit log as GraphQL: Organization.auditLog (OWNER and ADMIN) and the AuditLogEntry node. Read-only:
// there is no mutation on entries, and the table refuses UPDATE and DELETE (src/services/audit-log.ts).
import { z } from 'zod';
import type { ApiKey, AuditLogEntry, User } from '../generated/prisma/client.js';
import { AuditActorKind } from '../generated/prisma/enums.js';
import type { Context } from '../graphql/context.js';
import { badInput } from '../kernel/errors.js';
import { decodeGlobalId, decodeIdOf, encodeGlobalId } from '../kernel/global-id.js';
import * as audit from '../services/audit-log.js';
import { ApiKeyNode } from './api-key.js';
import { builder } from './builder.js';
import { paged, pageSizeOf } from './pagination.js';
import { inOrganizationsWith } from './tenancy.js';
import { UserNode } from './user.js';

/** The node type each target type names (its targetId is that node's global id). */
const NODE_TYPE_OF: Record<audit.AuditTargetType, string> = {
  USER: 'User',
  API_KEY: 'ApiKey',
  HANDOFF_RULE: 'HandoffRule',
  TEAM: 'Team',
  SLA_POLICY: 'SlaPolicy',
  APP_SERVICE: 'AppService',
  CONVERSATION: 'Conversation',
  EXPORT: 'Export',
  ORGANIZATION: 'Organization',
};

const AuditActorKindEnum = builder.enumType(AuditActorKind, {
  name: 'AuditActorKind',
  description:
    'USER: a signed-in user; API_KEY: an integrator key; SYSTEM: the platform (routing, schedules).',
});

const AuditTargetTypeEnum = builder.enumType('AuditTargetType', {
  description: 'What an audit entry is about; its targetId is the global id of a node of that type.',
  values: audit.auditTargetTypes,
});

/**
 * The users and keys named by the entries of one page, looked up once for the page (one statement each, and
 * only when asked for); a user counts as "still there" while they are a member of the organization.
 */
interface ActorLookups {
  users(): Promise<Map<string, User>>;
  apiKeys(): Promise<Map<string, ApiKey>>;
}
const lookupsOfEntry = new WeakMap<AuditLogEntry, ActorLookups>();

function actorLookups(ctx: Context, entries: readonly AuditLogEntry[]): ActorLookups {
  let users: Promise<Map<string, User>> | undefined;
  let apiKeys: Promise<Map<string, ApiKey>> | undefined;
  const idsOf = (key: 'actorUserId' | 'actorApiKeyId') => [
    ...new Set(entries.flatMap((entry) => (entry[key] ? [entry[key]] : []))),
  ];
  const lookups: ActorLookups = {
    users: () =>
      (users ??= ctx.deps.prisma.user
        .findMany({
          where: {
            id: { in: idsOf('actorUserId') },
            memberships: { some: inOrganizationsWith(ctx, 'auditLog:read') },
          },
        })
        .then((rows) => new Map(rows.map((row) => [row.id, row])))),
    apiKeys: () =>
      (apiKeys ??= ctx.deps.prisma.apiKey
        .findMany({
          where: { id: { in: idsOf('actorApiKeyId') }, ...inOrganizationsWith(ctx, 'auditLog:read') },
        })
        .then((rows) => new Map(rows.map((row) => [row.id, row])))),
  };
  for (const entry of entries) lookupsOfEntry.set(entry, lookups);
  return lookups;
}

const lookupsFor = (ctx: Context, entry: AuditLogEntry) =>
  lookupsOfEntry.get(entry) ?? actorLookups(ctx, [entry]);

const AuditActorRef = builder.objectRef<AuditLogEntry>('AuditActor').implement({
  description: 'Who did it, as recorded at the time.',
  fields: (t) => ({
    kind: t.field({ type: AuditActorKindEnum, resolve: (entry) => entry.actorKind }),
    label: t.string({
      description: "The user's email, the key's prefix, or the job's name, as they were: it outlives them.",
      resolve: (entry) => entry.actorLabel,
    }),
    user: t.field({
      type: UserNode,
      nullable: true,
      description: 'The user, while they are still a member of the organization.',
      resolve: async (entry, _args, ctx) =>
        entry.actorUserId ? ((await lookupsFor(ctx, entry).users()).get(entry.actorUserId) ?? null) : null,
    }),
    apiKey: t.field({
      type: ApiKeyNode,
      nullable: true,
      description: 'The key, while it exists.',
      resolve: async (entry, _args, ctx) =>
        entry.actorApiKeyId
          ? ((await lookupsFor(ctx, entry).apiKeys()).get(entry.actorApiKeyId) ?? null)
          : null,
    }),
  }),
});

export const AuditLogEntryNode = builder.prismaNode('AuditLogEntry', {
  id: { field: 'id' },
  nullable: true,
  description: 'Who did what, when: one append-only record of the audit log (never editable).',
  findUnique: (id, ctx) => ({ id, ...inOrganizationsWith(ctx, 'auditLog:read') }),
  authScopes: (row) => ({ can: { organizationId: row.organizationId, permission: 'auditLog:read' } }),
  fields: (t) => ({
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    actor: t.field({ type: AuditActorRef, resolve: (entry) => entry }),
    action: t.exposeString('action', {
      description: `\`<target>.<verb>\`: ${audit.auditActions.join(', ')}.`,
    }),
    targetType: t.field({
      type: AuditTargetTypeEnum,
      resolve: (entry) => entry.targetType as audit.AuditTargetType,
    }),
    targetId: t.id({
      description: 'The global id of the target (it may no longer exist).',
      resolve: (entry) =>
        encodeGlobalId(
          NODE_TYPE_OF[entry.targetType as audit.AuditTargetType] ?? entry.targetType,
          entry.targetId,
        ),
    }),
    changes: t.expose('changes', {
      type: 'JSON',
      nullable: true,
      description: '{ field: { from, to } } of the fields that changed; never secrets.',
    }),
    requestId: t.exposeString('requestId', {
      nullable: true,
      description: 'The x-request-id of the request that made the change; null for jobs.',
    }),
  }),
});

const AuditLogFilterInput = builder.inputType('AuditLogFilter', {
  fields: (t) => ({
    actions: t.stringList({
      required: false,
      description: 'Any of these action codes.',
      validate: z.array(z.string().max(60)).max(audit.AUDIT_FILTER_MAX_ACTIONS),
    }),
    actorUserId: t.id({ required: false, description: 'Done by this user.' }),
    targetType: t.field({ type: AuditTargetTypeEnum, required: false }),
    targetId: t.id({ required: false, description: 'About this node (any target type).' }),
    since: t.field({ type: 'DateTime', required: false, description: 'At or after.' }),
    until: t.field({ type: 'DateTime', required: false, description: 'Before.' }),
  }),
});

type FilterArg = typeof AuditLogFilterInput.$inferInput;

function toAuditFilter(filter: FilterArg | null | undefined): audit.AuditLogFilter | null {
  if (!filter) return null;
  let targetType = filter.targetType ?? null;
  let targetId: string | null = null;
  if (filter.targetId) {
    const decoded = decodeGlobalId(String(filter.targetId));
    const type = (Object.keys(NODE_TYPE_OF) as audit.AuditTargetType[]).find(
      (key) => NODE_TYPE_OF[key] === decoded.typename,
    );
    if (!type || (targetType && targetType !== type))
      throw badInput('targetId is not an id of an audited type (or not of targetType).');
    targetType = type;
    targetId = decoded.id;
  }
  return {
    actions: filter.actions ?? null,
    actorUserId: filter.actorUserId ? decodeIdOf('User', String(filter.actorUserId)) : null,
    targetType,
    targetId,
    since: filter.since ?? null,
    until: filter.until ?? null,
  };
}

const page = paged(audit.AUDIT_PAGE_DEFAULT, audit.AUDIT_PAGE_MAX);

builder.prismaObjectFields('Organization', (t) => ({
  auditLog: t.connection(
    {
      type: AuditLogEntryNode,
      description:
        'Who did what in the organization, newest first: members and roles, API keys, handoff rules, teams, ' +
        'SLA policies, business hours, takeovers, assignments, transfers, status changes, exports. OWNER and ' +
        `ADMIN only (FORBIDDEN otherwise, API keys included). \`first\` at most ${audit.AUDIT_PAGE_MAX}; ` +
        '`after` pages on.',
      complexity: page.complexity,
      args: { filter: t.arg({ type: AuditLogFilterInput, required: false }) },
      resolve: async (organization, args, ctx) => {
        if (args.last != null || args.before != null)
          throw badInput('The audit log pages forward only: use first and after.');
        const result = await audit.listAuditLog(ctx.deps, ctx.actor, {
          organizationId: organization.id,
          filter: toAuditFilter(args.filter),
          first: pageSizeOf(args, page.defaultSize, page.maxSize),
          after: args.after ?? null,
        });
        actorLookups(ctx, result.entries);
        const edges = result.entries.map((entry) => ({ cursor: audit.auditCursorOf(entry), node: entry }));
        return {
          edges,
          pageInfo: {
            hasNextPage: result.hasNextPage,
            hasPreviousPage: false,
            startCursor: edges[0]?.cursor ?? null,
            endCursor: edges.at(-1)?.cursor ?? null,
          },
        };
      },
    },
    { name: 'AuditLogConnection' },
    { name: 'AuditLogEdge' },
  ),
}));
