import { z } from 'zod';
import { unacknowledgedWhere } from '../services/escalations.js';
import { messageTemplateSchema } from '../services/handoff.js';
import { BusinessHoursInput, BusinessHoursRef, hoursField, hoursOf } from './business-hours.js';
import * as appServices from '../services/app-services.js';
import * as monitoring from '../services/monitoring.js';
import { sentimentReport } from '../services/sentiment-report.js';
import { outboundWhere, REPLY_LENGTH_LIMITS } from '../services/outbound-messages.js';
import { conversationFilterWhere, inboxOrder } from '../services/conversations.js';
import {
  externalIdSchema,
  limits,
  nameSchema,
  phoneSchema,
  timezoneSchema,
  webhookUrlSchema,
  emailSchema,
} from '../services/validation.js';
import type { InputFieldBuilder } from '@pothos/core';
import { builder, type BuilderTypes } from './builder.js';
import { ConversationFilterInput, toConversationFilter } from './conversation-filter.js';
import { CsatSurveyInput, CsatSurveySettingsRef, csatSettingsField, csatSurveyOf } from './csat.js';
import { depsOf } from './deps.js';
import { ChannelEnum, EscalationTypeEnum } from './enums.js';
import { decodeIdOf } from '../kernel/global-id.js';
import { MonitoringBucketRef, MonitoringIntervalEnum, MonitoringRef } from './monitoring.js';
import { inOrganizationsWith } from './tenancy.js';
import { paged } from './pagination.js';
import { loadOrganizationOf, organizationOwner } from './owner-relation.js';
import { SentimentReportObject } from './sentiment.js';

/** Every field of AppService is here, its monitoring and sentiment figures too (their types: monitoring.ts, sentiment.ts). */
export const AppServiceNode = builder.prismaNode('AppService', {
  id: { field: 'id' },
  nullable: true,
  description: 'One bot deployment of an organization on one channel.',
  findUnique: (id, ctx) => ({ id, ...inOrganizationsWith(ctx, 'organization:read') }),
  authScopes: (row) => ({ can: { organizationId: row.organizationId, permission: 'organization:read' } }),
  fields: (t) => ({
    name: t.exposeString('name'),
    channel: t.expose('channel', { type: ChannelEnum }),
    externalId: t.exposeString('externalId', { nullable: true, description: 'Phone number, page id…' }),
    botEnabled: t.exposeBoolean('botEnabled'),
    timezone: t.exposeString('timezone'),
    notificationWhatsappNumbers: t.exposeStringList('notificationWhatsappNumbers'),
    notificationEmails: t.exposeStringList('notificationEmails'),
    notificationWebhookUrls: t.exposeStringList('notificationWebhookUrls'),
    enabledEscalationTypes: t.expose('enabledEscalationTypes', { type: [EscalationTypeEnum] }),
    escalationCooldownMinutes: t.exposeInt('escalationCooldownMinutes'),
    autoAssignOnEscalation: t.exposeBoolean('autoAssignOnEscalation'),
    topicLabels: t.exposeBoolean('topicLabels', {
      description:
        "Detected topics are added to conversations' labels (routing matches agents' topics with them).",
    }),
    autoResolveMinutes: t.exposeInt('autoResolveMinutes', {
      description: 'Conversations with no message for this many minutes are resolved; 0: never.',
    }),
    businessHours: t.field({
      type: BusinessHoursRef,
      nullable: true,
      description: 'Outside them, handoffs queue; null: always open.',
      select: { businessHours: true },
      resolve: (appService) => hoursField(appService.businessHours),
    }),
    unacknowledgedEscalations: t.int({
      description:
        'Escalations of this app service the business was notified of and nobody acknowledged yet.',
      select: { id: true, organizationId: true },
      resolve: (appService, _args, ctx) =>
        ctx.actor.can(appService.organizationId, 'conversations:read')
          ? ctx.deps.prisma.escalation.count({
              where: unacknowledgedWhere({
                organizationId: appService.organizationId,
                conversation: { appServiceId: appService.id },
              }),
            })
          : 0,
    }),
    maxReplyLength: t.int({
      description:
        'The longest public agent reply its channel delivers, in characters (WhatsApp 4,096); longer ones are refused.',
      select: { channel: true },
      resolve: (appService) => REPLY_LENGTH_LIMITS[appService.channel],
    }),
    outOfOfficeMessage: t.exposeString('outOfOfficeMessage', {
      nullable: true,
      description: 'Sent once per conversation when a handoff finds the hours closed.',
    }),
    csatSurvey: t.field({
      type: CsatSurveySettingsRef,
      nullable: true,
      description: 'The satisfaction survey after resolutions; null: none.',
      select: { csatSurvey: true },
      resolve: (appService) => csatSettingsField(appService.csatSurvey),
    }),
    autoResolveHeld: t.exposeBoolean('autoResolveHeld', {
      description: 'Auto-resolve also conversations an agent holds (ASSIGNED, PENDING).',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    // Up the ownership tree: a statement of its own (owner-relation.ts).
    organization: t.prismaField({
      type: 'Organization',
      select: organizationOwner,
      resolve: loadOrganizationOf,
    }),
    conversations: t.relatedConnection('conversations', {
      description: 'The inbox: most recent activity first.',
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
    outbox: t.relatedConnection('messages', {
      description:
        'Agent replies (and handoff messages, sender SYSTEM) to deliver to customers, oldest first, until acknowledged (acknowledgeOutboundMessages). ' +
        'Private notes never appear. Readable with MESSAGES_WRITE or CONVERSATIONS_READ.',
      cursor: 'id',
      ...paged(50, 200),
      totalCount: true,
      query: (_args, ctx) => ({
        where: outboundWhere(ctx.actor),
        orderBy: [{ sentAt: 'asc' }, { id: 'asc' }],
      }),
    }),
    monitoring: t.field({
      type: MonitoringRef,
      description: 'Monitoring figures over [from, to) (at most 366 days). Needs ANALYTICS_READ.',
      args: { from: t.arg({ type: 'DateTime' }), to: t.arg({ type: 'DateTime' }) },
      resolve: (appService, args, ctx) =>
        monitoring.monitoringBlock(ctx.db.prisma, ctx.actor, { appServiceId: appService.id, ...args }),
    }),
    monitoringSeries: t.field({
      type: [MonitoringBucketRef],
      description: 'The figures per UTC bucket over [from, to), empty buckets as zeros.',
      args: {
        from: t.arg({ type: 'DateTime' }),
        to: t.arg({ type: 'DateTime' }),
        interval: t.arg({ type: MonitoringIntervalEnum }),
      },
      resolve: (appService, args, ctx) =>
        monitoring.monitoringSeries(ctx.db.prisma, ctx.actor, { appServiceId: appService.id, ...args }),
    }),
    // Analytics are not organization:read: without analytics:read the report is null, not an error.
    sentimentReport: t.field({
      type: SentimentReportObject,
      nullable: true,
      description:
        'Sentiment of the hour windows inside [from, to) (at most 366 days); null without analytics access.',
      args: { from: t.arg({ type: 'DateTime' }), to: t.arg({ type: 'DateTime' }) },
      select: { organizationId: true },
      resolve: (appService, args, ctx) =>
        ctx.actor.can(appService.organizationId, 'analytics:read')
          ? sentimentReport(ctx.db.prisma, appService.id, args)
          : null,
    }),
  }),
});

const listOf = <T extends z.ZodType>(item: T) => z.array(item).max(limits.listItems);

const AppServiceSettingsFields = {
  externalId: externalIdSchema,
  timezone: timezoneSchema,
  whatsapp: listOf(phoneSchema),
  emails: listOf(emailSchema),
  webhooks: listOf(webhookUrlSchema),
  cooldown: z.number().int().min(0).max(10_080),
};

/** Who is told about escalations, and how: the same optional fields when creating and when changing. */
const notificationSettings = (
  t: InputFieldBuilder<PothosSchemaTypes.ExtendDefaultTypes<BuilderTypes>, 'InputObject'>,
) => ({
  notificationWhatsappNumbers: t.stringList({
    required: false,
    validate: AppServiceSettingsFields.whatsapp.optional(),
  }),
  notificationEmails: t.stringList({
    required: false,
    validate: AppServiceSettingsFields.emails.optional(),
  }),
  notificationWebhookUrls: t.stringList({
    required: false,
    validate: AppServiceSettingsFields.webhooks.optional(),
  }),
  enabledEscalationTypes: t.field({ type: [EscalationTypeEnum], required: false }),
  escalationCooldownMinutes: t.int({
    required: false,
    validate: AppServiceSettingsFields.cooldown.optional(),
  }),
  autoAssignOnEscalation: t.boolean({ required: false }),
  topicLabels: t.boolean({ required: false, description: 'Defaults to true.' }),
  autoResolveMinutes: t.int({
    required: false,
    description: '0 (the default) turns auto-resolve off; otherwise 5 to 43200 (30 days).',
    validate: z
      .union([z.literal(0), z.number().int().min(5).max(43_200)])
      .optional()
      .nullable(),
  }),
  autoResolveHeld: t.boolean({ required: false, description: 'Defaults to false.' }),
  businessHours: t.field({ type: BusinessHoursInput, required: false, description: 'null: always open.' }),
  csatSurvey: t.field({
    type: CsatSurveyInput,
    required: false,
    description: 'The satisfaction survey after resolutions; null removes it.',
  }),
  outOfOfficeMessage: t.string({
    required: false,
    description: `Variables as in handoff messages; null or "" removes it.`,
    validate: z
      .union([z.literal(''), messageTemplateSchema])
      .optional()
      .nullable(),
  }),
});

export const CreateAppServiceInput = builder.inputType('CreateAppServiceInput', {
  fields: (t) => ({
    organizationId: t.id(),
    name: t.string({ validate: nameSchema }),
    channel: t.field({ type: ChannelEnum }),
    externalId: t.string({ required: false, validate: AppServiceSettingsFields.externalId.optional() }),
    botEnabled: t.boolean({ required: false, description: 'Defaults to true.' }),
    timezone: t.string({ required: false, validate: AppServiceSettingsFields.timezone.optional() }),
    ...notificationSettings(t),
  }),
});

export const UpdateAppServiceInput = builder.inputType('UpdateAppServiceInput', {
  fields: (t) => ({
    id: t.id(),
    name: t.string({ required: false, validate: nameSchema.optional() }),
    externalId: t.string({ required: false, validate: AppServiceSettingsFields.externalId.optional() }),
    botEnabled: t.boolean({ required: false }),
    timezone: t.string({ required: false, validate: AppServiceSettingsFields.timezone.optional() }),
    ...notificationSettings(t),
  }),
});

builder.mutationField('createAppService', (t) =>
  t.field({
    type: AppServiceNode,
    description: 'Adds a bot deployment (ADMIN or OWNER).',
    authScopes: { user: true },
    args: { input: t.arg({ type: CreateAppServiceInput }) },
    resolve: (_root, { input }, ctx) =>
      appServices.createAppService(depsOf(ctx), ctx.actor, {
        ...input,
        organizationId: decodeIdOf('Organization', input.organizationId),
        businessHours: hoursOf(input.businessHours),
        csatSurvey: csatSurveyOf(input.csatSurvey),
      }),
  }),
);

builder.mutationField('updateAppService', (t) =>
  t.field({
    type: AppServiceNode,
    description: 'Changes the settings given; the others stay as they are (ADMIN or OWNER).',
    authScopes: { user: true },
    args: { input: t.arg({ type: UpdateAppServiceInput }) },
    resolve: (_root, { input }, ctx) =>
      appServices.updateAppService(depsOf(ctx), ctx.actor, {
        ...input,
        id: decodeIdOf('AppService', input.id),
        businessHours: 'businessHours' in input ? hoursOf(input.businessHours) : undefined,
        csatSurvey: 'csatSurvey' in input ? csatSurveyOf(input.csatSurvey) : undefined,
      }),
  }),
);
