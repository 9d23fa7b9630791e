// Scenario 5, jobs. Everything runs against the built platform (`node dist/main.js`, production mode) on a
// throw-away Postgres database and Redis logical databases of the scenario's own; the model is the local
// adapter (the default without OPENAI_API_KEY: it answers at once) unless said otherwise.
//  (a) Classification throughput. The platform's worker (ROLE=worker, WORKER_CONCURRENCY default 4, a process
//      of its own) works K `classification` jobs, vs. a BullMQ Worker doing nothing with each job
//      (bench/baselines/bullmq-noop.ts, concurrency 4, a process of its own) on the same Redis server (its
//      own logical database, so both stay up between rounds). Both get the same K payloads
//      ({ messageId, organizationId } of seeded customer messages, each the third message of its
//      conversation: two earlier ones as context) with the platform's job options (5 attempts, exponential
//      backoff, the same retention), added while the queue is paused; the clock runs from resume to the last
//      job's finishedOn. Goal: jobs/s ratio ≥ 0.3. Every platform round checks that K INTENT analyses were
//      stored.
//  (b) Ingest p50 with enqueue vs. without: the api (ROLE=api, no worker, so no classification competes)
//      takes `ingestMessage` from an API key at 8 connections, the same 200 customers, a fixed number of
//      requests. With enqueue: senderType CUSTOMER, which writes the outbox row in the message's
//      transaction and kicks the relay (a second transaction + BullMQ add per batch). Without: the same
//      mutation with senderType BOT, which stores the message the same way but queues no job (the only
//      other difference: a customer message may reopen a RESOLVED/PENDING conversation, which none of these
//      is). No configuration switch turns the outbox off, and none was added. Goal: p50 ratio ≤ 1.3.
//  (c) Ingest p99 while the hourly sentiment run over 10,000 conversations (5 messages each, in the last
//      closed hour) is going on vs. idle: the platform worker runs the run (enqueued on its `sentiment`
//      queue; analyses deleted before each run so it redoes the work), the api takes CUSTOMER
//      `ingestMessage` at 8 connections for as long as an unloaded run lasts (measured once first); the
//      worker is up in both cases and classifies what is ingested. Goal: p99 ratio ≤ 1.5. With the local
//      model (the default) the run is the local rules' CPU, a core of this machine's two for its length; in
//      full mode the same again with a worker configured for an OpenAI-compatible stub answering sentiment
//      after 200 ms (a remote model, as in production; classification answered at once).
// --quick: K = 100 jobs instead of 1,000, 100 requests per ingest run instead of 1,000, 1,500 conversations
// in the sentiment run instead of 10,000, and no run with the model stub (rounds come from the harness:
// 2 quick, 5 full).
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { scratchDatabase } from '../support/scratch-database.js';
import { floorToHour } from '../../src/services/sentiment-run.js';
import { seedDataset } from '../support/dataset.js';
import { graphqlOk, runLoad } from '../support/load.js';
import { alternate, compare, median } from '../support/measurement.js';
import { delay, spawnService, startPlatform, type Service } from '../support/processes.js';
import { claimRedisDatabase } from '../support/redis-db.js';
import { createTenant, graphql, type Tenant } from '../support/tenant.js';
import type { BenchContext, Measurement, Scenario } from '../support/types.js';
import { spawnWorker, type WorkerProcess } from '../support/worker-process.js';

const CONCURRENCY = 4;
const CONNECTIONS = 8;
const CUSTOMERS = 200;
const DAY_MS = 86_400_000;

/** The platform's job options (src/jobs/bullmq-queue.ts): same attempts, backoff and retention. */
const JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { count: 10_000, age: 86_400 },
  removeOnFail: { count: 10_000 },
};

const INGEST = `mutation Ingest($i: IngestMessageInput!) {
  ingestMessage(input: $i) { botShouldReply duplicate message { id } }
}`;
const INGEST_MANY = `mutation IngestMany($i: IngestMessagesInput!) {
  ingestMessages(input: $i) { results { duplicate } }
}`;

const customerId = (n: number) => `+9717${String(n % CUSTOMERS).padStart(8, '0')}`;

export const jobsScenario: Scenario = {
  id: 'jobs',
  title: 'Jobs',
  async run(context) {
    const shape = {
      jobs: context.quick ? 100 : 1_000,
      requests: context.quick ? 100 : 1_000,
      sentimentConversations: context.quick ? 1_500 : 10_000,
      warmUpJobs: context.quick ? 50 : 300,
      warmUpRequests: context.quick ? 30 : 200,
    };
    const cleanup: (() => Promise<void>)[] = [];
    try {
      const db = await scratchDatabase('bench_jobs', context.databaseUrl);
      cleanup.unshift(() => db.dispose());
      const platformRedis = await claimRedisDatabase(context.redisUrl, 'jobs-platform');
      cleanup.unshift(() => platformRedis.release());
      const baselineRedis = await claimRedisDatabase(context.redisUrl, 'jobs-baseline');
      cleanup.unshift(() => baselineRedis.release());

      // The platform's classification queue is paused before its worker starts: (b) queues jobs that must
      // not be worked while it measures the api alone. Both workers boot while the api starts and data is
      // seeded; idle, they only wait on Redis (and the platform worker's routing schedule, once a minute).
      const platformQueue = new Queue('classification', { connection: { url: platformRedis.url } });
      cleanup.unshift(() => platformQueue.close());
      await platformQueue.pause();
      const baselineQueue = new Queue('classification', { connection: { url: baselineRedis.url } });
      cleanup.unshift(() => baselineQueue.close());
      const platformWorkerEnv = {
        DATABASE_URL: db.url!,
        REDIS_URL: platformRedis.url,
        ROLE: 'worker',
        LOG_LEVEL: 'warn',
        SEED_DEMO: 'false',
        // No scheduled sentiment run beside the ones this scenario starts.
        SENTIMENT_CRON: '0 0 1 1 *',
      };
      // BENCH_WORKER_CPU_PROF=/tmp/prof-jobs profiles the platform's worker (--cpu-prof into that directory).
      const profileDir = process.env.BENCH_WORKER_CPU_PROF;
      const platformWorker = spawnWorker({
        label: 'platform worker',
        args: [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), 'dist/main.js'],
        env: platformWorkerEnv,
      });
      cleanup.unshift(() => platformWorker.stop());
      const noopWorker = spawnWorker({
        label: 'no-op BullMQ worker',
        args: ['--import', 'tsx', 'bench/baselines/bullmq-noop.ts'],
        env: { REDIS_URL: baselineRedis.url, WORKER_CONCURRENCY: String(CONCURRENCY) },
      });
      cleanup.unshift(() => noopWorker.stop());

      const api = await startPlatform({ databaseUrl: db.url!, redisUrl: platformRedis.url, role: 'api' });
      cleanup.unshift(() => api.stop());
      const graphqlUrl = `${api.origin}/graphql`;
      const tenant = await createTenant(graphqlUrl, 'bench-jobs');
      const target = { organizationId: tenant.rows.organizationId, appServiceId: tenant.rows.appServiceId };

      // (a)'s messages, days old (outside the sentiment look-back), then (c)'s, in the last closed hour.
      const jobMessages = shape.jobs * context.rounds + shape.warmUpJobs;
      await seedDataset(db.prisma, target, {
        conversations: jobMessages,
        messagesPerConversation: 4,
        endAt: new Date(Date.now() - 3 * DAY_MS),
        spreadMinutes: 24 * 60,
      });
      const windowEnd = floorToHour(new Date());
      const seeded = await seedDataset(db.prisma, target, {
        conversations: shape.sentimentConversations,
        messagesPerConversation: 5,
        endAt: new Date(windowEnd.getTime() - 60_000),
        spreadMinutes: 50,
      });
      context.log(
        `seeded ${jobMessages} + ${shape.sentimentConversations} conversations (${seeded.seconds.toFixed(1)} s for the latter)`,
      );
      const messageIds = (
        await db.prisma.$queryRaw<{ id: string }[]>`
          SELECT id::text AS id FROM messages
          WHERE app_service_id = ${target.appServiceId}::uuid AND sender_type = 'CUSTOMER' AND index = 2
            AND sent_at < ${new Date(Date.now() - DAY_MS).toISOString()}::timestamptz
          ORDER BY id`
      ).map((row) => row.id);
      if (messageIds.length < jobMessages) throw new Error(`only ${messageIds.length} messages for the jobs`);

      const ingest = new IngestLoad(graphqlUrl, tenant, shape.warmUpRequests);
      await ingest.prepare();

      // (b) the api alone: the jobs it queues wait in the paused queue.
      const enqueue = await ingestWithAndWithoutEnqueue(context, ingest, api, shape.requests);

      // (a) the jobs (b) queued are dropped (the worker would start on that backlog); timeJobs resumes.
      await dropBacklog(platformQueue);
      platformWorker.assertAlive();
      noopWorker.assertAlive();

      const organizationId = target.organizationId;
      const payloads = (ids: string[]) => ids.map((messageId) => ({ messageId, organizationId }));
      const warmUp = payloads(messageIds.slice(0, shape.warmUpJobs));
      await timeJobs(platformQueue, platformWorker, warmUp);
      await timeJobs(baselineQueue, noopWorker, warmUp);
      let oursRound = 0;
      let baselineRound = 0;
      const cpuPerJob = { ours: [] as number[], baseline: [] as number[] };
      const slice = (r: number) =>
        messageIds.slice(shape.warmUpJobs + r * shape.jobs, shape.warmUpJobs + (r + 1) * shape.jobs);
      const throughput = await alternate(context.rounds, {
        ours: async () => {
          const ids = slice(oursRound++);
          const { seconds, cpuMsPerJob } = await timeJobs(platformQueue, platformWorker, payloads(ids));
          cpuPerJob.ours.push(cpuMsPerJob);
          const [row] = await db.prisma.$queryRaw<{ count: number }[]>`
            SELECT count(*)::int AS count FROM analyses
            WHERE type = 'INTENT' AND result->>'messageId' = ANY(${ids}::text[])`;
          if (row?.count !== ids.length)
            throw new Error(`${row?.count} of ${ids.length} messages were classified`);
          context.log(
            `(a) platform worker: ${(ids.length / seconds).toFixed(0)} jobs/s, ${cpuMsPerJob.toFixed(2)} ms CPU/job`,
          );
          return ids.length / seconds;
        },
        baseline: async () => {
          const ids = slice(baselineRound++);
          const { seconds, cpuMsPerJob } = await timeJobs(baselineQueue, noopWorker, payloads(ids));
          cpuPerJob.baseline.push(cpuMsPerJob);
          context.log(
            `(a) no-op worker: ${(ids.length / seconds).toFixed(0)} jobs/s, ${cpuMsPerJob.toFixed(2)} ms CPU/job`,
          );
          return ids.length / seconds;
        },
      });
      await noopWorker.stop();

      // (c) the platform worker stays up: it runs the sentiment runs and classifies what is ingested.
      const sentimentRun = {
        ingest,
        redisUrl: platformRedis.url,
        classification: platformQueue,
        prisma: db.prisma,
        conversations: shape.sentimentConversations,
        cleanup,
      };
      const duringRun = [
        await ingestDuringSentiment(context, {
          ...sentimentRun,
          worker: platformWorker,
          model: 'local model',
        }),
      ];
      if (!context.quick) {
        // Again with a remote model: a worker configured for an OpenAI-compatible stub answering sentiment
        // after 200 ms (classification at once, so the ingested messages do not pile up).
        await platformWorker.stop();
        const stub = await spawnService({
          label: 'model stub',
          args: ['--import', 'tsx', 'bench/baselines/model-stub.ts'],
          env: { MODEL_LATENCY_MS: '200', CLASSIFICATION_LATENCY_MS: '0' },
          readyPath: '/healthz',
        });
        cleanup.unshift(() => stub.stop());
        const remoteWorker = spawnWorker({
          label: 'platform worker (model stub)',
          args: ['dist/main.js'],
          env: {
            ...platformWorkerEnv,
            OPENAI_API_KEY: 'bench-stub',
            OPENAI_BASE_URL: `${stub.origin}/v1`,
          },
        });
        cleanup.unshift(() => remoteWorker.stop());
        duringRun.push(
          await ingestDuringSentiment(context, {
            ...sentimentRun,
            worker: remoteWorker,
            model: 'model stub, 200 ms a call',
          }),
        );
      }

      const measurements: Measurement[] = [
        compare({
          scenario: 'jobs',
          metric: `classification throughput, ${shape.jobs} jobs, concurrency ${CONCURRENCY}, local model`,
          unit: 'jobs/s',
          ours: throughput.ours,
          baseline: throughput.baseline,
          baselineLabel: 'no-op BullMQ worker',
          goal: { op: '>=', value: 0.3 },
          detail: {
            oursRounds: throughput.oursRounds,
            baselineRounds: throughput.baselineRounds,
            workerCpuMsPerJob: {
              ours: median(cpuPerJob.ours),
              baseline: median(cpuPerJob.baseline),
              rounds: cpuPerJob,
            },
          },
        }),
        compare({
          scenario: 'jobs',
          metric: 'worker CPU per classification job',
          unit: 'ms',
          ours: median(cpuPerJob.ours),
          baseline: median(cpuPerJob.baseline),
          baselineLabel: 'no-op BullMQ worker',
          detail: { rounds: cpuPerJob },
        }),
        ...enqueue,
        ...duringRun,
      ];
      return measurements;
    } finally {
      for (const step of cleanup) {
        try {
          await step();
        } catch (error) {
          context.log(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
  },
};

/** Empties a (paused) queue of its waiting jobs, once the api's outbox relay has handed over the last ones. */
async function dropBacklog(queue: Queue): Promise<void> {
  for (let quiet = 0; quiet < 3;) {
    await delay(100);
    const counts = await queue.getJobCounts('wait', 'delayed', 'prioritized');
    quiet = Object.values(counts).every((n) => n === 0) ? quiet + 1 : 0;
    await queue.drain(true);
  }
}

/**
 * Adds the jobs to a paused queue, resumes it and waits until none is waiting or active; returns the
 * seconds from the resume to the last job's finishedOn. Throws if any job failed.
 */
async function timeJobs(
  queue: Queue,
  worker: WorkerProcess,
  payloads: { messageId: string; organizationId: string }[],
  timeoutMs = 300_000,
): Promise<{ seconds: number; cpuMsPerJob: number }> {
  const failedBefore = (await queue.getJobCounts('failed')).failed ?? 0;
  await queue.pause();
  const ids = new Set<string>();
  const jobs = payloads.map((data) => {
    const jobId = randomUUID();
    ids.add(jobId);
    return { name: 'classify', data, opts: { ...JOB_OPTIONS, jobId } };
  });
  for (let from = 0; from < jobs.length; from += 500) await queue.addBulk(jobs.slice(from, from + 500));
  const cpuBefore = await worker.cpuMs();
  const started = Date.now();
  await queue.resume();
  const deadline = started + timeoutMs;
  for (;;) {
    const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized');
    if (Object.values(counts).every((n) => n === 0)) break;
    worker.assertAlive();
    if (Date.now() > deadline) throw new Error(`jobs not done after ${timeoutMs / 1000} s`);
    await delay(10);
  }
  const failed = ((await queue.getJobCounts('failed')).failed ?? 0) - failedBefore;
  if (failed > 0) throw new Error(`${failed} jobs failed`);
  const completed = await queue.getJobs(['completed'], 0, payloads.length * 2);
  let last = 0;
  let seen = 0;
  for (const job of completed) {
    if (!job?.id || !ids.has(job.id)) continue;
    seen++;
    last = Math.max(last, job.finishedOn ?? 0);
  }
  if (seen !== payloads.length) throw new Error(`${seen} of ${payloads.length} jobs completed`);
  const cpuMsPerJob = ((await worker.cpuMs()) - cpuBefore) / payloads.length;
  return { seconds: (last - started) / 1000, cpuMsPerJob };
}

/** `ingestMessage` from the tenant's API key, to CUSTOMERS customers in turn, each with its own key. */
class IngestLoad {
  private runs = 0;

  constructor(
    private readonly graphqlUrl: string,
    private readonly tenant: Tenant,
    private readonly warmUpRequests: number,
  ) {}

  /** Creates the customers (contact and conversation) so measured requests find them, as most do live. */
  async prepare(): Promise<void> {
    const messages = Array.from({ length: CUSTOMERS }, (_, i) => ({
      appServiceId: this.tenant.appServiceId,
      customer: { externalId: customerId(i) },
      senderType: 'CUSTOMER',
      content: 'first message',
    }));
    await graphql(this.graphqlUrl, INGEST_MANY, { i: { messages } }, this.tenant.apiKeyHeaders);
    await this.run('CUSTOMER', { amount: this.warmUpRequests });
    await this.run('BOT', { amount: this.warmUpRequests });
  }

  run(senderType: 'CUSTOMER' | 'BOT', size: { amount: number } | { durationSeconds: number }) {
    const run = ++this.runs;
    const appServiceId = this.tenant.appServiceId;
    return runLoad({
      url: this.graphqlUrl,
      headers: this.tenant.apiKeyHeaders,
      connections: CONNECTIONS,
      ...size,
      body: (n) =>
        JSON.stringify({
          query: INGEST,
          variables: {
            i: {
              appServiceId,
              customer: { externalId: customerId(n) },
              senderType,
              content:
                senderType === 'CUSTOMER'
                  ? `Hello, I have a question about my order ${run}-${n}`
                  : `Thanks for your message, let me check order ${run}-${n} for you.`,
              idempotencyKey: `jobs-${run}-${n}`,
            },
          },
        }),
      check: graphqlOk,
    });
  }
}

async function ingestWithAndWithoutEnqueue(
  context: BenchContext,
  ingest: IngestLoad,
  api: Service,
  requests: number,
): Promise<Measurement[]> {
  const p99 = { ours: [] as number[], baseline: [] as number[] };
  const cpu = { ours: [] as number[], baseline: [] as number[] };
  const measure = async (senderType: 'CUSTOMER' | 'BOT', side: 'ours' | 'baseline') => {
    const before = await api.cpuMs();
    const load = await ingest.run(senderType, { amount: requests });
    // The relay's pass after the last commits is part of the cost: let it finish.
    await delay(100);
    const cpuMs = ((await api.cpuMs()) - before) / requests;
    p99[side].push(load.latency.p99);
    cpu[side].push(cpuMs);
    context.log(
      `(b) ${senderType}: p50 ${load.latency.p50} ms, p99 ${load.latency.p99} ms, api ${cpuMs.toFixed(2)} ms CPU/request`,
    );
    return load.latency.p50;
  };
  const result = await alternate(context.rounds, {
    ours: () => measure('CUSTOMER', 'ours'),
    baseline: () => measure('BOT', 'baseline'),
  });
  return [
    compare({
      scenario: 'jobs',
      metric: `ingestMessage p50 with enqueue (CUSTOMER) vs. without (BOT), ${CONNECTIONS} connections`,
      unit: 'ms',
      ours: result.ours,
      baseline: result.baseline,
      baselineLabel: 'same mutation, no job',
      goal: { op: '<=', value: 1.3 },
      detail: {
        requestsPerRun: requests,
        oursRounds: result.oursRounds,
        baselineRounds: result.baselineRounds,
        p99: { ours: median(p99.ours), baseline: median(p99.baseline), rounds: p99 },
      },
    }),
    compare({
      scenario: 'jobs',
      metric: 'api CPU per ingestMessage with enqueue (CUSTOMER) vs. without (BOT)',
      unit: 'ms',
      ours: median(cpu.ours),
      baseline: median(cpu.baseline),
      baselineLabel: 'same mutation, no job',
      detail: { rounds: cpu },
    }),
  ];
}

async function ingestDuringSentiment(
  context: BenchContext,
  input: {
    ingest: IngestLoad;
    worker: WorkerProcess;
    redisUrl: string;
    classification: Queue;
    prisma: Awaited<ReturnType<typeof scratchDatabase>>['prisma'];
    conversations: number;
    /** The worker's model, for the figure's name. */
    model: string;
    cleanup: (() => Promise<void>)[];
  },
): Promise<Measurement> {
  const sentiment = new Queue('sentiment', { connection: { url: input.redisUrl } });
  input.cleanup.unshift(() => sentiment.close());
  const { prisma, worker } = input;

  /** Starts a sentiment run over the whole window again; resolves with its seconds once it is over. */
  const startRun = async () => {
    await prisma.$executeRaw`DELETE FROM analyses WHERE type IN ('SENTIMENT_ANALYSIS', 'TOPICS_DETECTED')`;
    const job = await sentiment.add('hourly', {}, { jobId: randomUUID(), attempts: 1 });
    return async (): Promise<{ seconds: number; analysed: number }> => {
      const deadline = Date.now() + 300_000;
      for (;;) {
        const state = await sentiment.getJobState(job.id!);
        if (state === 'completed' || state === 'failed') break;
        worker.assertAlive();
        if (Date.now() > deadline) throw new Error('the sentiment run did not finish in 300 s');
        await delay(50);
      }
      const done = await sentiment.getJob(job.id!);
      if (!done || done.failedReason) throw new Error(`the sentiment run failed: ${done?.failedReason}`);
      const windows = done.returnvalue as { analysed: number }[];
      return {
        seconds: (done.finishedOn! - done.processedOn!) / 1000,
        analysed: windows.reduce((sum, w) => sum + w.analysed, 0),
      };
    };
  };
  /** Waits until the worker has classified what the last load ingested, so it does not spill over. */
  const settle = async () => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const counts = await input.classification.getJobCounts('wait', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).every((n) => n === 0)) return;
      if (Date.now() > deadline) throw new Error('classification backlog not drained in 120 s');
      await delay(50);
    }
  };

  // An unloaded run first: it warms up, checks the data, and sets how long each load lasts.
  const unloaded = await (await startRun())();
  if (unloaded.analysed !== input.conversations)
    throw new Error(`the sentiment run analysed ${unloaded.analysed}, not ${input.conversations}`);
  const durationSeconds = Math.min(15, Math.max(2, Math.floor(unloaded.seconds)));
  context.log(
    `(c, ${input.model}) unloaded sentiment run: ${unloaded.seconds.toFixed(1)} s; loads of ${durationSeconds} s`,
  );

  const runs: { seconds: number; analysed: number; workerCpuSeconds: number }[] = [];
  const result = await alternate(context.rounds, {
    ours: async () => {
      const cpuBefore = await worker.cpuMs();
      const finished = await startRun();
      const load = await input.ingest.run('CUSTOMER', { durationSeconds });
      const run = { ...(await finished()), workerCpuSeconds: 0 };
      run.workerCpuSeconds = ((await worker.cpuMs()) - cpuBefore) / 1000;
      runs.push(run);
      await settle();
      context.log(
        `(c) during a run (${run.seconds.toFixed(1)} s): p99 ${load.latency.p99} ms, ${load.throughput.toFixed(0)} req/s`,
      );
      return load.latency.p99;
    },
    baseline: async () => {
      const load = await input.ingest.run('CUSTOMER', { durationSeconds });
      await settle();
      context.log(`(c) idle: p99 ${load.latency.p99} ms, ${load.throughput.toFixed(0)} req/s`);
      return load.latency.p99;
    },
  });
  await sentiment.close();
  return compare({
    scenario: 'jobs',
    metric: `ingestMessage p99 during a sentiment run over ${input.conversations.toLocaleString('en-US')} conversations (${input.model}), ${CONNECTIONS} connections`,
    unit: 'ms',
    ours: result.ours,
    baseline: result.baseline,
    baselineLabel: 'idle',
    goal: { op: '<=', value: 1.5 },
    detail: {
      loadSeconds: durationSeconds,
      unloadedRunSeconds: unloaded.seconds,
      runsDuringLoad: runs,
      oursRounds: result.oursRounds,
      baselineRounds: result.baselineRounds,
      // Each run against the idle load next to it: steadier than the medians when the machine's load drifts.
      medianOfRoundRatios: median(result.oursRounds.map((ours, i) => ours / result.baselineRounds[i]!)),
    },
  });
}
