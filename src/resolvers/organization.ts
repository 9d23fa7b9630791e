import { decodeIdOf } from '../kernel/global-id.js';
import { conversationFilterWhere, inboxOrder } from '../services/conversations.js';
import { escalationFilterWhere, unacknowledgedWhere } from '../services/escalations.js';
import { followUpOrder, followUpsWhere } from '../services/events.js';
import { modelUsageSummary } from '../services/model-usage.js';
import * as monitoring from '../services/monitoring.js';
import * as organizations from '../services/organizations.js';
import * as reports from '../services/reports.js';
import { nameSchema, toJsonObject } from '../services/validation.js';
import { builder } from './builder.js';
import { ConversationFilterInput, toConversationFilter } from './conversation-filter.js';
import { depsOf } from './deps.js';
import { MembershipRoleEnum } from './enums.js';
import { EscalationFilterInput } from './escalation.js';
import { MembershipObject } from './membership.js';
import { ModelUsageTotalObject } from './model-usage.js';
import { OrganizationMonitoringRef } from './monitoring.js';
import { paged } from './pagination.js';
import { ReportDimensionEnum, ReportRangeInput, ReportRef } from './report.js';
import { inOrganizationsWith, organizationsWith } from './tenancy.js';

/**
 * A business (tenant). Every field of Organization is defined here, including the lists of what it owns
 * (escalations, notifications, follow-ups, webhook endpoints, canned responses) and its figures
 * (monitoring, modelUsage); the types those return live in their own files.
 */
export const OrganizationNode = builder.prismaNode('Organization', {
  id: { field: 'id' },
  nullable: true,
  findUnique: (id, ctx) => ({
    id,
    AND: [organizationsWith(ctx, 'organization:read')],
  }),
  authScopes: (org) => ({ can: { organizationId: org.id, permission: 'organization:read' } }),
  fields: (t) => ({
    name: t.exposeString('name'),
    active: t.exposeBoolean('active'),
    timezone: t.exposeString('timezone', { description: 'The IANA time zone its reports count days in.' }),
    metaData: t.expose('metaData', { type: 'JSON', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    viewerRole: t.field({
      type: MembershipRoleEnum,
      nullable: true,
      description: "The signed-in user's role here; null for API keys.",
      resolve: (org, _args, ctx) => ctx.actor.roleIn(org.id),
    }),
    appServices: t.relatedConnection('appServices', {
      cursor: 'id',
      ...paged(20, 100),
      totalCount: true,
      query: (_args, ctx) => ({
        where: inOrganizationsWith(ctx, 'organization:read'),
        orderBy: { name: 'asc' },
      }),
    }),
    conversations: t.relatedConnection('conversations', {
      description: 'Every conversation of the organization, most recent activity first.',
      cursor: 'id',
      ...paged(20, 100),
      totalCount: true,
      args: { filter: t.arg({ type: ConversationFilterInput, required: false }) },
      query: (args, ctx) => ({
        where: {
          ...inOrganizationsWith(ctx, 'conversations:read'),
          ...conversationFilterWhere(toConversationFilter(args.filter)),
        },
        orderBy: inboxOrder,
      }),
    }),
    agents: t.relatedConnection('agents', {
      cursor: 'id',
      ...paged(50, 100),
      totalCount: true,
      query: (_args, ctx) => ({
        where: inOrganizationsWith(ctx, 'organization:read'),
        orderBy: { name: 'asc' },
      }),
    }),
    members: t.relatedConnection('memberships', {
      description: 'Memberships (users and their roles); empty for API keys.',
      cursor: 'id',
      ...paged(50, 100),
      totalCount: true,
      query: (_args, ctx) => ({
        where: inOrganizationsWith(ctx, 'members:read'),
        orderBy: { createdAt: 'asc' },
      }),
    }),
    apiKeys: t.relatedConnection('apiKeys', {
      description: 'Integrator keys; visible to OWNER and ADMIN only.',
      cursor: 'id',
      ...paged(50, 100),
      totalCount: true,
      query: (_args, ctx) => ({
        where: inOrganizationsWith(ctx, 'apiKeys:manage'),
        orderBy: { createdAt: 'desc' },
      }),
    }),
    escalations: t.relatedConnection('escalations', {
      description: 'Escalations of every app service, newest first.',
      cursor: 'id',
      ...paged(20, 100),
      totalCount: true,
      args: { filter: t.arg({ type: EscalationFilterInput, required: false }) },
      query: (args, ctx) => ({
        where: {
          ...inOrganizationsWith(ctx, 'conversations:read'),
          ...escalationFilterWhere(
            args.filter
              ? {
                  ...args.filter,
                  appServiceId: args.filter.appServiceId
                    ? decodeIdOf('AppService', args.filter.appServiceId)
                    : null,
                  appServiceIds:
                    args.filter.appServiceIds?.map((id) => decodeIdOf('AppService', String(id))) ?? null,
                }
              : null,
          ),
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      }),
    }),
    unacknowledgedEscalations: t.int({
      description:
        "Escalations the business was notified of and nobody acknowledged yet (the queue's badge); with " +
        'appServiceIds, of those app services only.',
      args: { appServiceIds: t.arg.idList({ required: false }) },
      resolve: (organization, args, ctx) =>
        ctx.actor.can(organization.id, 'conversations:read')
          ? ctx.deps.prisma.escalation.count({
              where: unacknowledgedWhere({
                organizationId: organization.id,
                ...(args.appServiceIds?.length
                  ? {
                      conversation: {
                        appServiceId: {
                          in: args.appServiceIds.map((id) => decodeIdOf('AppService', String(id))),
                        },
                      },
                    }
                  : {}),
              }),
            })
          : 0,
    }),
    notifications: t.relatedConnection('notifications', {
      description: 'Dashboard notifications, newest first; totalCount with unreadOnly is the unread badge.',
      cursor: 'id',
      ...paged(20, 100),
      totalCount: true,
      args: { unreadOnly: t.arg.boolean({ required: false }) },
      query: (args, ctx) => ({
        where: {
          ...inOrganizationsWith(ctx, 'conversations:read'),
          ...(args.unreadOnly ? { readAt: null } : {}),
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      }),
    }),
    followUps: t.relatedConnection('followUps', {
      description:
        'Follow-ups soonest first: open ones unless `includeDone`, and with `dueBefore` only those due before it.',
      cursor: 'eventId',
      ...paged(20, 100),
      totalCount: true,
      args: {
        dueBefore: t.arg({ type: 'DateTime', required: false }),
        includeDone: t.arg.boolean({ required: false }),
      },
      query: (args, ctx) => ({
        where: { ...inOrganizationsWith(ctx, 'conversations:read'), ...followUpsWhere(args) },
        orderBy: followUpOrder,
      }),
    }),
    webhookEndpoints: t.relatedConnection('webhookEndpoints', {
      description: 'Webhook endpoints; visible to OWNER and ADMIN only.',
      cursor: 'id',
      ...paged(20, 100),
      totalCount: true,
      query: (_args, ctx) => ({
        where: inOrganizationsWith(ctx, 'appServices:manage'),
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      }),
    }),
    teams: t.relation('teams', {
      description: 'Teams, by name.',
      query: (_args, ctx) => ({
        where: inOrganizationsWith(ctx, 'organization:read'),
        orderBy: { name: 'asc' },
        take: 500,
      }),
    }),
    handoffRules: t.relation('handoffRules', {
      description: 'Handoff rules in the order they are tried; OWNER and ADMIN only.',
      query: (_args, ctx) => ({
        where: inOrganizationsWith(ctx, 'agents:manage'),
        orderBy: [{ priority: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }],
        take: 200,
      }),
    }),
    cannedResponses: t.relatedConnection('cannedResponses', {
      description: 'Saved replies, by short code; `search` matches the short code or the text.',
      cursor: 'id',
      ...paged(50, 200),
      totalCount: true,
      args: { search: t.arg.string({ required: false }) },
      query: (args, ctx) => ({
        where: {
          ...inOrganizationsWith(ctx, 'conversations:work'),
          ...(args.search
            ? {
                OR: [
                  { shortCode: { contains: args.search, mode: 'insensitive' as const } },
                  { content: { contains: args.search, mode: 'insensitive' as const } },
                ],
              }
            : {}),
        },
        orderBy: { shortCode: 'asc' },
      }),
    }),
    monitoring: t.field({
      type: OrganizationMonitoringRef,
      description: 'Monitoring figures summed over the app services, over [from, to). Needs ANALYTICS_READ.',
      args: { from: t.arg({ type: 'DateTime' }), to: t.arg({ type: 'DateTime' }) },
      resolve: (organization, args, ctx) =>
        monitoring.organizationMonitoring(ctx.db.prisma, ctx.actor, {
          organizationId: organization.id,
          ...args,
        }),
    }),
    report: t.field({
      type: ReportRef,
      description:
        "Per agent, team and label over local days in the organization's time zone (two statements). Needs ANALYTICS_READ.",
      args: {
        range: t.arg({ type: ReportRangeInput }),
        dimensions: t.arg({ type: [ReportDimensionEnum], required: false }),
      },
      resolve: (organization, args, ctx) =>
        reports.organizationReport({ prisma: ctx.db.prisma }, ctx.actor, {
          organizationId: organization.id,
          from: args.range.from,
          to: args.range.to,
          dimensions: args.dimensions ?? null,
        }),
    }),
    modelUsage: t.field({
      type: [ModelUsageTotalObject],
      description:
        'Token usage of the language model between `from` (included) and `to` (excluded), per model and purpose; empty without analytics access.',
      args: {
        from: t.arg({ type: 'DateTime', required: true }),
        to: t.arg({ type: 'DateTime', required: true }),
      },
      resolve: (org, args, ctx) =>
        ctx.actor.can(org.id, 'analytics:read')
          ? modelUsageSummary(ctx.db.prisma, ctx.actor, {
              organizationId: org.id,
              from: args.from,
              to: args.to,
            })
          : [],
    }),
  }),
});

const CreateOrganizationInput = builder.inputType('CreateOrganizationInput', {
  fields: (t) => ({ name: t.string({ validate: nameSchema }) }),
});

const CreateOrganizationPayload = builder
  .objectRef<Awaited<ReturnType<typeof organizations.createOrganization>>>('CreateOrganizationPayload')
  .implement({
    fields: (t) => ({
      organization: t.field({ type: OrganizationNode, resolve: (payload) => payload.organization }),
      membership: t.field({ type: MembershipObject, resolve: (payload) => payload.membership }),
    }),
  });

builder.mutationField('createOrganization', (t) =>
  t.field({
    type: CreateOrganizationPayload,
    description: 'Creates a business; the creator becomes its OWNER and gets an agent profile.',
    authScopes: { user: true },
    args: { input: t.arg({ type: CreateOrganizationInput }) },
    resolve: (_root, { input }, ctx) => organizations.createOrganization(depsOf(ctx), ctx.actor, input),
  }),
);

const UpdateOrganizationInput = builder.inputType('UpdateOrganizationInput', {
  fields: (t) => ({
    organizationId: t.id(),
    name: t.string({ required: false, validate: nameSchema.optional() }),
    metaData: t.field({ type: 'JSON', required: false }),
    timezone: t.string({ required: false, description: 'An IANA time zone such as Asia/Dubai.' }),
  }),
});

builder.mutationField('updateOrganization', (t) =>
  t.field({
    type: OrganizationNode,
    authScopes: { user: true },
    args: { input: t.arg({ type: UpdateOrganizationInput }) },
    resolve: (_root, { input }, ctx) =>
      organizations.updateOrganization(depsOf(ctx), ctx.actor, {
        organizationId: decodeIdOf('Organization', input.organizationId),
        name: input.name,
        metaData: toJsonObject(input.metaData),
        timezone: input.timezone,
      }),
  }),
);
