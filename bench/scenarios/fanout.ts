// Scenario 4, Fan-out: one escalation delivered to 1,000 subscribed agents costs the api process no more
// CPU per delivered event than delivering it to a single subscriber. One api process (ROLE=api, Postgres,
// Redis); 1,000 graphql-ws connections (one per agent, as each agent's console has its own), each with one
// `escalationRaised(appServiceId)` subscription of app service A, signed in as one of 10 agent users (AGENT
// members, 100 connections per token); one more connection with one subscription of app service B.
// Escalations are raised by the classification worker, which publishes `escalationRaised` after its commit;
// here the escalation rows are seeded with the dataset generator (bench/support/dataset.ts) and the very
// payload the worker publishes (bench/support/publish.ts) goes straight to Redis, so the api's CPU time is
// only the subscribers' side: the shared lookup, the credential re-checks (default interval), execution and
// the socket writes; no worker runs.
//
// Figure: CPU time of the api process (utime + stime from /proc) over a burst of K escalations published
// one at a time, each awaited until every subscriber received it, divided by K × subscribers; 1,000
// subscribers (A) vs 1 subscriber (B), alternating in rounds on the same process, median quoted.
// Goal: ratio ≤ 1.2. K is larger for the single subscriber so both bursts take measurable CPU.
//
// --quick: K = 5 for 1,000 subscribers (5,000 deliveries) and 200 for 1 (full: 20 and 1,000).
import { Redis } from 'ioredis';
import type { FormattedExecutionResult } from 'graphql';
import { decodeGlobalId, encodeGlobalId } from '../../src/kernel/global-id.js';
import { scratchDatabase } from '../support/scratch-database.js';
import { seedDataset } from '../support/dataset.js';
import { Deliveries } from '../support/deliveries.js';
import { alternate, compare, quantile } from '../support/measurement.js';
import { startPlatform, type Service } from '../support/processes.js';
import { publishLikePlatform } from '../support/publish.js';
import { openWsSubscribers, type SubscriberPool } from '../support/sockets.js';
import { createTenant, graphql } from '../support/tenant.js';
import type { Measurement, Scenario } from '../support/types.js';

const QUERY = `subscription ($appServiceId: ID) {
  escalationRaised(appServiceId: $appServiceId) {
    id customerNumber event createdAt type evidence conversation { id }
  }
}`;
const SUBSCRIBERS = 1_000;
const AGENT_USERS = 10;

interface Escalation {
  organizationId: string;
  appServiceId: string;
  conversationId: string;
  escalationId: string;
}

interface Audience {
  label: string;
  deliveries: Deliveries;
  pool: SubscriberPool;
  escalations: Escalation[];
  next: number;
}

export const fanoutScenario: Scenario = {
  id: 'fanout',
  title: 'Fan-out',
  async run(context) {
    const eventsFan = context.quick ? 5 : 20;
    const eventsSingle = context.quick ? 200 : 1_000;
    const db = await scratchDatabase('bench_fanout', context.databaseUrl);
    const redis = new Redis(context.redisUrl, { maxRetriesPerRequest: null });
    let platform: Service | undefined;
    const pools: SubscriberPool[] = [];
    try {
      platform = await startPlatform({
        databaseUrl: db.url!,
        redisUrl: context.redisUrl,
        // The owner and the 10 agent users sign up from this one address: 11 > the default 10/1h.
        env: { RATE_LIMIT_SIGNUP_PER_IP: '1000/1h' },
      });
      const url = `${platform.origin}/graphql`;
      const tenant = await createTenant(url, 'fanout');
      const { createAppService } = await graphql<{ createAppService: { id: string } }>(
        url,
        `
          mutation ($o: ID!) {
            createAppService(input: { organizationId: $o, name: "Web", channel: WEB }) {
              id
            }
          }
        `,
        { o: tenant.organizationId },
        tenant.auth,
      );
      const tokens = await Promise.all(
        Array.from({ length: AGENT_USERS }, (_, i) => agentToken(url, tenant, i)),
      );
      const appServices = [tenant.appServiceId, createAppService.id];
      const escalations: Escalation[][] = [];
      for (const appServiceId of appServices) {
        const appServiceRow = decodeGlobalId(appServiceId).id;
        await seedDataset(
          db.prisma,
          { organizationId: tenant.rows.organizationId, appServiceId: appServiceRow },
          { conversations: 30, messagesPerConversation: 2, agents: 1 },
        );
        const rows = await db.prisma.escalation.findMany({
          where: { conversation: { appServiceId: appServiceRow } },
          select: { id: true, organizationId: true, conversationId: true },
        });
        escalations.push(
          rows.map((row) => ({
            organizationId: row.organizationId,
            appServiceId: appServiceRow,
            conversationId: row.conversationId,
            escalationId: row.id,
          })),
        );
      }
      context.log(
        `tenant ready: ${AGENT_USERS} agents, ${escalations[0]!.length} escalations per app service`,
      );

      const wsUrl = `${platform.origin.replace(/^http/, 'ws')}/graphql`;
      const audience = async (label: string, subscribers: number, index: number): Promise<Audience> => {
        const deliveries = new Deliveries(subscribers, escalationKey);
        const started = performance.now();
        const pool = await openWsSubscribers({
          url: wsUrl,
          connections: subscribers,
          connectionParams: (connection) => ({
            authorization: `Bearer ${tokens[connection % tokens.length]}`,
          }),
          query: QUERY,
          variables: { appServiceId: appServices[index] },
          onResult: deliveries.onResult,
        });
        pools.push(pool);
        const result: Audience = { label, deliveries, pool, escalations: escalations[index]!, next: 0 };
        await deliveries.confirmListening(() => publishNext(redis, result).publish());
        context.log(
          `${label}: ${subscribers} subscribed in ${((performance.now() - started) / 1000).toFixed(1)} s`,
        );
        return result;
      };
      const fan = await audience(`${SUBSCRIBERS} subscribers`, SUBSCRIBERS, 0);
      const single = await audience('1 subscriber', 1, 1);
      const service = platform;
      const latencies: Record<'fan' | 'single', number[]> = { fan: [], single: [] };
      const burst = async (target: Audience, events: number, into: number[]): Promise<number> => {
        const before = await service.cpuMs();
        for (let e = 0; e < events; e++) {
          const next = publishNext(redis, target);
          const outcome = await target.deliveries.await(next.key, next.publish, 30_000);
          if (outcome.missed)
            throw new Error(`${target.label}: ${outcome.missed} deliveries missing after 30 s`);
          into.push(...outcome.latencies);
        }
        const cpuMs = (await service.cpuMs()) - before;
        if (target.pool.failures.length) throw new Error(`${target.label}: ${target.pool.failures[0]}`);
        if (target.deliveries.errors) throw new Error(`${target.label}: results with errors`);
        // µs of api CPU per delivered event
        return (cpuMs * 1000) / (events * target.deliveries.subscriptions);
      };
      // Unmeasured: a first burst each, so both paths are compiled and the credential checks cached alike.
      await burst(fan, 2, []);
      await burst(single, 20, []);
      const result = await alternate(context.rounds, {
        ours: () => burst(fan, eventsFan, latencies.fan),
        baseline: () => burst(single, eventsSingle, latencies.single),
      });
      context.log(
        `CPU per delivery: ${result.oursRounds.map((v) => v.toFixed(0)).join('/')} µs (1,000) vs ` +
          `${result.baselineRounds.map((v) => v.toFixed(0)).join('/')} µs (1)`,
      );
      const measurements: Measurement[] = [
        compare({
          scenario: 'fanout',
          metric: `api CPU per delivered escalationRaised, ${SUBSCRIBERS.toLocaleString('en-US')} subscribers`,
          unit: 'µs',
          ours: result.ours,
          baseline: result.baseline,
          baselineLabel: '1 subscriber',
          goal: { op: '<=', value: 1.2 },
          detail: {
            rounds: { ours: result.oursRounds, baseline: result.baselineRounds },
            eventsPerBurst: { fan: eventsFan, single: eventsSingle },
            connections: SUBSCRIBERS,
            agentTokens: AGENT_USERS,
            publishToReceiveMs: {
              fan: { p50: quantile(latencies.fan, 0.5), p99: quantile(latencies.fan, 0.99) },
              single: { p50: quantile(latencies.single, 0.5), p99: quantile(latencies.single, 0.99) },
            },
          },
        }),
      ];
      return measurements;
    } finally {
      for (const pool of pools) await pool.close();
      await platform?.stop();
      redis.disconnect();
      await db.dispose();
    }
  },
};

/** An AGENT member of the tenant's organization, signed up through the API; returns its session token. */
async function agentToken(
  url: string,
  tenant: { organizationId: string; auth: Record<string, string> },
  i: number,
): Promise<string> {
  const email = `agent-${i}-${Date.now().toString(36)}@example.test`;
  const { signUp } = await graphql<{ signUp: { token: string } }>(
    url,
    `
      mutation ($i: SignUpInput!) {
        signUp(input: $i) {
          token
        }
      }
    `,
    { i: { email, password: 'correct-horse-battery', name: `Agent ${i + 1}` } },
  );
  await graphql(
    url,
    `
      mutation ($i: AddMemberInput!) {
        addMember(input: $i) {
          role
        }
      }
    `,
    { i: { organizationId: tenant.organizationId, email, role: 'AGENT' } },
    tenant.auth,
  );
  return signUp.token;
}

/** The next escalation of the audience's app service (cycling, so consecutive events differ). */
function publishNext(redis: Redis, audience: Audience) {
  const escalation = audience.escalations[audience.next++ % audience.escalations.length]!;
  return {
    key: encodeGlobalId('Escalation', escalation.escalationId),
    publish: () => publishLikePlatform(redis, 'escalationRaised', escalation),
  };
}

function escalationKey(result: FormattedExecutionResult): string | undefined {
  const data = result.data as { escalationRaised?: { id?: string } } | null | undefined;
  return data?.escalationRaised?.id;
}
