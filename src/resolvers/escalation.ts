import type { EscalationRaisedEvent } from '../realtime/topics.js';
import { escalationCodes } from '../services/escalation-codes.js';
import * as escalations from '../services/escalations.js';
import { builder } from './builder.js';
import { depsOf } from './deps.js';
import { EscalationTypeEnum } from './enums.js';
import { decodeIdOf } from '../kernel/global-id.js';
import { scopeArgsOf, sharedKey, subscribeTo } from './subscription-helpers.js';
import { inOrganizationsWith } from './tenancy.js';
import { conversationOwner, loadConversationOf } from './owner-relation.js';

/** A customer who needs the business: what was detected, with the words that show it. */
export const EscalationNode = builder.prismaNode('Escalation', {
  id: { field: 'id' },
  nullable: true,
  findUnique: (id, ctx) => ({ id, ...inOrganizationsWith(ctx, 'conversations:read') }),
  authScopes: (row) => ({ can: { organizationId: row.organizationId, permission: 'conversations:read' } }),
  fields: (t) => ({
    type: t.expose('type', { type: EscalationTypeEnum }),
    event: t.string({
      description: 'The code notifications carry, e.g. user_request_to_speak_to_human.',
      resolve: (escalation) => escalationCodes[escalation.type],
    }),
    confidence: t.exposeFloat('confidence'),
    evidence: t.exposeString('evidence', { description: "The customer's words that triggered it." }),
    detectedBy: t.exposeString('detectedBy'),
    notified: t.exposeBoolean('notified', {
      description: 'False when a cool-down suppressed the notification.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    acknowledgedAt: t.expose('acknowledgedAt', { type: 'DateTime', nullable: true }),
    acknowledgedBy: t.relation('acknowledgedBy', { nullable: true }),
    customerNumber: t.string({
      nullable: true,
      description: "The customer's phone number, or their id on the channel.",
      select: {
        conversation: {
          select: {
            contact: { select: { phone: true, identifiers: { select: { externalId: true }, take: 1 } } },
          },
        },
      },
      resolve: (escalation) =>
        escalation.conversation.contact?.phone ??
        escalation.conversation.contact?.identifiers[0]?.externalId ??
        null,
    }),
    // Up the ownership tree: a statement of its own (owner-relation.ts).
    conversation: t.prismaField({
      type: 'Conversation',
      select: conversationOwner,
      resolve: loadConversationOf,
    }),
    message: t.relation('message', { nullable: true }),
    notifications: t.relation('deliveries', {
      description:
        'Every delivery of this escalation: dashboard, each email, WhatsApp number and webhook, with status and ' +
        'attempts. Members only (targets are staff contact details).',
      query: (_args, ctx) => ({
        where: inOrganizationsWith(ctx, 'members:read'),
        orderBy: [{ channel: 'asc' }, { target: 'asc' }],
      }),
    }),
  }),
});

builder.subscriptionField('escalationRaised', (t) =>
  t.prismaField({
    type: EscalationNode,
    description:
      'A customer needs a human, a discount, a booking…: its { customerNumber, event, createdAt } and ' +
      'the conversation to open. Give organizationId or appServiceId.',
    args: { organizationId: t.arg.id({ required: false }), appServiceId: t.arg.id({ required: false }) },
    subscribe: (_root, args, ctx) =>
      subscribeTo(ctx, 'escalationRaised', scopeArgsOf(args), {
        permissions: ['conversations:read'],
        scopes: ['organization', 'appService'],
      }),
    resolve: (query, event, _args, ctx) => {
      const { eventId, escalationId } = event as unknown as EscalationRaisedEvent;
      return ctx.sharedLookup.get(sharedKey(eventId, query), () =>
        ctx.db.prisma.escalation.findUniqueOrThrow({ ...query, where: { id: escalationId } }),
      );
    },
  }),
);

/** The filter of Organization.escalations. */
export const EscalationFilterInput = builder.inputType('EscalationFilter', {
  fields: (t) => ({
    types: t.field({ type: [EscalationTypeEnum], required: false }),
    appServiceId: t.id({ required: false }),
    appServiceIds: t.idList({ required: false, description: 'Several app services at once.' }),
    acknowledged: t.boolean({ required: false }),
    since: t.field({ type: 'DateTime', required: false }),
  }),
});

const AcknowledgeEscalationInput = builder.inputType('AcknowledgeEscalationInput', {
  fields: (t) => ({ escalationId: t.id() }),
});

builder.mutationField('acknowledgeEscalation', (t) =>
  t.field({
    type: EscalationNode,
    description: 'An agent has seen it and is on it (AGENT and up).',
    authScopes: { user: true },
    args: { input: t.arg({ type: AcknowledgeEscalationInput }) },
    resolve: (_root, { input }, ctx) =>
      escalations.acknowledgeEscalation(depsOf(ctx), ctx.actor, {
        escalationId: decodeIdOf('Escalation', input.escalationId),
      }),
  }),
);
