import { z } from 'zod';
import { DISABLE_WEBHOOK_AFTER_FAILURES } from '../services/notification-policy.js';
import * as endpoints from '../services/webhook-endpoints.js';
import { webhookEventTypes, type WebhookEventType } from '../services/webhook-endpoints.js';
import { builder } from './builder.js';
import { depsOf } from './deps.js';
import { decodeIdOf } from '../kernel/global-id.js';
import { inOrganizationsWith } from './tenancy.js';

export const WebhookEventTypeEnum = builder.enumType('WebhookEventType', {
  description: "An event a webhook endpoint subscribes to; the value in parentheses is the body's `type`.",
  values: {
    ESCALATION_RAISED: {
      value: 'escalation.raised',
      description: '(escalation.raised) A customer needs the business.',
    },
    CONVERSATION_HANDED_OVER: {
      value: 'conversation.handed_over',
      description:
        '(conversation.handed_over) A handoff rule (or requestHandoff) gave a conversation to humans.',
    },
    SLA_ALERT: {
      value: 'sla.alert',
      description: '(sla.alert) An SLA warning or breach.',
    },
    MESSAGE_CREATED: {
      value: 'message.created',
      description: '(message.created) Accepted; delivery comes with later work.',
    },
    CONVERSATION_UPDATED: {
      value: 'conversation.updated',
      description: '(conversation.updated) Accepted; delivery comes with later work.',
    },
  } as const,
});

const isEventType = (event: string): event is WebhookEventType =>
  (webhookEventTypes as readonly string[]).includes(event);

/**
 * Where the organization's events are POSTed, signed the Standard Webhooks way (webhook-id,
 * webhook-timestamp, webhook-signature: v1 HMAC-SHA256 with the endpoint's secret). The secret is shown
 * only by createWebhookEndpoint and rotateWebhookSecret.
 */
export const WebhookEndpointNode = builder.prismaNode('WebhookEndpoint', {
  id: { field: 'id' },
  nullable: true,
  findUnique: (id, ctx) => ({ id, ...inOrganizationsWith(ctx, 'appServices:manage') }),
  authScopes: (row) => ({ can: { organizationId: row.organizationId, permission: 'appServices:manage' } }),
  fields: (t) => ({
    url: t.exposeString('url'),
    events: t.field({
      type: [WebhookEventTypeEnum],
      resolve: (endpoint) => endpoint.events.filter(isEventType),
    }),
    enabled: t.exposeBoolean('enabled'),
    failureCount: t.exposeInt('failureCount', {
      description: `Deliveries failed in a row (each after all its retries); at ${DISABLE_WEBHOOK_AFTER_FAILURES} the endpoint is disabled.`,
    }),
    disabledAt: t.expose('disabledAt', {
      type: 'DateTime',
      nullable: true,
      description:
        'Set when persistent failures disabled it; updateWebhookEndpoint(enabled: true) clears it.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const eventsSchema = z.array(z.string()).min(1, 'needs at least one event');

const CreateWebhookEndpointInput = builder.inputType('CreateWebhookEndpointInput', {
  fields: (t) => ({
    organizationId: t.id(),
    url: t.string({ description: 'http(s); never a loopback, private or link-local address.' }),
    events: t.field({ type: [WebhookEventTypeEnum], validate: eventsSchema }),
  }),
});

const UpdateWebhookEndpointInput = builder.inputType('UpdateWebhookEndpointInput', {
  fields: (t) => ({
    id: t.id(),
    url: t.string({ required: false }),
    events: t.field({ type: [WebhookEventTypeEnum], required: false, validate: eventsSchema.optional() }),
    enabled: t.boolean({
      required: false,
      description: 'true also re-enables an endpoint disabled after failures (and resets failureCount).',
    }),
  }),
});

const WebhookEndpointIdInput = builder.inputType('WebhookEndpointIdInput', {
  fields: (t) => ({ id: t.id() }),
});

const WebhookEndpointSecretPayload = builder
  .objectRef<Awaited<ReturnType<typeof endpoints.createWebhookEndpoint>>>('WebhookEndpointSecretPayload')
  .implement({
    description: 'An endpoint and its signing secret. The secret is shown this once; store it now.',
    fields: (t) => ({
      webhookEndpoint: t.field({ type: WebhookEndpointNode, resolve: (payload) => payload.webhookEndpoint }),
      secret: t.exposeString('secret', {
        description: '"whsec_…": verify signatures with any Standard Webhooks library.',
      }),
    }),
  });

builder.mutationFields((t) => ({
  createWebhookEndpoint: t.field({
    type: WebhookEndpointSecretPayload,
    description: 'Adds a webhook endpoint (ADMIN or OWNER); returns its signing secret, once.',
    authScopes: { user: true },
    args: { input: t.arg({ type: CreateWebhookEndpointInput }) },
    resolve: (_root, { input }, ctx) =>
      endpoints.createWebhookEndpoint(depsOf(ctx), ctx.actor, {
        organizationId: decodeIdOf('Organization', input.organizationId),
        url: input.url,
        events: input.events.filter(isEventType),
      }),
  }),
  updateWebhookEndpoint: t.field({
    type: WebhookEndpointNode,
    description: 'Changes the fields given (ADMIN or OWNER).',
    authScopes: { user: true },
    args: { input: t.arg({ type: UpdateWebhookEndpointInput }) },
    resolve: (_root, { input }, ctx) =>
      endpoints.updateWebhookEndpoint(depsOf(ctx), ctx.actor, {
        id: decodeIdOf('WebhookEndpoint', input.id),
        url: input.url,
        events: input.events?.filter(isEventType),
        enabled: input.enabled,
      }),
  }),
  deleteWebhookEndpoint: t.id({
    description: 'Returns the id of the deleted endpoint; its pending deliveries are dropped with it.',
    authScopes: { user: true },
    args: { input: t.arg({ type: WebhookEndpointIdInput }) },
    resolve: async (_root, { input }, ctx) => {
      await endpoints.deleteWebhookEndpoint(depsOf(ctx), ctx.actor, {
        id: decodeIdOf('WebhookEndpoint', input.id),
      });
      return input.id;
    },
  }),
  rotateWebhookSecret: t.field({
    type: WebhookEndpointSecretPayload,
    description: 'Issues a new signing secret, shown once; the old one stops signing at once.',
    authScopes: { user: true },
    args: { input: t.arg({ type: WebhookEndpointIdInput }) },
    resolve: (_root, { input }, ctx) =>
      endpoints.rotateWebhookSecret(depsOf(ctx), ctx.actor, { id: decodeIdOf('WebhookEndpoint', input.id) }),
  }),
}));
