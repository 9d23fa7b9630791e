// Handoff rules: managed by admins, evaluated in priority order at each moment that can hand a
// conversation from the bot to humans (a classified customer message, a bot reply, a wait, a request), and
// applied by the first that matches: the reason recorded, the team and priority set, routing within the
// team (or the queue), and the rule's message to the customer through the outbound messages.
import { z } from 'zod';
import type { Actor } from '../auth/actor.js';
import type { Conversation, HandoffRule, Message, Prisma } from '../generated/prisma/client.js';
import type { ConversationPriority, HandoffTriggerType } from '../generated/prisma/enums.js';
import { badInput, forbidden } from '../kernel/errors.js';
import { autoAssign, type AutoAssignResult } from './routing-queue.js';
import { nameSchema } from './validation.js';
import {
  matchTrigger,
  parseTrigger,
  storedTrigger,
  type HandoffFacts,
  type RuleMatch,
} from './handoff-triggers.js';
import { changedFields, jsonOf, recordAudit, type AuditChanges } from './audit-log.js';
import type { ServiceDeps } from './deps.js';
import { placeBySentAt } from './conversation-store.js';
import type { Tx } from './transactions.js';
import { isOpen } from './business-hours.js';
import { teamServing } from './teams.js';
import { notifyThroughChannels } from './notification-planning.js';
import { HANDOFF_EVENT, handoffEventKey } from './other-notices.js';

/** The variables a rule's message may use, filled from the conversation when it is sent. */
export const HANDOFF_VARIABLES = ['contact_name', 'contact_phone', 'organization_name', 'team_name'] as const;
type Variable = (typeof HANDOFF_VARIABLES)[number];
const VARIABLE = /\{\{\s*([a-z_]+)\s*\}\}/g;

export const messageTemplateSchema = z
  .string()
  .trim()
  .min(1)
  .max(2000)
  .refine(
    (content) =>
      [...content.matchAll(VARIABLE)].every(([, name]) => HANDOFF_VARIABLES.includes(name as Variable)),
    `may only use the variables ${HANDOFF_VARIABLES.map((name) => `{{${name}}}`).join(', ')}`,
  );

/** Rules per organization at most: every message evaluates them. */
export const MAX_RULES = 200;

/** Which trigger types can match at each moment. */
const TYPES_OF: Record<HandoffFacts['kind'], HandoffTriggerType[]> = {
  'customer-message': ['KEYWORD', 'INTENT', 'SENTIMENT'],
  'bot-message': ['CONFIDENCE'],
  timeout: ['TIMEOUT'],
  manual: ['MANUAL'],
};

export interface HandoffRuleInput {
  organizationId: string;
  name: string;
  triggerType: HandoffTriggerType;
  trigger: Record<string, unknown>;
  priority?: number | null;
  active?: boolean | null;
  targetTeamId?: string | null;
  messageTemplate?: string | null;
  setPriority?: ConversationPriority | null;
  appServiceIds?: string[] | null;
}

export async function createHandoffRule(
  deps: Pick<ServiceDeps, 'prisma'>,
  actor: Actor,
  input: HandoffRuleInput,
) {
  actor.assertCan(input.organizationId, 'agents:manage');
  const trigger = parseTrigger(input.triggerType, input.trigger);
  await assertTargetsInOrganization(deps.prisma, input.organizationId, input);
  const count = await deps.prisma.handoffRule.count({ where: { organizationId: input.organizationId } });
  if (count >= MAX_RULES) throw badInput(`At most ${MAX_RULES} handoff rules per organization.`);
  const { type: _type, ...value } = trigger;
  return deps.prisma.$transaction(async (tx) => {
    const rule = await tx.handoffRule.create({
      data: {
        organizationId: input.organizationId,
        name: nameSchema.parse(input.name),
        triggerType: input.triggerType,
        trigger: value,
        priority: input.priority ?? 100,
        active: input.active ?? true,
        targetTeamId: input.targetTeamId ?? null,
        messageTemplate: input.messageTemplate ?? null,
        setPriority: input.setPriority ?? null,
        appServiceIds: input.appServiceIds ?? [],
      },
    });
    await recordAudit(tx, {
      organizationId: rule.organizationId,
      actor,
      action: 'handoff_rule.created',
      targetType: 'HANDOFF_RULE',
      targetId: rule.id,
      changes: ruleFields(rule, 'to'),
    });
    return rule;
  });
}

const AUDITED_RULE_FIELDS = [
  'name',
  'triggerType',
  'trigger',
  'priority',
  'active',
  'targetTeamId',
  'messageTemplate',
  'setPriority',
  'appServiceIds',
] as const;

/** A rule's audited fields as the `to` (created) or `from` (deleted) side of an audit entry. */
function ruleFields(rule: HandoffRule, side: 'from' | 'to'): AuditChanges {
  return Object.fromEntries(AUDITED_RULE_FIELDS.map((field) => [field, { [side]: jsonOf(rule[field]) }]));
}

export type HandoffRuleUpdate = { id: string } & Partial<Omit<HandoffRuleInput, 'organizationId'>>;

/** Changes what is given; a new trigger type needs its value (`trigger`) too. */
export async function updateHandoffRule(
  deps: Pick<ServiceDeps, 'prisma'>,
  actor: Actor,
  input: HandoffRuleUpdate,
) {
  const existing = await ruleInReach(deps.prisma, actor, input.id);
  const type = input.triggerType ?? existing.triggerType;
  let trigger: Prisma.InputJsonValue | undefined;
  if (input.trigger || input.triggerType) {
    if (!input.trigger) throw badInput('A new trigger type needs its trigger value.');
    const { type: _type, ...value } = parseTrigger(type, input.trigger);
    trigger = value;
  }
  await assertTargetsInOrganization(deps.prisma, existing.organizationId, input);
  return deps.prisma.$transaction(async (tx) => {
    const updated = await tx.handoffRule.update({
      where: { id: existing.id },
      data: {
        ...(input.name ? { name: nameSchema.parse(input.name) } : {}),
        ...(trigger ? { triggerType: type, trigger } : {}),
        ...(input.priority !== undefined && input.priority !== null ? { priority: input.priority } : {}),
        ...(input.active !== undefined && input.active !== null ? { active: input.active } : {}),
        // null clears these three; absent leaves them.
        ...(input.targetTeamId !== undefined ? { targetTeamId: input.targetTeamId } : {}),
        ...(input.messageTemplate !== undefined ? { messageTemplate: input.messageTemplate } : {}),
        ...(input.setPriority !== undefined ? { setPriority: input.setPriority } : {}),
        ...(input.appServiceIds ? { appServiceIds: input.appServiceIds } : {}),
      },
    });
    const changes = changedFields(existing, updated, AUDITED_RULE_FIELDS);
    if (changes)
      await recordAudit(tx, {
        organizationId: existing.organizationId,
        actor,
        action: 'handoff_rule.updated',
        targetType: 'HANDOFF_RULE',
        targetId: existing.id,
        changes,
      });
    return updated;
  });
}

export async function deleteHandoffRule(
  deps: Pick<ServiceDeps, 'prisma'>,
  actor: Actor,
  input: { id: string },
) {
  const existing = await ruleInReach(deps.prisma, actor, input.id);
  await deps.prisma.$transaction(async (tx) => {
    await tx.handoffRule.delete({ where: { id: existing.id } });
    await recordAudit(tx, {
      organizationId: existing.organizationId,
      actor,
      action: 'handoff_rule.deleted',
      targetType: 'HANDOFF_RULE',
      targetId: existing.id,
      changes: ruleFields(existing, 'from'),
    });
  });
  return existing;
}

async function ruleInReach(db: Tx, actor: Actor, id: string): Promise<HandoffRule> {
  actor.assertAuthenticated();
  const found = await db.handoffRule.findFirst({
    where: { id, organizationId: { in: actor.organizationIdsWith('agents:manage') } },
  });
  if (!found) throw forbidden();
  return found;
}

/** A target team or app service of another organization is refused like one that does not exist. */
async function assertTargetsInOrganization(
  db: Tx,
  organizationId: string,
  input: { targetTeamId?: string | null; appServiceIds?: string[] | null },
) {
  if (input.targetTeamId) {
    const team = await db.team.findFirst({
      where: { id: input.targetTeamId, organizationId },
      select: { id: true },
    });
    if (!team) throw badInput('No such team in this organization.');
  }
  const appServiceIds = [...new Set(input.appServiceIds ?? [])];
  if (appServiceIds.length) {
    const found = await db.appService.count({ where: { id: { in: appServiceIds }, organizationId } });
    if (found !== appServiceIds.length) throw badInput('No such app service in this organization.');
  }
}

/**
 * The active rules of an organization that can match at this moment, in the order they are tried, as a
 * nested read (`organization: { select: { handoffRules: rulesQuery(kind) } }`) so that they come with a
 * row already being read; `applicableTo` then keeps those of the app service.
 */
export function rulesQuery(kind: HandoffFacts['kind']) {
  return {
    where: { active: true, triggerType: { in: TYPES_OF[kind] } },
    orderBy: RULE_ORDER,
    take: MAX_RULES,
  } satisfies Prisma.HandoffRuleFindManyArgs;
}

const RULE_ORDER: Prisma.HandoffRuleOrderByWithRelationInput[] = [
  { priority: 'asc' },
  { createdAt: 'asc' },
  { id: 'asc' },
];

/** The rules that apply in the app service (those limited to others left out). */
export function applicableTo(rules: readonly HandoffRule[], appServiceId: string): HandoffRule[] {
  return rules.filter((rule) => rule.appServiceIds.length === 0 || rule.appServiceIds.includes(appServiceId));
}

/** The active rules that can match at this moment in this app service, in the order they are tried. */
export function rulesFor(
  db: Tx,
  conversation: Pick<Conversation, 'organizationId' | 'appServiceId'>,
  kind: HandoffFacts['kind'],
) {
  return db.handoffRule.findMany({
    where: {
      organizationId: conversation.organizationId,
      active: true,
      triggerType: { in: TYPES_OF[kind] },
      OR: [{ appServiceIds: { isEmpty: true } }, { appServiceIds: { has: conversation.appServiceId } }],
    },
    orderBy: RULE_ORDER,
  });
}

/** The first rule that matches, with why; null when none does. */
export function firstMatch(
  rules: readonly HandoffRule[],
  facts: HandoffFacts,
): { rule: HandoffRule; match: RuleMatch } | null {
  for (const rule of rules) {
    const trigger = storedTrigger(rule.triggerType, rule.trigger);
    if (!trigger) continue;
    const match = matchTrigger(trigger, facts, `${rule.id}:${rule.updatedAt.getTime()}`);
    if (match) return { rule, match };
  }
  return null;
}

/** What conversation.handoffReason holds. */
export interface HandoffReason {
  ruleId: string | null;
  ruleName: string;
  trigger: HandoffTriggerType;
  evidence: string;
  at: string;
}

export interface HandoffOutcome {
  conversation: Conversation;
  routing: AutoAssignResult;
  /** The messages to the customer: the rule's, and the out-of-office one when the hours are closed. */
  messages: Message[];
}

/**
 * Hands the (locked) conversation to humans for `rule`: the reason, the rule's team and priority, routing
 * within the team (assigned, or queued with status OPEN: the bot stops), and the rule's message. Only a
 * conversation the bot holds is handed over; call it inside the transaction that holds its row lock.
 */
export async function applyHandoff(
  tx: Tx,
  conversation: Conversation,
  handoff: {
    rule: Pick<
      HandoffRule,
      'id' | 'name' | 'triggerType' | 'targetTeamId' | 'setPriority' | 'messageTemplate'
    > | null;
    trigger: HandoffTriggerType;
    evidence: string;
  },
  now: Date,
  /** The notification channels configured (NotificationSetup.channels): the team is told as for escalations. */
  channels: { email: boolean; whatsapp: boolean },
): Promise<HandoffOutcome> {
  const rule = handoff.rule;
  const reason: HandoffReason = {
    ruleId: rule?.id ?? null,
    ruleName: rule?.name ?? 'requested',
    trigger: handoff.trigger,
    evidence: handoff.evidence.slice(0, 1000),
    at: now.toISOString(),
  };
  // The rule's team, else a team serving the app service, else the conversation's own (if any).
  const teamId =
    rule?.targetTeamId ??
    (conversation.teamId
      ? null
      : await teamServing(tx, conversation.organizationId, conversation.appServiceId));
  await tx.conversation.update({
    where: { id: conversation.id },
    data: {
      status: 'OPEN',
      handoffReason: { ...reason },
      ...(teamId ? { teamId } : {}),
      ...(rule?.setPriority ? { priority: rule.setPriority } : {}),
      escalatedAt: conversation.escalatedAt ?? now,
    },
  });
  const routing = await autoAssign(tx, {
    conversationId: conversation.id,
    organizationId: conversation.organizationId,
    assignedById: null,
    now,
  });
  const messages: Message[] = [];
  if (rule?.messageTemplate) {
    messages.push(await appendHandoffMessage(tx, conversation, rule.messageTemplate, rule.targetTeamId, now));
  }
  const away = routing.assigned ? null : await outOfOffice(tx, conversation.id, now);
  if (away) messages.push(away);
  await notifyThroughChannels(
    tx,
    conversation,
    { eventKey: handoffEventKey(conversation.id, now), webhookEvent: HANDOFF_EVENT },
    channels,
    now,
  );
  return {
    conversation: await tx.conversation.findUniqueOrThrow({ where: { id: conversation.id } }),
    routing,
    messages,
  };
}

/**
 * Queued outside business hours: the app service's out-of-office message, once per conversation (null when
 * the hours are open, there is no message, or it went out already).
 */
async function outOfOffice(tx: Tx, conversationId: string, now: Date): Promise<Message | null> {
  const current = await tx.conversation.findUniqueOrThrow({
    where: { id: conversationId },
    include: {
      team: { select: { businessHours: true } },
      appService: { select: { businessHours: true, outOfOfficeMessage: true } },
    },
  });
  const template = current.appService.outOfOfficeMessage;
  if (!template || current.outOfOfficeSentAt) return null;
  if (isOpen(current.team?.businessHours, now) && isOpen(current.appService.businessHours, now)) return null;
  const { team: _team, appService: _appService, ...conversation } = current;
  const message = await appendHandoffMessage(tx, conversation, template, conversation.teamId, now);
  await tx.conversation.update({ where: { id: conversationId }, data: { outOfOfficeSentAt: now } });
  return message;
}

/**
 * The rule's message, from the platform to the customer: a SYSTEM message with origin "handoff", listed
 * among the app service's outbound messages for the integrator to deliver (and acknowledge).
 */
async function appendHandoffMessage(
  tx: Tx,
  conversation: Conversation,
  template: string,
  teamId: string | null,
  now: Date,
) {
  const contact = conversation.contactId
    ? await tx.contact.findUnique({
        where: { id: conversation.contactId },
        select: { name: true, phone: true },
      })
    : null;
  const context = await tx.organization.findUniqueOrThrow({
    where: { id: conversation.organizationId },
    select: {
      name: true,
      appServices: { where: { id: conversation.appServiceId }, select: { channel: true } },
      teams: { where: { id: teamId ?? undefined }, select: { name: true }, take: teamId ? 1 : 0 },
    },
  });
  const values: Record<Variable, string> = {
    contact_name: contact?.name ?? '',
    contact_phone: contact?.phone ?? '',
    organization_name: context.name,
    team_name: context.teams[0]?.name ?? '',
  };
  const content = template.replace(VARIABLE, (_match, name: string) => values[name as Variable] ?? '').trim();
  const current = await tx.conversation.findUniqueOrThrow({ where: { id: conversation.id } });
  const index = await placeBySentAt(tx, current, now);
  const message = await tx.message.create({
    data: {
      organizationId: conversation.organizationId,
      appServiceId: conversation.appServiceId,
      conversationId: conversation.id,
      index,
      senderType: 'SYSTEM',
      content,
      channel: context.appServices[0]!.channel,
      origin: HANDOFF_MESSAGE_ORIGIN,
      sentAt: now,
    },
  });
  await tx.conversation.update({
    where: { id: conversation.id },
    data: { messageCount: { increment: 1 }, lastMessageAt: now },
  });
  return message;
}

/** The origin of the platform's own messages to the customer (outbound, like agents' replies). */
export const HANDOFF_MESSAGE_ORIGIN = 'handoff';

/** The emotion scores of the customer's last `count` classified messages, oldest first. */
export async function recentCustomerScores(tx: Tx, conversationId: string, count: number): Promise<number[]> {
  const rows = await tx.$queryRaw<{ score: number | null }[]>`
    SELECT (result->'emotion'->>'score')::int AS score FROM analyses
    WHERE conversation_id = ${conversationId}::uuid AND type = 'INTENT'
    ORDER BY context_end_index DESC LIMIT ${count}`;
  return rows.flatMap((row) => (row.score === null ? [] : [row.score])).reverse();
}

/** How many recent scores the rules' trends look at (0: none of them looks at a trend). */
export function trendLength(rules: readonly HandoffRule[]): number {
  let longest = 0;
  for (const rule of rules) {
    if (rule.triggerType !== 'SENTIMENT') continue;
    const trigger = storedTrigger('SENTIMENT', rule.trigger);
    if (trigger?.type === 'SENTIMENT' && trigger.trendMessages)
      longest = Math.max(longest, trigger.trendMessages);
  }
  return longest;
}

export interface HandoffTestInput {
  appServiceId: string;
  content: string;
  /** Earlier messages, oldest first (the classifier sees them, as it would in the conversation). */
  context?: { sender: 'customer' | 'bot' | 'agent'; text: string }[] | null;
  /** BOT: the content is a bot reply, for the CONFIDENCE rules, with its reported confidence. */
  senderType?: 'CUSTOMER' | 'BOT' | null;
  confidence?: number | null;
}

export interface HandoffTestResult {
  rule: HandoffRule;
  matched: boolean;
  evidence: string | null;
}

/**
 * A dry run: which active rules of the app service would match this message, and why, in the order they
 * are tried (the first match is the one that would apply). A customer message is classified by the
 * configured model as it would be; nothing is stored or sent. OWNER and ADMIN.
 */
export async function testHandoffRules(
  deps: Pick<ServiceDeps, 'prisma' | 'model'>,
  actor: Actor,
  input: HandoffTestInput,
): Promise<HandoffTestResult[]> {
  actor.assertAuthenticated();
  const appService = await deps.prisma.appService.findFirst({
    where: { id: input.appServiceId, organizationId: { in: actor.organizationIdsWith('agents:manage') } },
    select: { id: true, organizationId: true },
  });
  if (!appService) throw forbidden();
  const scope = { organizationId: appService.organizationId, appServiceId: appService.id };
  let facts: HandoffFacts;
  if (input.senderType === 'BOT') {
    facts = { kind: 'bot-message', text: input.content, confidence: input.confidence ?? null };
  } else {
    const outcome = await deps.model.classify(
      { message: { type: 'TEXT', text: input.content }, context: input.context ?? [] },
      { organizationId: appService.organizationId },
    );
    facts = {
      kind: 'customer-message',
      text: input.content,
      language: outcome.result.language,
      escalations: outcome.result.escalations,
      emotion: outcome.result.emotion,
      recentScores: [outcome.result.emotion.score],
    };
  }
  const rules = await rulesFor(deps.prisma, scope, facts.kind);
  return rules.map((rule) => {
    const trigger = storedTrigger(rule.triggerType, rule.trigger);
    const match = trigger ? matchTrigger(trigger, facts, `${rule.id}:${rule.updatedAt.getTime()}`) : null;
    return { rule, matched: match !== null, evidence: match?.evidence ?? null };
  });
}
