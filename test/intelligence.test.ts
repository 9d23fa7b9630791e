import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApplication, type Application } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { topic } from '../src/realtime/topics.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { rawId } from './support/fixtures.js';
import { eventually, REDIS_URL, subscribe } from './support/live.js';
import { RUN_QUEUE_PREFIX, RUN_RATE_LIMIT_PREFIX } from './support/process.js';

interface Received {
  from: string;
  to: string[];
  body: string;
}

/** A real SMTP server on a random port that keeps what it receives. */
async function startSmtp(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let body = '';
      stream.on('data', (chunk: Buffer) => (body += chunk.toString()));
      stream.on('end', () => {
        // Undo quoted-printable soft line breaks and escapes, enough to read the text parts.
        body = body
          .replace(/=\r?\n/g, '')
          .replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          body,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const scenarios = [
  {
    label: 'the embedded default (PGlite, in-process queue and pub/sub)',
    kind: 'embedded' as const,
    redis: false,
  },
  { label: 'Postgres with Redis and BullMQ workers', kind: 'postgres' as const, redis: true },
];

describe.each(scenarios)('an escalation end to end on $label', ({ kind, redis }) => {
  let db: TestDatabase;
  let app: Application;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let url: string;

  async function gql<T>(
    query: string,
    variables: Record<string, unknown>,
    headers: Record<string, string> = {},
  ) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data: T; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  }

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    smtp = await startSmtp();
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      SMTP_URL: smtp.url,
      MAIL_FROM: 'alerts@platform.test',
      DASHBOARD_URL: 'https://dashboard.example.com',
      RATE_LIMIT_PREFIX: RUN_RATE_LIMIT_PREFIX,
      QUEUE_PREFIX: RUN_QUEUE_PREFIX,
      ...(redis ? { REDIS_URL } : {}),
    });
    app = await startApplication(config, pino({ level: 'silent' }), { db });
    url = app.server!.url;
  });
  afterAll(async () => {
    await app?.stop();
    await smtp?.close();
    await db?.drop();
  });

  it('notifies the dashboard live, stores the escalation with evidence, and emails the business', async () => {
    const { signUp } = await gql<{ signUp: { token: string } }>(
      `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
      { i: { email: `owner-${kind}@example.test`, password: 'correct-horse-battery', name: 'Owner' } },
    );
    const auth = { authorization: `Bearer ${signUp.token}` };
    const { createOrganization } = await gql<{ createOrganization: { organization: { id: string } } }>(
      `mutation { createOrganization(input: { name: "Sky Travel" }) { organization { id } } }`,
      {},
      auth,
    );
    const organizationId = createOrganization.organization.id;
    const { createAppService } = await gql<{ createAppService: { id: string } }>(
      `mutation($i: CreateAppServiceInput!) { createAppService(input: $i) { id } }`,
      {
        i: {
          organizationId,
          name: 'WhatsApp',
          channel: 'WHATSAPP',
          notificationEmails: ['ops@business.test'],
          notificationWhatsappNumbers: ['+971500000999'],
        },
      },
      auth,
    );
    const { createApiKey } = await gql<{ createApiKey: { secret: string } }>(
      `mutation($o: ID!) { createApiKey(input: { organizationId: $o, name: "bot", scopes: [MESSAGES_WRITE] }) { secret } }`,
      { o: organizationId },
      auth,
    );

    const stream = await subscribe<{
      escalationRaised: {
        customerNumber: string;
        event: string;
        createdAt: string;
        evidence: string;
        conversation: { id: string };
      };
    }>(
      url,
      { authorization: `Bearer ${signUp.token}` },
      `subscription($o: ID) { escalationRaised(organizationId: $o) { customerNumber event createdAt evidence conversation { id } } }`,
      { o: organizationId },
    );
    await eventually(
      () => app.pubsub.bus.listeners(topic('escalationRaised', 'organization', rawId(organizationId))) === 1,
      'subscribed',
    );

    const { ingestMessage } = await gql<{ ingestMessage: { conversation: { id: string } } }>(
      `mutation($i: IngestMessageInput!) { ingestMessage(input: $i) { conversation { id } } }`,
      {
        i: {
          appServiceId: createAppService.id,
          customer: { externalId: '+971501234567', name: 'Sara' },
          content: 'I want to talk to a real person',
        },
      },
      { 'x-api-key': createApiKey.secret },
    );
    const [event] = await stream.next(1);
    expect(event!.escalationRaised).toMatchObject({
      customerNumber: '+971501234567',
      event: 'user_request_to_speak_to_human',
      conversation: { id: ingestMessage.conversation.id },
    });
    expect('I want to talk to a real person').toContain(event!.escalationRaised.evidence);
    await stream.stop();

    type Read = {
      node: {
        priority: string;
        escalatedAt: string | null;
        escalations: {
          edges: {
            node: {
              type: string;
              notifications: { channel: string; target: string; status: string; lastError: string | null }[];
            };
          }[];
        };
      };
    };
    const READ = `query($id: ID!) { node(id: $id) { ... on Conversation { priority escalatedAt
      escalations { edges { node { type notifications { channel target status lastError } } } } } } }`;
    let read!: Read;
    await eventually(async () => {
      read = await gql<Read>(READ, { id: ingestMessage.conversation.id }, auth);
      const deliveries = read.node.escalations.edges[0]?.node.notifications ?? [];
      return deliveries.some((d) => d.channel === 'EMAIL' && d.status === 'SENT');
    }, 'the email delivery');
    expect(read.node.priority).toBe('HIGH');
    expect(read.node.escalatedAt).not.toBeNull();
    const deliveries = read.node.escalations.edges[0]!.node.notifications;
    expect(deliveries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ channel: 'DASHBOARD', status: 'SENT' }),
        expect.objectContaining({ channel: 'EMAIL', target: 'ops@business.test', status: 'SENT' }),
        // No WhatsApp Cloud API configured here: recorded as skipped, with the reason.
        expect.objectContaining({
          channel: 'WHATSAPP',
          status: 'SKIPPED',
          lastError: expect.stringMatching(/WHATSAPP/),
        }),
      ]),
    );
    await eventually(() => smtp.received.length === 1, 'the email');
    expect(smtp.received[0]!.to).toEqual(['ops@business.test']);
    expect(smtp.received[0]!.body).toContain('+971501234567');
    expect(smtp.received[0]!.body).toContain('user_request_to_speak_to_human');
    expect(smtp.received[0]!.body).toContain('https://dashboard.example.com/conversations/');

    const { node } = await gql<{
      node: { notifications: { edges: { node: { payload: Record<string, string> } }[] } };
    }>(
      `query($id: ID!) { node(id: $id) { ... on Organization { notifications(unreadOnly: true) { edges { node { payload } } } } } }`,
      { id: organizationId },
      auth,
    );
    expect(node.notifications.edges[0]!.node.payload).toMatchObject({
      customer_number: '+971501234567',
      event: 'user_request_to_speak_to_human',
      created_at: expect.any(String),
    });
  }, 60_000);
});
