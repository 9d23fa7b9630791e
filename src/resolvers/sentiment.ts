import { emotions } from '../ai/classification.js';
import { AnalysisType } from '../generated/prisma/enums.js';
import type { SentimentUpdatedEvent } from '../realtime/topics.js';
import type { SentimentReport } from '../services/sentiment-report.js';
import { runSentimentAnalysisFor, type SentimentWindowResult } from '../services/sentiment-run.js';
import { toStoredSentiment, type StoredSentiment } from '../services/sentiment-store.js';
import { builder } from './builder.js';
import { depsOf } from './deps.js';
import { decodeIdOf, encodeGlobalId } from '../kernel/global-id.js';
import { scopeArgsOf, subscribeTo } from './subscription-helpers.js';
import { inOrganizationsWith } from './tenancy.js';
import { conversationOwner, loadConversationOf } from './owner-relation.js';

/**
 * Sentiment: the hourly analyses and the types that report them. Conversation.sentiment/analyses and
 * AppService.sentimentReport are fields of those types (conversation.ts, app-service.ts); this file refers
 * to Conversation by name, so it imports neither.
 */
export const EmotionEnum = builder.enumType('Emotion', { values: emotions });
export const AnalysisTypeEnum = builder.enumType(AnalysisType, { name: 'AnalysisType' });

export const SentimentResultObject = builder.objectRef<StoredSentiment>('SentimentResult').implement({
  description: "The customer's mood in one UTC hour of a conversation.",
  fields: (t) => ({
    conversationId: t.id({ resolve: (s) => encodeGlobalId('Conversation', s.conversationId) }),
    emotion: t.field({ type: EmotionEnum, resolve: (s) => s.emotion }),
    score: t.exposeInt('score', { description: '−100 (hostile) … 0 (neutral) … 100 (delighted).' }),
    windowStart: t.expose('windowStart', { type: 'DateTime' }),
    windowEnd: t.expose('windowEnd', { type: 'DateTime' }),
    contextStartIndex: t.exposeInt('contextStartIndex', { nullable: true }),
    contextEndIndex: t.exposeInt('contextEndIndex', { nullable: true }),
  }),
});

export const AnalysisNode = builder.prismaNode('Analysis', {
  id: { field: 'id' },
  nullable: true,
  findUnique: (id, ctx) => ({ id, ...inOrganizationsWith(ctx, 'analytics:read') }),
  authScopes: (row) => ({ can: { organizationId: row.organizationId, permission: 'analytics:read' } }),
  fields: (t) => ({
    type: t.expose('type', { type: AnalysisTypeEnum }),
    result: t.expose('result', { type: 'JSON' }),
    windowStart: t.expose('windowStart', { type: 'DateTime' }),
    windowEnd: t.expose('windowEnd', { type: 'DateTime' }),
    contextStartIndex: t.exposeInt('contextStartIndex', { nullable: true }),
    contextEndIndex: t.exposeInt('contextEndIndex', { nullable: true }),
    origin: t.exposeString('origin', { description: 'Which model produced it.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    // Up the ownership tree: a statement of its own (owner-relation.ts).
    conversation: t.prismaField({
      type: 'Conversation',
      select: conversationOwner,
      resolve: loadConversationOf,
    }),
  }),
});

const EmotionShareObject = builder.objectRef<SentimentReport['emotions'][number]>('EmotionShare').implement({
  fields: (t) => ({
    emotion: t.field({ type: EmotionEnum, resolve: (e) => e.emotion }),
    count: t.exposeInt('count'),
    share: t.exposeFloat('share', { description: 'count / total, 0 when there is none.' }),
  }),
});

export const SentimentReportObject = builder.objectRef<SentimentReport>('SentimentReport').implement({
  fields: (t) => ({
    total: t.exposeInt('total', { description: 'Conversation hour windows analysed in the range.' }),
    averageScore: t.exposeFloat('averageScore', { nullable: true }),
    emotions: t.field({ type: [EmotionShareObject], resolve: (r) => r.emotions }),
    turnedNegative: t.prismaField({
      type: ['Conversation'],
      description:
        'Conversations with an ANGRY or DISAPPOINTED window in the range whose previous window was not (or had none); at most 100.',
      resolve: (query, report, _args, ctx) =>
        ctx.db.prisma.conversation.findMany({
          ...query,
          where: { id: { in: report.turnedNegativeIds }, ...inOrganizationsWith(ctx, 'analytics:read') },
        }),
    }),
  }),
});

const RunSentimentAnalysisInput = builder.inputType('RunSentimentAnalysisInput', {
  fields: (t) => ({
    appServiceId: t.id(),
    windowEnd: t.field({
      type: 'DateTime',
      description: 'The end of the UTC hour to analyse, on the hour and not in the future.',
    }),
  }),
});

const RunSentimentAnalysisPayload = builder
  .objectRef<SentimentWindowResult>('RunSentimentAnalysisPayload')
  .implement({
    fields: (t) => ({
      windowStart: t.expose('windowStart', { type: 'DateTime' }),
      windowEnd: t.expose('windowEnd', { type: 'DateTime' }),
      analysed: t.exposeInt('analysed'),
      modelCalls: t.exposeInt('modelCalls'),
      skipped: t.exposeInt('skipped', {
        description: 'Conversations that already had this window analysed.',
      }),
      failedConversationIds: t.idList({
        resolve: (r) => r.failed,
        description: 'Conversations the model gave no usable answer for; the next run retries them.',
      }),
      results: t.field({ type: [SentimentResultObject], resolve: (r) => r.stored }),
    }),
  });

builder.mutationField('runSentimentAnalysis', (t) =>
  t.field({
    type: RunSentimentAnalysisPayload,
    description: 'Analyses one closed hour of an app service now (ADMIN); what was already analysed is kept.',
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: RunSentimentAnalysisInput }) },
    resolve: (_root, { input }, ctx) =>
      runSentimentAnalysisFor(depsOf(ctx), ctx.actor, {
        appServiceId: decodeIdOf('AppService', input.appServiceId),
        windowEnd: input.windowEnd,
      }),
  }),
);

builder.subscriptionField('sentimentUpdated', (t) =>
  t.field({
    type: [SentimentResultObject],
    description: "An app service's newly stored hourly sentiment results (analytics access).",
    args: { appServiceId: t.arg.id() },
    subscribe: (_root, args, ctx) =>
      subscribeTo(ctx, 'sentimentUpdated', scopeArgsOf(args), {
        permissions: ['analytics:read'],
        scopes: ['appService'],
      }),
    resolve: async (event, _args, ctx) => {
      const { analysisIds, organizationId } = event as unknown as SentimentUpdatedEvent;
      if (!ctx.actor.can(organizationId, 'analytics:read')) return [];
      const rows = await ctx.db.prisma.analysis.findMany({
        where: { id: { in: analysisIds }, organizationId },
        orderBy: { windowStart: 'asc' },
      });
      return rows.map(toStoredSentiment);
    },
  }),
);
