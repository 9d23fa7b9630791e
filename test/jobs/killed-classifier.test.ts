import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { PubSub } from 'graphql-subscriptions';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalModel } from '../../src/ai/create-language-model.js';
import { createBullmqQueue } from '../../src/jobs/bullmq-queue.js';
import { RealtimePublisher } from '../../src/realtime/publisher.js';
import { TopicBus } from '../../src/realtime/topic-bus.js';
import { processClassification, type ClassificationJobResult } from '../../src/services/classification.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { eventually, REDIS_URL } from '../support/live.js';

describe('a classification worker killed after its commit, before the job completes', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('postgres');
  });
  afterAll(() => db?.drop());

  it('is retried by another worker, leaving exactly one escalation and one notification per channel and target', async () => {
    const prisma = db.prisma;
    const organization = await prisma.organization.create({ data: { name: 'Killed worker' } });
    const appService = await prisma.appService.create({
      data: {
        organizationId: organization.id,
        name: 'WhatsApp',
        channel: 'WHATSAPP',
        notificationEmails: ['ops@business.test', 'lead@business.test'],
        notificationWhatsappNumbers: ['+971500000999'],
      },
    });
    const contact = await prisma.contact.create({
      data: { organizationId: organization.id, phone: '+971501230000' },
    });
    const conversation = await prisma.conversation.create({
      data: {
        organizationId: organization.id,
        appServiceId: appService.id,
        contactId: contact.id,
        messageCount: 1,
      },
    });
    const message = await prisma.message.create({
      data: {
        organizationId: organization.id,
        appServiceId: appService.id,
        conversationId: conversation.id,
        index: 0,
        senderType: 'CUSTOMER',
        senderContactId: contact.id,
        content: 'I want to talk to a real person',
        channel: 'WHATSAPP',
      },
    });

    const prefix = `test-killed-${randomBytes(6).toString('hex')}`;
    const producer = createBullmqQueue(REDIS_URL, { prefix });
    const rescuer = createBullmqQueue(REDIS_URL, { prefix, lockDurationMs: 1000, stalledIntervalMs: 500 });
    let child: ChildProcess | undefined;
    try {
      await producer.add(
        'classification',
        'classify',
        { messageId: message.id, organizationId: organization.id },
        { jobId: message.id },
      );
      child = spawn(process.execPath, ['--import', 'tsx', 'test/jobs/fixtures/stalling-classifier.ts'], {
        env: { ...process.env, REDIS_URL, QUEUE_PREFIX: prefix, DATABASE_URL: db.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await eventually(
        () => output.includes('classified: classified'),
        `the first classification (output: ${output})`,
        30_000,
      );
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;

      const results: ClassificationJobResult[] = [];
      rescuer.work('classification', async (_name, data) => {
        const result = await processClassification(
          {
            prisma,
            model: new LocalModel(),
            realtime: new RealtimePublisher(new TopicBus(new PubSub()), pino({ level: 'silent' })),
            notifications: { channels: { email: true, whatsapp: false } },
          },
          { messageId: (data as { messageId: string }).messageId },
        );
        results.push(result);
        return result;
      });
      await eventually(() => results.length === 1, 'the retry by the new worker', 30_000);
      expect(results).toEqual([{ status: 'already-classified' }]);

      const escalations = await prisma.escalation.findMany({ where: { conversationId: conversation.id } });
      expect(escalations.map((e) => e.type)).toEqual(['SPEAK_TO_HUMAN']);
      const deliveries = await prisma.notificationDelivery.findMany({
        where: { escalationId: escalations[0]!.id },
      });
      const perTarget = deliveries.map((d) => `${d.channel} ${d.target}`).sort();
      expect(perTarget).toEqual([...new Set(perTarget)]);
      expect(perTarget).toEqual(
        expect.arrayContaining([
          'EMAIL ops@business.test',
          'EMAIL lead@business.test',
          'DASHBOARD dashboard',
        ]),
      );
      expect(await prisma.notification.count({ where: { escalationId: escalations[0]!.id } })).toBe(1);
      // One delivery job per pending delivery, written once.
      const jobs = await prisma.outboxJob.findMany({ where: { queue: 'notifications' } });
      const pending = deliveries
        .filter((d) => d.status === 'PENDING')
        .map((d) => d.id)
        .sort();
      expect(jobs.map((j) => (j.payload as { deliveryId: string }).deliveryId).sort()).toEqual(pending);
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await rescuer.close();
      await producer.close();
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
  }, 60_000);
});
