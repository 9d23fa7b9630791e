// Scenario 6, hourly sentiment at scale. 100,000 conversations (5 messages each, customer and bot taking
// turns) active in the last closed UTC hour; the platform's worker (`node dist/main.js`, ROLE=worker, in
// production mode on Postgres and Redis) runs the hourly sentiment job (enqueued directly on its `sentiment`
// queue; the job catches up every closed hour of the look-back) against an OpenAI-compatible model stub
// answering after 200 ms (bench/baselines/model-stub.ts, a process of its own, counting the calls).
// Figures: wall time of the run (the job's processedOn → finishedOn), model calls per 1,000 conversations
// (counted by the stub, deterministic for a dataset; goal ≤ 50) and the worker process's peak resident
// memory (VmHWM, whole process, start-up included). No baseline: one run (the figures are absolute).
// --quick: 5,000 conversations instead of 100,000.
import { Queue } from 'bullmq';
import { floorToHour } from '../../src/services/sentiment-run.js';
import { scratchDatabase } from '../support/scratch-database.js';
import { seedDataset } from '../support/dataset.js';
import { report } from '../support/measurement.js';
import { delay, spawnService, type Service } from '../support/processes.js';
import { claimRedisDatabase } from '../support/redis-db.js';
import type { Measurement, Scenario } from '../support/types.js';
import { spawnWorker, type WorkerProcess } from '../support/worker-process.js';

const MODEL_LATENCY_MS = 200;
const MESSAGES_PER_CONVERSATION = 5;
const MiB = 1024 * 1024;

interface StubStats {
  calls: number;
  sentimentCalls: number;
  conversations: number;
  inFlightPeak: number;
}

export const sentimentScenario: Scenario = {
  id: 'sentiment',
  title: 'Hourly sentiment at scale',
  async run(context) {
    const conversations = context.quick ? 5_000 : 100_000;
    const redis = await claimRedisDatabase(context.redisUrl, 'sentiment');
    const db = await scratchDatabase('bench_sentiment', context.databaseUrl);
    let stub: Service | undefined;
    let worker: WorkerProcess | undefined;
    let queue: Queue | undefined;
    try {
      const organization = await db.prisma.organization.create({ data: { name: 'Bench sentiment' } });
      const appService = await db.prisma.appService.create({
        data: { organizationId: organization.id, name: 'Line', channel: 'WHATSAPP' },
      });
      // Every conversation's messages inside the last closed hour [windowEnd − 1 h, windowEnd).
      const windowEnd = floorToHour(new Date());
      const dataset = await seedDataset(
        db.prisma,
        { organizationId: organization.id, appServiceId: appService.id },
        {
          conversations,
          messagesPerConversation: MESSAGES_PER_CONVERSATION,
          endAt: new Date(windowEnd.getTime() - 60_000),
          spreadMinutes: 50,
        },
      );
      context.log(
        `seeded ${conversations.toLocaleString('en-US')} conversations, ${dataset.messages.toLocaleString('en-US')} messages in ${dataset.seconds.toFixed(1)} s`,
      );

      stub = await spawnService({
        label: 'model stub',
        args: ['--import', 'tsx', 'bench/baselines/model-stub.ts'],
        env: { MODEL_LATENCY_MS: String(MODEL_LATENCY_MS) },
        readyPath: '/healthz',
      });
      worker = spawnWorker({
        label: 'platform worker',
        args: ['dist/main.js'],
        env: {
          DATABASE_URL: db.url!,
          REDIS_URL: redis.url,
          ROLE: 'worker',
          LOG_LEVEL: 'warn',
          SEED_DEMO: 'false',
          OPENAI_API_KEY: 'bench-stub',
          OPENAI_BASE_URL: `${stub.origin}/v1`,
          // No scheduled run may start beside the one measured (the job is enqueued below).
          SENTIMENT_CRON: '0 0 1 1 *',
        },
      });
      queue = new Queue('sentiment', { connection: { url: redis.url } });
      const job = await queue.add('hourly', {}, { jobId: `bench-${Date.now()}`, attempts: 1 });
      const timeoutMs = context.quick ? 120_000 : 900_000;
      const deadline = Date.now() + timeoutMs;
      let rssBefore = 0;
      let cpuBefore = 0;
      for (;;) {
        worker.assertAlive();
        const state = await queue.getJobState(job.id!);
        if (state === 'active' && !rssBefore) {
          rssBefore = await worker.rssBytes();
          cpuBefore = await worker.cpuMs();
        }
        if (state === 'completed' || state === 'failed') break;
        if (Date.now() > deadline)
          throw new Error(`the sentiment run did not finish in ${timeoutMs / 1000} s`);
        await delay(100);
      }
      const done = await queue.getJob(job.id!);
      if (!done || done.failedReason) throw new Error(`the sentiment run failed: ${done?.failedReason}`);
      const peak = await worker.peakRssBytes();
      const workerCpuSeconds = ((await worker.cpuMs()) - cpuBefore) / 1000;
      const windows = done.returnvalue as { analysed: number; modelCalls: number; failed: number }[];
      const analysed = windows.reduce((sum, w) => sum + w.analysed, 0);
      const stats = (await (await fetch(`${stub.origin}/stats`)).json()) as StubStats;
      const wallSeconds = (done.finishedOn! - done.processedOn!) / 1000;
      context.log(
        `run: ${wallSeconds.toFixed(1)} s, ${analysed} analysed, ${stats.sentimentCalls} model calls, peak ${(peak / MiB).toFixed(0)} MiB`,
      );
      if (analysed !== conversations)
        throw new Error(`the run analysed ${analysed} conversations, not ${conversations}`);
      const detail = {
        conversations,
        messagesPerConversation: MESSAGES_PER_CONVERSATION,
        modelLatencyMs: MODEL_LATENCY_MS,
        windows,
        stub: stats,
        rssBeforeRunMiB: Math.round(rssBefore / MiB),
        workerCpuSeconds,
      };
      const label = `${conversations.toLocaleString('en-US')} conversations`;
      const measurements: Measurement[] = [
        report({
          scenario: 'sentiment',
          metric: `run wall time, ${label}, model ${MODEL_LATENCY_MS} ms/call`,
          unit: 's',
          ours: wallSeconds,
          detail,
        }),
        report({
          scenario: 'sentiment',
          metric: 'model calls per 1,000 conversations',
          unit: 'calls',
          ours: (stats.sentimentCalls / conversations) * 1000,
          goal: { op: '<=', value: 50 },
          detail: { calls: stats.sentimentCalls, conversations },
        }),
        report({
          scenario: 'sentiment',
          metric: `worker peak memory (VmHWM), ${label}`,
          unit: 'MiB',
          ours: peak / MiB,
          detail: { rssBeforeRunMiB: Math.round(rssBefore / MiB) },
        }),
      ];
      return measurements;
    } finally {
      await queue?.close();
      await worker?.stop();
      await stub?.stop();
      await db.dispose();
      await redis.release();
    }
  },
};
