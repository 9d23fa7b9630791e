// One escalation is one trace: an api process and a worker process (real processes, a private Redis, a
// fresh Postgres database) export to a local OTLP/HTTP collector, and the spans of the ingest request,
// its SQL, the classification job with its model call, and the notification job with its webhook POST
// share one trace id, each job's span a child of the work that queued it (through the outbox row).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { eventually } from './support/live.js';
import { PrivateRedis } from './support/private-redis.js';
import { startServerProcess, type ServerProcess } from './support/process.js';
import {
  startModelServer,
  startTraceCollector,
  startWebhookReceiver,
  type CollectedSpan,
} from './support/receivers.js';

describe('tracing across the api and a worker', () => {
  let db: TestDatabase;
  const redis = new PrivateRedis();
  let collector: Awaited<ReturnType<typeof startTraceCollector>>;
  let model: Awaited<ReturnType<typeof startModelServer>>;
  let hooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let api: ServerProcess;
  let worker: ServerProcess;

  beforeAll(async () => {
    [db, collector, model, hooks] = await Promise.all([
      createTestDatabase('postgres'),
      startTraceCollector(),
      startModelServer(),
      startWebhookReceiver(),
      redis.start(),
    ]);
    const shared = {
      DATABASE_URL: db.url!,
      REDIS_URL: redis.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      WEBHOOKS_ALLOW_PRIVATE: 'true',
    };
    [api, worker] = await Promise.all([
      startServerProcess({ ...shared, ROLE: 'api' }),
      startServerProcess(
        { ...shared, ROLE: 'worker', OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: model.url },
        { ready: /"url":"([^"]+)","msg":"worker health and metrics ready"/ },
      ),
    ]);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    await Promise.all([collector?.close(), model?.close(), hooks?.close(), redis.stop()]);
    await db?.drop();
  });

  async function gql<T>(
    query: string,
    variables: Record<string, unknown>,
    headers: Record<string, string> = {},
  ) {
    const response = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data: T; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  }

  it('follows one escalation from the ingest request to the webhook in one trace', async () => {
    const { signUp } = await gql<{ signUp: { token: string } }>(
      `mutation SignUp($i: SignUpInput!) { signUp(input: $i) { token } }`,
      { i: { email: 'owner-tracing@example.test', password: 'correct-horse-battery', name: 'Owner' } },
    );
    const auth = { authorization: `Bearer ${signUp.token}` };
    const { createOrganization } = await gql<{ createOrganization: { organization: { id: string } } }>(
      `mutation { createOrganization(input: { name: "Sky Travel" }) { organization { id } } }`,
      {},
      auth,
    );
    const organizationId = createOrganization.organization.id;
    const { createAppService } = await gql<{ createAppService: { id: string } }>(
      `mutation($i: CreateAppServiceInput!) { createAppService(input: $i) { id } }`,
      { i: { organizationId, name: 'WhatsApp', channel: 'WHATSAPP', notificationWebhookUrls: [hooks.url] } },
      auth,
    );
    const { createApiKey } = await gql<{ createApiKey: { secret: string } }>(
      `mutation($o: ID!) { createApiKey(input: { organizationId: $o, name: "bot", scopes: [MESSAGES_WRITE] }) { secret } }`,
      { o: organizationId },
      auth,
    );
    await gql(
      `mutation Ingest($i: IngestMessageInput!) { ingestMessage(input: $i) { conversation { id } } }`,
      {
        i: {
          appServiceId: createAppService.id,
          customer: { externalId: '+971501234567' },
          content: 'I want to talk to a real person',
        },
      },
      { 'x-api-key': createApiKey.secret },
    );
    await eventually(() => hooks.received === 1, 'the webhook delivery', 30_000);
    // Spans are exported in batches (every second).
    await eventually(
      () =>
        collector.spans.some((span) => span.name === 'POST webhook') &&
        collector.spans.some((span) => span.name === 'graphql.mutation Ingest'),
      'the spans of both processes exported',
      20_000,
    );

    const ingest = collector.spans.find((span) => span.name === 'graphql.mutation Ingest');
    expect(ingest).toMatchObject({ role: 'api', service: 'conversation-intelligence' });
    const trace = collector.spans.filter((span) => span.traceId === ingest!.traceId);
    const named = (prefix: string) => trace.filter((span) => span.name.startsWith(prefix));
    const byId = new Map(trace.map((span) => [span.spanId, span]));
    /** Whether `ancestor` is on the span's chain of parents. */
    const descends = (span: CollectedSpan, ancestor: CollectedSpan) => {
      for (let at = byId.get(span.parentSpanId); at; at = byId.get(at.parentSpanId)) {
        if (at === ancestor) return true;
      }
      return false;
    };

    const [classify] = named('job classification/');
    const [deliver] = named('job notifications/');
    const [webhook] = named('POST webhook');
    expect(classify).toMatchObject({ role: 'worker' });
    expect(deliver).toMatchObject({ role: 'worker' });
    // Each job continues the work that queued it: the ingest request, then the classification job.
    expect(descends(classify!, ingest!)).toBe(true);
    expect(descends(deliver!, classify!)).toBe(true);
    expect(descends(webhook!, deliver!)).toBe(true);
    expect(webhook!.attributes['http.response.status_code']).toBe(204);
    // The model call (fetch, through the undici instrumentation) inside the classification job.
    const modelCall = trace.find((span) =>
      String(span.attributes['url.full'] ?? '').includes('/v1/chat/completions'),
    );
    expect(modelCall).toBeDefined();
    expect(descends(modelCall!, classify!)).toBe(true);
    // Prisma's queries, on both sides.
    expect(named('prisma:').some((span) => span.role === 'api' && descends(span, ingest!))).toBe(true);
    expect(named('prisma:').some((span) => span.role === 'worker' && descends(span, classify!))).toBe(true);
  }, 90_000);
});
