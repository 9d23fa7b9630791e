// Scale-out shown, not claimed: two `ROLE=api` and two `ROLE=worker` processes on one Postgres and one
// Redis (a private redis-server, so no other test's queues or events mix in), behind a real HAProxy running
// the committed deploy/haproxy.cfg (what `npm run cluster` starts). Everything goes through the balancer:
// - an agent subscribed over graphql-ws receives the escalation of a message an integrator ingests;
// - the api process holding the agent's socket is killed (SIGKILL): the client reconnects through the
//   balancer, lands on the other api process and receives the escalation of the next message;
// - a worker is killed (SIGKILL) in the middle of a classification: the other takes that job over (BullMQ's
//   stalled-job recovery) and classifies the next messages; each escalation reaches the agent once.
// Who is killed is known, not guessed: the balancer names the api on every response (x-served-by, also on
// the WebSocket's upgrade response) and that api's /metrics counts the subscription; the worker killed is
// one Postgres shows waiting inside a classification's transaction (the test holds the table it writes).
import { createServer } from 'node:net';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import WebSocket from 'ws';
import {
  API_ENV,
  API_SERVERS,
  startBalancer,
  waitForBalancer,
  WORKER_ENV,
  type Balancer,
} from '../scripts/cluster-shape.js';
import type { Auth, GraphQLResponse } from './support/app.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { createApiKey, createAppService, createOrganization, signUp } from './support/fixtures.js';
import { eventually } from './support/live.js';
import { PrivateRedis } from './support/private-redis.js';
import { startServerProcess, type ServerProcess } from './support/process.js';

const WORKER_READY = /"url":"([^"]+)","msg":"worker health and metrics ready"/;
const ESCALATING = 'I want to speak to a human agent now';
const WORKER_NAMES = ['worker1', 'worker2'];

/** A `ws` WebSocket that keeps the balancer's x-served-by header of its upgrade response. */
class ServedByWebSocket extends WebSocket {
  servedBy: string | undefined;
  constructor(address: string, protocols?: string | string[]) {
    super(address, protocols);
    this.once('upgrade', (response) => {
      const header = response.headers['x-served-by'];
      this.servedBy = typeof header === 'string' ? header : undefined;
    });
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A value of the process's /metrics (summed over the series matching `labels`), 0 when absent. */
async function metric(baseUrl: string, name: string, labels: RegExp = /.*/): Promise<number> {
  const text = await (await fetch(`${new URL(baseUrl).origin}/metrics`)).text();
  let total = 0;
  for (const match of text.matchAll(new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`, 'gm'))) {
    if (labels.test(match[1] ?? '')) total += Number(match[2]);
  }
  return total;
}

const serverIndex = (name: string | undefined) => API_SERVERS.findIndex((server) => server === name);
const liveSubscriptions = (api: ServerProcess) =>
  metric(api.url, 'ci_subscriptions_active', /kind="subscriptions"/);

describe('two api processes and two workers behind HAProxy', () => {
  let db: TestDatabase;
  const redis = new PrivateRedis();
  let apis: ServerProcess[] = [];
  let workers: ServerProcess[] = [];
  let balancer: Balancer | undefined;
  let agent: Client | undefined;

  // The agent's view: the conversations of the escalations received, and the api of each connection.
  const escalated: string[] = [];
  const streamErrors: unknown[] = [];
  const connections: (string | undefined)[] = [];
  let owner: { token: string };
  let organizationId: string;
  let appServiceId: string;
  let apiKey: string;

  /** Through the balancer, as every client in this file. */
  const lb = {
    async gql<T = Record<string, unknown>>(
      query: string,
      variables: Record<string, unknown> = {},
      auth: Auth = {},
    ): Promise<GraphQLResponse<T>> {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (auth.token) headers.authorization = `Bearer ${auth.token}`;
      if (auth.apiKey) headers['x-api-key'] = auth.apiKey;
      const response = await fetch(`${balancer!.origin}/graphql`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResponse<T>;
    },
  };

  let customers = 0;
  /** A customer message from a new customer (a new conversation: no escalation cool-down applies). */
  async function ingest(content = ESCALATING): Promise<string> {
    const response = await lb.gql<{ ingestMessage: { conversation: { id: string } } }>(
      `mutation($i: IngestMessageInput!) { ingestMessage(input: $i) { conversation { id } } }`,
      {
        i: {
          appServiceId,
          customer: { externalId: `+9715010${String(++customers).padStart(5, '0')}`, name: 'Customer' },
          content,
        },
      },
      { apiKey },
    );
    if (!response.data) throw new Error(`ingestMessage failed: ${JSON.stringify(response.errors)}`);
    return response.data.ingestMessage.conversation.id;
  }

  /** The conversations with a stored escalation (what classification leaves behind), read through the balancer. */
  async function escalatedConversations(): Promise<string[]> {
    const response = await lb.gql<{
      node: { escalations: { edges: { node: { conversation: { id: string } } }[] } };
    }>(
      `query($o: ID!) { node(id: $o) { ... on Organization {
        escalations(first: 100) { edges { node { conversation { id } } } } } } }`,
      { o: organizationId },
      owner,
    );
    if (!response.data) throw new Error(`escalations failed: ${JSON.stringify(response.errors)}`);
    return response.data.node.escalations.edges.map((edge) => edge.node.conversation.id);
  }

  function showLogsOnFailure() {
    onTestFailed(() => {
      const named = [
        ...apis.map((api, index) => [API_SERVERS[index], api.output()]),
        ...workers.map((worker, index) => [WORKER_NAMES[index], worker.output()]),
        ['haproxy', balancer?.output() ?? ''],
      ];
      for (const [name, output] of named) console.log(`--- ${name}\n${output}`);
    });
  }

  beforeAll(async () => {
    [db] = await Promise.all([createTestDatabase('postgres'), redis.start()]);
    const shared = { DATABASE_URL: db.url!, REDIS_URL: redis.url };
    [apis, workers] = await Promise.all([
      Promise.all(
        API_SERVERS.map(() => startServerProcess({ ...shared, ...API_ENV, SHUTDOWN_DRAIN_SECONDS: '0' })),
      ),
      Promise.all(
        WORKER_NAMES.map((name) =>
          startServerProcess(
            {
              ...shared,
              ...WORKER_ENV,
              // Its sessions carry its name in pg_stat_activity (see the last test).
              DATABASE_URL: `${db.url!}?application_name=${name}`,
              // A dead worker's job is taken over within JOB_LOCK_SECONDS + JOB_STALLED_CHECK_SECONDS.
              JOB_LOCK_SECONDS: '3',
              JOB_STALLED_CHECK_SECONDS: '1',
            },
            { ready: WORKER_READY },
          ),
        ),
      ),
    ]);
    balancer = startBalancer({
      bind: `127.0.0.1:${await freePort()}`,
      apis: apis.map((api) => new URL(api.url).host),
    });
    await waitForBalancer(balancer);

    const user = await signUp(lb, 'cluster-owner');
    owner = { token: user.token };
    organizationId = await createOrganization(lb, user.token, 'Cluster Travel');
    appServiceId = await createAppService(lb, user.token, organizationId);
    apiKey = (await createApiKey(lb, user.token, organizationId, ['MESSAGES_WRITE'])).secret;
  }, 120_000);

  afterAll(async () => {
    await agent?.dispose();
    await Promise.all([...apis, ...workers].map((child) => child.stop()));
    await balancer?.stop();
    await redis.stop();
    await db?.drop();
  }, 60_000);

  it('delivers, to an agent subscribed through the balancer, the escalation of a message ingested through it', async () => {
    showLogsOnFailure();
    agent = createClient({
      url: `${balancer!.origin.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: ServedByWebSocket,
      connectionParams: { authorization: `Bearer ${owner.token}` },
      lazy: false,
      // Whatever closed the socket (here: its api process died), connect again, through the balancer.
      shouldRetry: () => true,
      retryAttempts: 30,
      retryWait: () => new Promise((resolve) => setTimeout(resolve, 200)),
    });
    agent.on('connected', (socket) => connections.push((socket as ServedByWebSocket).servedBy));
    agent.subscribe<{ escalationRaised: { conversation: { id: string } } }>(
      {
        query: `subscription($o: ID) { escalationRaised(organizationId: $o) { conversation { id } } }`,
        variables: { o: organizationId },
      },
      {
        next: (result) => {
          if (result.errors) streamErrors.push(...result.errors);
          if (result.data) escalated.push(result.data.escalationRaised.conversation.id);
        },
        error: (error) => streamErrors.push(error),
        complete: () => streamErrors.push('completed'),
      },
    );
    await eventually(() => connections.length === 1, 'the agent connected', 20_000);
    const holderIndex = serverIndex(connections[0]);
    expect(holderIndex).not.toBe(-1);
    // The subscription is listening (Redis SUBSCRIBE acknowledged) on that api process, and on no other.
    await eventually(async () => (await liveSubscriptions(apis[holderIndex]!)) === 1, 'subscribed', 20_000);
    expect(await liveSubscriptions(apis[1 - holderIndex]!)).toBe(0);

    const conversation = await ingest();
    await eventually(() => escalated.includes(conversation), 'the escalation', 30_000);
    expect(escalated).toEqual([conversation]);
    expect(streamErrors).toEqual([]);
  }, 60_000);

  it('reconnects the agent through the balancer when its api process dies, and delivers the next escalation', async () => {
    showLogsOnFailure();
    const holderIndex = serverIndex(connections[0]);
    const [holder, survivor] = [apis[holderIndex]!, apis[1 - holderIndex]!];
    const exited = new Promise((resolve) => holder.child.once('exit', resolve));
    holder.child.kill('SIGKILL');
    await exited;

    await eventually(() => connections.length === 2, 'the agent reconnected', 30_000);
    expect(connections[1]).toBe(API_SERVERS[1 - holderIndex]);
    await eventually(async () => (await liveSubscriptions(survivor)) === 1, 'subscribed again', 20_000);

    const conversation = await ingest();
    await eventually(() => escalated.includes(conversation), 'the next escalation', 30_000);
    expect(escalated).toHaveLength(2);
    expect(streamErrors).toEqual([]);
  }, 90_000);

  it('goes on classifying when a worker dies: the other takes over the jobs it held, and the next ones', async () => {
    showLogsOnFailure();
    // Classification stores its result in `analyses` in one transaction; while this session holds the table
    // (reads allowed, writes wait), each worker's classification job waits inside that transaction, so a
    // worker seen waiting there holds a job it has not finished, and that is the worker killed.
    const lock = new pg.Client({ connectionString: db.url! });
    await lock.connect();
    try {
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE analyses IN EXCLUSIVE MODE');
      const held = await Promise.all(Array.from({ length: 5 }, () => ingest()));
      let waiting: string | undefined;
      await eventually(
        async () => {
          // Not on `lock`: inside its transaction pg_stat_activity would stay as it was first read.
          const rows = await db.prisma.$queryRaw<{ application_name: string }[]>`
            SELECT application_name FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND application_name LIKE 'worker%'`;
          waiting = rows[0]?.application_name;
          return waiting !== undefined;
        },
        'a worker in the middle of a classification',
        30_000,
      );
      const victimIndex = WORKER_NAMES.indexOf(waiting!);
      const [victim, survivor] = [workers[victimIndex]!, workers[1 - victimIndex]!];
      const completedBySurvivor = () =>
        metric(survivor.url, 'ci_job_duration_seconds_count', /queue="classification".*outcome="completed"/);
      const before = await completedBySurvivor();
      const exited = new Promise((resolve) => victim.child.once('exit', resolve));
      victim.child.kill('SIGKILL');
      await exited;

      const next = await Promise.all(Array.from({ length: 5 }, () => ingest()));
      await lock.query('COMMIT');

      // Each message classified once, every escalation delivered live once, all by the surviving worker
      // (the dead one's jobs after its lock expired: JOB_LOCK_SECONDS + JOB_STALLED_CHECK_SECONDS).
      const expected = [...held, ...next].sort();
      const ours = (ids: string[]) => ids.filter((id) => expected.includes(id)).sort();
      await eventually(() => ours(escalated).length >= expected.length, 'every escalation, live', 60_000);
      expect(ours(escalated)).toEqual(expected);
      expect(ours(await escalatedConversations())).toEqual(expected);
      expect(await completedBySurvivor()).toBeGreaterThanOrEqual(before + expected.length);
      expect(streamErrors).toEqual([]);
    } finally {
      await lock.end();
    }
  }, 120_000);
});
