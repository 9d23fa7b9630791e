import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PubSub } from 'graphql-subscriptions';
import { pino } from 'pino';
import type { EscalationNotice } from '../../src/notifications/notice.js';
import { RealtimePublisher } from '../../src/realtime/publisher.js';
import { TopicBus } from '../../src/realtime/topic-bus.js';
import { createYogaApp } from '../../src/graphql/yoga.js';
import { localServiceDeps } from '../../src/local-services.js';
import { testSettings, type GraphQLResponse, type TestApp } from '../support/app.js';
import {
  createAppService,
  createOrganization,
  insertConversation,
  rawId,
  signUp,
} from '../support/fixtures.js';

/** A notice as the services build it, for the senders' own tests. */
export function sampleNotice(overrides: Partial<EscalationNotice> = {}): EscalationNotice {
  return {
    escalationId: 'RXNjYWxhdGlvbjox',
    organizationId: 'T3JnYW5pemF0aW9uOjE',
    organizationName: 'Sky Travel',
    appServiceId: 'QXBwU2VydmljZTox',
    appServiceName: 'WhatsApp line',
    conversationId: 'Q29udmVyc2F0aW9uOjE',
    customerNumber: '+971500000123',
    type: 'SPEAK_TO_HUMAN',
    event: 'user_request_to_speak_to_human',
    evidence: 'I want to talk to a real person <now> & "fast"',
    createdAt: new Date('2026-11-21T09:00:00.000Z'),
    link: 'https://dashboard.example.test/conversations/Q29udmVyc2F0aW9uOjE',
    ...overrides,
  };
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The status the server answered. */
  status: number;
}

export interface Receiver {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** A local HTTP server that records every request and answers with `respond` (200 "{}" by default). */
export async function startReceiver(
  respond: (
    request: Omit<ReceivedRequest, 'status'>,
    index: number,
  ) => { status: number; body?: string } = () => ({
    status: 200,
  }),
): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const answer = respond(received, requests.length);
      requests.push({ ...received, status: answer.status });
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body ?? '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The data of a response, or a thrown error with its errors. */
export function dataOf<T>(response: GraphQLResponse<T>): T {
  if (response.errors || !response.data) throw new Error(JSON.stringify(response.errors));
  return response.data;
}

/** A second yoga over the same database whose settings allow private webhook URLs (development mode). */
export function allowPrivateGql(app: TestApp): TestApp['gql'] {
  const logger = pino({ level: 'silent' });
  const bus = new TopicBus(new PubSub());
  const yoga = createYogaApp({
    db: app.db,
    services: localServiceDeps({
      prisma: app.db.prisma,
      logger,
      settings: { ...testSettings, allowPrivateWebhooks: true },
      realtime: new RealtimePublisher(bus, logger),
      jobs: app.jobs,
    }),
    bus,
  });
  return async (query, variables, auth) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (auth?.token) headers.authorization = `Bearer ${auth.token}`;
    const response = await yoga.fetch('http://test/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as never;
  };
}

export interface Tenant {
  token: string;
  orgId: string;
  appServiceId: string;
}

export async function createTenant(app: TestApp, label: string): Promise<Tenant> {
  const owner = await signUp(app, `owner-${label}`);
  const orgId = await createOrganization(app, owner.token, `Org ${label}`);
  const appServiceId = await createAppService(app, owner.token, orgId, `Line ${label}`);
  return { token: owner.token, orgId, appServiceId };
}

/** A conversation with a customer message and an escalation on it, written straight to the database. */
export async function insertEscalation(
  app: TestApp,
  tenant: Tenant,
  options: { appServiceId?: string; notified?: boolean } = {},
) {
  const appServiceId = options.appServiceId ?? tenant.appServiceId;
  const { conversationId, contactId } = await insertConversation(app, {
    organizationId: tenant.orgId,
    appServiceId,
    messages: 1,
  });
  const message = await app.db.prisma.message.findFirstOrThrow({ where: { conversationId } });
  const escalation = await app.db.prisma.escalation.create({
    data: {
      organizationId: rawId(tenant.orgId),
      conversationId,
      messageId: message.id,
      type: 'SPEAK_TO_HUMAN',
      confidence: 0.95,
      evidence: 'I want to talk to a real person',
      detectedBy: 'test',
      notified: options.notified ?? true,
    },
  });
  const contact = await app.db.prisma.contact.findUniqueOrThrow({ where: { id: contactId } });
  return { escalation, conversationId, customerNumber: contact.phone! };
}

export const CREATE_ENDPOINT = `mutation($i: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $i) { secret webhookEndpoint { id url events enabled failureCount disabledAt } }
}`;

export interface CreatedEndpoint {
  createWebhookEndpoint: {
    secret: string;
    webhookEndpoint: { id: string; url: string; events: string[]; enabled: boolean; failureCount: number };
  };
}
