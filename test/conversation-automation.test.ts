// What runs on a conversation without an agent asking (#18): detected topics become labels (unless the app
// service says not), an integrator's key with CONVERSATIONS_WRITE sets labels and priority, a transfer to a
// team or an agent is recorded with a private note, and idle conversations are resolved where the app
// service asks for it (never ones an agent holds unless it says so). Each also from another organization.
import { pino } from 'pino';
import { PubSub } from 'graphql-subscriptions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalModel } from '../src/ai/create-language-model.js';
import { jobSchedules } from '../src/jobs/catalogue.js';
import { RealtimePublisher } from '../src/realtime/publisher.js';
import { TopicBus } from '../src/realtime/topic-bus.js';
import { autoResolveIdle } from '../src/services/auto-resolve.js';
import { processClassification } from '../src/services/classification.js';
import { createTestApp, type TestApp } from './support/app.js';
import { backends } from './support/db.js';
import { createApiKey, createAppService, createOrganization, rawId, signUp } from './support/fixtures.js';

const INGEST = `mutation($i: IngestMessageInput!) { ingestMessage(input: $i) { message { id } conversation { id } } }`;
const READ = `query($id: ID!) { node(id: $id) { ... on Conversation { status labels priority team { name }
  assignee { id } messages(last: 5) { edges { node { senderType private content } } } } } }`;

interface Read {
  node: {
    status: string;
    labels: string[];
    priority: string;
    team: { name: string } | null;
    assignee: { id: string } | null;
    messages: { edges: { node: { senderType: string; private: boolean; content: string } }[] };
  };
}

describe.each(backends)('conversation automation on %s', (kind) => {
  let app: TestApp;
  let owner: { token: string };
  let orgId: string;
  let appServiceId: string;
  let key: string;
  let customer = 0;
  const bus = new TopicBus(new PubSub());
  const deps = () => ({
    prisma: app.db.prisma,
    model: new LocalModel(),
    realtime: new RealtimePublisher(bus, pino({ level: 'silent' })),
    notifications: { channels: { email: false, whatsapp: false } },
  });

  beforeAll(async () => {
    app = await createTestApp(kind);
    owner = await signUp(app, 'auto-owner');
    orgId = await createOrganization(app, owner.token, 'Automation Org');
    appServiceId = await createAppService(app, owner.token, orgId, 'WhatsApp');
    key = (
      await createApiKey(app, owner.token, orgId, [
        'MESSAGES_WRITE',
        'CONVERSATIONS_READ',
        'CONVERSATIONS_WRITE',
      ])
    ).secret;
  });
  afterAll(() => app?.close());

  async function ingest(content: string, extra: Record<string, unknown> = {}, into = appServiceId) {
    const response = await app.gql<{
      ingestMessage: { message: { id: string }; conversation: { id: string } };
    }>(
      INGEST,
      { i: { appServiceId: into, customer: { externalId: `+97150100${++customer}` }, content, ...extra } },
      { apiKey: key },
    );
    if (!response.data) throw new Error(JSON.stringify(response.errors));
    return {
      messageId: rawId(response.data.ingestMessage.message.id),
      conversationId: response.data.ingestMessage.conversation.id,
    };
  }
  const read = async (id: string, auth: { token?: string; apiKey?: string } = { token: owner.token }) =>
    (await app.gql<Read>(READ, { id }, auth)).data!.node;

  it('adds detected topics to the labels, unless the app service turns it off', async () => {
    const { messageId, conversationId } = await ingest('How much is the ticket price to Dubai?');
    await processClassification(deps(), { messageId });
    const labelled = await read(conversationId);
    expect(labelled.labels.length).toBeGreaterThan(0);

    const off = await createAppService(app, owner.token, orgId, 'Quiet line');
    const update = await app.gql(
      `mutation($i: UpdateAppServiceInput!) { updateAppService(input: $i) { topicLabels } }`,
      { i: { id: off, topicLabels: false } },
      { token: owner.token },
    );
    expect(update.data).toEqual({ updateAppService: { topicLabels: false } });
    const quiet = await ingest('How much is the ticket price to Dubai?', {}, off);
    await processClassification(deps(), { messageId: quiet.messageId });
    expect((await read(quiet.conversationId)).labels).toEqual([]);
  });

  it('lets a key with CONVERSATIONS_WRITE set labels and priority, and no other key', async () => {
    const { conversationId } = await ingest('Hello');
    const labels = await app.gql(
      `mutation($i: ConversationLabelsInput!) { addLabels(input: $i) { labels } }`,
      { i: { conversationId, labels: ['VIP', 'Billing'] } },
      { apiKey: key },
    );
    expect(labels.data).toEqual({ addLabels: { labels: ['vip', 'billing'] } });
    const priority = await app.gql(
      `mutation($i: SetConversationPriorityInput!) { setConversationPriority(input: $i) { priority } }`,
      { i: { conversationId, priority: 'HIGH' } },
      { apiKey: key },
    );
    expect(priority.data).toEqual({ setConversationPriority: { priority: 'HIGH' } });

    const readOnly = (await createApiKey(app, owner.token, orgId, ['MESSAGES_WRITE'])).secret;
    const refused = await app.gql(
      `mutation($i: ConversationLabelsInput!) { addLabels(input: $i) { labels } }`,
      { i: { conversationId, labels: ['spam'] } },
      { apiKey: readOnly },
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const stranger = await signUp(app, 'auto-stranger');
    const theirOrg = await createOrganization(app, stranger.token, 'Elsewhere');
    const theirKey = (await createApiKey(app, stranger.token, theirOrg, ['CONVERSATIONS_WRITE'])).secret;
    const foreign = await app.gql(
      `mutation($i: SetConversationPriorityInput!) { setConversationPriority(input: $i) { priority } }`,
      { i: { conversationId, priority: 'LOW' } },
      { apiKey: theirKey },
    );
    expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await read(conversationId)).labels).toEqual(['vip', 'billing']);
    expect((await read(conversationId)).priority).toBe('HIGH');
  });

  it('transfers to a team (routing within it) or to an agent, with a private note; not to another organization', async () => {
    const agents = await app.gql<{ node: { agents: { edges: { node: { id: string } }[] } } }>(
      `query($o: ID!) { node(id: $o) { ... on Organization { agents(first: 5) { edges { node { id } } } } } }`,
      { o: orgId },
      { token: owner.token },
    );
    const agentId = agents.data!.node.agents.edges[0]!.node.id;
    const team = await app.gql<{ createTeam: { id: string } }>(
      `mutation($i: CreateTeamInput!) { createTeam(input: $i) { id } }`,
      { i: { organizationId: orgId, name: 'Billing', agentIds: [agentId] } },
      { token: owner.token },
    );
    const TRANSFER = `mutation($i: TransferConversationInput!) { transferConversation(input: $i) { status team { name } assignee { id } } }`;
    const { conversationId } = await ingest('I was charged twice');
    const toTeam = await app.gql(
      TRANSFER,
      { i: { conversationId, teamId: team.data!.createTeam.id, note: 'billing question' } },
      { token: owner.token },
    );
    expect(toTeam.data).toEqual({
      transferConversation: { status: 'ASSIGNED', team: { name: 'Billing' }, assignee: { id: agentId } },
    });
    const after = await read(conversationId);
    expect(after.messages.edges.at(-1)!.node).toMatchObject({
      senderType: 'AGENT',
      private: true,
      content: expect.stringMatching(/^Transferred to team Billing by .+: billing question$/),
    });

    const stranger = await signUp(app, 'auto-stranger-2');
    const theirOrg = await createOrganization(app, stranger.token, 'Other');
    const theirTeam = await app.gql<{ createTeam: { id: string } }>(
      `mutation($i: CreateTeamInput!) { createTeam(input: $i) { id } }`,
      { i: { organizationId: theirOrg, name: 'Theirs' } },
      { token: stranger.token },
    );
    const foreignTarget = await app.gql(
      TRANSFER,
      { i: { conversationId, teamId: theirTeam.data!.createTeam.id } },
      {
        token: owner.token,
      },
    );
    expect(foreignTarget.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const foreignActor = await app.gql(
      TRANSFER,
      { i: { conversationId, agentId } },
      { token: stranger.token },
    );
    expect(foreignActor.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const both = await app.gql(TRANSFER, { i: { conversationId } }, { token: owner.token });
    expect(both.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await read(conversationId)).team).toEqual({ name: 'Billing' });
  });

  it('resolves idle conversations where the app service asks, and leaves held and recent ones', async () => {
    expect(jobSchedules({ analyseSentiment: '0 * * * *' })).toContainEqual({
      queue: 'routing',
      name: 'auto-resolve',
      cron: '* * * * *',
    });
    const line = await createAppService(app, owner.token, orgId, 'Idle line');
    const set = await app.gql(
      `mutation($i: UpdateAppServiceInput!) { updateAppService(input: $i) { autoResolveMinutes autoResolveHeld } }`,
      { i: { id: line, autoResolveMinutes: 30 } },
      { token: owner.token },
    );
    expect(set.data).toEqual({ updateAppService: { autoResolveMinutes: 30, autoResolveHeld: false } });
    const tooShort = await app.gql(
      `mutation($i: UpdateAppServiceInput!) { updateAppService(input: $i) { autoResolveMinutes } }`,
      { i: { id: line, autoResolveMinutes: 1 } },
      { token: owner.token },
    );
    expect(tooShort.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const idle = await ingest('Thanks, bye', { sentAt: hourAgo }, line);
    const recent = await ingest('One more question', {}, line);
    const held = await ingest('Still there?', { sentAt: hourAgo }, line);
    await app.gql(
      `mutation($i: TakeOverConversationInput!) { takeOverConversation(input: $i) { conversation { id } } }`,
      { i: { conversationId: held.conversationId } },
      { token: owner.token },
    );
    // A takeover without a message adds none: the conversation stays idle, now held.
    const elsewhere = await ingest('Old but not asked', { sentAt: hourAgo });

    const resolved = await autoResolveIdle({ ...deps(), prisma: app.db.prisma });
    expect(resolved).toBe(1);
    const after = await read(idle.conversationId);
    expect(after.status).toBe('RESOLVED');
    expect(after.messages.edges.at(-1)!.node).toEqual({
      senderType: 'SYSTEM',
      private: true,
      content: 'Resolved automatically: no message for 30 minutes.',
    });
    expect((await read(recent.conversationId)).status).toBe('BOT');
    expect((await read(held.conversationId)).status).toBe('ASSIGNED');
    expect((await read(elsewhere.conversationId)).status).toBe('BOT');
    // Run again: nothing more to do.
    expect(await autoResolveIdle({ ...deps(), prisma: app.db.prisma })).toBe(0);
    // Held ones too, once the app service says so; the agent's capacity is freed.
    await app.gql(
      `mutation($i: UpdateAppServiceInput!) { updateAppService(input: $i) { autoResolveHeld } }`,
      { i: { id: line, autoResolveHeld: true } },
      { token: owner.token },
    );
    expect(await autoResolveIdle({ ...deps(), prisma: app.db.prisma })).toBe(1);
    expect((await read(held.conversationId)).status).toBe('RESOLVED');
  });
});
