import { z } from 'zod';
import { DeliveryStatus, NotificationChannel } from '../generated/prisma/enums.js';
import * as notifications from '../services/notifications.js';
import { builder } from './builder.js';
import { depsOf } from './deps.js';
import { decodeIdOf } from '../kernel/global-id.js';
import { inOrganizationsWith } from './tenancy.js';

export const NotificationChannelEnum = builder.enumType(NotificationChannel, { name: 'NotificationChannel' });
export const DeliveryStatusEnum = builder.enumType(DeliveryStatus, {
  name: 'DeliveryStatus',
  description:
    'PENDING: not delivered yet (retries follow nextAttemptAt); SENT; FAILED after the last retry; ' +
    'SKIPPED: nothing to send, lastError says why.',
});

/** A dashboard notification: { customer_number, event, created_at } plus ids, stored so a dashboard that was closed still shows it. */
export const NotificationNode = builder.prismaNode('Notification', {
  id: { field: 'id' },
  nullable: true,
  findUnique: (id, ctx) => ({ id, ...inOrganizationsWith(ctx, 'conversations:read') }),
  authScopes: (row) => ({ can: { organizationId: row.organizationId, permission: 'conversations:read' } }),
  fields: (t) => ({
    payload: t.expose('payload', {
      type: 'JSON',
      description:
        'Exactly { customer_number, event, created_at } plus escalation_id, conversation_id and app_service_id ' +
        '(global ids, for node(id:)).',
    }),
    read: t.boolean({ resolve: (notification) => notification.readAt !== null }),
    readAt: t.expose('readAt', {
      type: 'DateTime',
      nullable: true,
      description: "Read state is the organization's, shared by its members.",
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    escalation: t.relation('escalation', { nullable: true }),
  }),
});

/** One notification to one target over one channel, with its attempts. */
export const NotificationDeliveryNode = builder.prismaNode('NotificationDelivery', {
  id: { field: 'id' },
  nullable: true,
  // Targets are staff addresses and numbers: for members, never for integrator keys.
  findUnique: (id, ctx) => ({ id, ...inOrganizationsWith(ctx, 'members:read') }),
  authScopes: (row) => ({ can: { organizationId: row.organizationId, permission: 'members:read' } }),
  fields: (t) => ({
    channel: t.expose('channel', { type: NotificationChannelEnum }),
    target: t.exposeString('target', {
      description: 'The email address, WhatsApp number or webhook URL; "-" when the channel had no target.',
    }),
    status: t.expose('status', { type: DeliveryStatusEnum }),
    attempts: t.exposeInt('attempts'),
    lastError: t.exposeString('lastError', {
      nullable: true,
      description: 'Why the last attempt failed, or why the delivery was skipped.',
    }),
    sentAt: t.expose('sentAt', { type: 'DateTime', nullable: true }),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const MarkNotificationsReadInput = builder.inputType('MarkNotificationsReadInput', {
  fields: (t) => ({
    organizationId: t.id(),
    ids: t.idList({
      required: false,
      description: 'The notifications to mark; every unread one of the organization when omitted.',
      validate: z.array(z.string()).max(500),
    }),
  }),
});

builder.mutationField('markNotificationsRead', (t) =>
  t.int({
    description: 'Marks dashboard notifications read; returns how many were unread.',
    authScopes: { user: true },
    args: { input: t.arg({ type: MarkNotificationsReadInput }) },
    resolve: (_root, { input }, ctx) =>
      notifications.markNotificationsRead(depsOf(ctx), ctx.actor, {
        organizationId: decodeIdOf('Organization', input.organizationId),
        ids: input.ids?.map((id) => decodeIdOf('Notification', id)),
      }),
  }),
);
