// /metrics after a short real run: Postgres, Redis and BullMQ workers in the process, an OpenAI-compatible
// model server and a webhook receiver on local ports. One customer message escalates and is delivered;
// a few refused requests and a live subscription later, every family the operators' guide lists shows
// the figures this run produced, and a scrape needs the bearer token.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApplication, type Application } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { Metrics } from '../src/observability/metrics.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { eventually, REDIS_URL, subscribe } from './support/live.js';
import { RUN_QUEUE_PREFIX, RUN_RATE_LIMIT_PREFIX, startServerProcess } from './support/process.js';
import { startModelServer, startWebhookReceiver } from './support/receivers.js';

const TOKEN = 'metrics-token-0123456789';

/** The value of the first sample of `name` whose labels include `labels`; undefined when there is none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((label) => [label[1], label[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

describe('/metrics', () => {
  let db: TestDatabase;
  let app: Application;
  let model: Awaited<ReturnType<typeof startModelServer>>;
  let hooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let url: string;
  let origin: string;

  async function gql<T>(
    query: string,
    variables: Record<string, unknown>,
    headers: Record<string, string> = {},
  ) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: T; errors?: { extensions?: { code?: string } }[] };
  }
  const scrape = async (token: string | null = TOKEN) =>
    fetch(`${origin}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  beforeAll(async () => {
    [db, model, hooks] = await Promise.all([
      createTestDatabase('postgres'),
      startModelServer(),
      startWebhookReceiver(),
    ]);
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      DATABASE_URL: db.url!,
      REDIS_URL,
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: model.url,
      WEBHOOKS_ALLOW_PRIVATE: 'true',
      METRICS_TOKEN: TOKEN,
      RATE_LIMIT_PREFIX: RUN_RATE_LIMIT_PREFIX,
      QUEUE_PREFIX: RUN_QUEUE_PREFIX,
      RATE_LIMIT_LOGIN_PER_EMAIL: '1/1m',
    });
    app = await startApplication(config, pino({ level: 'silent' }), {
      db,
      metrics: new Metrics({ role: 'all', processMetrics: true }),
    });
    url = app.server!.url;
    origin = new URL(url).origin;
  });
  afterAll(async () => {
    await app?.stop();
    await Promise.all([model?.close(), hooks?.close()]);
    await db?.drop();
  });

  it('asks for the bearer token when METRICS_TOKEN is set', async () => {
    expect((await scrape(null)).status).toBe(401);
    expect((await scrape('metrics-token-0123456780')).status).toBe(401);
    const answer = await scrape();
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('text/plain');
    // The process figures are there from the start.
    expect(sample(await answer.text(), 'process_resident_memory_bytes', { role: 'all' })).toBeGreaterThan(0);
  });

  it('shows every family after a short run', async () => {
    const signUp = await gql<{ signUp: { token: string } }>(
      `mutation SignUp($i: SignUpInput!) { signUp(input: $i) { token } }`,
      { i: { email: 'owner-metrics@example.test', password: 'correct-horse-battery', name: 'Owner' } },
    );
    const auth = { authorization: `Bearer ${signUp.data!.signUp.token}` };
    const organization = await gql<{ createOrganization: { organization: { id: string } } }>(
      `mutation CreateOrganization { createOrganization(input: { name: "Sky Travel" }) { organization { id } } }`,
      {},
      auth,
    );
    const organizationId = organization.data!.createOrganization.organization.id;
    const appService = await gql<{ createAppService: { id: string } }>(
      `mutation CreateAppService($i: CreateAppServiceInput!) { createAppService(input: $i) { id } }`,
      { i: { organizationId, name: 'WhatsApp', channel: 'WHATSAPP', notificationWebhookUrls: [hooks.url] } },
      auth,
    );
    const apiKey = await gql<{ createApiKey: { secret: string } }>(
      `mutation CreateApiKey($o: ID!) { createApiKey(input: { organizationId: $o, name: "bot", scopes: [MESSAGES_WRITE] }) { secret } }`,
      { o: organizationId },
      auth,
    );

    // A live subscription over graphql-ws, open while the figures are read.
    const stream = await subscribe<{ escalationRaised: { event: string } }>(
      url,
      auth,
      `subscription Escalations($o: ID) { escalationRaised(organizationId: $o) { event } }`,
      { o: organizationId },
    );
    const ingest = await gql<{ ingestMessage: { conversation: { id: string } } }>(
      `mutation Ingest($i: IngestMessageInput!) { ingestMessage(input: $i) { conversation { id } } }`,
      {
        i: {
          appServiceId: appService.data!.createAppService.id,
          customer: { externalId: '+971501234567' },
          content: 'I want to talk to a real person',
        },
      },
      { 'x-api-key': apiKey.data!.createApiKey.secret },
    );
    expect(ingest.errors).toBeUndefined();
    await stream.next(1);
    await eventually(() => hooks.received === 1, 'the webhook delivery', 20_000);

    // Refusals: bad input (before execution), a rate limit, an unauthenticated query.
    expect((await gql(`query Broken { nope }`, {})).errors?.[0]?.extensions?.code).toBe(
      'GRAPHQL_VALIDATION_FAILED',
    );
    const logIn = (password: string) =>
      gql(`mutation LogIn($i: LogInInput!) { logIn(input: $i) { token } }`, {
        i: { email: 'owner-metrics@example.test', password },
      });
    await logIn('wrong-password-1');
    expect((await logIn('wrong-password-2')).errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');

    let text = '';
    // Job durations are observed when the job settles, just after its effect (the delivery) is seen.
    await eventually(
      async () => {
        text = await (await scrape()).text();
        return (sample(text, 'ci_job_duration_seconds_count', { queue: 'notifications' }) ?? 0) >= 1;
      },
      'the notification job counted',
      20_000,
    );

    expect(
      sample(text, 'ci_graphql_operation_duration_seconds_count', { operation: 'Ingest', type: 'mutation' }),
    ).toBe(1);
    expect(sample(text, 'ci_graphql_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
    expect(sample(text, 'ci_graphql_errors_total', { code: 'RATE_LIMITED' })).toBe(1);
    expect(sample(text, 'ci_rate_limit_refusals_total', { limit: 'logInPerEmail' })).toBe(1);
    expect(sample(text, 'ci_websocket_connections')).toBe(1);
    expect(sample(text, 'ci_subscriptions_active', { kind: 'subscriptions' })).toBe(1);
    expect(sample(text, 'ci_queue_jobs', { queue: 'classification', state: 'failed' })).toBe(0);
    expect(sample(text, 'ci_outbox_jobs', { status: 'DEAD' })).toBe(0);
    expect(sample(text, 'ci_outbox_oldest_seconds', { status: 'PENDING' })).toBeGreaterThanOrEqual(0);
    expect(
      sample(text, 'ci_job_duration_seconds_count', { queue: 'classification', outcome: 'completed' }),
    ).toBe(1);
    expect(sample(text, 'ci_escalation_raised_seconds_count', { type: 'SPEAK_TO_HUMAN' })).toBe(1);
    expect(sample(text, 'ci_escalation_notification_seconds_count', { channel: 'WEBHOOK' })).toBe(1);
    expect(
      sample(text, 'ci_model_call_duration_seconds_count', { purpose: 'classification', outcome: 'ok' }),
    ).toBe(model.calls);
    expect(sample(text, 'ci_model_tokens_total', { purpose: 'classification', kind: 'prompt' })).toBe(
      120 * model.calls,
    );
    const poolMax = sample(text, 'ci_db_pool_connections', { pool: 'api', state: 'max' })!;
    expect(poolMax).toBeGreaterThan(0);
    expect(sample(text, 'ci_db_pool_connections', { pool: 'api', state: 'open' })).toBeGreaterThan(0);
    expect(sample(text, 'ci_db_pool_connections', { pool: 'api', state: 'open' })).toBeLessThanOrEqual(
      poolMax,
    );

    await stream.stop();
    await eventually(
      async () => sample(await (await scrape()).text(), 'ci_websocket_connections') === 0,
      'the socket gone from the gauge',
    );
  }, 60_000);

  it('keeps the operation names a client sends to a bounded set of labels', async () => {
    for (let index = 0; index < 210; index += 1) {
      await gql(`query Probe${index} { __typename }`, {});
    }
    const text = await (await scrape()).text();
    const names = new Set(
      [...text.matchAll(/^ci_graphql_operation_duration_seconds_count\{[^}]*operation="([^"]+)"/gm)].map(
        (match) => match[1],
      ),
    );
    expect(names.size).toBeLessThanOrEqual(200 + 1);
    expect(
      sample(text, 'ci_graphql_operation_duration_seconds_count', { operation: 'other' }),
    ).toBeGreaterThan(0);
  });
});

describe('/metrics in production', () => {
  it('is off without METRICS_TOKEN, so a public port does not show it', async () => {
    const db = await createTestDatabase('embedded');
    const app = await startApplication(
      loadConfig({ NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }),
      pino({ level: 'silent' }),
      { db },
    );
    try {
      const origin = new URL(app.server!.url).origin;
      expect((await fetch(`${origin}/metrics`)).status).toBe(404);
    } finally {
      await app.stop();
      await db.drop();
    }
  });
});

describe('a worker process', () => {
  it('serves /healthz, /readyz and /metrics on its port, and is not ready once it drains', async () => {
    const db = await createTestDatabase('postgres');
    const worker = await startServerProcess(
      { ROLE: 'worker', DATABASE_URL: db.url!, REDIS_URL, METRICS_TOKEN: TOKEN, SHUTDOWN_DRAIN_SECONDS: '3' },
      { ready: /"url":"([^"]+)","msg":"worker health and metrics ready"/ },
    );
    try {
      expect((await fetch(`${worker.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${worker.url}/readyz`)).status).toBe(200);
      expect((await fetch(`${worker.url}/metrics`)).status).toBe(401);
      const text = await (
        await fetch(`${worker.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
      ).text();
      expect(
        sample(text, 'ci_queue_jobs', { role: 'worker', queue: 'classification', state: 'failed' }),
      ).toBe(0);
      expect(sample(text, 'ci_db_pool_connections', { role: 'worker', pool: 'worker', state: 'max' })).toBe(
        10,
      );
      expect((await fetch(`${worker.url}/graphql`)).status).toBe(404);

      worker.child.kill('SIGTERM');
      await eventually(async () => (await fetch(`${worker.url}/readyz`)).status === 503, 'not ready');
      expect(await worker.stop()).toBe(0);
    } finally {
      await worker.stop();
      await db.drop();
    }
  }, 60_000);
});
