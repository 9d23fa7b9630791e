import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/notifications/delivery-error.js';
import type { EscalationNotice, NoticeSender } from '../../src/notifications/notice.js';
import type { WebhookMessage } from '../../src/notifications/webhooks.js';
import {
  deliverNotification,
  sweepStuckDeliveries,
  type DeliveryDeps,
} from '../../src/services/notification-delivery.js';
import { planEscalationDeliveries } from '../../src/services/notification-planning.js';
import { skipReasons } from '../../src/services/notification-policy.js';
import { codesOf, createTestApp, type TestApp } from '../support/app.js';
import { backends } from '../support/db.js';
import { createApiKey, globalId, rawId, signUp } from '../support/fixtures.js';
import {
  CREATE_ENDPOINT,
  createTenant,
  dataOf,
  insertEscalation,
  type CreatedEndpoint,
  type Tenant,
} from './support.js';

/** A sender that records what it was asked to send; `fail` makes the next sends throw. */
function recordingSender() {
  const sent: { target: string; notice: EscalationNotice }[] = [];
  const state: { fail?: DeliveryError } = {};
  const sender: NoticeSender = {
    async send(target, notice) {
      // A turn of the event loop, so that concurrent runs really overlap.
      await new Promise((resolve) => setImmediate(resolve));
      if (state.fail) throw state.fail;
      sent.push({ target, notice });
    },
  };
  return { sender, sent, state };
}

const rowsOf = (app: TestApp, escalationId: string) =>
  app.db.prisma.notificationDelivery.findMany({
    where: { escalationId },
    orderBy: [{ channel: 'asc' }, { target: 'asc' }],
    select: {
      channel: true,
      target: true,
      status: true,
      lastError: true,
      attempts: true,
      webhookEndpointId: true,
    },
  });

const ESCALATION_NOTIFICATIONS = `query($id: ID!) { node(id: $id) { ... on Escalation {
  id notifications { id channel target status attempts lastError sentAt nextAttemptAt } } } }`;

const NOTIFICATIONS = `query($id: ID!, $unreadOnly: Boolean) { node(id: $id) { ... on Organization {
  notifications(unreadOnly: $unreadOnly, first: 10) {
    totalCount edges { node { id payload read readAt createdAt escalation { id } } }
  } } } }`;

interface NotificationsData {
  node: {
    notifications: {
      totalCount: number;
      edges: {
        node: {
          id: string;
          payload: Record<string, string>;
          read: boolean;
          readAt: string | null;
          escalation: { id: string } | null;
        };
      }[];
    };
  } | null;
}

const MARK_READ = `mutation($i: MarkNotificationsReadInput!) { markNotificationsRead(input: $i) }`;

describe.each(backends)(
  'escalation notifications: planning, delivering, dashboard, endpoints (%s)',
  (kind) => {
    let app: TestApp;
    let a: Tenant;
    let b: Tenant;
    let endpointId: string;

    beforeAll(async () => {
      app = await createTestApp(kind);
      a = await createTenant(app, 'a');
      b = await createTenant(app, 'b');
      await app.db.prisma.appService.update({
        where: { id: rawId(a.appServiceId) },
        data: {
          notificationEmails: ['ops@example.test', 'Sales@Example.test'],
          notificationWhatsappNumbers: ['+971500000901'],
          notificationWebhookUrls: [
            'https://93.184.215.14/app-service-hook',
            'https://93.184.215.14/org-hook',
          ],
        },
      });
      const created = dataOf(
        await app.gql<CreatedEndpoint>(
          CREATE_ENDPOINT,
          {
            i: {
              organizationId: a.orgId,
              url: 'https://93.184.215.14/org-hook',
              events: ['ESCALATION_RAISED'],
            },
          },
          { token: a.token },
        ),
      );
      endpointId = rawId(created.createWebhookEndpoint.webhookEndpoint.id);
      // Subscribed to another event only: not notified of escalations.
      dataOf(
        await app.gql(
          CREATE_ENDPOINT,
          {
            i: {
              organizationId: a.orgId,
              url: 'https://93.184.215.14/messages',
              events: ['MESSAGE_CREATED'],
            },
          },
          { token: a.token },
        ),
      );
    });
    afterAll(() => app.close());

    it('plans the dashboard notification and one delivery per target; unconfigured channels are SKIPPED with the reason', async () => {
      const { escalation, conversationId, customerNumber } = await insertEscalation(app, a);
      const plan = () =>
        app.db.prisma.$transaction((tx) =>
          planEscalationDeliveries(tx, {
            escalationId: escalation.id,
            channels: { email: false, whatsapp: false },
          }),
        );
      const pending = await plan();

      const rows = await rowsOf(app, escalation.id);
      expect(
        rows.map(({ channel, target, status, lastError }) => [channel, target, status, lastError]),
      ).toEqual([
        ['DASHBOARD', 'dashboard', 'SENT', null],
        ['EMAIL', 'ops@example.test', 'SKIPPED', 'SMTP_URL is not configured'],
        ['EMAIL', 'sales@example.test', 'SKIPPED', 'SMTP_URL is not configured'],
        [
          'WHATSAPP',
          '+971500000901',
          'SKIPPED',
          'WhatsApp is not configured (WHATSAPP_API_URL, WHATSAPP_TOKEN, WHATSAPP_PHONE_NUMBER_ID)',
        ],
        ['WEBHOOK', 'https://93.184.215.14/app-service-hook', 'PENDING', null],
        // The app service lists the organization endpoint's URL too: one delivery, through the (signed) endpoint.
        ['WEBHOOK', 'https://93.184.215.14/org-hook', 'PENDING', null],
      ]);
      expect(rows.find((row) => row.target.endsWith('/org-hook'))!.webhookEndpointId).toBe(endpointId);
      expect(rows.find((row) => row.target.endsWith('/app-service-hook'))!.webhookEndpointId).toBeNull();
      const webhookIds = await app.db.prisma.notificationDelivery.findMany({
        where: { escalationId: escalation.id, channel: 'WEBHOOK' },
        orderBy: { target: 'asc' },
        select: { id: true },
      });
      expect(pending).toEqual(webhookIds.map((row) => row.id));

      const notification = await app.db.prisma.notification.findUniqueOrThrow({
        where: { escalationId: escalation.id },
      });
      expect(notification.payload).toEqual({
        customer_number: customerNumber,
        event: 'user_request_to_speak_to_human',
        created_at: escalation.createdAt.toISOString(),
        escalation_id: globalId('Escalation', escalation.id),
        conversation_id: globalId('Conversation', conversationId),
        app_service_id: a.appServiceId,
      });

      // Planning twice (a classification job run twice) adds nothing and returns nothing more to enqueue.
      expect(await plan()).toEqual([]);
      expect(await rowsOf(app, escalation.id)).toEqual(rows);
      expect(await app.db.prisma.notification.count({ where: { escalationId: escalation.id } })).toBe(1);
    });

    it('plans email and WhatsApp deliveries as PENDING when the platform can send them', async () => {
      const { escalation } = await insertEscalation(app, a);
      const pending = await app.db.prisma.$transaction((tx) =>
        planEscalationDeliveries(tx, {
          escalationId: escalation.id,
          channels: { email: true, whatsapp: true },
        }),
      );
      const rows = await rowsOf(app, escalation.id);
      expect(rows.map(({ channel, target, status }) => [channel, target, status])).toEqual([
        ['DASHBOARD', 'dashboard', 'SENT'],
        ['EMAIL', 'ops@example.test', 'PENDING'],
        ['EMAIL', 'sales@example.test', 'PENDING'],
        ['WHATSAPP', '+971500000901', 'PENDING'],
        ['WEBHOOK', 'https://93.184.215.14/app-service-hook', 'PENDING'],
        ['WEBHOOK', 'https://93.184.215.14/org-hook', 'PENDING'],
      ]);
      expect(pending).toHaveLength(5);
    });

    it('records a channel with nobody to notify as one SKIPPED row with the reason, never silently', async () => {
      const { escalation } = await insertEscalation(app, b);
      const pending = await app.db.prisma.$transaction((tx) =>
        planEscalationDeliveries(tx, {
          escalationId: escalation.id,
          channels: { email: true, whatsapp: true },
        }),
      );
      expect(pending).toEqual([]);
      expect(
        (await rowsOf(app, escalation.id)).map(({ channel, target, status, lastError }) => [
          channel,
          target,
          status,
          lastError,
        ]),
      ).toEqual([
        ['DASHBOARD', 'dashboard', 'SENT', null],
        ['EMAIL', '-', 'SKIPPED', skipReasons.noEmails],
        ['WHATSAPP', '-', 'SKIPPED', skipReasons.noWhatsappNumbers],
        ['WEBHOOK', '-', 'SKIPPED', skipReasons.noWebhooks],
      ]);
    });

    it('plans nothing for an escalation whose notification a cool-down suppressed', async () => {
      const { escalation } = await insertEscalation(app, a, { notified: false });
      const pending = await app.db.prisma.$transaction((tx) =>
        planEscalationDeliveries(tx, {
          escalationId: escalation.id,
          channels: { email: true, whatsapp: true },
        }),
      );
      expect(pending).toEqual([]);
      expect(await rowsOf(app, escalation.id)).toEqual([]);
      expect(await app.db.prisma.notification.count({ where: { escalationId: escalation.id } })).toBe(0);
    });

    it('delivers once however often (or concurrently) the job runs, and records failures and skips', async () => {
      const { escalation, conversationId, customerNumber } = await insertEscalation(app, a);
      await app.db.prisma.$transaction((tx) =>
        planEscalationDeliveries(tx, {
          escalationId: escalation.id,
          channels: { email: true, whatsapp: true },
        }),
      );
      const find = (channel: 'EMAIL' | 'WHATSAPP', target: string) =>
        app.db.prisma.notificationDelivery.findFirstOrThrow({
          where: { escalationId: escalation.id, channel, target },
        });
      const email = recordingSender();
      const whatsapp = recordingSender();
      const now = new Date();
      const deps: DeliveryDeps = {
        prisma: app.db.prisma,
        notifications: {
          senders: { email: email.sender, whatsapp: whatsapp.sender },
          dashboardUrl: 'https://dash.example.test',
        },
        now: () => now,
      };

      const ops = await find('EMAIL', 'ops@example.test');
      expect(await deliverNotification(deps, { deliveryId: ops.id })).toBe('sent');
      expect(await deliverNotification(deps, { deliveryId: ops.id })).toBe('already-sent');
      expect(email.sent).toHaveLength(1);
      const conversationGlobalId = globalId('Conversation', conversationId);
      expect(email.sent[0]).toEqual({
        target: 'ops@example.test',
        notice: {
          escalationId: globalId('Escalation', escalation.id),
          organizationId: a.orgId,
          organizationName: 'Org a',
          appServiceId: a.appServiceId,
          appServiceName: 'Line a',
          conversationId: conversationGlobalId,
          customerNumber,
          type: 'SPEAK_TO_HUMAN',
          event: 'user_request_to_speak_to_human',
          evidence: 'I want to talk to a real person',
          createdAt: escalation.createdAt,
          link: `https://dash.example.test/conversations/${conversationGlobalId}`,
        },
      });
      expect(await find('EMAIL', 'ops@example.test')).toMatchObject({
        status: 'SENT',
        attempts: 1,
        sentAt: now,
        lastError: null,
      });

      // Two runs at once (a duplicated job): one sends, the other backs off.
      const sales = await find('EMAIL', 'sales@example.test');
      const outcomes = await Promise.all([
        deliverNotification(deps, { deliveryId: sales.id }),
        deliverNotification(deps, { deliveryId: sales.id }),
      ]);
      expect(outcomes).toContain('sent');
      expect(outcomes.filter((outcome) => outcome === 'sent')).toHaveLength(1);
      expect(email.sent.filter((sent) => sent.target === 'sales@example.test')).toHaveLength(1);

      // A failure is recorded and retried later; a permanent one fails at once.
      const number = await find('WHATSAPP', '+971500000901');
      whatsapp.state.fail = new DeliveryError('WhatsApp API 503: unavailable');
      expect(await deliverNotification(deps, { deliveryId: number.id })).toBe('retry-later');
      expect(await find('WHATSAPP', '+971500000901')).toMatchObject({
        status: 'PENDING',
        attempts: 1,
        lastError: 'WhatsApp API 503: unavailable',
        nextAttemptAt: new Date(now.getTime() + 30_000),
      });
      whatsapp.state.fail = new DeliveryError('WhatsApp API 400: (#131030) not allowed', true);
      expect(
        await deliverNotification(
          { ...deps, now: () => new Date(now.getTime() + 30_000) },
          { deliveryId: number.id },
        ),
      ).toBe('failed');
      expect(await find('WHATSAPP', '+971500000901')).toMatchObject({
        status: 'FAILED',
        attempts: 2,
        lastError: 'WhatsApp API 400: (#131030) not allowed',
        nextAttemptAt: null,
      });
      expect(whatsapp.sent).toHaveLength(0);

      // Configuration removed since planning: skipped with the reason, not lost.
      const { escalation: other } = await insertEscalation(app, a);
      await app.db.prisma.$transaction((tx) =>
        planEscalationDeliveries(tx, { escalationId: other.id, channels: { email: true, whatsapp: true } }),
      );
      const unsent = await app.db.prisma.notificationDelivery.findFirstOrThrow({
        where: { escalationId: other.id, channel: 'EMAIL', target: 'ops@example.test' },
      });
      expect(
        await deliverNotification(
          { ...deps, notifications: { ...deps.notifications, senders: {} } },
          { deliveryId: unsent.id },
        ),
      ).toBe('skipped');
      expect(
        await app.db.prisma.notificationDelivery.findUniqueOrThrow({ where: { id: unsent.id } }),
      ).toMatchObject({ status: 'SKIPPED', attempts: 0, lastError: 'SMTP_URL is not configured' });
      // An endpoint disabled since planning: skipped too.
      await app.db.prisma.webhookEndpoint.update({ where: { id: endpointId }, data: { enabled: false } });
      const hook = await app.db.prisma.notificationDelivery.findFirstOrThrow({
        where: { escalationId: other.id, webhookEndpointId: endpointId },
      });
      expect(await deliverNotification(deps, { deliveryId: hook.id })).toBe('skipped');
      expect(
        await app.db.prisma.notificationDelivery.findUniqueOrThrow({ where: { id: hook.id } }),
      ).toMatchObject({
        status: 'SKIPPED',
        lastError: 'the webhook endpoint is disabled',
      });
      await app.db.prisma.webhookEndpoint.update({ where: { id: endpointId }, data: { enabled: true } });
      // A delivery that no longer exists.
      expect(await deliverNotification(deps, { deliveryId: '00000000-0000-4000-8000-000000000000' })).toBe(
        'skipped',
      );
    });

    it('never sends an email or WhatsApp message twice when an attempt died mid-send; webhooks go again', async () => {
      const { escalation } = await insertEscalation(app, a);
      await app.db.prisma.$transaction((tx) =>
        planEscalationDeliveries(tx, {
          escalationId: escalation.id,
          channels: { email: true, whatsapp: true },
        }),
      );
      const email = recordingSender();
      const whatsapp = recordingSender();
      const webhook: WebhookMessage[] = [];
      const now = new Date();
      const deps: DeliveryDeps = {
        prisma: app.db.prisma,
        notifications: {
          senders: {
            email: email.sender,
            whatsapp: whatsapp.sender,
            webhook: async (_target, message) => void webhook.push(message),
          },
          dashboardUrl: 'https://dash.example.test',
        },
        now: () => now,
      };
      const rows = await app.db.prisma.notificationDelivery.findMany({
        where: { escalationId: escalation.id, channel: { in: ['EMAIL', 'WEBHOOK'] } },
      });
      // Each was claimed by a run that died before it reported: in flight since, its lease long over.
      await app.db.prisma.notificationDelivery.updateMany({
        where: { id: { in: rows.map((row) => row.id) } },
        data: {
          attempts: 1,
          inFlightSince: new Date(now.getTime() - 10 * 60_000),
          nextAttemptAt: new Date(now.getTime() - 8 * 60_000),
        },
      });
      for (const row of rows) await deliverNotification(deps, { deliveryId: row.id });
      const after = await app.db.prisma.notificationDelivery.findMany({
        where: { id: { in: rows.map((row) => row.id) } },
      });
      for (const row of after.filter((row) => row.channel === 'EMAIL')) {
        expect(row).toMatchObject({
          status: 'FAILED',
          lastError: skipReasons.outcomeUnknown,
          inFlightSince: null,
        });
      }
      expect(email.sent).toHaveLength(0);
      const hooks = after.filter((row) => row.channel === 'WEBHOOK');
      expect(hooks.length).toBeGreaterThan(0);
      expect(hooks.every((row) => row.status === 'SENT')).toBe(true);
      expect(webhook).toHaveLength(hooks.length);
    });

    it('the reconciler sweep gives a job to a delivery left PENDING past its lease with none, once', async () => {
      const { escalation } = await insertEscalation(app, a);
      await app.db.prisma.$transaction((tx) =>
        planEscalationDeliveries(tx, {
          escalationId: escalation.id,
          channels: { email: true, whatsapp: true },
        }),
      );
      const pending = await app.db.prisma.notificationDelivery.findMany({
        where: { escalationId: escalation.id, status: 'PENDING' },
      });
      expect(pending.length).toBeGreaterThan(0);
      // Their jobs were lost (say, with Redis): no outbox row, and they are long past due.
      await app.db.prisma.outboxJob.deleteMany({ where: { queue: 'notifications' } });
      await app.db.prisma.notificationDelivery.updateMany({
        where: { id: { in: pending.map((row) => row.id) } },
        data: { createdAt: new Date(Date.now() - 10 * 60_000) },
      });
      expect(await sweepStuckDeliveries(app.db.prisma)).toBe(pending.length);
      const jobs = await app.db.prisma.outboxJob.findMany({ where: { queue: 'notifications' } });
      expect(jobs.map((job) => (job.payload as { deliveryId: string }).deliveryId).sort()).toEqual(
        pending.map((row) => row.id).sort(),
      );
      // Their jobs exist now: the next sweep adds nothing.
      expect(await sweepStuckDeliveries(app.db.prisma)).toBe(0);
    });

    it('shows escalation.notifications to members (not to integrator keys)', async () => {
      const { escalation } = await insertEscalation(app, a);
      await app.db.prisma.$transaction((tx) =>
        planEscalationDeliveries(tx, {
          escalationId: escalation.id,
          channels: { email: false, whatsapp: true },
        }),
      );
      const id = globalId('Escalation', escalation.id);
      type Data = {
        node: {
          notifications: {
            channel: string;
            target: string;
            status: string;
            attempts: number;
            lastError: string | null;
          }[];
        } | null;
      };
      const member = dataOf(await app.gql<Data>(ESCALATION_NOTIFICATIONS, { id }, { token: a.token }));
      expect(
        member.node!.notifications.map(({ channel, target, status, lastError }) => [
          channel,
          target,
          status,
          lastError,
        ]),
      ).toEqual([
        ['DASHBOARD', 'dashboard', 'SENT', null],
        ['EMAIL', 'ops@example.test', 'SKIPPED', 'SMTP_URL is not configured'],
        ['EMAIL', 'sales@example.test', 'SKIPPED', 'SMTP_URL is not configured'],
        ['WHATSAPP', '+971500000901', 'PENDING', null],
        ['WEBHOOK', 'https://93.184.215.14/app-service-hook', 'PENDING', null],
        ['WEBHOOK', 'https://93.184.215.14/org-hook', 'PENDING', null],
      ]);

      const key = await createApiKey(app, a.token, a.orgId, ['CONVERSATIONS_READ']);
      const integrator = dataOf(
        await app.gql<Data>(ESCALATION_NOTIFICATIONS, { id }, { apiKey: key.secret }),
      );
      expect(integrator.node).not.toBeNull();
      expect(integrator.node!.notifications).toEqual([]);

      const outsider = await app.gql<Data>(ESCALATION_NOTIFICATIONS, { id }, { token: b.token });
      expect(outsider.data?.node ?? null).toBeNull();
    });

    it('lists dashboard notifications newest first, unread only on demand, and marks them read', async () => {
      const fresh = await createTenant(app, 'dash');
      const escalations = [];
      for (let i = 0; i < 3; i += 1) {
        const { escalation } = await insertEscalation(app, fresh);
        await app.db.prisma.$transaction((tx) =>
          planEscalationDeliveries(tx, {
            escalationId: escalation.id,
            channels: { email: false, whatsapp: false },
            now: new Date(Date.UTC(2026, 10, 21, 9, i)),
          }),
        );
        escalations.push(escalation);
      }
      const list = async (unreadOnly?: boolean) =>
        dataOf(
          await app.gql<NotificationsData>(
            NOTIFICATIONS,
            { id: fresh.orgId, unreadOnly },
            { token: fresh.token },
          ),
        ).node!.notifications;

      const all = await list();
      expect(all.totalCount).toBe(3);
      expect(all.edges.map((edge) => edge.node.escalation!.id)).toEqual(
        [...escalations].reverse().map((escalation) => globalId('Escalation', escalation.id)),
      );
      expect(Object.keys(all.edges[0]!.node.payload).sort()).toEqual([
        'app_service_id',
        'conversation_id',
        'created_at',
        'customer_number',
        'escalation_id',
        'event',
      ]);
      // The payload's ids open the conversation.
      const conversation = dataOf(
        await app.gql<{ node: { id: string } | null }>(
          `query($id: ID!) { node(id: $id) { id } }`,
          { id: all.edges[0]!.node.payload.conversation_id },
          { token: fresh.token },
        ),
      );
      expect(conversation.node).not.toBeNull();

      const first = all.edges[0]!.node.id;
      const marked = dataOf(
        await app.gql<{ markNotificationsRead: number }>(
          MARK_READ,
          { i: { organizationId: fresh.orgId, ids: [first] } },
          { token: fresh.token },
        ),
      );
      expect(marked.markNotificationsRead).toBe(1);
      const unread = await list(true);
      expect(unread.totalCount).toBe(2);
      expect(unread.edges.map((edge) => edge.node.id)).not.toContain(first);
      expect((await list()).edges.find((edge) => edge.node.id === first)!.node.read).toBe(true);

      // Without ids: every unread one; again: none left.
      const rest = dataOf(
        await app.gql<{ markNotificationsRead: number }>(
          MARK_READ,
          { i: { organizationId: fresh.orgId } },
          { token: fresh.token },
        ),
      );
      expect(rest.markNotificationsRead).toBe(2);
      expect((await list(true)).totalCount).toBe(0);
      const again = dataOf(
        await app.gql<{ markNotificationsRead: number }>(
          MARK_READ,
          { i: { organizationId: fresh.orgId } },
          { token: fresh.token },
        ),
      );
      expect(again.markNotificationsRead).toBe(0);
    });

    it('manages webhook endpoints: the secret is shown once and kept only in the row', async () => {
      const created = dataOf(
        await app.gql<CreatedEndpoint>(
          CREATE_ENDPOINT,
          {
            i: {
              organizationId: a.orgId,
              url: 'https://93.184.215.14/crud',
              events: ['ESCALATION_RAISED', 'CONVERSATION_UPDATED', 'ESCALATION_RAISED'],
            },
          },
          { token: a.token },
        ),
      );
      const { secret, webhookEndpoint } = created.createWebhookEndpoint;
      expect(secret).toMatch(/^whsec_/);
      expect(webhookEndpoint).toMatchObject({
        url: 'https://93.184.215.14/crud',
        events: ['ESCALATION_RAISED', 'CONVERSATION_UPDATED'],
        enabled: true,
        failureCount: 0,
      });
      const row = await app.db.prisma.webhookEndpoint.findUniqueOrThrow({
        where: { id: rawId(webhookEndpoint.id) },
      });
      expect(row.secret).toBe(secret);
      expect(row.events).toEqual(['escalation.raised', 'conversation.updated']);

      // No field of the schema can read a secret back.
      const type = dataOf(
        await app.gql<{ __type: { fields: { name: string }[] } }>(
          `{ __type(name: "WebhookEndpoint") { fields { name } } }`,
        ),
      );
      expect(type.__type.fields.map((field) => field.name)).not.toContain('secret');

      const updated = dataOf(
        await app.gql<{ updateWebhookEndpoint: { url: string; events: string[]; enabled: boolean } }>(
          `mutation($i: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $i) { url events enabled } }`,
          {
            i: {
              id: webhookEndpoint.id,
              url: 'https://93.184.215.14/crud-v2',
              events: ['MESSAGE_CREATED'],
              enabled: false,
            },
          },
          { token: a.token },
        ),
      );
      expect(updated.updateWebhookEndpoint).toEqual({
        url: 'https://93.184.215.14/crud-v2',
        events: ['MESSAGE_CREATED'],
        enabled: false,
      });
      const noEvents = await app.gql(
        `mutation($i: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $i) { id } }`,
        { i: { id: webhookEndpoint.id, events: [] } },
        { token: a.token },
      );
      expect(codesOf(noEvents)).toEqual(['BAD_USER_INPUT']);

      const rotated = dataOf(
        await app.gql<{ rotateWebhookSecret: { secret: string; webhookEndpoint: { id: string } } }>(
          `mutation($i: WebhookEndpointIdInput!) { rotateWebhookSecret(input: $i) { secret webhookEndpoint { id } } }`,
          { i: { id: webhookEndpoint.id } },
          { token: a.token },
        ),
      );
      expect(rotated.rotateWebhookSecret.secret).toMatch(/^whsec_/);
      expect(rotated.rotateWebhookSecret.secret).not.toBe(secret);
      expect(
        (await app.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: rawId(webhookEndpoint.id) } }))
          .secret,
      ).toBe(rotated.rotateWebhookSecret.secret);

      const deleted = dataOf(
        await app.gql<{ deleteWebhookEndpoint: string }>(
          `mutation($i: WebhookEndpointIdInput!) { deleteWebhookEndpoint(input: $i) }`,
          { i: { id: webhookEndpoint.id } },
          { token: a.token },
        ),
      );
      expect(deleted.deleteWebhookEndpoint).toBe(webhookEndpoint.id);
      expect(await app.db.prisma.webhookEndpoint.count({ where: { id: rawId(webhookEndpoint.id) } })).toBe(0);
    });

    it("refuses every mutation to another organization's users and keys, and shows them nothing", async () => {
      const target = dataOf(
        await app.gql<CreatedEndpoint>(
          CREATE_ENDPOINT,
          {
            i: {
              organizationId: a.orgId,
              url: 'https://93.184.215.14/private',
              events: ['ESCALATION_RAISED'],
            },
          },
          { token: a.token },
        ),
      ).createWebhookEndpoint.webhookEndpoint.id;
      const { escalation } = await insertEscalation(app, a);
      await app.db.prisma.$transaction((tx) =>
        planEscalationDeliveries(tx, {
          escalationId: escalation.id,
          channels: { email: false, whatsapp: false },
        }),
      );
      const notification = await app.db.prisma.notification.findUniqueOrThrow({
        where: { escalationId: escalation.id },
      });
      const ownKey = await createApiKey(app, a.token, a.orgId, ['CONVERSATIONS_READ', 'MESSAGES_WRITE']);
      const otherKey = await createApiKey(app, b.token, b.orgId, ['CONVERSATIONS_READ']);

      const mutations: [string, Record<string, unknown>][] = [
        [
          CREATE_ENDPOINT,
          { i: { organizationId: a.orgId, url: 'https://93.184.215.14/x', events: ['ESCALATION_RAISED'] } },
        ],
        [
          `mutation($i: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $i) { id } }`,
          { i: { id: target, enabled: false } },
        ],
        [
          `mutation($i: WebhookEndpointIdInput!) { rotateWebhookSecret(input: $i) { secret } }`,
          { i: { id: target } },
        ],
        [`mutation($i: WebhookEndpointIdInput!) { deleteWebhookEndpoint(input: $i) }`, { i: { id: target } }],
        [MARK_READ, { i: { organizationId: a.orgId } }],
        [MARK_READ, { i: { organizationId: a.orgId, ids: [globalId('Notification', notification.id)] } }],
      ];
      // The other organization's owner and key, and this organization's own key (keys never manage).
      const refusedActors = [{ token: b.token }, { apiKey: otherKey.secret }, { apiKey: ownKey.secret }];
      for (const auth of refusedActors) {
        for (const [query, variables] of mutations) {
          const response = await app.gql(query, variables, auth);
          expect(codesOf(response), `${JSON.stringify(auth).slice(0, 20)} ${query.slice(0, 40)}`).toEqual([
            'FORBIDDEN',
          ]);
        }
      }
      // Nothing changed.
      const endpoint = await app.db.prisma.webhookEndpoint.findUniqueOrThrow({
        where: { id: rawId(target) },
      });
      expect(endpoint.enabled).toBe(true);
      expect(
        (await app.db.prisma.notification.findUniqueOrThrow({ where: { id: notification.id } })).readAt,
      ).toBeNull();

      // Reads: another organization sees neither notifications nor endpoints.
      const node = `query($id: ID!) { node(id: $id) { id } }`;
      for (const auth of [{ token: b.token }, { apiKey: otherKey.secret }]) {
        for (const id of [target, globalId('Notification', notification.id), a.orgId]) {
          const response = await app.gql<{ node: unknown }>(node, { id }, auth);
          expect(response.data?.node ?? null).toBeNull();
        }
        const own = dataOf(await app.gql<NotificationsData>(NOTIFICATIONS, { id: b.orgId }, auth));
        const appServices = own.node!.notifications.edges.map((edge) => edge.node.payload.app_service_id);
        expect(appServices).toContain(b.appServiceId);
        expect(appServices).not.toContain(a.appServiceId);
      }
      // Endpoints are for OWNER and ADMIN: a key of the organization itself lists none.
      const listed = dataOf(
        await app.gql<{ node: { webhookEndpoints: { totalCount: number } } }>(
          `query($id: ID!) { node(id: $id) { ... on Organization { webhookEndpoints { totalCount } } } }`,
          { id: a.orgId },
          { apiKey: ownKey.secret },
        ),
      );
      expect(listed.node.webhookEndpoints.totalCount).toBe(0);
    });

    it('lets only OWNER and ADMIN manage endpoints', async () => {
      const analyst = await signUp(app, 'analyst');
      dataOf(
        await app.gql(
          `mutation($i: AddMemberInput!) { addMember(input: $i) { role } }`,
          { i: { organizationId: a.orgId, email: analyst.email, role: 'ANALYST' } },
          { token: a.token },
        ),
      );
      const refused = await app.gql(
        CREATE_ENDPOINT,
        {
          i: { organizationId: a.orgId, url: 'https://93.184.215.14/analyst', events: ['ESCALATION_RAISED'] },
        },
        { token: analyst.token },
      );
      expect(codesOf(refused)).toEqual(['FORBIDDEN']);
      // An analyst reads the dashboard notifications of the organization.
      const notifications = dataOf(
        await app.gql<NotificationsData>(NOTIFICATIONS, { id: a.orgId }, { token: analyst.token }),
      );
      expect(notifications.node!.notifications.totalCount).toBeGreaterThan(0);
    });
  },
);
