// Multiplexed subscriptions: subscribers of one authorization class with the same operation and variables
// share one execution per event (graphql-ws and SSE alike); different roles, other tenants and other
// variables never share; members leave their group when they stop, and an emptied group is gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topic } from '../src/realtime/topics.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { createApiKey, createAppService, createOrganization, rawId, signUp } from './support/fixtures.js';
import {
  eventually,
  startLiveServer,
  subscribe,
  waitForListeners,
  type LiveServer,
  type Subscription,
} from './support/live.js';

const WITH_ROLE = `subscription($appServiceId: ID) {
  messageAdded(appServiceId: $appServiceId) { id content conversation { appService { organization { viewerRole } } } }
}`;
const INGEST = `mutation($i: IngestMessageInput!) { ingestMessage(input: $i) { message { id } } }`;

type Added = {
  messageAdded: {
    id: string;
    content: string;
    conversation: { appService: { organization: { viewerRole: string } } };
  };
};

describe.each([
  ['Redis pub/sub', true],
  ['in-process pub/sub', false],
] as const)('subscription groups (%s)', (_label, redis) => {
  let db: TestDatabase;
  let live: LiveServer;
  let owner: { token: string };
  let organizationId: string;
  let appServiceId: string;
  let ingestKey: string;
  const agents: { token: string }[] = [];
  let analyst: { token: string };

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    live = await startLiveServer(db, { redis });
    owner = await signUp(live, 'group-owner');
    organizationId = await createOrganization(live, owner.token, 'Groups Co');
    appServiceId = await createAppService(live, owner.token, organizationId);
    ingestKey = (await createApiKey(live, owner.token, organizationId, ['MESSAGES_WRITE'])).secret;
    const addMember = async (role: string) => {
      const user = await signUp(live, role.toLowerCase());
      await live.gql(
        `mutation($i: AddMemberInput!) { addMember(input: $i) { role } }`,
        { i: { organizationId, email: user.email, role } },
        { token: owner.token },
      );
      return user;
    };
    for (let i = 0; i < 3; i++) agents.push(await addMember('AGENT'));
    analyst = await addMember('ANALYST');
  });
  afterAll(async () => {
    await live?.stop();
    await db?.drop();
  });

  const groups = () => live.server.subscriptionGroups;
  const listening = (count: number) =>
    waitForListeners(live, topic('messageAdded', 'appService', rawId(appServiceId)), count);
  const ingest = async (content: string) => {
    const response = await live.gql<{ ingestMessage: { message: { id: string } } }>(
      INGEST,
      { i: { appServiceId, customer: { externalId: '+971500000042' }, content } },
      { apiKey: ingestKey },
    );
    expect(response.errors).toBeUndefined();
    return response.data!.ingestMessage.message.id;
  };
  const stopAll = async (subscriptions: { stop(): Promise<void> }[]) => {
    for (const subscription of subscriptions) await subscription.stop();
    await eventually(() => groups().size === 0, 'every group emptied and dropped');
  };

  it('runs one execution per event for subscribers of one class, whatever their number', async () => {
    const streams: Subscription<Added>[] = [];
    for (const agent of agents) {
      streams.push(
        await subscribe<Added>(live.server.url, { authorization: `Bearer ${agent.token}` }, WITH_ROLE, {
          appServiceId,
        }),
      );
    }
    await listening(3);
    expect(groups().size).toBe(1);
    expect(groups().members).toBe(3);
    const before = groups().executions;
    const first = await ingest('Do you deliver on Fridays?');
    const second = await ingest('And on Saturdays?');
    for (const stream of streams) {
      const received = await stream.next(2);
      expect(received.map((data) => data.messageAdded.id)).toEqual([first, second]);
      expect(received[0]!.messageAdded.conversation.appService.organization.viewerRole).toBe('AGENT');
    }
    expect(groups().executions - before).toBe(2);
    await stopAll(streams);
  });

  it('never shares a result between members of different roles', async () => {
    const asOwner = await subscribe<Added>(
      live.server.url,
      { authorization: `Bearer ${owner.token}` },
      WITH_ROLE,
      { appServiceId },
    );
    const asAgent = await subscribe<Added>(
      live.server.url,
      { authorization: `Bearer ${agents[0]!.token}` },
      WITH_ROLE,
      { appServiceId },
    );
    const asAnalyst = await subscribe<Added>(
      live.server.url,
      { authorization: `Bearer ${analyst.token}` },
      WITH_ROLE,
      { appServiceId },
    );
    await listening(3);
    expect(groups().size).toBe(3);
    const before = groups().executions;
    const id = await ingest('Who sees what?');
    const roleSeenBy = async (stream: Subscription<Added>) => {
      const [data] = await stream.next(1);
      expect(data!.messageAdded.id).toBe(id);
      return data!.messageAdded.conversation.appService.organization.viewerRole;
    };
    expect(await roleSeenBy(asOwner)).toBe('OWNER');
    expect(await roleSeenBy(asAgent)).toBe('AGENT');
    expect(await roleSeenBy(asAnalyst)).toBe('ANALYST');
    expect(groups().executions - before).toBe(3);
    await stopAll([asOwner, asAgent, asAnalyst]);
  });

  it('refuses another tenant the same operation without letting it join a group', async () => {
    const outsider = await signUp(live, 'group-outsider');
    await createOrganization(live, outsider.token, 'Elsewhere');
    const member = await subscribe<Added>(
      live.server.url,
      { authorization: `Bearer ${agents[1]!.token}` },
      WITH_ROLE,
      { appServiceId },
    );
    await listening(1);
    const intruder = await subscribe<Added>(
      live.server.url,
      { authorization: `Bearer ${outsider.token}` },
      WITH_ROLE,
      { appServiceId },
    );
    await intruder.ended;
    expect(intruder.errors.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(groups().members).toBe(1);
    const id = await ingest('Only for Groups Co');
    expect((await member.next(1))[0]!.messageAdded.id).toBe(id);
    expect(intruder.received).toEqual([]);
    await stopAll([member, intruder]);
  });

  it('shares one execution between a graphql-ws socket and an SSE stream of the same class', async () => {
    const socket = await subscribe<Added>(
      live.server.url,
      { authorization: `Bearer ${agents[2]!.token}` },
      WITH_ROLE,
      { appServiceId },
    );
    const stream = await openSse(live.server.url, agents[1]!.token, WITH_ROLE, { appServiceId });
    await listening(2);
    expect(groups().size).toBe(1);
    const before = groups().executions;
    const id = await ingest('Over both transports');
    expect((await socket.next(1))[0]!.messageAdded.id).toBe(id);
    const [result] = await stream.next(1);
    expect((result!.data as Added).messageAdded.id).toBe(id);
    expect(groups().executions - before).toBe(1);
    await stopAll([socket, stream]);
  });
});

/** A GraphQL-over-SSE subscription (distinct connections mode: one POST per subscription). */
async function openSse(url: string, token: string, query: string, variables: Record<string, unknown>) {
  const controller = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const results: { data?: unknown; errors?: unknown[] }[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const reader = response.body!.getReader();
  void (async () => {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += new TextDecoder().decode(value);
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trim())
          .join('');
        if (frame.includes('event: next') && data) results.push(JSON.parse(data) as never);
      }
      for (const waiter of [...waiters]) {
        if (results.length >= waiter.n) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    }
  })();
  return {
    next: (n: number) =>
      new Promise<typeof results>((resolve) => {
        if (results.length >= n) resolve(results);
        else waiters.push({ n, resolve: () => resolve(results) });
      }),
    stop: async () => controller.abort(),
  };
}
