import * as rollup from '../services/metrics-rollup.js';
import type { MonitoringFigures } from '../services/monitoring-figures.js';
import type * as monitoring from '../services/monitoring.js';
import { builder } from './builder.js';
import { CsatFiguresRef } from './csat.js';
import { EscalationTypeEnum } from './enums.js';
import { decodeIdOf } from '../kernel/global-id.js';

/**
 * The monitoring figures and the metrics rollup. AppService.monitoring(Series) and
 * Organization.monitoring are fields of those types (app-service.ts, organization.ts) and return the types
 * defined here; these refer back to AppService and Organization by name, so this file imports neither.
 */
export const MonitoringIntervalEnum = builder.enumType('MonitoringInterval', {
  values: ['HOUR', 'DAY', 'WEEK'] as const,
  description: 'Buckets of a monitoring series, in UTC (weeks start on Monday).',
});

const MonitoringTransactionRef = builder
  .objectRef<monitoring.MonitoringTransaction>('MonitoringTransaction')
  .implement({
    description: 'A change of a metric: currentGrowth = (value − previous value) / value.',
    fields: (t) => ({
      value: t.exposeFloat('value'),
      time: t.expose('time', { type: 'DateTime' }),
      currentGrowth: t.exposeFloat('currentGrowth', {
        nullable: true,
        description: 'Null when the value is 0 or for the first transaction of a metric.',
      }),
    }),
  });

const MonitoringMetricRef = builder.objectRef<monitoring.MonitoringMetric>('MonitoringMetric').implement({
  description: 'A rolled-up metric (hourly, over the last 24 hours) and its changes.',
  fields: (t) => ({
    name: t.exposeString('name'),
    transactions: t.field({
      type: [MonitoringTransactionRef],
      description: 'Its transactions within the monitoring range, oldest first.',
      resolve: (metric) => metric.transactions,
    }),
  }),
});

const EscalationCountRef = builder
  .objectRef<{ type: MonitoringFigures['escalationsByType'][number]['type']; count: number }>(
    'EscalationCount',
  )
  .implement({
    fields: (t) => ({
      type: t.expose('type', { type: EscalationTypeEnum }),
      count: t.exposeInt('count'),
    }),
  });

export const MonitoringRef = builder.objectRef<monitoring.AppServiceMonitoring>('Monitoring').implement({
  description: 'The monitoring block of an app service over [from, to): from inclusive, to exclusive.',
  fields: (t) => ({
    appService: t.prismaField({
      type: 'AppService',
      resolve: (query, block, _args, ctx) =>
        ctx.db.prisma.appService.findUniqueOrThrow({ ...query, where: { id: block.appServiceId } }),
    }),
    from: t.expose('from', { type: 'DateTime' }),
    to: t.expose('to', { type: 'DateTime' }),
    numberOfChatSessions: t.exposeInt('numberOfChatSessions', {
      description: 'Conversations with at least one (non-private) message in the range.',
    }),
    numberOfMessages: t.exposeInt('numberOfMessages', { description: 'Non-private messages in the range.' }),
    escalatedConversations: t.exposeInt('escalatedConversations', {
      description: 'Conversations first escalated in the range.',
    }),
    issuesResolved: t.exposeInt('issuesResolved', { description: 'Conversations resolved in the range.' }),
    resolutionTime: t.exposeFloat('resolutionTime', {
      nullable: true,
      description: 'Average seconds from start to resolution, over conversations resolved in the range.',
    }),
    firstResponseTime: t.exposeFloat('firstResponseTime', {
      nullable: true,
      description:
        'Average seconds from escalation (or, never escalated, the start) to the first human reply, over ' +
        'conversations first replied to in the range.',
    }),
    escalationsByType: t.field({
      type: [EscalationCountRef],
      description: 'Escalations raised in the range, per type (types with none are left out).',
      resolve: (block) => block.escalationsByType,
    }),
    growthPercentage: t.field({
      type: [MonitoringMetricRef],
      description: 'The rolled-up metrics of the app service with their transactions in the range.',
      resolve: (block) => block.growthPercentage,
    }),
    csat: t.field({
      type: CsatFiguresRef,
      description: 'Satisfaction over the surveys sent after resolutions in the range.',
      resolve: (block) => block.csat,
    }),
  }),
});

export const OrganizationMonitoringRef = builder
  .objectRef<monitoring.OrganizationMonitoring>('OrganizationMonitoring')
  .implement({
    description:
      'The sums over the app services of an organization; averages are weighted by conversations. Growth ' +
      'metrics are per app service, in appServices.',
    fields: (t) => ({
      organization: t.prismaField({
        type: 'Organization',
        resolve: (query, block, _args, ctx) =>
          ctx.db.prisma.organization.findUniqueOrThrow({ ...query, where: { id: block.organizationId } }),
      }),
      from: t.expose('from', { type: 'DateTime' }),
      to: t.expose('to', { type: 'DateTime' }),
      numberOfChatSessions: t.exposeInt('numberOfChatSessions'),
      numberOfMessages: t.exposeInt('numberOfMessages'),
      escalatedConversations: t.exposeInt('escalatedConversations'),
      issuesResolved: t.exposeInt('issuesResolved'),
      resolutionTime: t.exposeFloat('resolutionTime', { nullable: true }),
      firstResponseTime: t.exposeFloat('firstResponseTime', { nullable: true }),
      escalationsByType: t.field({
        type: [EscalationCountRef],
        resolve: (block) => block.escalationsByType,
      }),
      appServices: t.field({
        type: [MonitoringRef],
        resolve: (block) => block.appServices,
      }),
      csat: t.field({
        type: CsatFiguresRef,
        description: "Satisfaction over the app services' surveys sent after resolutions in the range.",
        resolve: (block) => block.csat,
      }),
    }),
  });

export const MonitoringBucketRef = builder
  .objectRef<monitoring.MonitoringBucket>('MonitoringBucket')
  .implement({
    description: 'One UTC bucket [start, end) of a monitoring series; only activity within the range counts.',
    fields: (t) => ({
      start: t.expose('start', { type: 'DateTime' }),
      end: t.expose('end', { type: 'DateTime' }),
      numberOfMessages: t.exposeInt('numberOfMessages'),
      numberOfChatSessions: t.exposeInt('numberOfChatSessions', {
        description: 'Conversations with a message in this bucket.',
      }),
      escalatedConversations: t.exposeInt('escalatedConversations'),
      issuesResolved: t.exposeInt('issuesResolved'),
    }),
  });

const RefreshMetricsInput = builder.inputType('RefreshMetricsInput', {
  fields: (t) => ({ appServiceId: t.id() }),
});

const RefreshMetricsPayload = builder.objectRef<rollup.RollupResult>('RefreshMetricsPayload').implement({
  fields: (t) => ({
    transactions: t.exposeInt('transactions', { description: 'Metrics whose value changed.' }),
  }),
});

builder.mutationField('refreshMetrics', (t) =>
  t.field({
    type: RefreshMetricsPayload,
    description: 'Runs the metrics rollup of one app service now (ADMIN or OWNER).',
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: RefreshMetricsInput }) },
    resolve: (_root, { input }, ctx) =>
      rollup.refreshMetrics(ctx.db.prisma, ctx.actor, {
        appServiceId: decodeIdOf('AppService', input.appServiceId),
      }),
  }),
);
