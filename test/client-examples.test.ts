import { spawn, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver } from '../client-examples/integrator/webhook-receiver.js';
import { startApplication, type Application } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { DEMO_LOGIN, seedDemoWorkspace } from '../src/services/demo-seed.js';
import { catchUpSentiment } from '../src/services/sentiment-run.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { rawId } from './support/fixtures.js';
import { eventually } from './support/live.js';
import { topic, type TopicName } from '../src/realtime/topics.js';

/** Runs an example script like a user would (`tsx <file>`), collecting what it prints. */
function run(file: string, args: string[], env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return {
    child,
    exited,
    output: () => output,
    waitFor: (text: string) => eventually(() => output.includes(text), `"${text}" in:\n${output}`, 30_000),
  };
}

describe('the client examples against a live server with the demo workspace', () => {
  let db: TestDatabase;
  let app: Application;
  let url: string;
  let apiKey: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('embedded');
    const seeded = await seedDemoWorkspace(db.prisma);
    apiKey = seeded!.apiKey;
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      WEBHOOKS_ALLOW_PRIVATE: 'true',
    });
    app = await startApplication(config, pino({ level: 'silent' }), { db });
    url = app.server!.url;
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await app?.stop();
    await db?.drop();
  });

  it('the demo workspace: each escalated conversation has its escalation, with the customer words as evidence', async () => {
    const escalated = await db.prisma.conversation.findMany({
      where: { escalatedAt: { not: null } },
      include: { escalations: { include: { message: true } } },
    });
    expect(escalated.length).toBeGreaterThan(0);
    for (const conversation of escalated) {
      expect(conversation.escalations).toHaveLength(1);
      const [escalation] = conversation.escalations;
      expect(escalation!.message?.senderType).toBe('CUSTOMER');
      expect(escalation!.evidence).toBe(escalation!.message?.content);
    }
  });

  it('dashboard: walks from the user to the messages with typed documents', async () => {
    const walk = run('client-examples/dashboard/walk.ts', [], { GRAPHQL_URL: url });
    expect(await walk.exited).toBe(0);
    expect(walk.output()).toContain('1. connected as Demo Owner');
    expect(walk.output()).toContain('2. businesses: Sky Travel (demo)');
    expect(walk.output()).toMatch(/5\. .+ \((BOT|OPEN|ASSIGNED|RESOLVED)\):/);
    expect(walk.output()).toMatch(/6\. last 30 days: [1-9]\d* chat sessions, [1-9]\d* messages/);
    expect(walk.output()).toContain('7. emotion timeline: ');
    // Without --take-over the walk only reads.
    expect(walk.output()).not.toContain('8. took over');
  }, 60_000);

  it('agent and integrator: an escalation reaches the agent, who takes over; the connector delivers the reply', async () => {
    const agent = run('client-examples/agent/watch.ts', ['--take-over', '--events', '5'], {
      GRAPHQL_URL: url,
    });
    children.push(agent.child);
    await agent.waitFor('watching app service');
    // The agent's three subscriptions are set up once the server's bus counts them.
    const appServiceId = rawId(/watching app service (\S+)/.exec(agent.output())![1]!);
    await eventually(
      () =>
        ['escalationRaised', 'messageAdded', 'conversationUpdated'].every(
          (name) => app.pubsub.bus.listeners(topic(name as TopicName, 'appService', appServiceId)) > 0,
        ),
      'the agent subscriptions',
    );

    const connector = run(
      'client-examples/integrator/connector.ts',
      ['--wait-reply', '--message', 'I want to talk to a real person'],
      {
        GRAPHQL_URL: url,
        API_KEY: apiKey,
        CUSTOMER: '+971500000123',
      },
    );
    children.push(connector.child);
    expect(await connector.exited).toBe(0);
    const out = connector.output();
    expect(out).toContain('botShouldReply=true');
    expect(out).toContain('[takeover] a human holds');
    expect(out).toContain('[deliver] to +971500000123: Hi, I am a person from the team. How can I help?');
    expect(out).toContain('[event] recorded SALE_MADE');

    await agent.waitFor('[take-over]');
    const escalationLine = agent
      .output()
      .split('\n')
      .find((line) => line.startsWith('[escalation] '))!;
    const payload = JSON.parse(escalationLine.slice('[escalation] '.length)) as Record<string, string>;
    expect(Object.keys(payload)).toEqual(['customer_number', 'event', 'created_at']);
    expect(payload).toMatchObject({
      customer_number: '+971500000123',
      event: 'user_request_to_speak_to_human',
    });
    expect(Number.isNaN(Date.parse(payload.created_at!))).toBe(false);
    expect(await agent.exited).toBe(0);
  }, 90_000);

  it('analyst: introspects the schema and reports the emotion mix and monitoring per app service', async () => {
    // What the hourly job would have done for the demo conversations of the last hours.
    await catchUpSentiment({ prisma: db.prisma, model: app.model, realtime: app.realtime }, {});
    const report = run('client-examples/analyst/report.ts', ['--days', '2'], { GRAPHQL_URL: url });
    expect(await report.exited).toBe(0);
    const out = report.output();
    expect(out).toMatch(/schema: \d+ types/);
    expect(out).toContain(
      'subscriptions: conversationUpdated, escalationRaised, messageAdded, outboundMessage, sentimentUpdated',
    );
    expect(out).toContain('WhatsApp sales line (WHATSAPP), last 2 days');
    expect(out).toMatch(/emotions: (DISAPPOINTED|ANGRY|NEUTRAL|HAPPY|SATISFIED) \d+%/);
    expect(out).toMatch(/monitoring: [1-9]\d* chat sessions, [1-9]\d* messages/);
  }, 60_000);

  it('webhook receiver: verifies the signature of the escalation it receives', async () => {
    const login = (await (
      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `mutation($e: String!, $p: String!) { logIn(input: { email: $e, password: $p }) { token } }`,
          variables: { e: DEMO_LOGIN.email, p: DEMO_LOGIN.password },
        }),
      })
    ).json()) as { data: { logIn: { token: string } } };
    const auth = { 'content-type': 'application/json', authorization: `Bearer ${login.data.logIn.token}` };
    const gql = async <T>(query: string, variables: Record<string, unknown>) =>
      (
        (await (
          await fetch(url, { method: 'POST', headers: auth, body: JSON.stringify({ query, variables }) })
        ).json()) as { data: T }
      ).data;
    const { viewer } = await gql<{ viewer: { organizations: { edges: { node: { id: string } }[] } } }>(
      `{ viewer { organizations { edges { node { id } } } } }`,
      {},
    );
    const received: unknown[] = [];
    const port = 41_000 + Math.floor(Math.random() * 1000);
    let receiver!: Server;
    try {
      const created = await gql<{ createWebhookEndpoint: { secret: string } }>(
        `mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { secret } }`,
        {
          i: {
            organizationId: viewer.organizations.edges[0]!.node.id,
            url: `http://127.0.0.1:${port}/hooks`,
            events: ['ESCALATION_RAISED'],
          },
        },
      );
      receiver = await startWebhookReceiver(created.createWebhookEndpoint.secret, port, (event) =>
        received.push(event),
      );
      const connector = run(
        'client-examples/integrator/connector.ts',
        ['--customer', '+971500000456', '--message', 'Can I get a discount code?'],
        {
          GRAPHQL_URL: url,
          API_KEY: apiKey,
        },
      );
      expect(await connector.exited).toBe(0);
      await eventually(() => received.length === 1, 'the signed webhook');
      expect(received[0]).toMatchObject({
        type: 'escalation.raised',
        data: { customer_number: '+971500000456', event: 'user_request_for_discount' },
      });
    } finally {
      receiver?.close();
    }
  }, 60_000);

  it('dashboard: the walk ends by taking a conversation from the bot, which the database then shows', async () => {
    const held = await db.prisma.conversation.count({ where: { status: 'BOT' } });
    const walk = run('client-examples/dashboard/walk.ts', ['--take-over'], { GRAPHQL_URL: url });
    expect(await walk.exited).toBe(0);
    expect(walk.output()).toContain(
      '8. took over: ASSIGNED, assignee Demo Owner, sent "Hello, this is a person from the team."',
    );
    expect(await db.prisma.conversation.count({ where: { status: 'BOT' } })).toBe(held - 1);
    const greeting = await db.prisma.message.findFirstOrThrow({
      where: { content: 'Hello, this is a person from the team.' },
      include: { conversation: { include: { assignee: true } } },
    });
    expect(greeting.senderType).toBe('AGENT');
    expect(greeting.conversation.assignee?.name).toBe('Demo Owner');
  }, 60_000);
});
