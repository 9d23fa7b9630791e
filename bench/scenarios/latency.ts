// Scenario 9, latency one request at a time (no load): what a single integrator or agent waits for. On the
// built platform (`node dist/main.js`, production mode) on a throw-away Postgres database and a Redis
// logical database of the scenario's own, local model (the default). No baseline: the figures are absolute.
//  (a) Ingest to alert: `ingestMessage` ("I want to talk to a real person", a new customer each time so each
//      is a first escalation, no cool-down) until `escalationRaised(organizationId)` arrives on a graphql-ws
//      subscription of the owner: HTTP, the insert and its outbox row, the relay to BullMQ, the
//      classification job, the escalation, notification planning and the Redis pub/sub fan-out, through
//      one process with ROLE=all. Sequential: each message waits for its escalation, after warm-up messages.
//  (b) Ingest alone: `ingestMessage` over HTTP with an API key, one call at a time (100 customers in turn,
//      each call its own idempotency key), on the api only (ROLE=api: jobs are queued, not run, so no
//      classification competes), after warm-up calls. p50, p90 and p99.
// (a) runs first so that (b)'s queued jobs are never worked (nothing runs them under ROLE=api).
// --quick: 20 escalations after 5 warm-up messages, 100 ingest calls after 20 warm-up calls (full: 200 after
// 10, 1,000 after 50).
// These were `npm run measure:escalation` and `npm run measure:ingest` before the harnesses were merged.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { scratchDatabase } from '../support/scratch-database.js';
import { quantile, report } from '../support/measurement.js';
import { startPlatform, type Service } from '../support/processes.js';
import { claimRedisDatabase } from '../support/redis-db.js';
import { createTenant, graphql, type Tenant } from '../support/tenant.js';
import type { BenchContext, Measurement, Scenario } from '../support/types.js';

const INGEST = `mutation($i: IngestMessageInput!) { ingestMessage(input: $i) { message { id } } }`;

export const latencyScenario: Scenario = {
  id: 'latency',
  title: 'Latency, one request at a time',
  async run(context) {
    const escalations = context.quick ? 20 : 200;
    const ingests = context.quick ? 100 : 1_000;
    const db = await scratchDatabase('bench_latency', context.databaseUrl);
    const redis = await claimRedisDatabase(context.redisUrl, 'latency');
    let platform: Service | undefined;
    try {
      platform = await startPlatform({ databaseUrl: db.url!, redisUrl: redis.url, role: 'all' });
      const tenant = await createTenant(`${platform.origin}/graphql`, 'bench-latency');
      const alert = await ingestToEscalation(context, platform, tenant, escalations, context.quick ? 5 : 10);
      await platform.stop();
      platform = await startPlatform({ databaseUrl: db.url!, redisUrl: redis.url, role: 'api' });
      const ingest = await sequentialIngest(platform, tenant, ingests, context.quick ? 20 : 50);
      context.log(
        `ingest → escalationRaised p50 ${quantile(alert, 0.5).toFixed(1)} ms, p99 ${quantile(alert, 0.99).toFixed(1)} ms; ` +
          `ingestMessage p50 ${quantile(ingest, 0.5).toFixed(2)} ms, p99 ${quantile(ingest, 0.99).toFixed(2)} ms`,
      );
      const scenario = 'latency';
      const alertLabel = `ingestMessage → escalationRaised, ${escalations} messages one at a time, ROLE=all, local model`;
      const ingestLabel = `ingestMessage alone, ${ingests} sequential calls, ROLE=api`;
      const figure = (metric: string, values: number[], q: number): Measurement =>
        report({
          scenario,
          metric,
          unit: 'ms',
          ours: quantile(values, q),
          detail: { samples: values.length },
        });
      return [
        figure(`p50 ${alertLabel}`, alert, 0.5),
        figure(`p99 ${alertLabel}`, alert, 0.99),
        figure(`p50 ${ingestLabel}`, ingest, 0.5),
        figure(`p90 ${ingestLabel}`, ingest, 0.9),
        figure(`p99 ${ingestLabel}`, ingest, 0.99),
      ];
    } finally {
      await platform?.stop();
      await redis.release();
      await db.dispose();
    }
  },
};

async function ingestToEscalation(
  context: BenchContext,
  platform: Service,
  tenant: Tenant,
  count: number,
  warmUp: number,
): Promise<number[]> {
  const url = `${platform.origin}/graphql`;
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const waiting = new Map<string, () => void>();
  const failures: unknown[] = [];
  let listening: (() => void) | undefined;
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: () => tenant.auth,
    on: { connected: () => listening?.() },
  });
  try {
    const connected = new Promise<void>((resolve) => (listening = resolve));
    client.subscribe(
      {
        query: `subscription($o: ID) { escalationRaised(organizationId: $o) { customerNumber } }`,
        variables: { o: tenant.organizationId },
      },
      {
        next: (value) => {
          const number = (value.data as { escalationRaised?: { customerNumber?: string } } | null)
            ?.escalationRaised?.customerNumber;
          if (!number) return;
          const started = sentAt.get(number);
          if (started !== undefined) latencies.push(performance.now() - started);
          waiting.get(number)?.();
        },
        error: (error) => failures.push(error),
        complete: () => undefined,
      },
    );
    await connected;
    // The subscribe message follows the connection ack: give the server a moment to register it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (let i = 0; i < count + warmUp; i++) {
      if (failures.length) throw new Error(`escalationRaised subscription failed: ${String(failures[0])}`);
      // A new customer each time, so every message is a first escalation (no cool-down).
      const number = `+9716${String(10_000_000 + i)}`;
      const received = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no escalationRaised for ${number} in 30 s`)),
          30_000,
        );
        waiting.set(number, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      sentAt.set(number, performance.now());
      await graphql(
        url,
        INGEST,
        {
          i: {
            appServiceId: tenant.appServiceId,
            customer: { externalId: number },
            content: 'I want to talk to a real person',
          },
        },
        tenant.apiKeyHeaders,
      );
      await received;
      if (i === warmUp - 1) {
        latencies.length = 0;
        context.log('  warm-up done');
      }
    }
    return latencies;
  } finally {
    await client.dispose();
  }
}

async function sequentialIngest(
  platform: Service,
  tenant: Tenant,
  count: number,
  warmUp: number,
): Promise<number[]> {
  const url = `${platform.origin}/graphql`;
  const durations: number[] = [];
  for (let i = 0; i < count + warmUp; i++) {
    const started = performance.now();
    await graphql(
      url,
      INGEST,
      {
        i: {
          appServiceId: tenant.appServiceId,
          customer: { externalId: `+9715${String(i % 100).padStart(8, '0')}` },
          content: `message ${i}`,
          idempotencyKey: `bench-latency-${i}`,
        },
      },
      tenant.apiKeyHeaders,
    );
    // The first calls warm up the JIT and the connection pool.
    if (i >= warmUp) durations.push(performance.now() - started);
  }
  return durations;
}
