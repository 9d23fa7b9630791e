import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClassificationInput } from '../src/ai/classification.js';
import { LocalModel } from '../src/ai/create-language-model.js';
import type { ClassificationOutcome, LanguageModel, SentimentOutcome } from '../src/ai/language-model.js';
import type { SentimentBatch } from '../src/ai/sentiment.js';
import { classifyLocally } from '../src/ai/local-classifier.js';
import { RealtimePublisher } from '../src/realtime/publisher.js';
import { TopicBus } from '../src/realtime/topic-bus.js';
import { PubSub } from 'graphql-subscriptions';
import { processClassification } from '../src/services/classification.js';
import { createTestApp, type TestApp } from './support/app.js';
import { backends } from './support/db.js';
import { createApiKey, createAppService, createOrganization, rawId, signUp } from './support/fixtures.js';

/** The local classifier, counting the calls that reach it (a model call costs money with OpenAI). */
class CountingModel implements LanguageModel {
  readonly name = 'local';
  calls = 0;
  async classify(input: ClassificationInput): Promise<ClassificationOutcome> {
    this.calls++;
    return { result: classifyLocally(input), model: 'local' };
  }
  analyzeSentiment(batch: SentimentBatch): Promise<SentimentOutcome> {
    return new LocalModel().analyzeSentiment(batch);
  }
}

const INGEST = `mutation($i: IngestMessageInput!) { ingestMessage(input: $i) { message { id } conversation { id } } }`;

describe.each(backends)('classifying customer messages on %s', (kind) => {
  let app: TestApp;
  let key: string;
  let orgId: string;
  let appServiceId: string;
  let model: CountingModel;
  let customer = 0;
  const bus = new TopicBus(new PubSub());
  const raised: unknown[] = [];

  beforeAll(async () => {
    app = await createTestApp(kind);
    const owner = await signUp(app, 'clf-owner');
    orgId = await createOrganization(app, owner.token, 'Classify Org');
    appServiceId = await createAppService(app, owner.token, orgId, 'WhatsApp');
    key = (await createApiKey(app, owner.token, orgId, ['MESSAGES_WRITE', 'CONVERSATIONS_READ'])).secret;
    model = new CountingModel();
    const listener = await bus.listen(`escalationRaised:organization:${rawId(orgId)}`);
    void (async () => {
      for await (const event of listener) raised.push(event);
    })();
  });
  afterAll(() => app?.close());

  const deps = () => ({
    prisma: app.db.prisma,
    model,
    realtime: new RealtimePublisher(bus, pino({ level: 'silent' })),
    notifications: { channels: { email: false, whatsapp: false } },
  });

  async function ingest(
    content: string,
    options: { type?: string; externalId?: string; senderType?: string } = {},
  ) {
    const response = await app.gql<{
      ingestMessage: { message: { id: string }; conversation: { id: string } };
    }>(
      INGEST,
      {
        i: {
          appServiceId,
          customer: { externalId: options.externalId ?? `+97150${String(++customer).padStart(7, '0')}` },
          content,
          type: options.type ?? 'TEXT',
          senderType: options.senderType ?? 'CUSTOMER',
        },
      },
      { apiKey: key },
    );
    if (!response.data) throw new Error(JSON.stringify(response.errors));
    return {
      messageId: rawId(response.data.ingestMessage.message.id),
      conversationId: rawId(response.data.ingestMessage.conversation.id),
    };
  }

  it('turns "I want to talk to a real person" into one escalation with evidence, priority and a dashboard notification', async () => {
    const { messageId, conversationId } = await ingest('Please, I want to talk to a real person now');
    const first = await processClassification(deps(), { messageId });
    expect(first.status).toBe('classified');
    const again = await processClassification(deps(), { messageId });
    expect(again.status).toBe('already-classified');

    const escalations = await app.db.prisma.escalation.findMany({ where: { conversationId } });
    expect(escalations).toHaveLength(1);
    expect(escalations[0]).toMatchObject({ type: 'SPEAK_TO_HUMAN', notified: true, messageId });
    expect('Please, I want to talk to a real person now').toContain(escalations[0]!.evidence);
    expect(escalations[0]!.evidence.length).toBeGreaterThan(0);
    const conversation = await app.db.prisma.conversation.findUniqueOrThrow({
      where: { id: conversationId },
    });
    expect(conversation.escalatedAt).not.toBeNull();
    expect(['HIGH', 'URGENT']).toContain(conversation.priority);
    expect(await app.db.prisma.notification.count({ where: { escalationId: escalations[0]!.id } })).toBe(1);
    expect(
      raised.filter((event) => (event as { escalationId: string }).escalationId === escalations[0]!.id),
    ).toHaveLength(1);
  });

  it('marks an angry customer asking for a human URGENT', async () => {
    const { messageId, conversationId } = await ingest(
      'This is ridiculous!!! Get me a human agent NOW, your bot is useless',
    );
    await processClassification(deps(), { messageId });
    const conversation = await app.db.prisma.conversation.findUniqueOrThrow({
      where: { id: conversationId },
    });
    expect(conversation.priority).toBe('URGENT');
  });

  it('keeps a repeated escalation within the cool-down but does not notify again', async () => {
    const externalId = '+971509990001';
    const first = await ingest('Can I speak to a human?', { externalId });
    const second = await ingest('Please let me speak to a human agent', { externalId });
    await processClassification(deps(), first);
    await processClassification(deps(), second);
    const rows = await app.db.prisma.escalation.findMany({
      where: { conversationId: first.conversationId },
      orderBy: { createdAt: 'asc' },
    });
    expect(rows.map((row) => [row.type, row.notified])).toEqual([
      ['SPEAK_TO_HUMAN', true],
      ['SPEAK_TO_HUMAN', false],
    ]);
    expect(
      await app.db.prisma.notification.count({
        where: { escalation: { conversationId: first.conversationId } },
      }),
    ).toBe(1);
  });

  it('detects a sent file from its type alone, without a model call', async () => {
    const before = model.calls;
    const { messageId, conversationId } = await ingest('', { type: 'IMAGE' });
    await processClassification(deps(), { messageId });
    expect(model.calls).toBe(before);
    const types = (await app.db.prisma.escalation.findMany({ where: { conversationId } })).map(
      (row) => row.type,
    );
    expect(types).toEqual(['FILE_SENT']);
  });

  it('leaves bot messages alone and respects the escalation types switched off', async () => {
    const bot = await ingest('Do you want to talk to a human?', { senderType: 'BOT' });
    expect(await processClassification(deps(), { messageId: bot.messageId })).toEqual({
      status: 'skipped',
      reason: 'not a customer message',
    });
    await app.db.prisma.appService.update({
      where: { id: rawId(appServiceId) },
      data: { enabledEscalationTypes: ['FILE_SENT'] },
    });
    try {
      const { messageId, conversationId } = await ingest('I need a discount code please');
      await processClassification(deps(), { messageId });
      expect(await app.db.prisma.escalation.count({ where: { conversationId } })).toBe(0);
    } finally {
      await app.db.prisma.appService.update({
        where: { id: rawId(appServiceId) },
        data: {
          enabledEscalationTypes: [
            'SPEAK_TO_HUMAN',
            'DISCOUNT_REQUEST',
            'BOOK_FLIGHT',
            'FLIGHT_PRICES',
            'FILE_SENT',
            'UNANSWERED',
          ],
        },
      });
    }
  });

  it('classifies every message of a batch, also two customer messages of one conversation with one sentAt', async () => {
    // A batch without sentAt reads the clock once: both messages carry the same sentAt.
    const response = await app.gql<{ ingestMessages: { results: { message: { id: string } }[] } }>(
      `mutation($i: IngestMessagesInput!) { ingestMessages(input: $i) { results { message { id } } } }`,
      {
        i: {
          messages: [
            { appServiceId, customer: { externalId: '+971509990777' }, content: 'I want to talk to a human' },
            {
              appServiceId,
              customer: { externalId: '+971509990777' },
              content: 'Do you have a discount code?',
            },
          ],
        },
      },
      { apiKey: key },
    );
    const ids = response.data!.ingestMessages.results.map((result) => rawId(result.message.id));
    const messages = await app.db.prisma.message.findMany({ where: { id: { in: ids } } });
    expect(new Set(messages.map((message) => message.sentAt.getTime())).size).toBe(1);
    for (const messageId of ids) {
      expect((await processClassification(deps(), { messageId })).status).toBe('classified');
    }
    const escalations = await app.db.prisma.escalation.findMany({ where: { messageId: { in: ids } } });
    expect(escalations.map((escalation) => escalation.type).sort()).toEqual([
      'DISCOUNT_REQUEST',
      'SPEAK_TO_HUMAN',
    ]);
    for (const messageId of ids) {
      expect((await processClassification(deps(), { messageId })).status).toBe('already-classified');
    }
  });

  it('queues classification with the message, in the same transaction (transactional outbox)', async () => {
    const signals = app.jobsQueuedSignals;
    const { messageId } = await ingest('hello there');
    // The relay is told at once, rather than finding the job on its next pass.
    expect(app.jobsQueuedSignals).toBe(signals + 1);
    const jobs = await app.db.prisma.outboxJob.findMany({ where: { queue: 'classification' } });
    expect(jobs.some((job) => (job.payload as { messageId: string }).messageId === messageId)).toBe(true);
    const bot = await ingest('bot reply', { senderType: 'BOT' });
    expect(app.jobsQueuedSignals).toBe(signals + 1);
    const after = await app.db.prisma.outboxJob.findMany({ where: { queue: 'classification' } });
    expect(after.some((job) => (job.payload as { messageId: string }).messageId === bot.messageId)).toBe(
      false,
    );
  });
});
