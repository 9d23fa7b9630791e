import { PubSub } from 'graphql-subscriptions';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalModel } from '../src/ai/create-language-model.js';
import type { ClassificationInput } from '../src/ai/classification.js';
import type { ClassificationOutcome, LanguageModel, SentimentOutcome } from '../src/ai/language-model.js';
import type { SentimentBatch } from '../src/ai/sentiment.js';
import { RealtimePublisher } from '../src/realtime/publisher.js';
import { TopicBus } from '../src/realtime/topic-bus.js';
import { catchUpSentiment, HOUR_MS, runSentimentWindow } from '../src/services/sentiment-run.js';
import { codesOf, createTestApp, type TestApp } from './support/app.js';
import { backends } from './support/db.js';
import { createAppService, createOrganization, globalId, rawId, signUp } from './support/fixtures.js';

/** The local rules, counting the calls that reach the model (each costs a request with OpenAI). */
class CountingModel implements LanguageModel {
  readonly name = 'local';
  calls = 0;
  batchSizes: number[] = [];
  private readonly local = new LocalModel();
  classify(input: ClassificationInput): Promise<ClassificationOutcome> {
    return this.local.classify(input);
  }
  analyzeSentiment(batch: SentimentBatch): Promise<SentimentOutcome> {
    this.calls++;
    this.batchSizes.push(batch.conversations.length);
    return this.local.analyzeSentiment(batch);
  }
}

const hour = (iso: string) => new Date(iso);

describe.each(backends)('hourly sentiment on %s', (kind) => {
  let app: TestApp;
  let owner: { token: string };
  let orgId: string;
  let appServiceId: string;
  const bus = new TopicBus(new PubSub());
  const realtime = new RealtimePublisher(bus, pino({ level: 'silent' }));
  let contactCounter = 0;

  beforeAll(async () => {
    app = await createTestApp(kind);
    owner = await signUp(app, 'sent-owner');
    orgId = await createOrganization(app, owner.token, 'Sentiment Org');
    appServiceId = await createAppService(app, owner.token, orgId, 'WhatsApp');
  });
  afterAll(() => app?.close());

  /** A conversation whose messages (customer unless said) were sent at the given times. */
  async function conversationWith(
    messages: { at: Date; text: string; sender?: 'CUSTOMER' | 'BOT' }[],
    service = appServiceId,
  ) {
    const organizationId = rawId(orgId);
    const contact = await app.db.prisma.contact.create({
      data: {
        organizationId,
        name: `S ${++contactCounter}`,
        phone: `+97155${String(contactCounter).padStart(7, '0')}`,
      },
    });
    const conversation = await app.db.prisma.conversation.create({
      data: {
        organizationId,
        appServiceId: rawId(service),
        contactId: contact.id,
        status: 'BOT',
        lastMessageAt: messages[messages.length - 1]!.at,
        messageCount: messages.length,
      },
    });
    await app.db.prisma.message.createMany({
      data: messages.map((m, index) => ({
        organizationId,
        appServiceId: rawId(service),
        conversationId: conversation.id,
        index,
        senderType: m.sender ?? ('CUSTOMER' as const),
        senderContactId: (m.sender ?? 'CUSTOMER') === 'CUSTOMER' ? contact.id : null,
        content: m.text,
        channel: 'WHATSAPP' as const,
        sentAt: m.at,
      })),
    });
    return conversation.id;
  }

  const deps = (model: LanguageModel, now = new Date()) => ({
    prisma: app.db.prisma,
    model,
    realtime,
    now: () => now,
  });

  it('takes a message at exactly windowStart, leaves one at exactly windowEnd to the next hour', async () => {
    const service = await createAppService(app, owner.token, orgId, 'Boundaries');
    const start = hour('2024-03-01T10:00:00Z');
    const end = hour('2024-03-01T11:00:00Z');
    const inside = await conversationWith([{ at: start, text: 'This is terrible, I am furious!' }], service);
    const outside = await conversationWith([{ at: end, text: 'thank you so much' }], service);
    const model = new CountingModel();
    const result = await runSentimentWindow(deps(model), { windowEnd: end, appServiceId: rawId(service) });
    expect(result.stored.map((s) => s.conversationId)).toEqual([inside]);
    expect(result.stored[0]).toMatchObject({
      windowStart: start,
      windowEnd: end,
      contextStartIndex: 0,
      contextEndIndex: 0,
    });
    const next = await runSentimentWindow(deps(model), {
      windowEnd: new Date(end.getTime() + HOUR_MS),
      appServiceId: rawId(service),
    });
    expect(next.stored.map((s) => s.conversationId)).toEqual([outside]);
    // A SENTIMENT_ANALYSIS and a TOPICS_DETECTED per conversation window.
    expect(await app.db.prisma.analysis.count({ where: { conversationId: inside } })).toBe(2);
  });

  it('batches 40 conversations into ceil(40/10) model calls, then a re-run costs nothing', async () => {
    const service = await createAppService(app, owner.token, orgId, 'Batching');
    const at = hour('2024-03-02T09:30:00Z');
    for (let i = 0; i < 40; i++) await conversationWith([{ at, text: 'hello there xx' }], service);
    const model = new CountingModel();
    // Each conversation costs 8 + ceil(36/4) = 17 for its id and 6 + ceil(14/4) = 10 per message: 27 tokens.
    const result = await runSentimentWindow(deps(model), {
      windowEnd: hour('2024-03-02T10:00:00Z'),
      appServiceId: rawId(service),
      tokenBudget: 270,
    });
    expect(model.calls).toBe(4);
    expect(model.batchSizes).toEqual([10, 10, 10, 10]);
    expect(result).toMatchObject({ analysed: 40, modelCalls: 4, skipped: 0, failed: [] });

    const again = new CountingModel();
    const rerun = await runSentimentWindow(deps(again), {
      windowEnd: hour('2024-03-02T10:00:00Z'),
      appServiceId: rawId(service),
      tokenBudget: 270,
    });
    expect(again.calls).toBe(0);
    expect(rerun).toMatchObject({ analysed: 0, modelCalls: 0, skipped: 40 });
  });

  it('catches up a missed hour within the look-back, and only once', async () => {
    const service = await createAppService(app, owner.token, orgId, 'CatchUp');
    const now = new Date(Math.floor(Date.now() / HOUR_MS) * HOUR_MS + 5 * 60_000);
    const missedEnd = new Date(now.getTime() - 5 * 60_000 - 2 * HOUR_MS);
    const conversationId = await conversationWith(
      [{ at: new Date(missedEnd.getTime() - 30 * 60_000), text: 'where is my refund' }],
      service,
    );
    const model = new CountingModel();
    await catchUpSentiment(deps(model, now), { now, lookbackHours: 3 });
    const stored = await app.db.prisma.analysis.findMany({
      where: { conversationId, type: 'SENTIMENT_ANALYSIS' },
    });
    expect(stored.map((s) => s.windowEnd)).toEqual([missedEnd]);
    const again = new CountingModel();
    await catchUpSentiment(deps(again, now), { now, lookbackHours: 3 });
    expect(
      await app.db.prisma.analysis.count({ where: { conversationId, type: 'SENTIMENT_ANALYSIS' } }),
    ).toBe(1);
  });

  it('reads the timeline and the report through GraphQL', async () => {
    const service = await createAppService(app, owner.token, orgId, 'Report');
    const c1 = await conversationWith(
      [
        { at: hour('2024-04-01T08:10:00Z'), text: 'thank you so much, great service' },
        { at: hour('2024-04-01T09:10:00Z'), text: 'This is terrible, I am furious!' },
      ],
      service,
    );
    await conversationWith([{ at: hour('2024-04-01T08:20:00Z'), text: 'ok' }], service);
    const model = new CountingModel();
    for (const end of ['2024-04-01T09:00:00Z', '2024-04-01T10:00:00Z'])
      await runSentimentWindow(deps(model), { windowEnd: hour(end), appServiceId: rawId(service) });
    const rows = await app.db.prisma.analysis.findMany({
      where: { type: 'SENTIMENT_ANALYSIS', conversation: { appServiceId: rawId(service) } },
    });
    expect(rows).toHaveLength(3);
    const scores = rows.map((r) => (r.result as { score: number }).score);
    const emotionsOf = rows.map((r) => (r.result as { emotion: string }).emotion);
    expect(emotionsOf.filter((e) => e === 'ANGRY')).toHaveLength(1);

    const response = await app.gql<{
      node: { sentiment: { emotion: string; windowEnd: string }[] };
      appService: {
        sentimentReport: {
          total: number;
          averageScore: number;
          emotions: { emotion: string; count: number; share: number }[];
          turnedNegative: { id: string }[];
        };
      };
    }>(
      `query($c: ID!, $a: ID!, $from: DateTime!, $to: DateTime!) {
        node(id: $c) { ... on Conversation { sentiment(from: $from, to: $to) { emotion windowEnd } } }
        appService: node(id: $a) { ... on AppService { sentimentReport(from: $from, to: $to) {
          total averageScore emotions { emotion count share } turnedNegative { id } } } }
      }`,
      {
        c: globalId('Conversation', c1),
        a: service,
        from: '2024-04-01T00:00:00Z',
        to: '2024-04-02T00:00:00Z',
      },
      { token: owner.token },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.node.sentiment.map((s) => s.emotion)).toEqual([
      emotionsOf[
        rows.findIndex(
          (r) => r.conversationId === c1 && r.windowEnd.getTime() === hour('2024-04-01T09:00:00Z').getTime(),
        )
      ],
      'ANGRY',
    ]);
    const report = response.data!.appService.sentimentReport;
    expect(report.total).toBe(3);
    expect(report.averageScore).toBeCloseTo((scores[0]! + scores[1]! + scores[2]!) / 3);
    expect(report.emotions.find((e) => e.emotion === 'ANGRY')).toEqual({
      emotion: 'ANGRY',
      count: 1,
      share: 1 / 3,
    });
    expect(report.turnedNegative.map((c) => rawId(c.id))).toEqual([c1]);

    // Another organization's member asks the same: the conversation and the app service are not there.
    const outsider = await signUp(app, 'sent-outsider');
    await createOrganization(app, outsider.token, 'Outsider Org');
    const foreign = await app.gql<{ node: unknown; appService: unknown }>(
      `query($c: ID!, $a: ID!, $from: DateTime!, $to: DateTime!) {
        node(id: $c) { ... on Conversation { sentiment(from: $from, to: $to) { emotion } } }
        appService: node(id: $a) { ... on AppService { sentimentReport(from: $from, to: $to) { total } } }
      }`,
      {
        c: globalId('Conversation', c1),
        a: service,
        from: '2024-04-01T00:00:00Z',
        to: '2024-04-02T00:00:00Z',
      },
      { token: outsider.token },
    );
    expect(foreign.data).toEqual({ node: null, appService: null });

    const bad = await app.gql(
      `query($a: ID!) { node(id: $a) { ... on AppService { sentimentReport(from: "2024-02-01T00:00:00Z", to: "2024-01-01T00:00:00Z") { total } } } }`,
      { a: service },
      { token: owner.token },
    );
    expect(codesOf(bad)).toEqual(['BAD_USER_INPUT']);
    const long = await app.gql(
      `query($a: ID!) { node(id: $a) { ... on AppService { sentimentReport(from: "2022-01-01T00:00:00Z", to: "2024-01-01T00:00:00Z") { total } } } }`,
      { a: service },
      { token: owner.token },
    );
    expect(codesOf(long)).toEqual(['BAD_USER_INPUT']);
  });

  const RUN = `mutation($i: RunSentimentAnalysisInput!) { runSentimentAnalysis(input: $i) {
    analysed modelCalls skipped results { emotion score windowStart } } }`;

  it('runSentimentAnalysis: ADMIN runs it, AGENT and other organizations are FORBIDDEN, bad windows refused', async () => {
    const service = await createAppService(app, owner.token, orgId, 'Mutation');
    await conversationWith([{ at: hour('2024-05-01T07:15:00Z'), text: 'thank you so much' }], service);
    const ok = await app.gql<{ runSentimentAnalysis: { analysed: number; results: unknown[] } }>(
      RUN,
      { i: { appServiceId: service, windowEnd: '2024-05-01T08:00:00Z' } },
      { token: owner.token },
    );
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.runSentimentAnalysis.analysed).toBe(1);

    const agent = await signUp(app, 'sent-agent');
    const added = await app.gql(
      `mutation($input: AddMemberInput!) { addMember(input: $input) { role } }`,
      { input: { organizationId: orgId, email: agent.email, role: 'AGENT' } },
      { token: owner.token },
    );
    expect(added.errors).toBeUndefined();
    const asAgent = await app.gql(
      RUN,
      { i: { appServiceId: service, windowEnd: '2024-05-01T08:00:00Z' } },
      { token: agent.token },
    );
    expect(codesOf(asAgent)).toEqual(['FORBIDDEN']);

    const stranger = await signUp(app, 'sent-stranger');
    await createOrganization(app, stranger.token, 'Other Org');
    const other = await app.gql(
      RUN,
      { i: { appServiceId: service, windowEnd: '2024-05-01T08:00:00Z' } },
      { token: stranger.token },
    );
    expect(codesOf(other)).toEqual(['FORBIDDEN']);

    const future = new Date(Math.ceil(Date.now() / HOUR_MS) * HOUR_MS + HOUR_MS).toISOString();
    for (const windowEnd of [future, '2024-05-01T08:30:00Z']) {
      const bad = await app.gql(RUN, { i: { appServiceId: service, windowEnd } }, { token: owner.token });
      expect(codesOf(bad)).toEqual(['BAD_USER_INPUT']);
    }
  });
});
