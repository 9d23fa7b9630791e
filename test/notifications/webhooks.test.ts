import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/notifications/delivery-error.js';
import {
  assertPublicUrl,
  nonPublicReason,
  publicOnlyLookup,
  UnsafeUrlError,
} from '../../src/notifications/ssrf.js';
import { createWebhookSender, type WebhookMessage } from '../../src/notifications/webhooks.js';
import {
  deliverNotification,
  type DeliveryDeps,
  type DeliveryOutcome,
} from '../../src/services/notification-delivery.js';
import { planEscalationDeliveries } from '../../src/services/notification-planning.js';
import { DISABLE_WEBHOOK_AFTER_FAILURES, retrySchedules } from '../../src/services/notification-policy.js';
import { generateWebhookSecret } from '../../src/services/webhook-endpoints.js';
import { codesOf, createTestApp, type TestApp } from '../support/app.js';
import { backends } from '../support/db.js';
import { globalId, rawId } from '../support/fixtures.js';
import {
  allowPrivateGql,
  CREATE_ENDPOINT,
  createTenant,
  dataOf,
  insertEscalation,
  startReceiver,
  type CreatedEndpoint,
  type Receiver,
  type Tenant,
} from './support.js';

const message: WebhookMessage = {
  id: 'msg_2c6f0e3a',
  type: 'escalation.raised',
  timestamp: new Date('2026-11-21T09:00:00.000Z'),
  data: { customer_number: '+971500000123', event: 'user_request_to_speak_to_human' },
};

/** Header values as the standardwebhooks verifier takes them. */
const headersOf = (headers: http.IncomingHttpHeaders): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, String(value)]));

describe('signed webhooks and SSRF refusals', () => {
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  it('signs the Standard Webhooks way: the independent verifier accepts it, another secret does not', async () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const send = createWebhookSender({ allowPrivate: true });
    const before = receiver.requests.length;
    await send({ url: `${receiver.url}/hooks/escalations`, secret }, message);

    const request = receiver.requests[before]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/hooks/escalations');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['webhook-id']).toBe('msg_2c6f0e3a');
    expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    const verified = new Webhook(secret).verify(request.body, headersOf(request.headers));
    expect(verified).toEqual({
      type: 'escalation.raised',
      timestamp: '2026-11-21T09:00:00.000Z',
      data: { customer_number: '+971500000123', event: 'user_request_to_speak_to_human' },
    });
    expect(() =>
      new Webhook(generateWebhookSecret()).verify(request.body, headersOf(request.headers)),
    ).toThrow(WebhookVerificationError);
    // A tampered body fails too.
    expect(() =>
      new Webhook(secret).verify(request.body.replace('+971', '+972'), headersOf(request.headers)),
    ).toThrow(WebhookVerificationError);
  });

  it('sends a bare app-service URL with id and timestamp but no signature', async () => {
    const send = createWebhookSender({ allowPrivate: true });
    const before = receiver.requests.length;
    await send({ url: `${receiver.url}/bare`, secret: null }, message);
    const request = receiver.requests[before]!;
    expect(request.headers['webhook-id']).toBe('msg_2c6f0e3a');
    expect(request.headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    expect(request.headers['webhook-signature']).toBeUndefined();
  });

  it('refuses loopback, private, link-local, metadata and non-http targets at delivery, sending nothing', async () => {
    const send = createWebhookSender({ allowPrivate: false });
    const before = receiver.requests.length;
    const refused = [
      `${receiver.url}/hook`,
      `http://localhost:${receiver.port}/hook`,
      `http://[::1]:${receiver.port}/hook`,
      `http://[::ffff:127.0.0.1]:${receiver.port}/hook`,
      `http://0.0.0.0:${receiver.port}/hook`,
      'http://10.0.0.5/hook',
      'http://172.20.1.1/hook',
      'http://192.168.1.10/hook',
      'http://100.64.0.7/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fe80::1]/hook',
      'http://[fd12:3456::1]/hook',
      'ftp://example.com/hook',
      'file:///etc/passwd',
    ];
    for (const url of refused) {
      const error = await send({ url, secret: null }, message).catch((caught: unknown) => caught);
      expect(error, url).toBeInstanceOf(DeliveryError);
      expect((error as DeliveryError).permanent, url).toBe(true);
      expect((error as DeliveryError).message, url).toMatch(/^Refused: URL /);
    }
    expect(receiver.requests.length).toBe(before);
  });

  it('names why an address is refused, and resolves every address of a host name', async () => {
    expect(nonPublicReason('127.0.0.1')).toBe('loopback');
    expect(nonPublicReason('169.254.169.254')).toBe('cloud metadata');
    expect(nonPublicReason('169.254.1.1')).toBe('link-local');
    expect(nonPublicReason('10.1.2.3')).toBe('private');
    expect(nonPublicReason('172.31.255.255')).toBe('private');
    expect(nonPublicReason('172.32.0.1')).toBeNull();
    expect(nonPublicReason('192.168.0.1')).toBe('private');
    expect(nonPublicReason('100.127.255.255')).toBe('shared (CGNAT)');
    expect(nonPublicReason('0.0.0.0')).toBe('unspecified');
    expect(nonPublicReason('::')).toBe('unspecified');
    expect(nonPublicReason('::1')).toBe('loopback');
    expect(nonPublicReason('::ffff:10.0.0.1')).toBe('private');
    expect(nonPublicReason('64:ff9b::a9fe:a9fe')).toBe('cloud metadata');
    expect(nonPublicReason('fe80::1%eth0')).toBe('link-local');
    expect(nonPublicReason('fc00::1')).toBe('private (unique local)');
    expect(nonPublicReason('8.8.8.8')).toBeNull();
    expect(nonPublicReason('93.184.215.14')).toBeNull();
    expect(nonPublicReason('2606:4700:4700::1111')).toBeNull();
    expect(nonPublicReason('::ffff:8.8.8.8')).toBeNull();

    // One private address among public ones is enough to refuse (the connection could go to either).
    const lookup = async () => [
      { address: '93.184.215.14', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ];
    await expect(
      assertPublicUrl('https://hooks.example.test/x', { allowPrivate: false, lookup }),
    ).rejects.toThrow('host hooks.example.test resolves to a private address (10.0.0.5)');
    const publicOnly = async () => [{ address: '93.184.215.14', family: 4 }];
    await expect(
      assertPublicUrl('https://hooks.example.test/x', { allowPrivate: false, lookup: publicOnly }),
    ).resolves.toBeInstanceOf(URL);
    // allowPrivate (development) skips the address check, never the scheme check.
    await expect(assertPublicUrl('http://127.0.0.1/x', { allowPrivate: true })).resolves.toBeInstanceOf(URL);
    await expect(assertPublicUrl('gopher://127.0.0.1/x', { allowPrivate: true })).rejects.toThrow(
      UnsafeUrlError,
    );
  });

  it('checks the addresses again when connecting (a host cannot switch to an internal address)', async () => {
    for (const all of [true, false]) {
      const error = await new Promise<Error | null>((resolve) =>
        publicOnlyLookup('localhost', { all }, (caught) => resolve(caught)),
      );
      expect(error).toBeInstanceOf(UnsafeUrlError);
      expect(error!.message).toMatch(/^host localhost resolves to a loopback address/);
    }
  });

  it('does not follow redirects and gives up on a receiver that does not answer', async () => {
    const redirecting = await startReceiver(() => ({ status: 302 }));
    const send = createWebhookSender({ allowPrivate: true, timeoutMs: 200 });
    const redirect = await send({ url: redirecting.url, secret: null }, message).catch(
      (caught: unknown) => caught,
    );
    expect((redirect as DeliveryError).message).toBe('HTTP 302 (redirects are not followed): {}');
    expect(redirecting.requests).toHaveLength(1);
    await redirecting.close();

    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const timeout = await send({ url: `http://127.0.0.1:${port}/`, secret: null }, message).catch(
      (caught: unknown) => caught,
    );
    expect(timeout).toBeInstanceOf(DeliveryError);
    expect((timeout as DeliveryError).message).toBe('No answer within 0.2 s');
    expect((timeout as DeliveryError).permanent).toBe(false);
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
});

describe.each(backends)('webhook endpoints and their deliveries (%s)', (kind) => {
  let app: TestApp;
  let tenant: Tenant;
  let privateGql: TestApp['gql'];

  beforeAll(async () => {
    app = await createTestApp(kind);
    tenant = await createTenant(app, 'webhooks');
    privateGql = allowPrivateGql(app);
  });
  afterAll(() => app.close());

  /** A clock the test moves, and deps as the notification job would pass them. */
  function jobDeps() {
    const clock = { now: new Date() };
    const deps: DeliveryDeps = {
      prisma: app.db.prisma,
      notifications: { senders: {}, dashboardUrl: 'https://dash.example.test/' },
      settings: { allowPrivateWebhooks: true },
      now: () => clock.now,
    };
    return { clock, deps };
  }

  it('refuses unsafe URLs when an endpoint is created or changed (BAD_USER_INPUT)', async () => {
    const refused = [
      'http://127.0.0.1:8080/hook',
      'http://10.0.0.5/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]/hook',
      'http://localhost:3000/hook',
      'ftp://example.com/hook',
      'file:///etc/passwd',
      'not a url',
    ];
    for (const url of refused) {
      const response = await app.gql(
        CREATE_ENDPOINT,
        { i: { organizationId: tenant.orgId, url, events: ['ESCALATION_RAISED'] } },
        { token: tenant.token },
      );
      expect(codesOf(response), url).toEqual(['BAD_USER_INPUT']);
      const details = response.errors![0]!.extensions!.details as { issues: { path: string }[] };
      expect(details.issues[0]!.path).toBe('url');
    }
    const created = dataOf(
      await app.gql<CreatedEndpoint>(
        CREATE_ENDPOINT,
        {
          i: {
            organizationId: tenant.orgId,
            url: 'https://93.184.215.14/hook',
            events: ['ESCALATION_RAISED'],
          },
        },
        { token: tenant.token },
      ),
    );
    const update = await app.gql(
      `mutation($i: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $i) { id url } }`,
      { i: { id: created.createWebhookEndpoint.webhookEndpoint.id, url: 'http://192.168.0.10/hook' } },
      { token: tenant.token },
    );
    expect(codesOf(update)).toEqual(['BAD_USER_INPUT']);
    const row = await app.db.prisma.webhookEndpoint.findUniqueOrThrow({
      where: { id: rawId(created.createWebhookEndpoint.webhookEndpoint.id) },
    });
    expect(row.url).toBe('https://93.184.215.14/hook');
    await app.db.prisma.webhookEndpoint.delete({ where: { id: row.id } });
    expect(await app.db.prisma.webhookEndpoint.count({ where: { url: { contains: '127.0.0.1' } } })).toBe(0);
  });

  it('a receiver that fails twice then recovers gets the event once, signed, after retries on the schedule', async () => {
    const receiver = await startReceiver((_request, index) => ({
      status: index < 2 ? 500 : 200,
      body: 'oops',
    }));
    try {
      const created = dataOf(
        await privateGql<CreatedEndpoint>(
          CREATE_ENDPOINT,
          { i: { organizationId: tenant.orgId, url: `${receiver.url}/hook`, events: ['ESCALATION_RAISED'] } },
          { token: tenant.token },
        ),
      );
      const { secret, webhookEndpoint } = created.createWebhookEndpoint;
      const endpointId = rawId(webhookEndpoint.id);
      // A success resets the count of failed deliveries.
      await app.db.prisma.webhookEndpoint.update({ where: { id: endpointId }, data: { failureCount: 2 } });

      const { escalation, conversationId, customerNumber } = await insertEscalation(app, tenant);
      const pending = await app.db.prisma.$transaction((tx) =>
        planEscalationDeliveries(tx, {
          escalationId: escalation.id,
          channels: { email: true, whatsapp: true },
        }),
      );
      const delivery = await app.db.prisma.notificationDelivery.findFirstOrThrow({
        where: { escalationId: escalation.id, channel: 'WEBHOOK' },
      });
      expect(pending).toEqual([delivery.id]);
      expect(delivery).toMatchObject({ target: `${receiver.url}/hook`, webhookEndpointId: endpointId });

      const { clock, deps } = jobDeps();
      const start = clock.now.getTime();
      const run = () => deliverNotification(deps, { deliveryId: delivery.id });
      const row = () => app.db.prisma.notificationDelivery.findUniqueOrThrow({ where: { id: delivery.id } });

      expect(await run()).toBe('retry-later');
      expect(await row()).toMatchObject({
        status: 'PENDING',
        attempts: 1,
        lastError: 'HTTP 500: oops',
        nextAttemptAt: new Date(start + retrySchedules.WEBHOOK[0]!),
      });
      // The job queue runs it again too early (a duplicate): nothing is sent.
      expect(await run()).toBe('retry-later');
      expect(receiver.requests).toHaveLength(1);

      clock.now = (await row()).nextAttemptAt!;
      expect(await run()).toBe('retry-later');
      expect((await row()).nextAttemptAt).toEqual(new Date(clock.now.getTime() + retrySchedules.WEBHOOK[1]!));

      clock.now = (await row()).nextAttemptAt!;
      expect(await run()).toBe('sent');
      expect(await run()).toBe('already-sent');
      expect(await row()).toMatchObject({
        status: 'SENT',
        attempts: 3,
        lastError: null,
        nextAttemptAt: null,
        sentAt: clock.now,
      });
      const endpoint = await app.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } });
      expect(endpoint.failureCount).toBe(0);

      // Retries were queued in the outbox, one job per due time (the early duplicate run added none).
      const retries = await app.db.prisma.outboxJob.findMany({
        where: { name: 'deliver', payload: { path: ['deliveryId'], equals: delivery.id } },
        orderBy: { availableAt: 'asc' },
      });
      expect(retries.map((job) => job.availableAt.getTime())).toEqual([
        start + retrySchedules.WEBHOOK[0]!,
        start + retrySchedules.WEBHOOK[0]! + retrySchedules.WEBHOOK[1]!,
      ]);

      // Three requests, one message id, all verifiably signed; exactly one was accepted.
      expect(receiver.requests).toHaveLength(3);
      const payloads = receiver.requests.map((request) =>
        new Webhook(secret).verify(request.body, headersOf(request.headers)),
      );
      expect(new Set(receiver.requests.map((request) => request.headers['webhook-id']))).toEqual(
        new Set([delivery.id]),
      );
      expect(receiver.requests.filter((request) => request.status === 200)).toHaveLength(1);
      const conversationGlobalId = globalId('Conversation', conversationId);
      expect(payloads[2]).toEqual({
        type: 'escalation.raised',
        timestamp: escalation.createdAt.toISOString(),
        data: {
          customer_number: customerNumber,
          event: 'user_request_to_speak_to_human',
          created_at: escalation.createdAt.toISOString(),
          escalation_id: globalId('Escalation', escalation.id),
          conversation_id: conversationGlobalId,
          app_service_id: tenant.appServiceId,
          organization_id: tenant.orgId,
          type: 'SPEAK_TO_HUMAN',
          evidence: 'I want to talk to a real person',
          link: `https://dash.example.test/conversations/${conversationGlobalId}`,
        },
      });
    } finally {
      await receiver.close();
    }
  });

  it('fails a delivery after the last retry and disables an endpoint that keeps failing', async () => {
    const receiver = await startReceiver(() => ({ status: 503 }));
    try {
      const created = dataOf(
        await privateGql<CreatedEndpoint>(
          CREATE_ENDPOINT,
          { i: { organizationId: tenant.orgId, url: `${receiver.url}/down`, events: ['ESCALATION_RAISED'] } },
          { token: tenant.token },
        ),
      );
      const endpointGlobalId = created.createWebhookEndpoint.webhookEndpoint.id;
      const endpointId = rawId(endpointGlobalId);
      await app.db.prisma.webhookEndpoint.update({
        where: { id: endpointId },
        data: { failureCount: DISABLE_WEBHOOK_AFTER_FAILURES - 1 },
      });
      const { escalation } = await insertEscalation(app, tenant);
      await app.db.prisma.$transaction((tx) =>
        planEscalationDeliveries(tx, {
          escalationId: escalation.id,
          channels: { email: true, whatsapp: true },
        }),
      );
      const delivery = await app.db.prisma.notificationDelivery.findFirstOrThrow({
        where: { escalationId: escalation.id, webhookEndpointId: endpointId },
      });
      const { clock, deps } = jobDeps();
      const outcomes: DeliveryOutcome[] = [];
      for (let run = 0; run < 20; run += 1) {
        const outcome = await deliverNotification(deps, { deliveryId: delivery.id });
        outcomes.push(outcome);
        if (outcome !== 'retry-later') break;
        const row = await app.db.prisma.notificationDelivery.findUniqueOrThrow({
          where: { id: delivery.id },
        });
        clock.now = row.nextAttemptAt!;
      }
      expect(outcomes).toEqual([...retrySchedules.WEBHOOK.map(() => 'retry-later'), 'failed']);
      expect(receiver.requests).toHaveLength(retrySchedules.WEBHOOK.length + 1);
      expect(
        await app.db.prisma.notificationDelivery.findUniqueOrThrow({ where: { id: delivery.id } }),
      ).toMatchObject({ status: 'FAILED', attempts: 7, lastError: 'HTTP 503: {}', nextAttemptAt: null });
      expect(await deliverNotification(deps, { deliveryId: delivery.id })).toBe('failed');

      const ENDPOINTS = `query($id: ID!) { node(id: $id) { ... on Organization {
        webhookEndpoints { edges { node { id url enabled failureCount disabledAt } } } } } }`;
      type Endpoints = {
        node: {
          webhookEndpoints: {
            edges: {
              node: { id: string; enabled: boolean; failureCount: number; disabledAt: string | null };
            }[];
          };
        };
      };
      const listed = dataOf(
        await app.gql<Endpoints>(ENDPOINTS, { id: tenant.orgId }, { token: tenant.token }),
      );
      const shown = listed.node.webhookEndpoints.edges.find(
        (edge) => edge.node.id === endpointGlobalId,
      )!.node;
      expect(shown).toMatchObject({ enabled: false, failureCount: DISABLE_WEBHOOK_AFTER_FAILURES });
      expect(shown.disabledAt).toBe(clock.now.toISOString());

      // A disabled endpoint is not planned for new escalations.
      const next = await insertEscalation(app, tenant);
      await app.db.prisma.$transaction((tx) =>
        planEscalationDeliveries(tx, {
          escalationId: next.escalation.id,
          channels: { email: true, whatsapp: true },
        }),
      );
      expect(
        await app.db.prisma.notificationDelivery.count({
          where: { escalationId: next.escalation.id, webhookEndpointId: endpointId },
        }),
      ).toBe(0);

      // Re-enabling clears the automatic disabling.
      const reenabled = dataOf(
        await app.gql<{
          updateWebhookEndpoint: { enabled: boolean; failureCount: number; disabledAt: null };
        }>(
          `mutation($i: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $i) { enabled failureCount disabledAt } }`,
          { i: { id: endpointGlobalId, enabled: true } },
          { token: tenant.token },
        ),
      );
      expect(reenabled.updateWebhookEndpoint).toEqual({ enabled: true, failureCount: 0, disabledAt: null });
    } finally {
      await receiver.close();
    }
  });

  it('refuses at delivery a URL that is not public when private addresses are not allowed', async () => {
    const receiver = await startReceiver();
    try {
      const { escalation } = await insertEscalation(app, tenant);
      // Written straight to the row, as if the setting had been different when it was saved.
      await app.db.prisma.appService.update({
        where: { id: rawId(tenant.appServiceId) },
        data: { notificationWebhookUrls: [`${receiver.url}/internal`] },
      });
      await app.db.prisma.webhookEndpoint.updateMany({
        where: { organizationId: rawId(tenant.orgId) },
        data: { enabled: false },
      });
      await app.db.prisma.$transaction((tx) =>
        planEscalationDeliveries(tx, {
          escalationId: escalation.id,
          channels: { email: true, whatsapp: true },
        }),
      );
      const delivery = await app.db.prisma.notificationDelivery.findFirstOrThrow({
        where: { escalationId: escalation.id, channel: 'WEBHOOK' },
      });
      expect(delivery).toMatchObject({ target: `${receiver.url}/internal`, webhookEndpointId: null });
      const { deps } = jobDeps();
      expect(
        await deliverNotification(
          { ...deps, settings: { allowPrivateWebhooks: false } },
          { deliveryId: delivery.id },
        ),
      ).toBe('failed');
      expect(receiver.requests).toHaveLength(0);
      const row = await app.db.prisma.notificationDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
      expect(row).toMatchObject({ status: 'FAILED', attempts: 1 });
      expect(row.lastError).toBe('Refused: URL points to a loopback address (127.0.0.1)');
    } finally {
      await app.db.prisma.appService.update({
        where: { id: rawId(tenant.appServiceId) },
        data: { notificationWebhookUrls: [] },
      });
      await receiver.close();
    }
  });
});
