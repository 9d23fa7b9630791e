// The escalations as a work queue (#19, its API part): the unacknowledged count per organization and app
// service, the filter across several app services, both shrinking as agents acknowledge, and nothing of
// one organization counted or listed for another.
import { pino } from 'pino';
import { PubSub } from 'graphql-subscriptions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalModel } from '../src/ai/create-language-model.js';
import { RealtimePublisher } from '../src/realtime/publisher.js';
import { TopicBus } from '../src/realtime/topic-bus.js';
import { processClassification } from '../src/services/classification.js';
import { createTestApp, type TestApp } from './support/app.js';
import { backends } from './support/db.js';
import { createApiKey, createAppService, createOrganization, rawId, signUp } from './support/fixtures.js';

const INGEST = `mutation($i: IngestMessageInput!) { ingestMessage(input: $i) { message { id } } }`;

describe.each(backends)('the escalations queue on %s', (kind) => {
  let app: TestApp;
  let owner: { token: string };
  let orgId: string;
  let lineA: string;
  let lineB: string;
  let customer = 0;
  const deps = () => ({
    prisma: app.db.prisma,
    model: new LocalModel(),
    realtime: new RealtimePublisher(new TopicBus(new PubSub()), pino({ level: 'silent' })),
    notifications: { channels: { email: false, whatsapp: false } },
  });

  beforeAll(async () => {
    app = await createTestApp(kind);
    owner = await signUp(app, 'queue-owner');
    orgId = await createOrganization(app, owner.token, 'Queue Org');
    lineA = await createAppService(app, owner.token, orgId, 'Line A');
    lineB = await createAppService(app, owner.token, orgId, 'Line B');
    const key = (await createApiKey(app, owner.token, orgId, ['MESSAGES_WRITE'])).secret;
    for (const line of [lineA, lineB, lineB]) {
      const ingested = await app.gql<{ ingestMessage: { message: { id: string } } }>(
        INGEST,
        {
          i: {
            appServiceId: line,
            customer: { externalId: `+97150300${++customer}` },
            content: 'I want to talk to a real person',
          },
        },
        { apiKey: key },
      );
      await processClassification(deps(), { messageId: rawId(ingested.data!.ingestMessage.message.id) });
    }
  });
  afterAll(() => app?.close());

  const COUNTS = `query($o: ID!, $a: ID!, $only: [ID!]) {
    org: node(id: $o) { ... on Organization { all: unacknowledgedEscalations only: unacknowledgedEscalations(appServiceIds: $only)
      queue: escalations(first: 10, filter: { acknowledged: false, appServiceIds: $only }) { totalCount edges { node { id } } } } }
    line: node(id: $a) { ... on AppService { unacknowledgedEscalations } } }`;
  type Counts = {
    org: {
      all: number;
      only: number;
      queue: { totalCount: number; edges: { node: { id: string } }[] };
    } | null;
    line: { unacknowledgedEscalations: number } | null;
  };

  it('counts the unacknowledged escalations per organization and app service, across several app services', async () => {
    const counts = (
      await app.gql<Counts>(COUNTS, { o: orgId, a: lineB, only: [lineA, lineB] }, { token: owner.token })
    ).data!;
    expect(counts.org).toMatchObject({ all: 3, only: 3, queue: { totalCount: 3 } });
    expect(counts.line).toEqual({ unacknowledgedEscalations: 2 });
    const onlyA = (
      await app.gql<Counts>(COUNTS, { o: orgId, a: lineA, only: [lineA] }, { token: owner.token })
    ).data!;
    expect(onlyA.org).toMatchObject({ all: 3, only: 1, queue: { totalCount: 1 } });

    // Acknowledged: out of the queue and the counts.
    const [first] = counts.org!.queue.edges;
    await app.gql(
      `mutation($i: AcknowledgeEscalationInput!) { acknowledgeEscalation(input: $i) { id } }`,
      {
        i: { escalationId: first!.node.id },
      },
      { token: owner.token },
    );
    const after = (
      await app.gql<Counts>(COUNTS, { o: orgId, a: lineB, only: [lineA, lineB] }, { token: owner.token })
    ).data!;
    expect(after.org).toMatchObject({ all: 2, only: 2, queue: { totalCount: 2 } });
    expect(after.org!.queue.edges.map((edge) => edge.node.id)).not.toContain(first!.node.id);
  });

  it('counts and lists nothing of another organization', async () => {
    const stranger = await signUp(app, 'queue-stranger');
    const theirs = await createOrganization(app, stranger.token, 'Their Org');
    const ours = (
      await app.gql<Counts>(COUNTS, { o: orgId, a: lineB, only: [lineA] }, { token: stranger.token })
    ).data!;
    expect(ours).toEqual({ org: null, line: null });
    // Our app services in their organization's filter and count: nothing.
    const mixed = (
      await app.gql<Counts>(COUNTS, { o: theirs, a: lineB, only: [lineA, lineB] }, { token: stranger.token })
    ).data!;
    expect(mixed.org).toEqual({ all: 0, only: 0, queue: { totalCount: 0, edges: [] } });
  });
});
