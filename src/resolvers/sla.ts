import { SlaAlertKind, SlaTarget } from '../generated/prisma/enums.js';
import { decodeIdOf } from '../kernel/global-id.js';
import type { SlaAlertEvent } from '../realtime/topics.js';
import * as sla from '../services/sla.js';
import { nameSchema } from '../services/validation.js';
import { builder } from './builder.js';
import { depsOf } from './deps.js';
import { ConversationPriorityEnum } from './enums.js';
import { conversationOwner, loadConversationOf } from './owner-relation.js';
import { scopeArgsOf, sharedKey, subscribeTo } from './subscription-helpers.js';
import { inOrganizationsWith } from './tenancy.js';
import { OrganizationMonitoringRef } from './monitoring.js';
import { paged } from './pagination.js';
import { z } from 'zod';

const SlaTargetEnum = builder.enumType(SlaTarget, { name: 'SlaTarget' });
const SlaAlertKindEnum = builder.enumType(SlaAlertKind, {
  name: 'SlaAlertKind',
  description: `WARNING at ${sla.WARNING_AT * 100} % of a target's time, BREACH at its deadline.`,
});

export const SlaPolicyNode = builder.prismaNode('SlaPolicy', {
  id: { field: 'id' },
  nullable: true,
  description:
    'Targets for conversations handed to humans; the most specific active policy (app service and priority, ' +
    'app service, priority, neither) applies.',
  findUnique: (id, ctx) => ({ id, ...inOrganizationsWith(ctx, 'organization:read') }),
  authScopes: (row) => ({ can: { organizationId: row.organizationId, permission: 'organization:read' } }),
  fields: (t) => ({
    name: t.exposeString('name'),
    appService: t.relation('appService', { nullable: true }),
    priority: t.expose('priority', { type: ConversationPriorityEnum, nullable: true }),
    firstResponseSeconds: t.exposeInt('firstResponseSeconds', { nullable: true }),
    nextResponseSeconds: t.exposeInt('nextResponseSeconds', { nullable: true }),
    resolutionSeconds: t.exposeInt('resolutionSeconds', { nullable: true }),
    businessHoursOnly: t.exposeBoolean('businessHoursOnly'),
    active: t.exposeBoolean('active'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

export const SlaAlertNode = builder.prismaNode('SlaAlert', {
  id: { field: 'id' },
  nullable: true,
  findUnique: (id, ctx) => ({ id, ...inOrganizationsWith(ctx, 'conversations:read') }),
  authScopes: (row) => ({ can: { organizationId: row.organizationId, permission: 'conversations:read' } }),
  fields: (t) => ({
    target: t.expose('target', { type: SlaTargetEnum }),
    kind: t.expose('kind', { type: SlaAlertKindEnum }),
    dueAt: t.expose('dueAt', { type: 'DateTime' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    policy: t.relation('policy', { nullable: true }),
    conversation: t.prismaField({
      type: 'Conversation',
      select: conversationOwner,
      resolve: loadConversationOf,
    }),
  }),
});

const seconds = () => sla.targetSecondsSchema.optional().nullable();

const CreateSlaPolicyInput = builder.inputType('CreateSlaPolicyInput', {
  fields: (t) => ({
    organizationId: t.id(),
    name: t.string({ validate: nameSchema }),
    appServiceId: t.id({ required: false, description: 'Absent: every app service.' }),
    priority: t.field({
      type: ConversationPriorityEnum,
      required: false,
      description: 'Absent: every priority.',
    }),
    firstResponseSeconds: t.int({ required: false, validate: seconds() }),
    nextResponseSeconds: t.int({ required: false, validate: seconds() }),
    resolutionSeconds: t.int({ required: false, validate: seconds() }),
    businessHoursOnly: t.boolean({
      required: false,
      description: "Count only the app service's business hours (default false: wall-clock time).",
    }),
    active: t.boolean({ required: false }),
  }),
});

const SlaReportRowRef = builder.objectRef<sla.SlaReportRow>('SlaReportRow').implement({
  fields: (t) => ({
    target: t.field({ type: SlaTargetEnum, resolve: (row) => row.target }),
    measured: t.exposeInt('measured', {
      description: 'Conversations escalated in the period under a policy with this target.',
    }),
    withinTarget: t.exposeInt('withinTarget', { description: 'Of those, the ones without a breach.' }),
    breaches: t.exposeInt('breaches'),
    withinTargetShare: t.float({
      nullable: true,
      description: 'withinTarget / measured, null when nothing was measured.',
      resolve: (row) => (row.measured ? row.withinTarget / row.measured : null),
    }),
  }),
});

builder.mutationFields((t) => ({
  createSlaPolicy: t.field({
    type: SlaPolicyNode,
    description: 'OWNER and ADMIN. Targets from 60 seconds to 30 days; at least one.',
    authScopes: { user: true },
    args: { input: t.arg({ type: CreateSlaPolicyInput }) },
    resolve: (_root, { input }, ctx) =>
      sla.createSlaPolicy(depsOf(ctx), ctx.actor, {
        ...input,
        organizationId: decodeIdOf('Organization', input.organizationId),
        appServiceId: input.appServiceId ? decodeIdOf('AppService', input.appServiceId) : null,
      }),
  }),
  deleteSlaPolicy: t.id({
    description: 'Returns the id of the deleted policy.',
    authScopes: { user: true },
    args: {
      input: t.arg({ type: builder.inputType('DeleteSlaPolicyInput', { fields: (f) => ({ id: f.id() }) }) }),
    },
    resolve: async (_root, { input }, ctx) => {
      await sla.deleteSlaPolicy(depsOf(ctx), ctx.actor, { id: decodeIdOf('SlaPolicy', input.id) });
      return input.id;
    },
  }),
}));

builder.prismaObjectFields('Organization', (t) => ({
  slaPolicies: t.relation('slaPolicies', {
    query: (_args, ctx) => ({
      where: inOrganizationsWith(ctx, 'organization:read'),
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: 200,
    }),
  }),
  // What slaAlert delivered live, kept: a team lead's view opened now still shows this morning's breaches.
  slaAlerts: t.relatedConnection('slaAlerts', {
    description: 'SLA warnings and breaches, newest first; since and kinds narrow them.',
    cursor: 'id',
    ...paged(20, 100),
    args: {
      since: t.arg({ type: 'DateTime', required: false }),
      kinds: t.arg({ type: [SlaAlertKindEnum], required: false, validate: z.array(z.string()).max(2) }),
    },
    query: (args, ctx) => ({
      where: {
        ...inOrganizationsWith(ctx, 'conversations:read'),
        ...(args.since ? { createdAt: { gte: args.since } } : {}),
        ...(args.kinds?.length ? { kind: { in: args.kinds } } : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    }),
  }),
}));

builder.objectField(OrganizationMonitoringRef, 'sla', (t) =>
  t.field({
    type: [SlaReportRowRef],
    description:
      'Per SLA target, over conversations escalated in the range: measured (under a policy with the target), ' +
      'within target (no breach) and breaches.',
    resolve: (block, _args, ctx) =>
      sla.slaReport(depsOf(ctx), block.organizationId, { from: block.from, to: block.to }),
  }),
);

builder.subscriptionField('slaAlert', (t) =>
  t.prismaField({
    type: SlaAlertNode,
    description: 'An SLA warning or breach on a conversation. Give organizationId or appServiceId.',
    args: { organizationId: t.arg.id({ required: false }), appServiceId: t.arg.id({ required: false }) },
    subscribe: (_root, args, ctx) =>
      subscribeTo(ctx, 'slaAlert', scopeArgsOf(args), {
        permissions: ['conversations:read'],
        scopes: ['organization', 'appService'],
      }),
    resolve: (query, event, _args, ctx) => {
      const { eventId, alertId } = event as unknown as SlaAlertEvent;
      return ctx.sharedLookup.get(sharedKey(eventId, query), () =>
        ctx.db.prisma.slaAlert.findUniqueOrThrow({ ...query, where: { id: alertId } }),
      );
    },
  }),
);
