import { z } from 'zod';
import { languages, type Emotion, type EscalationType } from '../ai/classification.js';
import { HandoffTriggerType } from '../generated/prisma/enums.js';
import type { HandoffRule } from '../generated/prisma/client.js';
import { decodeIdOf } from '../kernel/global-id.js';
import * as handoff from '../services/handoff.js';
import { requestHandoff } from '../services/handoff-moments.js';
import { storedTrigger } from '../services/handoff-triggers.js';
import { nameSchema } from '../services/validation.js';
import { builder } from './builder.js';
import { depsOf } from './deps.js';
import { ConversationPriorityEnum, EscalationTypeEnum } from './enums.js';
import { EmotionEnum } from './sentiment.js';
import { inOrganizationsWith } from './tenancy.js';

export const HandoffTriggerTypeEnum = builder.enumType(HandoffTriggerType, {
  name: 'HandoffTriggerType',
  description:
    'KEYWORD, INTENT and SENTIMENT: a customer message; CONFIDENCE: a bot reply; TIMEOUT: a customer left ' +
    'waiting; MANUAL: requestHandoff.',
});
const LanguageEnum = builder.enumType('Language', { values: languages });

/** A trigger as stored, every field of every type (those of other types are null). */
interface TriggerView {
  type: HandoffTriggerType;
  keywords?: string[];
  patterns?: string[];
  languages?: (typeof languages)[number][];
  escalationType?: EscalationType;
  minConfidence?: number;
  emotions?: Emotion[];
  minIntensity?: number;
  trendMessages?: number | null;
  seconds?: number;
  below?: number;
  fallbackReplies?: boolean;
}

const HandoffTriggerRef = builder.objectRef<TriggerView>('HandoffTrigger').implement({
  description: 'When a rule hands over; each type uses its own fields (see HandoffTriggerInput).',
  fields: (t) => ({
    type: t.field({ type: HandoffTriggerTypeEnum, resolve: (trigger) => trigger.type }),
    keywords: t.stringList({ nullable: true, resolve: (trigger) => trigger.keywords ?? null }),
    patterns: t.stringList({ nullable: true, resolve: (trigger) => trigger.patterns ?? null }),
    languages: t.field({
      type: [LanguageEnum],
      nullable: true,
      resolve: (trigger) => trigger.languages ?? null,
    }),
    escalationType: t.field({
      type: EscalationTypeEnum,
      nullable: true,
      resolve: (trigger) => trigger.escalationType ?? null,
    }),
    minConfidence: t.float({ nullable: true, resolve: (trigger) => trigger.minConfidence ?? null }),
    emotions: t.field({
      type: [EmotionEnum],
      nullable: true,
      resolve: (trigger) => trigger.emotions ?? null,
    }),
    minIntensity: t.int({ nullable: true, resolve: (trigger) => trigger.minIntensity ?? null }),
    trendMessages: t.int({ nullable: true, resolve: (trigger) => trigger.trendMessages ?? null }),
    seconds: t.int({ nullable: true, resolve: (trigger) => trigger.seconds ?? null }),
    below: t.float({ nullable: true, resolve: (trigger) => trigger.below ?? null }),
    fallbackReplies: t.boolean({ nullable: true, resolve: (trigger) => trigger.fallbackReplies ?? null }),
  }),
});

const triggerOf = (rule: Pick<HandoffRule, 'triggerType' | 'trigger'>): TriggerView =>
  (storedTrigger(rule.triggerType, rule.trigger) as TriggerView | null) ?? { type: rule.triggerType };

export const HandoffRuleNode = builder.prismaNode('HandoffRule', {
  id: { field: 'id' },
  nullable: true,
  description: 'When the bot hands a conversation to humans, to which team, with what message and priority.',
  findUnique: (id, ctx) => ({ id, ...inOrganizationsWith(ctx, 'agents:manage') }),
  authScopes: (row) => ({ can: { organizationId: row.organizationId, permission: 'agents:manage' } }),
  fields: (t) => ({
    name: t.exposeString('name'),
    trigger: t.field({
      type: HandoffTriggerRef,
      select: { triggerType: true, trigger: true },
      resolve: (rule) => triggerOf(rule),
    }),
    priority: t.exposeInt('priority', { description: 'Rules are tried from the lowest priority up.' }),
    active: t.exposeBoolean('active'),
    targetTeam: t.relation('targetTeam', { nullable: true }),
    messageTemplate: t.exposeString('messageTemplate', {
      nullable: true,
      description: `Sent to the customer on handoff. Variables: ${handoff.HANDOFF_VARIABLES.map((name) => `{{${name}}}`).join(', ')}.`,
    }),
    setPriority: t.expose('setPriority', { type: ConversationPriorityEnum, nullable: true }),
    appServices: t.prismaField({
      type: ['AppService'],
      description: 'The app services it applies to; empty: all of the organization.',
      select: { appServiceIds: true, organizationId: true },
      resolve: (query, rule, _args, ctx) =>
        rule.appServiceIds.length === 0
          ? []
          : ctx.deps.prisma.appService.findMany({
              ...query,
              where: { id: { in: rule.appServiceIds }, organizationId: rule.organizationId },
              orderBy: { name: 'asc' },
            }),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const HandoffTriggerInput = builder.inputType('HandoffTriggerInput', {
  description:
    'KEYWORD: keywords and/or patterns (regular expressions without nested quantifiers, back-references or ' +
    'lookbehind), optionally only in some languages; negated mentions ("I don\'t want a refund") do not match. ' +
    'INTENT: escalationType, minConfidence (default 0.5). SENTIMENT: emotions with minIntensity (|score|, ' +
    'default 0), and/or trendMessages (the score fell at each of the last N customer messages, ending below ' +
    'zero). TIMEOUT: seconds (10 to 86400). CONFIDENCE: below (default 0.5), fallbackReplies (default true). ' +
    'MANUAL: nothing. A field another type uses is refused.',
  fields: (t) => ({
    keywords: t.stringList({ required: false }),
    patterns: t.stringList({ required: false }),
    languages: t.field({ type: [LanguageEnum], required: false }),
    escalationType: t.field({ type: EscalationTypeEnum, required: false }),
    minConfidence: t.float({ required: false }),
    emotions: t.field({ type: [EmotionEnum], required: false }),
    minIntensity: t.int({ required: false }),
    trendMessages: t.int({ required: false }),
    seconds: t.int({ required: false }),
    below: t.float({ required: false }),
    fallbackReplies: t.boolean({ required: false }),
  }),
});

const ruleFields = {
  priority: z.number().int().min(0).max(10_000).optional().nullable(),
  messageTemplate: handoff.messageTemplateSchema.optional().nullable(),
};

const CreateHandoffRuleInput = builder.inputType('CreateHandoffRuleInput', {
  fields: (t) => ({
    organizationId: t.id(),
    name: t.string({ validate: nameSchema }),
    triggerType: t.field({ type: HandoffTriggerTypeEnum }),
    trigger: t.field({ type: HandoffTriggerInput, required: false, description: 'Absent: the defaults.' }),
    priority: t.int({ required: false, validate: ruleFields.priority, description: 'Default 100.' }),
    active: t.boolean({ required: false }),
    targetTeamId: t.id({ required: false }),
    messageTemplate: t.string({ required: false, validate: ruleFields.messageTemplate }),
    setPriority: t.field({ type: ConversationPriorityEnum, required: false }),
    appServiceIds: t.idList({ required: false, description: 'Absent or empty: every app service.' }),
  }),
});

const UpdateHandoffRuleInput = builder.inputType('UpdateHandoffRuleInput', {
  description: 'Absent fields stay; null clears targetTeamId, messageTemplate and setPriority.',
  fields: (t) => ({
    id: t.id(),
    name: t.string({ required: false, validate: nameSchema.optional().nullable() }),
    triggerType: t.field({ type: HandoffTriggerTypeEnum, required: false }),
    trigger: t.field({ type: HandoffTriggerInput, required: false }),
    priority: t.int({ required: false, validate: ruleFields.priority }),
    active: t.boolean({ required: false }),
    targetTeamId: t.id({ required: false }),
    messageTemplate: t.string({ required: false, validate: ruleFields.messageTemplate }),
    setPriority: t.field({ type: ConversationPriorityEnum, required: false }),
    appServiceIds: t.idList({ required: false }),
  }),
});

const DeleteHandoffRuleInput = builder.inputType('DeleteHandoffRuleInput', {
  fields: (t) => ({ id: t.id() }),
});

const RequestHandoffInput = builder.inputType('RequestHandoffInput', {
  fields: (t) => ({
    conversationId: t.id(),
    reason: t.string({ validate: z.string().trim().min(1).max(1000) }),
  }),
});

const ContextMessageInput = builder.inputType('HandoffTestContextMessage', {
  fields: (t) => ({
    sender: t.field({
      type: builder.enumType('ContextSender', { values: ['customer', 'bot', 'agent'] as const }),
    }),
    text: t.string({ validate: z.string().max(4096) }),
  }),
});

const TestHandoffRulesInput = builder.inputType('TestHandoffRulesInput', {
  fields: (t) => ({
    appServiceId: t.id(),
    content: t.string({ validate: z.string().min(1).max(4096) }),
    context: t.field({
      type: [ContextMessageInput],
      required: false,
      validate: z.array(z.unknown()).max(20).optional().nullable(),
    }),
    senderType: t.field({
      type: builder.enumType('HandoffTestSender', { values: ['CUSTOMER', 'BOT'] as const }),
      required: false,
      description: 'BOT tests the content as a bot reply against the CONFIDENCE rules. Default CUSTOMER.',
    }),
    confidence: t.float({ required: false, validate: z.number().min(0).max(1).optional().nullable() }),
  }),
});

const HandoffRuleTestRef = builder.objectRef<handoff.HandoffTestResult>('HandoffRuleTest').implement({
  fields: (t) => ({
    rule: t.field({ type: HandoffRuleNode, nullable: false, resolve: (result) => result.rule }),
    matched: t.exposeBoolean('matched'),
    evidence: t.exposeString('evidence', { nullable: true }),
  }),
});

type TriggerInput = typeof HandoffTriggerInput.$inferInput;
const triggerValue = (trigger: TriggerInput | null | undefined): Record<string, unknown> => ({
  ...(trigger ?? {}),
});
const decodeMany = (type: string, ids: readonly (string | number)[] | null | undefined) =>
  ids ? ids.map((id) => decodeIdOf(type, String(id))) : ids;
const decodeOne = (type: string, id: string | number | null | undefined) =>
  id === null || id === undefined ? id : decodeIdOf(type, String(id));

builder.mutationFields((t) => ({
  createHandoffRule: t.field({
    type: HandoffRuleNode,
    description: 'OWNER and ADMIN. Up to 200 rules per organization.',
    authScopes: { user: true },
    args: { input: t.arg({ type: CreateHandoffRuleInput }) },
    resolve: (_root, { input }, ctx) =>
      handoff.createHandoffRule(depsOf(ctx), ctx.actor, {
        ...input,
        organizationId: decodeIdOf('Organization', input.organizationId),
        trigger: triggerValue(input.trigger),
        targetTeamId: decodeOne('Team', input.targetTeamId),
        appServiceIds: decodeMany('AppService', input.appServiceIds),
      }),
  }),
  updateHandoffRule: t.field({
    type: HandoffRuleNode,
    authScopes: { user: true },
    args: { input: t.arg({ type: UpdateHandoffRuleInput }) },
    resolve: (_root, { input }, ctx) =>
      handoff.updateHandoffRule(depsOf(ctx), ctx.actor, {
        id: decodeIdOf('HandoffRule', input.id),
        ...(input.name ? { name: input.name } : {}),
        ...(input.triggerType ? { triggerType: input.triggerType } : {}),
        ...(input.trigger ? { trigger: triggerValue(input.trigger) } : {}),
        priority: input.priority,
        active: input.active,
        ...('targetTeamId' in input ? { targetTeamId: decodeOne('Team', input.targetTeamId) } : {}),
        ...('messageTemplate' in input ? { messageTemplate: input.messageTemplate } : {}),
        ...('setPriority' in input ? { setPriority: input.setPriority } : {}),
        appServiceIds: decodeMany('AppService', input.appServiceIds),
      }),
  }),
  deleteHandoffRule: t.id({
    description: 'Returns the id of the deleted rule.',
    authScopes: { user: true },
    args: { input: t.arg({ type: DeleteHandoffRuleInput }) },
    resolve: async (_root, { input }, ctx) => {
      await handoff.deleteHandoffRule(depsOf(ctx), ctx.actor, { id: decodeIdOf('HandoffRule', input.id) });
      return input.id;
    },
  }),
  requestHandoff: t.prismaField({
    type: 'Conversation',
    description:
      'The integrator (API key with messages:write) or its bot hands the conversation to humans: the first ' +
      "active MANUAL rule of the app service applies (team, priority, message); without one, the organization's " +
      'routing. CONFLICT when humans hold it already.',
    args: { input: t.arg({ type: RequestHandoffInput }) },
    resolve: async (query, _root, { input }, ctx) => {
      const conversation = await requestHandoff(depsOf(ctx), ctx.actor, {
        conversationId: decodeIdOf('Conversation', input.conversationId),
        reason: input.reason,
      });
      return ctx.deps.prisma.conversation.findUniqueOrThrow({ ...query, where: { id: conversation.id } });
    },
  }),
}));

builder.queryFields((t) => ({
  testHandoffRules: t.field({
    type: [HandoffRuleTestRef],
    description:
      'A dry run (OWNER and ADMIN): every active rule of the app service that could match this message, in ' +
      'the order they are tried, whether it matches and why; the first match is the one that would apply. ' +
      'A customer message is classified by the configured model; nothing is stored or sent.',
    authScopes: { user: true },
    args: { input: t.arg({ type: TestHandoffRulesInput }) },
    resolve: (_root, { input }, ctx) =>
      handoff.testHandoffRules(depsOf(ctx), ctx.actor, {
        appServiceId: decodeIdOf('AppService', input.appServiceId),
        content: input.content,
        context: input.context ?? null,
        senderType: input.senderType ?? null,
        confidence: input.confidence ?? null,
      }),
  }),
}));

/** conversation.handoffReason as stored (src/services/handoff.ts HandoffReason); null when unreadable. */
export function handoffReasonOf(value: unknown): handoff.HandoffReason | null {
  const parsed = handoffReasonSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
const handoffReasonSchema = z.object({
  ruleId: z.string().nullable(),
  ruleName: z.string(),
  trigger: z.enum(HandoffTriggerType),
  evidence: z.string(),
  at: z.string(),
});

export const HandoffReasonRef = builder.objectRef<handoff.HandoffReason>('HandoffReason').implement({
  fields: (t) => ({
    rule: t.field({
      type: HandoffRuleNode,
      nullable: true,
      description:
        'The rule that matched; null for a request without a MANUAL rule, or a rule deleted since.',
      resolve: (reason, _args, ctx) =>
        reason.ruleId
          ? ctx.deps.prisma.handoffRule.findFirst({
              where: { id: reason.ruleId, ...inOrganizationsWith(ctx, 'agents:manage') },
            })
          : null,
    }),
    ruleName: t.exposeString('ruleName', {
      description: 'As it was named then ("requested" without a rule).',
    }),
    trigger: t.field({ type: HandoffTriggerTypeEnum, resolve: (reason) => reason.trigger }),
    evidence: t.exposeString('evidence', {
      description: 'Why: the words, the score, the wait, the reason given.',
    }),
    at: t.field({ type: 'DateTime', resolve: (reason) => new Date(reason.at) }),
  }),
});
