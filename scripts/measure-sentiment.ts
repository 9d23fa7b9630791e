// `npm run measure:sentiment [-- --conversations 1000]`: model calls (and time) for one hourly sentiment
// run over N active conversations of 5 messages each, with the default token budget. Uses the local
// model, counting the batches it is asked; DATABASE_URL picks Postgres (scratch database), else PGlite.
import { randomUUID } from 'node:crypto';
import { PubSub } from 'graphql-subscriptions';
import { pino } from 'pino';
import { LocalModel } from '../src/ai/create-language-model.js';
import { RealtimePublisher } from '../src/realtime/publisher.js';
import { TopicBus } from '../src/realtime/topic-bus.js';
import { DEFAULT_TOKEN_BUDGET, runSentimentWindow } from '../src/services/sentiment-run.js';
import { scratchDatabase } from './support/scratch-database.js';

const at = process.argv.indexOf('--conversations');
const count = at > 0 ? Number(process.argv[at + 1]) : 1000;
const db = await scratchDatabase('measure_sentiment');
try {
  const organization = await db.prisma.organization.create({ data: { name: 'Measure' } });
  const appService = await db.prisma.appService.create({
    data: { organizationId: organization.id, name: 'Line', channel: 'WHATSAPP' },
  });
  const windowEnd = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
  const lines = [
    ['CUSTOMER', 'Hello, my flight to Paris was cancelled and nobody told me anything'],
    ['BOT', 'I am sorry to hear that. Let me check the options for you.'],
    ['CUSTOMER', 'I need to be there tomorrow morning for a meeting'],
    ['BOT', 'There is a seat on the 7:40 flight; shall I book it?'],
    ['CUSTOMER', 'Yes please, thank you so much'],
  ] as const;
  const conversations = Array.from({ length: count }, () => ({
    id: randomUUID(),
    organizationId: organization.id,
    appServiceId: appService.id,
    status: 'BOT' as const,
    messageCount: lines.length,
    lastMessageAt: new Date(windowEnd.getTime() - 60_000),
  }));
  await db.prisma.conversation.createMany({ data: conversations });
  await db.prisma.message.createMany({
    data: conversations.flatMap((conversation) =>
      lines.map(([senderType, content], index) => ({
        organizationId: organization.id,
        appServiceId: appService.id,
        conversationId: conversation.id,
        index,
        senderType,
        content,
        channel: 'WHATSAPP' as const,
        sentAt: new Date(windowEnd.getTime() - (40 - index * 5) * 60_000),
      })),
    ),
  });

  const local = new LocalModel();
  let calls = 0;
  const model = Object.assign(Object.create(local) as LocalModel, {
    analyzeSentiment: (...args: Parameters<LocalModel['analyzeSentiment']>) => {
      calls++;
      return local.analyzeSentiment(...args);
    },
  });
  const logger = pino({ level: 'silent' });
  const started = performance.now();
  const result = await runSentimentWindow(
    { prisma: db.prisma, model, realtime: new RealtimePublisher(new TopicBus(new PubSub()), logger) },
    { windowEnd },
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `hourly sentiment over ${count} conversations (5 messages each), token budget ${DEFAULT_TOKEN_BUDGET}, ${db.kind}: ` +
      `${result.analysed} analysed with ${calls} model calls (${((calls / count) * 1000).toFixed(0)} per 1,000 conversations) ` +
      `in ${seconds.toFixed(2)} s`,
  );
} finally {
  await db.dispose();
}
