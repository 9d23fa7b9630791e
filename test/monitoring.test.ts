import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC_NAMES, rollupMetrics } from '../src/services/metrics-rollup.js';
import { codesOf, createTestApp, type Auth, type TestApp } from './support/app.js';
import { backends } from './support/db.js';
import {
  createApiKey,
  createAppService,
  createOrganization,
  globalId,
  rawId,
  signUp,
} from './support/fixtures.js';

// Fixed data around T0 (a Monday, UTC); every expected figure below is computed by hand from it.
const T0 = Date.parse('2025-03-03T00:00:00.000Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const at = (ms: number) => new Date(T0 + ms);
const iso = (ms: number) => at(ms).toISOString();

const BLOCK = /* GraphQL */ `
  query ($id: ID!, $from: DateTime!, $to: DateTime!) {
    node(id: $id) {
      ... on AppService {
        monitoring(from: $from, to: $to) {
          appService {
            id
          }
          numberOfChatSessions
          numberOfMessages
          escalatedConversations
          issuesResolved
          resolutionTime
          firstResponseTime
          escalationsByType {
            type
            count
          }
          growthPercentage {
            name
            transactions {
              value
              time
              currentGrowth
            }
          }
        }
      }
    }
  }
`;

const SERIES = /* GraphQL */ `
  query ($id: ID!, $from: DateTime!, $to: DateTime!, $interval: MonitoringInterval!) {
    node(id: $id) {
      ... on AppService {
        monitoringSeries(from: $from, to: $to, interval: $interval) {
          start
          end
          numberOfMessages
          numberOfChatSessions
          escalatedConversations
          issuesResolved
        }
      }
    }
  }
`;

const ORG = /* GraphQL */ `
  query ($id: ID!, $from: DateTime!, $to: DateTime!) {
    node(id: $id) {
      ... on Organization {
        monitoring(from: $from, to: $to) {
          numberOfChatSessions
          numberOfMessages
          escalatedConversations
          issuesResolved
          resolutionTime
          firstResponseTime
          escalationsByType {
            type
            count
          }
          appServices {
            numberOfMessages
          }
        }
      }
    }
  }
`;

interface Block {
  numberOfChatSessions: number;
  numberOfMessages: number;
  escalatedConversations: number;
  issuesResolved: number;
  resolutionTime: number | null;
  firstResponseTime: number | null;
  escalationsByType: { type: string; count: number }[];
  growthPercentage: {
    name: string;
    transactions: { value: number; time: string; currentGrowth: number | null }[];
  }[];
}

describe.each(backends)('monitoring on %s', (kind) => {
  let app: TestApp;
  let owner: Auth;
  let orgId: string; // global ids
  let serviceA: string;
  let serviceB: string;
  let org: string; // raw ids
  let a: string;
  let b: string;
  let counter = 0;

  /** A conversation with messages at the given offsets from T0 (private notes where asked). */
  async function conversation(
    appServiceId: string,
    input: {
      createdAt: number;
      messages: number[];
      privateAt?: number[];
      escalatedAt?: number;
      firstReplyAt?: number;
      resolvedAt?: number;
      escalations?: { type: 'SPEAK_TO_HUMAN' | 'DISCOUNT_REQUEST'; at: number }[];
    },
  ) {
    const prisma = app.db.prisma;
    const all = [
      ...input.messages.map((time) => ({ time, private: false })),
      ...(input.privateAt ?? []).map((time) => ({ time, private: true })),
    ].sort((x, y) => x.time - y.time);
    const row = await prisma.conversation.create({
      data: {
        organizationId: org,
        appServiceId,
        status: input.resolvedAt === undefined ? 'BOT' : 'RESOLVED',
        createdAt: at(input.createdAt),
        lastMessageAt: at(all.at(-1)?.time ?? input.createdAt),
        messageCount: all.length,
        escalatedAt: input.escalatedAt === undefined ? null : at(input.escalatedAt),
        firstReplyAt: input.firstReplyAt === undefined ? null : at(input.firstReplyAt),
        resolvedAt: input.resolvedAt === undefined ? null : at(input.resolvedAt),
      },
    });
    await prisma.message.createMany({
      data: all.map((message, index) => ({
        organizationId: org,
        appServiceId,
        conversationId: row.id,
        index,
        senderType: 'CUSTOMER' as const,
        content: `m${++counter}`,
        channel: 'WHATSAPP' as const,
        private: message.private,
        sentAt: at(message.time),
      })),
    });
    for (const escalation of input.escalations ?? [])
      await prisma.escalation.create({
        data: {
          organizationId: org,
          conversationId: row.id,
          type: escalation.type,
          confidence: 0.9,
          evidence: 'x',
          detectedBy: 'test',
          createdAt: at(escalation.at),
        },
      });
    return row.id;
  }

  beforeAll(async () => {
    app = await createTestApp(kind);
    const user = await signUp(app, 'monitor-owner');
    owner = { token: user.token };
    orgId = await createOrganization(app, user.token, 'Monitored');
    serviceA = await createAppService(app, user.token, orgId, 'A');
    serviceB = await createAppService(app, user.token, orgId, 'B');
    [org, a, b] = [rawId(orgId), rawId(serviceA), rawId(serviceB)];

    // c1: escalated at 1h05, first reply 10 min later (600 s), resolved 2 h after its start (7200 s).
    await conversation(a, {
      createdAt: HOUR,
      messages: [HOUR, HOUR + 10 * MIN],
      privateAt: [HOUR + 20 * MIN],
      escalatedAt: HOUR + 5 * MIN,
      firstReplyAt: HOUR + 15 * MIN,
      resolvedAt: 3 * HOUR,
      escalations: [
        { type: 'SPEAK_TO_HUMAN', at: HOUR + 5 * MIN },
        { type: 'DISCOUNT_REQUEST', at: 2 * HOUR },
      ],
    });
    // c2: started before the range; messages before, exactly at `from` (in) and exactly at `to` (out).
    // Never escalated: first response from its start, 3 h (10800 s); resolved 6 h after start (21600 s).
    await conversation(a, {
      createdAt: -HOUR,
      messages: [-30 * MIN, 0, DAY],
      firstReplyAt: 2 * HOUR,
      resolvedAt: 5 * HOUR,
    });
    // c3: a human replied before the escalation: not a response to it, left out of firstResponseTime.
    await conversation(a, {
      createdAt: 10 * HOUR,
      messages: [10 * HOUR, 10 * HOUR + MIN, 10 * HOUR + 2 * MIN],
      escalatedAt: 10 * HOUR + MIN,
      firstReplyAt: 10 * HOUR,
      escalations: [{ type: 'SPEAK_TO_HUMAN', at: 10 * HOUR + MIN }],
    });
    // c4: entirely before the range.
    await conversation(a, {
      createdAt: -2 * DAY,
      messages: [-2 * DAY],
      escalatedAt: -2 * DAY,
      resolvedAt: -DAY,
      escalations: [{ type: 'SPEAK_TO_HUMAN', at: -2 * DAY }],
    });
    // On app service B: 2 messages, resolved in 30 min (1800 s).
    await conversation(b, {
      createdAt: 4 * HOUR,
      messages: [4 * HOUR, 4 * HOUR + MIN],
      resolvedAt: 4.5 * HOUR,
    });
  });
  afterAll(() => app?.close());

  const block = async (from: number, to: number, auth: Auth = owner, id = serviceA) =>
    app.gql<{ node: { monitoring: Block } | null }>(BLOCK, { id, from: iso(from), to: iso(to) }, auth);

  it('computes every figure of the block over [from, to)', async () => {
    const response = await block(0, DAY);
    expect(response.errors).toBeUndefined();
    const m = response.data!.node!.monitoring;
    expect(m).toMatchObject({
      numberOfChatSessions: 3, // c1, c2 (its message at `from`), c3
      numberOfMessages: 6, // c1 2 (the private note excluded), c2 1, c3 3
      escalatedConversations: 2, // c1, c3
      issuesResolved: 2, // c1, c2
      resolutionTime: (7200 + 21600) / 2,
      firstResponseTime: (600 + 10800) / 2,
      escalationsByType: [
        { type: 'DISCOUNT_REQUEST', count: 1 },
        { type: 'SPEAK_TO_HUMAN', count: 2 },
      ],
      growthPercentage: [],
    });
  });

  it('answers null averages and zeros for an empty range', async () => {
    const m = (await block(20 * DAY, 21 * DAY)).data!.node!.monitoring;
    expect(m).toMatchObject({
      numberOfChatSessions: 0,
      numberOfMessages: 0,
      escalatedConversations: 0,
      issuesResolved: 0,
      resolutionTime: null,
      firstResponseTime: null,
      escalationsByType: [],
    });
  });

  it('sums the app services of an organization, averages weighted', async () => {
    const response = await app.gql<{ node: { monitoring: Omit<Block, 'growthPercentage'> } }>(
      ORG,
      { id: orgId, from: iso(0), to: iso(DAY) },
      owner,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.node.monitoring).toMatchObject({
      numberOfChatSessions: 4,
      numberOfMessages: 8,
      escalatedConversations: 2,
      issuesResolved: 3,
      resolutionTime: (7200 + 21600 + 1800) / 3,
      firstResponseTime: (600 + 10800) / 2,
      escalationsByType: [
        { type: 'DISCOUNT_REQUEST', count: 1 },
        { type: 'SPEAK_TO_HUMAN', count: 2 },
      ],
    });
  });

  it('buckets by hour and by day in UTC, empty buckets as zeros', async () => {
    const hours = await app.gql<{ node: { monitoringSeries: Record<string, unknown>[] } }>(
      SERIES,
      { id: serviceA, from: iso(0), to: iso(6 * HOUR), interval: 'HOUR' },
      owner,
    );
    expect(hours.errors).toBeUndefined();
    const row = (h: number, messages: number, sessions: number, escalated: number, resolved: number) => ({
      start: iso(h * HOUR),
      end: iso((h + 1) * HOUR),
      numberOfMessages: messages,
      numberOfChatSessions: sessions,
      escalatedConversations: escalated,
      issuesResolved: resolved,
    });
    expect(hours.data!.node.monitoringSeries).toEqual([
      row(0, 1, 1, 0, 0),
      row(1, 2, 1, 1, 0),
      row(2, 0, 0, 0, 0),
      row(3, 0, 0, 0, 1),
      row(4, 0, 0, 0, 0),
      row(5, 0, 0, 0, 1),
    ]);

    // From noon: the first bucket starts at midnight but counts only from noon (c3 at 10h is out).
    const days = await app.gql<{ node: { monitoringSeries: Record<string, unknown>[] } }>(
      SERIES,
      { id: serviceA, from: iso(12 * HOUR), to: iso(2 * DAY + 12 * HOUR), interval: 'DAY' },
      owner,
    );
    expect(days.errors).toBeUndefined();
    expect(days.data!.node.monitoringSeries).toEqual([
      {
        start: iso(0),
        end: iso(DAY),
        numberOfMessages: 0,
        numberOfChatSessions: 0,
        escalatedConversations: 0,
        issuesResolved: 0,
      },
      {
        start: iso(DAY),
        end: iso(2 * DAY),
        numberOfMessages: 1,
        numberOfChatSessions: 1,
        escalatedConversations: 0,
        issuesResolved: 0,
      },
      {
        start: iso(2 * DAY),
        end: iso(3 * DAY),
        numberOfMessages: 0,
        numberOfChatSessions: 0,
        escalatedConversations: 0,
        issuesResolved: 0,
      },
    ]);

    const weeks = await app.gql<{
      node: { monitoringSeries: { start: string; numberOfMessages: number }[] };
    }>(SERIES, { id: serviceA, from: iso(-3 * DAY), to: iso(DAY), interval: 'WEEK' }, owner);
    expect(weeks.data!.node.monitoringSeries.map((w) => [w.start, w.numberOfMessages])).toEqual([
      [iso(-7 * DAY), 2], // c4 (-2 days) and c2's message at -30 min, in the week before T0
      [iso(0), 6],
    ]);
  });

  it('rolls metrics up: one transaction per change, growth (new − last) / new, null at 0', async () => {
    const prisma = app.db.prisma;
    const now = at(DAY);
    const first = await rollupMetrics(prisma, { now, appServiceId: a });
    expect(first.transactions).toBe(METRIC_NAMES.length);
    // Same time again, and a later run with the same values: nothing new.
    expect((await rollupMetrics(prisma, { now, appServiceId: a })).transactions).toBe(0);

    // Two more messages in c3; at DAY + 1 s, c2's message at 0 leaves the window and the one at DAY enters.
    const c3 = await prisma.conversation.findFirstOrThrow({
      where: { appServiceId: a, createdAt: at(10 * HOUR) },
    });
    await prisma.message.createMany({
      data: [20, 21].map((h, i) => ({
        organizationId: org,
        appServiceId: a,
        conversationId: c3.id,
        index: 3 + i,
        senderType: 'CUSTOMER' as const,
        content: `late ${h}`,
        channel: 'WHATSAPP' as const,
        sentAt: at(h * HOUR),
      })),
    });
    const later = at(DAY + 1000);
    await rollupMetrics(prisma, { now: later, appServiceId: a });
    // Everything leaves the window: values go to 0 (growth null); then a run with no change adds nothing.
    const empty = at(10 * DAY);
    await rollupMetrics(prisma, { now: empty, appServiceId: a });
    expect((await rollupMetrics(prisma, { now: at(10 * DAY + HOUR), appServiceId: a })).transactions).toBe(0);

    const m = (await block(0, 11 * DAY)).data!.node!.monitoring;
    const metric = (name: string) => m.growthPercentage.find((each) => each.name === name)!.transactions;
    expect(metric('number_of_messages')).toEqual([
      { value: 6, time: now.toISOString(), currentGrowth: null },
      { value: 8, time: later.toISOString(), currentGrowth: (8 - 6) / 8 },
      { value: 0, time: empty.toISOString(), currentGrowth: null },
    ]);
    // Unchanged at `later` (still 3 conversations): no transaction then.
    expect(metric('number_of_chat_sessions').map((t) => [t.value, t.time])).toEqual([
      [3, now.toISOString()],
      [0, empty.toISOString()],
    ]);
    expect(metric('escalations_speak_to_human')[0]).toMatchObject({ value: 2, currentGrowth: null });
    expect(metric('resolution_time_seconds')[0]!.value).toBe(14400);
    expect(await prisma.metric.count({ where: { appServiceId: a } })).toBe(METRIC_NAMES.length);
  });

  it('refreshMetrics needs appServices:manage', async () => {
    const mutation = `mutation($id: ID!) { refreshMetrics(input: { appServiceId: $id }) { transactions } }`;
    const ok = await app.gql<{ refreshMetrics: { transactions: number } }>(mutation, { id: serviceB }, owner);
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.refreshMetrics.transactions).toBeGreaterThan(0);
    const key = await createApiKey(app, owner.token!, orgId, ['ANALYTICS_READ']);
    expect(codesOf(await app.gql(mutation, { id: serviceB }, { apiKey: key.secret }))).toEqual(['FORBIDDEN']);
  });

  it('sends the same number of SQL statements whatever the data size', async () => {
    const count = async () => (await app.countStatements(() => block(-10 * DAY, 10 * DAY))).statements.length;
    const before = await count();
    for (let i = 0; i < 20; i++)
      await conversation(a, {
        createdAt: 6 * HOUR + i * MIN,
        messages: [6 * HOUR + i * MIN, 6 * HOUR + i * MIN + 1000],
        escalatedAt: 6 * HOUR + i * MIN,
        resolvedAt: 7 * HOUR,
        escalations: [{ type: 'DISCOUNT_REQUEST', at: 6 * HOUR + i * MIN }],
      });
    const m = (await block(-10 * DAY, 10 * DAY)).data!.node!.monitoring;
    expect(m.numberOfChatSessions).toBe(4 + 20);
    expect(await count()).toBe(before);
    // Session check, node, reach, three aggregates, metrics (2), appService: a handful, fixed.
    expect(before).toBeLessThanOrEqual(12);
  });

  it('lets analysts and ANALYTICS_READ keys read; others are FORBIDDEN', async () => {
    const analyst = await signUp(app, 'monitor-analyst');
    await app.db.prisma.membership.create({
      data: { userId: rawId(analyst.user.id), organizationId: org, role: 'ANALYST' },
    });
    const asAnalyst = await block(0, DAY, { token: analyst.token });
    expect(asAnalyst.errors).toBeUndefined();
    expect(asAnalyst.data!.node!.monitoring.numberOfMessages).toBeGreaterThan(0);

    const reader = await createApiKey(app, owner.token!, orgId, ['ANALYTICS_READ']);
    expect((await block(0, DAY, { apiKey: reader.secret })).errors).toBeUndefined();
    const writer = await createApiKey(app, owner.token!, orgId, ['MESSAGES_WRITE']);
    expect(codesOf(await block(0, DAY, { apiKey: writer.secret }))).toEqual(['FORBIDDEN']);

    const stranger = await signUp(app, 'monitor-stranger');
    await createOrganization(app, stranger.token, 'Elsewhere');
    const foreign = await block(0, DAY, { token: stranger.token });
    // The app service is not even visible: node is null, or the field is FORBIDDEN.
    expect(foreign.data?.node ?? null).toBeNull();
    const foreignOrg = await app.gql(
      ORG,
      { id: orgId, from: iso(0), to: iso(DAY) },
      { token: stranger.token },
    );
    expect(foreignOrg.data?.node ?? null).toBeNull();
    // An unknown app service id is not visible either.
    expect(
      (await block(0, DAY, owner, globalId('AppService', '00000000-0000-4000-8000-000000000000'))).data
        ?.node ?? null,
    ).toBeNull();
  });

  it('rejects reversed, empty and over-a-year ranges with BAD_USER_INPUT', async () => {
    expect(codesOf(await block(DAY, 0))).toEqual(['BAD_USER_INPUT']);
    expect(codesOf(await block(0, 0))).toEqual(['BAD_USER_INPUT']);
    expect(codesOf(await block(0, 367 * DAY))).toEqual(['BAD_USER_INPUT']);
    expect(codesOf(await block(0, 366 * DAY))).toEqual([]);
    const series = await app.gql(
      SERIES,
      { id: serviceA, from: iso(DAY), to: iso(0), interval: 'DAY' },
      owner,
    );
    expect(codesOf(series)).toEqual(['BAD_USER_INPUT']);
  });
});
