// Scenario 3, Subscriptions: N graphql-ws sockets (1,000, 5,000 and 10,000; --quick: 1,000 only) on one
// api process (ROLE=api, Postgres, Redis), each subscribed to `messageAdded(appServiceId)` of the tenant's
// one app service (one topic) with the owner's Bearer token; and 1,000 GraphQL-over-SSE streams of the same.
// Events are published on Redis exactly as the platform publishes them after an ingest commits (the
// `messageAdded` payload with its ids, on its organization/app-service/conversation topics, see
// bench/support/publish.ts), for messages that exist (ingested once through the API at set-up), so every
// delivery runs the real resolver (one shared message lookup per event, the per-subscriber credential
// re-check at the default SUBSCRIPTION_RECHECK_SECONDS=2, authorization, serialization). Measuring from
// the publish keeps the ingest's database write out of the figure.
//
// Baseline: bench/baselines/ws-broadcast.ts, a plain `ws` server (and plain SSE) subscribed to the same Redis
// channel that broadcasts, per event, the very result JSON the platform delivers for that message (captured
// at set-up) to its sockets, read by the same client code (graphql-ws's client / one SSE reader).
//
// Figures, per N and transport: p99 and p50 publish-to-receive over every delivery of E events (published
// one at a time, 1 s apart, --quick: 0.5 s, each awaited until all N received it) — goal p99 ratio ≤ 2;
// memory per idle socket = (RSS of the server after N sockets connected, subscribed and settled − RSS
// before) / N, after a small warm-up pool so one-off start-up allocations are not counted, no forced GC —
// goal ratio ≤ 2. The JSON detail also has the server's CPU per delivery and the time to open the sockets.
// A round starts a fresh server per side and transport (ours and the baseline alternate which goes first):
// sockets are opened up to 1,000, then 5,000, then 10,000, the RSS taken at each; then the events at
// 10,000, 5,000 and 1,000 sockets (closing the ones added for each size on the way down). At most 3
// rounds (a round opens 10,000 sockets on each side).
//
// --quick: 1,000 sockets only (no 5,000/10,000), one round, 3 events 0.5 s apart instead of 10 1 s apart.
// Profiling: BENCH_API_CPU_PROF=/tmp/prof-subs runs the api processes with --cpu-prof into that directory.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FormattedExecutionResult } from 'graphql';
import { Redis } from 'ioredis';
import { decodeGlobalId, encodeGlobalId } from '../../src/kernel/global-id.js';
import { topic } from '../../src/realtime/topics.js';
import { scratchDatabase } from '../support/scratch-database.js';
import { Deliveries } from '../support/deliveries.js';
import { compare, median, quantile } from '../support/measurement.js';
import { delay, spawnService, startPlatform, type Service } from '../support/processes.js';
import { publishLikePlatform } from '../support/publish.js';
import {
  openSseSubscribers,
  openWsSubscribers,
  type OnResult,
  type SubscriberPool,
} from '../support/sockets.js';
import { createTenant, graphql } from '../support/tenant.js';
import type { BenchContext, Measurement, Scenario } from '../support/types.js';

const QUERY = `subscription ($appServiceId: ID) {
  messageAdded(appServiceId: $appServiceId) { id content senderType sentAt conversation { id } }
}`;
const INGEST = `mutation ($i: IngestMessageInput!) {
  ingestMessage(input: $i) { message { id } conversation { id } }
}`;
/** Distinct messages the events cycle through, so consecutive events never share a key. */
const MESSAGES = 12;
const WARM_UP_SOCKETS = 20;

type Transport = 'ws' | 'sse';
type Side = 'ours' | 'baseline';

interface Fixture {
  context: BenchContext;
  databaseUrl: string;
  redis: Redis;
  resultsFile: string;
  auth: Record<string, string>;
  appServiceGlobalId: string;
  /** The messageAdded event without its eventId, per message. */
  events: { organizationId: string; appServiceId: string; conversationId: string; messageId: string }[];
  channel: string;
  payloadBytes: number;
  /** --cpu-prof into this directory (BENCH_API_CPU_PROF), for profiling the api processes. */
  cpuProfileDir: string | undefined;
}

interface RoundFigures {
  p99: number;
  p50: number;
  bytesPerSocket: number;
  missed: number;
  deliveries: number;
  cpuUsPerDelivery: number;
  /** Seconds to open and subscribe the sockets added for this size (from the previous size). */
  seconds: { connect: number };
}

export const subscriptionsScenario: Scenario = {
  id: 'subscriptions',
  title: 'Subscriptions',
  async run(context) {
    const sizes = context.quick ? [1_000] : [1_000, 5_000, 10_000];
    // A round opens 10,000 sockets on each side: at most 3 rounds in the full run, 1 in --quick.
    const rounds = context.quick ? 1 : Math.min(context.rounds, 3);
    context.log(
      context.quick
        ? '--quick: 1,000 sockets only (5,000 and 10,000 in the full run), one round'
        : `${rounds} rounds (at most 3: each opens 10,000 sockets per side)`,
    );
    const db = await scratchDatabase('bench_subscriptions', context.databaseUrl);
    const redis = new Redis(context.redisUrl, { maxRetriesPerRequest: null });
    const dir = await mkdtemp(join(tmpdir(), 'bench-subscriptions-'));
    try {
      const fixture = await prepare(context, db.url!, redis, join(dir, 'results.json'));
      return [
        ...(await compareAt(fixture, 'ws', sizes, rounds)),
        ...(await compareAt(fixture, 'sse', [1_000], rounds)),
      ];
    } finally {
      redis.disconnect();
      await rm(dir, { recursive: true, force: true });
      await db.dispose();
    }
  },
};

/**
 * A tenant and MESSAGES messages ingested through the API, and the result JSON the platform delivers for
 * each (captured from one real subscription) for the baseline to send.
 */
async function prepare(
  context: BenchContext,
  databaseUrl: string,
  redis: Redis,
  resultsFile: string,
): Promise<Fixture> {
  const platform = await startPlatform({ databaseUrl, redisUrl: context.redisUrl });
  let pool: SubscriberPool | undefined;
  try {
    const url = `${platform.origin}/graphql`;
    const tenant = await createTenant(url, 'subscriptions');
    const events: Fixture['events'] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const { ingestMessage } = await graphql<{
        ingestMessage: { message: { id: string }; conversation: { id: string } };
      }>(
        url,
        INGEST,
        {
          i: {
            appServiceId: tenant.appServiceId,
            customer: { externalId: '+971500000001' },
            content: `Hello, I ordered a blue kettle last week (order #${10_400 + i}) and it has not arrived yet.`,
          },
        },
        tenant.apiKeyHeaders,
      );
      events.push({
        organizationId: tenant.rows.organizationId,
        appServiceId: tenant.rows.appServiceId,
        conversationId: decode(ingestMessage.conversation.id),
        messageId: decode(ingestMessage.message.id),
      });
    }
    const results: Record<string, string> = {};
    const byGlobalId = new Map(events.map((event) => [encodeGlobalId('Message', event.messageId), event]));
    const onResult: OnResult = (_subscription, result) => {
      const key = messageKey(result);
      const event = key === undefined ? undefined : byGlobalId.get(key);
      if (event && !result.errors) results[event.messageId] = JSON.stringify(result);
    };
    pool = await openWsSubscribers({
      url: wsUrl(platform),
      connections: 1,
      connectionParams: () => tenant.auth,
      query: QUERY,
      variables: { appServiceId: tenant.appServiceId },
      onResult,
    });
    const deadline = Date.now() + 30_000;
    while (Object.keys(results).length < MESSAGES) {
      if (Date.now() > deadline || pool.failures.length) {
        throw new Error(`could not capture the delivered results: ${pool.failures.join('; ')}`);
      }
      for (const event of events) {
        if (!results[event.messageId])
          await publishLikePlatform(redis, 'messageAdded', { ...event, private: false });
      }
      await delay(200);
    }
    await writeFile(resultsFile, JSON.stringify(results));
    const payloadBytes = Buffer.byteLength(results[events[0]!.messageId]!);
    context.log(`tenant ready, ${MESSAGES} messages; delivered result ${payloadBytes} bytes`);
    return {
      context,
      databaseUrl,
      redis,
      resultsFile,
      auth: tenant.auth,
      appServiceGlobalId: tenant.appServiceId,
      events,
      channel: topic('messageAdded', 'appService', tenant.rows.appServiceId),
      payloadBytes,
      cpuProfileDir: process.env.BENCH_API_CPU_PROF,
    };
  } finally {
    await pool?.close();
    await platform.stop();
  }
}

async function compareAt(
  fixture: Fixture,
  transport: Transport,
  sizes: number[],
  rounds: number,
): Promise<Measurement[]> {
  const figures: Record<Side, Map<number, RoundFigures>[]> = { ours: [], baseline: [] };
  for (let round = 0; round < rounds; round++) {
    const order: Side[] = round % 2 === 0 ? ['ours', 'baseline'] : ['baseline', 'ours'];
    for (const side of order) {
      const bySize = await measureRound(fixture, side, transport, sizes);
      figures[side].push(bySize);
      for (const [size, r] of bySize) {
        fixture.context.log(
          `${transport} ${size} ${side}: p99 ${r.p99.toFixed(1)} ms, p50 ${r.p50.toFixed(1)} ms, ` +
            `${(r.bytesPerSocket / 1024).toFixed(1)} KiB/socket, ${r.cpuUsPerDelivery.toFixed(0)} µs CPU/delivery, ` +
            `sockets added in ${r.seconds.connect.toFixed(1)} s` +
            (r.missed ? `, ${r.missed} deliveries missed` : ''),
        );
      }
    }
  }
  const measurements: Measurement[] = [];
  const scenario = 'subscriptions';
  const baselineLabel = transport === 'ws' ? 'plain ws broadcast' : 'plain SSE broadcast';
  for (const size of sizes) {
    const all = (side: Side) => figures[side].map((bySize) => bySize.get(size)!);
    const pick = (side: Side, field: 'p99' | 'p50' | 'bytesPerSocket' | 'cpuUsPerDelivery' | 'missed') =>
      all(side).map((r) => r[field]);
    const count = size.toLocaleString('en-US');
    const label = transport === 'ws' ? `${count} graphql-ws sockets` : `${count} SSE streams`;
    const detail = (field: 'p99' | 'p50' | 'bytesPerSocket') => ({
      rounds: { ours: pick('ours', field), baseline: pick('baseline', field) },
      sockets: size,
      transport,
      events: eventsPerRound(fixture.context),
      resultBytes: fixture.payloadBytes,
      missedDeliveries: { ours: pick('ours', 'missed'), baseline: pick('baseline', 'missed') },
      serverCpuUsPerDelivery: {
        ours: pick('ours', 'cpuUsPerDelivery'),
        baseline: pick('baseline', 'cpuUsPerDelivery'),
      },
      // Seconds to open and subscribe the sockets added for this size (from the previous size).
      openSeconds: {
        ours: all('ours').map((r) => r.seconds.connect),
        baseline: all('baseline').map((r) => r.seconds.connect),
      },
    });
    measurements.push(
      compare({
        scenario,
        metric: `p99 publish-to-receive, ${label}`,
        unit: 'ms',
        ours: median(pick('ours', 'p99')),
        baseline: median(pick('baseline', 'p99')),
        baselineLabel,
        goal: { op: '<=', value: 2 },
        detail: detail('p99'),
      }),
      compare({
        scenario,
        metric: `p50 publish-to-receive, ${label}`,
        unit: 'ms',
        ours: median(pick('ours', 'p50')),
        baseline: median(pick('baseline', 'p50')),
        baselineLabel,
        detail: detail('p50'),
      }),
      compare({
        scenario,
        metric: `memory per idle ${transport === 'ws' ? 'socket' : 'stream'}, ${label}`,
        unit: 'KiB',
        ours: median(pick('ours', 'bytesPerSocket')) / 1024,
        baseline: median(pick('baseline', 'bytesPerSocket')) / 1024,
        baselineLabel,
        goal: { op: '<=', value: 2 },
        detail: detail('bytesPerSocket'),
      }),
    );
  }
  return measurements;
}

const eventsPerRound = (context: BenchContext) => (context.quick ? 3 : 10);
/** From one event's publish to the next (longer when the deliveries take longer). */
const eventSpacingMs = (context: BenchContext) => (context.quick ? 500 : 1_000);

/**
 * One fresh server (ours or the baseline): sockets opened up to each size in turn (ascending), the RSS taken
 * once each size is subscribed and settled; then, from the largest size down (closing the sockets added for
 * it), the events and their latencies. So a round opens the largest size once, and memory is measured on
 * sockets that have only received the events confirming they listen.
 */
async function measureRound(
  fixture: Fixture,
  side: Side,
  transport: Transport,
  sizes: number[],
): Promise<Map<number, RoundFigures>> {
  const { context, redis } = fixture;
  const server =
    side === 'ours'
      ? await startApi(fixture)
      : await spawnService({
          label: 'ws-broadcast baseline',
          args: ['--import', 'tsx', 'bench/baselines/ws-broadcast.ts'],
          env: { REDIS_URL: context.redisUrl, CHANNEL: fixture.channel, RESULTS: fixture.resultsFile },
          readyPath: '/healthz',
        });
  let eventNumber = 0;
  const publishNext = () => {
    const event = fixture.events[eventNumber++ % fixture.events.length]!;
    return {
      key: encodeGlobalId('Message', event.messageId),
      publish: () => publishLikePlatform(redis, 'messageAdded', { ...event, private: false }),
    };
  };
  const open = (count: number, onResult: OnResult) =>
    transport === 'ws'
      ? openWsSubscribers({
          url: wsUrl(server),
          connections: count,
          connectionParams: () => fixture.auth,
          query: QUERY,
          variables: { appServiceId: fixture.appServiceGlobalId },
          onResult,
        })
      : openSseSubscribers({
          url: `${server.origin}/graphql`,
          count,
          headers: fixture.auth,
          query: QUERY,
          variables: { appServiceId: fixture.appServiceGlobalId },
          onResult,
        });
  const pools: SubscriberPool[] = [];
  const settleMs = context.quick ? 500 : 1_000;
  try {
    // A small pool first, so code paths are compiled and one-off allocations made before "RSS before".
    const warm = new Deliveries(WARM_UP_SOCKETS, messageKey);
    const warmPool = await open(WARM_UP_SOCKETS, warm.onResult);
    pools.push(warmPool);
    await warm.confirmListening(() => publishNext().publish());
    await warmPool.close();
    await delay(500);
    const rssBefore = await server.rssBytes();

    const largest = sizes[sizes.length - 1]!;
    const deliveries = new Deliveries(largest, messageKey);
    const steps: { size: number; pool: SubscriberPool; bytesPerSocket: number; connect: number }[] = [];
    for (const size of sizes) {
      const started = performance.now();
      const offset = steps.at(-1)?.size ?? 0;
      const pool = await open(size - offset, (subscription, result, at) =>
        deliveries.onResult(offset + subscription, result, at),
      );
      pools.push(pool);
      await deliveries.confirmListening(() => publishNext().publish(), { expected: size });
      const connect = (performance.now() - started) / 1000;
      await delay(settleMs);
      const bytesPerSocket = ((await server.rssBytes()) - rssBefore) / size;
      steps.push({ size, pool, bytesPerSocket, connect });
    }

    const figures = new Map<number, RoundFigures>();
    for (let i = steps.length - 1; i >= 0; i--) {
      const { size, pool, bytesPerSocket, connect } = steps[i]!;
      const latencies: number[] = [];
      let missed = 0;
      const timeoutMs = 10_000 + size;
      const cpuBefore = await server.cpuMs();
      for (let e = 0; e < eventsPerRound(context); e++) {
        const started = performance.now();
        const next = publishNext();
        const outcome = await deliveries.await(next.key, next.publish, timeoutMs, size);
        latencies.push(...outcome.latencies);
        // A delivery that never came counts as the timeout, so it cannot improve the p99.
        for (let m = 0; m < outcome.missed; m++) latencies.push(timeoutMs);
        missed += outcome.missed;
        await delay(Math.max(0, eventSpacingMs(context) - (performance.now() - started)));
      }
      const cpuMs = (await server.cpuMs()) - cpuBefore;
      for (const { pool: open } of steps.slice(0, i + 1)) {
        if (open.failures.length)
          throw new Error(`${side} ${transport}: ${open.failures.slice(0, 3).join('; ')}`);
      }
      if (deliveries.errors)
        throw new Error(`${side} ${transport}: ${deliveries.errors} results with errors`);
      figures.set(size, {
        p99: quantile(latencies, 0.99),
        p50: quantile(latencies, 0.5),
        bytesPerSocket,
        missed,
        deliveries: latencies.length,
        // Server CPU over the events (spacing included), per delivery: where the latency goes.
        cpuUsPerDelivery: (cpuMs * 1000) / latencies.length,
        seconds: { connect },
      });
      // Down to the next size: close the sockets added for this one, and let the server settle.
      if (i > 0) {
        await pool.close();
        await delay(settleMs);
      }
    }
    return figures;
  } finally {
    for (const pool of pools) await pool.close();
    await server.stop();
  }
}

/** startPlatform, or the same api under --cpu-prof (NODE_OPTIONS may not carry it). */
function startApi(fixture: Fixture): Promise<Service> {
  const { databaseUrl, context, cpuProfileDir } = fixture;
  if (!cpuProfileDir) return startPlatform({ databaseUrl, redisUrl: context.redisUrl });
  return spawnService({
    label: 'platform (profiled)',
    args: ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`, 'dist/main.js'],
    readyPath: '/readyz',
    env: {
      DATABASE_URL: databaseUrl,
      REDIS_URL: context.redisUrl,
      ROLE: 'api',
      LOG_LEVEL: 'warn',
      SEED_DEMO: 'false',
      SHUTDOWN_DRAIN_SECONDS: '0',
    },
  });
}

function messageKey(result: FormattedExecutionResult): string | undefined {
  const data = result.data as { messageAdded?: { id?: string } } | null | undefined;
  return data?.messageAdded?.id;
}

const wsUrl = (service: Service) => `${service.origin.replace(/^http/, 'ws')}/graphql`;
const decode = (globalId: string) => decodeGlobalId(globalId).id;
