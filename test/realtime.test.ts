import { spawn, type ChildProcess } from 'node:child_process';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { topic } from '../src/realtime/topics.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { rawId } from './support/fixtures.js';
import {
  eventually,
  REDIS_URL,
  startLiveServer,
  subscribe,
  waitForListeners,
  type LiveServer,
} from './support/live.js';

const INGEST = `mutation($i: IngestMessageInput!) { ingestMessage(input: $i) { message { id } conversation { id } } }`;
const MESSAGE_ADDED = `subscription($appServiceId: ID, $conversationId: ID, $organizationId: ID) {
  messageAdded(appServiceId: $appServiceId, conversationId: $conversationId, organizationId: $organizationId) {
    id content senderType private conversation { id status }
  }
}`;
const CONVERSATION_UPDATED = `subscription($appServiceId: ID, $organizationId: ID) {
  conversationUpdated(appServiceId: $appServiceId, organizationId: $organizationId) { id status assignee { name } }
}`;
const OUTBOUND = `subscription($appServiceId: ID!) { outboundMessage(appServiceId: $appServiceId) { id content private } }`;
const ESCALATION_RAISED = `subscription($organizationId: ID, $appServiceId: ID) {
  escalationRaised(organizationId: $organizationId, appServiceId: $appServiceId) {
    id customerNumber event createdAt type evidence conversation { id }
  }
}`;

interface Tenant {
  ownerToken: string;
  orgId: string;
  appServices: string[];
  fullKey: string;
  writeOnlyKey: string;
}

describe('real-time subscriptions over graphql-ws and SSE, through Redis', () => {
  let db: TestDatabase;
  let live: LiveServer;
  let a: Tenant;
  let b: Tenant;
  let agent: { token: string; email: string; userId: string };
  let customer = 0;
  let attempts = 0;
  let leaks = 0;

  async function gqlOk<T>(
    query: string,
    variables: Record<string, unknown>,
    auth: { token?: string; apiKey?: string },
  ) {
    const response = await live.gql<T>(query, variables, auth);
    if (response.errors) throw new Error(JSON.stringify(response.errors));
    return response.data!;
  }

  async function signUp(label: string) {
    const email = `${label}-${Date.now().toString(36)}@example.test`;
    const data = await gqlOk<{ signUp: { token: string; user: { id: string } } }>(
      `mutation($i: SignUpInput!) { signUp(input: $i) { token user { id } } }`,
      { i: { email, password: 'correct-horse-battery', name: label } },
      {},
    );
    return { token: data.signUp.token, email, userId: data.signUp.user.id };
  }

  async function makeTenant(label: string): Promise<Tenant> {
    const owner = await signUp(`owner-${label}`);
    const auth = { token: owner.token };
    const org = await gqlOk<{ createOrganization: { organization: { id: string } } }>(
      `mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { organization { id } } }`,
      { i: { name: `Org ${label}` } },
      auth,
    );
    const orgId = org.createOrganization.organization.id;
    const appServices: string[] = [];
    for (const name of ['WhatsApp', 'Web']) {
      const created = await gqlOk<{ createAppService: { id: string } }>(
        `mutation($i: CreateAppServiceInput!) { createAppService(input: $i) { id } }`,
        {
          i: {
            organizationId: orgId,
            name: `${name} ${label}`,
            channel: name === 'Web' ? 'WEB' : 'WHATSAPP',
          },
        },
        auth,
      );
      appServices.push(created.createAppService.id);
    }
    const key = async (scopes: string[]) =>
      (
        await gqlOk<{ createApiKey: { secret: string } }>(
          `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }`,
          { i: { organizationId: orgId, name: scopes.join(' '), scopes } },
          auth,
        )
      ).createApiKey.secret;
    return {
      ownerToken: owner.token,
      orgId,
      appServices,
      fullKey: await key(['MESSAGES_WRITE', 'CONVERSATIONS_READ']),
      writeOnlyKey: await key(['MESSAGES_WRITE']),
    };
  }

  async function addAgent(tenant: Tenant, label: string) {
    const member = await signUp(label);
    await gqlOk(
      `mutation($i: AddMemberInput!) { addMember(input: $i) { role } }`,
      { i: { organizationId: tenant.orgId, email: member.email, role: 'AGENT' } },
      { token: tenant.ownerToken },
    );
    return member;
  }

  async function ingest(
    tenant: Tenant,
    appServiceId: string,
    content: string,
    externalId = `+9715${++customer}`,
  ) {
    const data = await gqlOk<{ ingestMessage: { message: { id: string }; conversation: { id: string } } }>(
      INGEST,
      { i: { appServiceId, customer: { externalId }, content, senderType: 'CUSTOMER' } },
      { apiKey: tenant.fullKey },
    );
    return {
      messageId: data.ingestMessage.message.id,
      conversationId: data.ingestMessage.conversation.id,
      externalId,
    };
  }

  const ws = (token?: string, apiKey?: string) => (token ? { authorization: `Bearer ${token}` } : { apiKey });

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    live = await startLiveServer(db, { redis: true });
    a = await makeTenant('a');
    b = await makeTenant('b');
    agent = await addAgent(a, 'agent-a');
  });
  afterAll(async () => {
    console.log(`[realtime] cross-tenant subscription attempts: ${attempts}, leaks: ${leaks}`);
    await live?.stop();
    await db?.drop();
  });

  it('delivers messageAdded by app service, conversation and organization, each only its own', async () => {
    const [whatsapp, web] = a.appServices as [string, string];
    const first = await ingest(a, whatsapp, 'first');
    const byAppService = await subscribe(live.server.url, ws(agent.token), MESSAGE_ADDED, {
      appServiceId: whatsapp,
    });
    const byConversation = await subscribe(live.server.url, ws(agent.token), MESSAGE_ADDED, {
      conversationId: first.conversationId,
    });
    const byOrganization = await subscribe(live.server.url, ws(a.ownerToken), MESSAGE_ADDED, {
      organizationId: a.orgId,
    });
    await waitForListeners(live, topic('messageAdded', 'appService', rawId(whatsapp)), 1);
    await waitForListeners(live, topic('messageAdded', 'conversation', rawId(first.conversationId)), 1);
    await waitForListeners(live, topic('messageAdded', 'organization', rawId(a.orgId)), 1);

    await ingest(a, whatsapp, 'same customer', first.externalId);
    await ingest(a, whatsapp, 'another customer');
    await ingest(a, web, 'on the web');
    // A last message in the first conversation: every subscription has seen all it will see once it has it.
    await ingest(a, whatsapp, 'sentinel', first.externalId);

    type Added = { messageAdded: { content: string } };
    const contents = async (subscription: Awaited<ReturnType<typeof subscribe<Added>>>, count: number) =>
      (await subscription.next(count)).map((event) => event.messageAdded.content);
    expect(await contents(byConversation as never, 2)).toEqual(['same customer', 'sentinel']);
    expect(await contents(byAppService as never, 3)).toEqual([
      'same customer',
      'another customer',
      'sentinel',
    ]);
    expect(await contents(byOrganization as never, 4)).toEqual([
      'same customer',
      'another customer',
      'on the web',
      'sentinel',
    ]);
    for (const subscription of [byAppService, byConversation, byOrganization]) {
      expect(subscription.errors).toEqual([]);
      await subscription.stop();
    }
    await eventually(
      () => live.pubsub.bus.listeners(topic('messageAdded', 'appService', rawId(whatsapp))) === 0,
      'unsubscribe',
    );
  });

  it('tells a connector with a write-only key about a takeover and hands it the agent replies, never notes', async () => {
    const [whatsapp] = a.appServices as [string];
    const { conversationId } = await ingest(a, whatsapp, 'I want a human');
    const updates = await subscribe<{
      conversationUpdated: { id: string; status: string; assignee: { name: string } | null };
    }>(live.server.url, ws(undefined, a.writeOnlyKey), CONVERSATION_UPDATED, { appServiceId: whatsapp });
    const outbound = await subscribe<{ outboundMessage: { content: string; private: boolean } }>(
      live.server.url,
      ws(undefined, a.writeOnlyKey),
      OUTBOUND,
      { appServiceId: whatsapp },
    );
    await waitForListeners(live, topic('conversationUpdated', 'appService', rawId(whatsapp)), 1);
    await waitForListeners(live, topic('outboundMessage', 'appService', rawId(whatsapp)), 1);

    await gqlOk(
      `mutation($i: TakeOverConversationInput!) { takeOverConversation(input: $i) { conversation { id } } }`,
      { i: { conversationId } },
      { token: agent.token },
    );
    const [takeover] = await updates.next(1);
    expect(takeover!.conversationUpdated).toEqual({
      id: conversationId,
      status: 'ASSIGNED',
      assignee: { name: 'agent-a' },
    });

    const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }`;
    await gqlOk(
      SEND,
      { i: { conversationId, content: 'internal: VIP', private: true } },
      { token: agent.token },
    );
    await gqlOk(SEND, { i: { conversationId, content: 'Hello, I am Layla' } }, { token: agent.token });
    const [reply] = await outbound.next(1);
    expect(reply!.outboundMessage).toMatchObject({ content: 'Hello, I am Layla', private: false });

    await gqlOk(
      `mutation($i: ConversationIdInput!) { releaseConversation(input: $i) { id } }`,
      { i: { conversationId } },
      {
        token: agent.token,
      },
    );
    // Takeover, the public reply (the private note changes nothing a subscriber sees), release.
    const events = await updates.next(3);
    expect(events.at(-1)!.conversationUpdated).toMatchObject({ status: 'BOT', assignee: null });
    expect(outbound.received).toHaveLength(1);
    await updates.stop();
    await outbound.stop();
  });

  it('raises escalations live with the seed payload', async () => {
    const [whatsapp] = a.appServices as [string];
    const escalations = await subscribe<{
      escalationRaised: {
        customerNumber: string;
        event: string;
        createdAt: string;
        type: string;
        conversation: { id: string };
      };
    }>(live.server.url, ws(agent.token), ESCALATION_RAISED, { organizationId: a.orgId });
    await waitForListeners(live, topic('escalationRaised', 'organization', rawId(a.orgId)), 1);
    const { conversationId, messageId, externalId } = await ingest(
      a,
      whatsapp,
      'I want to talk to a real person',
    );
    const escalation = await db.prisma.escalation.create({
      data: {
        organizationId: rawId(a.orgId),
        conversationId: rawId(conversationId),
        messageId: rawId(messageId),
        type: 'SPEAK_TO_HUMAN',
        confidence: 0.95,
        evidence: 'talk to a real person',
        detectedBy: 'test',
      },
    });
    await live.realtime.escalationRaised(escalation, rawId(whatsapp));
    const [event] = await escalations.next(1);
    expect(event!.escalationRaised).toMatchObject({
      // Too short for a phone number, so the customer's id on the channel stands in.
      customerNumber: externalId,
      event: 'user_request_to_speak_to_human',
      createdAt: escalation.createdAt.toISOString(),
      type: 'SPEAK_TO_HUMAN',
      conversation: { id: conversationId },
    });
    await escalations.stop();
  });

  it('refuses subscriptions to another organization and delivers nothing across tenants', async () => {
    const [whatsapp] = a.appServices as [string];
    const forbidden: [string, Record<string, unknown>, Record<string, unknown>][] = [
      [MESSAGE_ADDED, { appServiceId: whatsapp }, ws(b.ownerToken)],
      [MESSAGE_ADDED, { organizationId: a.orgId }, ws(undefined, b.fullKey)],
      [CONVERSATION_UPDATED, { organizationId: a.orgId }, ws(b.ownerToken)],
      [OUTBOUND, { appServiceId: whatsapp }, ws(undefined, b.writeOnlyKey)],
      [ESCALATION_RAISED, { appServiceId: whatsapp }, ws(b.ownerToken)],
      // The same organization, without the scope: a write-only key may not read messages.
      [MESSAGE_ADDED, { appServiceId: whatsapp }, ws(undefined, a.writeOnlyKey)],
    ];
    for (const [query, variables, params] of forbidden) {
      attempts++;
      const subscription = await subscribe(live.server.url, params, query, variables);
      await subscription.ended;
      if (subscription.received.length) leaks++;
      expect(subscription.errors.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
      await subscription.stop();
    }

    // B listens to everything of its own; A's activity must not reach it.
    const [bWhatsapp] = b.appServices as [string];
    const bMessages = await subscribe<{ messageAdded: { content: string } }>(
      live.server.url,
      ws(b.ownerToken),
      MESSAGE_ADDED,
      {
        organizationId: b.orgId,
      },
    );
    const bUpdates = await subscribe<{ conversationUpdated: { id: string } }>(
      live.server.url,
      ws(b.ownerToken),
      CONVERSATION_UPDATED,
      {
        organizationId: b.orgId,
      },
    );
    await waitForListeners(live, topic('messageAdded', 'organization', rawId(b.orgId)), 1);
    await waitForListeners(live, topic('conversationUpdated', 'organization', rawId(b.orgId)), 1);
    for (let i = 0; i < 5; i++) {
      attempts++;
      await ingest(a, whatsapp, `secret of A ${i}`);
    }
    await ingest(b, bWhatsapp, 'B sentinel');
    const received = await bMessages.next(1);
    await bUpdates.next(1);
    expect(received.map((event) => event.messageAdded.content)).toEqual(['B sentinel']);
    expect(bUpdates.received).toHaveLength(1);
    leaks += received.length - 1;
    await bMessages.stop();
    await bUpdates.stop();
  });

  it('never sends private notes to integrator keys', async () => {
    const [whatsapp] = a.appServices as [string];
    const { conversationId } = await ingest(a, whatsapp, 'hello');
    const keyStream = await subscribe<{ messageAdded: { content: string; private: boolean } }>(
      live.server.url,
      ws(undefined, a.fullKey),
      MESSAGE_ADDED,
      { conversationId },
    );
    const agentStream = await subscribe<{ messageAdded: { content: string } }>(
      live.server.url,
      ws(agent.token),
      MESSAGE_ADDED,
      {
        conversationId,
      },
    );
    await waitForListeners(live, topic('messageAdded', 'conversation', rawId(conversationId)), 2);
    const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }`;
    await gqlOk(
      SEND,
      { i: { conversationId, content: 'note for colleagues', private: true } },
      { token: agent.token },
    );
    await gqlOk(SEND, { i: { conversationId, content: 'public reply' } }, { token: agent.token });
    expect((await agentStream.next(2)).map((event) => event.messageAdded.content)).toEqual([
      'note for colleagues',
      'public reply',
    ]);
    expect((await keyStream.next(1)).map((event) => event.messageAdded.content)).toEqual(['public reply']);
    await keyStream.stop();
    await agentStream.stop();
  });

  it('ends the subscription of a removed member and of a revoked key instead of delivering', async () => {
    const [whatsapp] = a.appServices as [string];
    const leaving = await addAgent(a, 'leaving');
    const memberStream = await subscribe(live.server.url, ws(leaving.token), MESSAGE_ADDED, {
      appServiceId: whatsapp,
    });
    const revokable = (
      await gqlOk<{ createApiKey: { secret: string; apiKey: { id: string } } }>(
        `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret apiKey { id } } }`,
        { i: { organizationId: a.orgId, name: 'revokable', scopes: ['CONVERSATIONS_READ'] } },
        { token: a.ownerToken },
      )
    ).createApiKey;
    const keyStream = await subscribe(live.server.url, ws(undefined, revokable.secret), MESSAGE_ADDED, {
      appServiceId: whatsapp,
    });
    await waitForListeners(live, topic('messageAdded', 'appService', rawId(whatsapp)), 2);

    await gqlOk(
      `mutation($i: MemberInput!) { removeMember(input: $i) { role } }`,
      { i: { organizationId: a.orgId, userId: leaving.userId } },
      { token: a.ownerToken },
    );
    await gqlOk(
      `mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { status } }`,
      { i: { id: revokable.apiKey.id } },
      {
        token: a.ownerToken,
      },
    );
    await ingest(a, whatsapp, 'after removal');
    await memberStream.ended;
    await keyStream.ended;
    expect(memberStream.received).toEqual([]);
    expect(memberStream.errors.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(keyStream.received).toEqual([]);
    expect(keyStream.errors.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    await eventually(
      () => live.pubsub.bus.listeners(topic('messageAdded', 'appService', rawId(whatsapp))) === 0,
      'release',
    );
    await memberStream.stop();
    await keyStream.stop();
  });

  it('refuses more subscriptions per connection than the limit, with a clear error', async () => {
    const client = createClient({
      url: live.server.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: ws(agent.token),
      retryAttempts: 0,
    });
    const streams = [];
    for (let i = 0; i < 6; i++) {
      streams.push(await subscribe(live.server.url, {}, MESSAGE_ADDED, { organizationId: a.orgId }, client));
    }
    await waitForListeners(live, topic('messageAdded', 'organization', rawId(a.orgId)), 5);
    await streams[5]!.ended;
    expect(streams[5]!.errors.map((error) => error.extensions?.code)).toEqual(['TOO_MANY_SUBSCRIPTIONS']);
    expect(streams[5]!.errors[0]!.message).toMatch(/At most 5 subscriptions per connection/);
    for (const stream of streams.slice(0, 5)) expect(stream.errors).toEqual([]);
    await client.dispose();
  });

  it('serves the same subscriptions over SSE', async () => {
    const [, web] = a.appServices as [string, string];
    const client = createSseClient({
      url: live.server.url,
      headers: { 'x-api-key': a.fullKey },
      retryAttempts: 0,
    });
    const received: string[] = [];
    let done!: () => void;
    const got = new Promise<void>((resolve) => (done = resolve));
    const unsubscribe = client.subscribe<{ messageAdded: { content: string } }>(
      { query: MESSAGE_ADDED, variables: { appServiceId: web } },
      {
        next: (value) => {
          if (value.data) received.push(value.data.messageAdded.content);
          done();
        },
        error: (error) => {
          received.push(`error: ${JSON.stringify(error)}`);
          done();
        },
        complete: () => undefined,
      },
    );
    await waitForListeners(live, topic('messageAdded', 'appService', rawId(web)), 1);
    await ingest(a, web, 'over SSE');
    await got;
    expect(received).toEqual(['over SSE']);
    unsubscribe();
    client.dispose();
  });

  it('delivers what another api process writes, through Redis', async () => {
    const [whatsapp] = a.appServices as [string];
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        ...process.env,
        ROLE: 'api',
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: db.url,
        REDIS_URL,
        SEED_DEMO: 'false',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`second process did not start:\n${output}`)), 60_000);
        child.stdout!.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /"url":"([^"]+)","msg":"GraphQL API and GraphiQL ready"/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
        child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      });
      const stream = await subscribe<{ messageAdded: { content: string } }>(
        live.server.url,
        ws(agent.token),
        MESSAGE_ADDED,
        {
          appServiceId: whatsapp,
        },
      );
      await waitForListeners(live, topic('messageAdded', 'appService', rawId(whatsapp)), 1);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': a.fullKey },
        body: JSON.stringify({
          query: INGEST,
          variables: {
            i: {
              appServiceId: whatsapp,
              customer: { externalId: '+971509000777' },
              content: 'via process two',
            },
          },
        }),
      });
      expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
      expect((await stream.next(1)).map((event) => event.messageAdded.content)).toEqual(['via process two']);
      await stream.stop();
    } finally {
      child.kill('SIGTERM');
    }
  }, 90_000);

  it('shares one database lookup among all subscribers of an event', async () => {
    const [, web] = a.appServices as [string, string];
    // Credentials re-checked rarely here, so the only statements are the event lookups themselves.
    const fanout = await startLiveServer(db, {
      redis: true,
      settings: { subscriberRecheckMs: 60_000, maxSubscriptionsPerConnection: 50 },
    });
    try {
      const { messageId, conversationId } = await ingest(a, web, 'fan me out');
      const message = await db.prisma.message.findUniqueOrThrow({ where: { id: rawId(messageId) } });
      const webTopic = topic('messageAdded', 'appService', rawId(web));
      const measure = async (subscribers: number) => {
        const client = createClient({
          url: fanout.server.url.replace(/^http/, 'ws'),
          webSocketImpl: WebSocket,
          connectionParams: ws(agent.token),
          retryAttempts: 0,
        });
        const streams = [];
        for (let i = 0; i < subscribers; i++) {
          streams.push(await subscribe(fanout.server.url, {}, MESSAGE_ADDED, { appServiceId: web }, client));
        }
        await waitForListeners(fanout, webTopic, subscribers);
        const statements: string[] = [];
        const stop = db.onQuery((sql) => statements.push(sql));
        await fanout.realtime.messageAdded(message);
        for (const stream of streams) await stream.next(1);
        stop();
        if (process.env.SHOW_SQL) console.log(statements.join('\n---\n'));
        for (const stream of streams) {
          expect(stream.received[0]).toMatchObject({
            messageAdded: { id: messageId, conversation: { id: conversationId } },
          });
        }
        await client.dispose();
        await eventually(() => fanout.pubsub.bus.listeners(webTopic) === 0, 'unsubscribed');
        // Lookups of the event's rows (the message, its conversation); credential checks read sessions.
        return statements.filter((sql) => /FROM "public"\."(messages|conversations)"/.test(sql)).length;
      };
      const one = await measure(1);
      const forty = await measure(40);
      console.log(`[fan-out] SQL statements per event: ${one} for 1 subscriber, ${forty} for 40 subscribers`);
      expect(forty).toBe(one);
    } finally {
      await fanout.stop();
    }
  });
});
