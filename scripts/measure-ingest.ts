// `npm run measure:ingest [-- --count 1000]`: p50/p99 of one ingestMessage end to end (HTTP, API key,
// insert, commit) in a simple sequential loop against a real server on this machine. DATABASE_URL picks
// Postgres (a throw-away database is created on that server); unset runs on an in-memory PGlite.
import { pino } from 'pino';
import { scratchDatabase } from './support/scratch-database.js';
import { createPubSub } from '../src/realtime/pubsub.js';
import { RealtimePublisher } from '../src/realtime/publisher.js';
import { startServer } from '../src/server.js';

const countArg = process.argv.indexOf('--count');
const count = countArg > 0 ? Number(process.argv[countArg + 1]) : 1000;
const db = await scratchDatabase('measure_ingest');
const logger = pino({ level: 'silent' });
const pubsub = createPubSub(process.env.REDIS_URL);
const server = await startServer(
  {
    db,
    logger,
    settings: {
      sessionTtlMs: 3_600_000,
      apiKeyRotationGraceMs: 0,
      subscriberRecheckMs: 2000,
      maxSubscriptionsPerConnection: 50,
    },
    bus: pubsub.bus,
    realtime: new RealtimePublisher(pubsub.bus, logger),
  },
  { port: 0, host: '127.0.0.1' },
);

async function gql<T>(
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

try {
  const { signUp } = await gql<{ signUp: { token: string } }>(
    `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
    { i: { email: 'bench@example.test', password: 'correct-horse-battery', name: 'Bench' } },
  );
  const auth = { authorization: `Bearer ${signUp.token}` };
  const { createOrganization } = await gql<{ createOrganization: { organization: { id: string } } }>(
    `mutation { createOrganization(input: { name: "Bench" }) { organization { id } } }`,
    {},
    auth,
  );
  const organizationId = createOrganization.organization.id;
  const { createAppService } = await gql<{ createAppService: { id: string } }>(
    `mutation($o: ID!) { createAppService(input: { organizationId: $o, name: "Line", channel: WHATSAPP }) { id } }`,
    { o: organizationId },
    auth,
  );
  const { createApiKey } = await gql<{ createApiKey: { secret: string } }>(
    `mutation($o: ID!) { createApiKey(input: { organizationId: $o, name: "bench", scopes: [MESSAGES_WRITE] }) { secret } }`,
    { o: organizationId },
    auth,
  );
  const INGEST = `mutation($i: IngestMessageInput!) { ingestMessage(input: $i) { botShouldReply message { id } } }`;
  const durations: number[] = [];
  for (let i = 0; i < count + 50; i++) {
    const started = performance.now();
    await gql(
      INGEST,
      {
        i: {
          appServiceId: createAppService.id,
          customer: { externalId: `+9715${String(i % 100).padStart(8, '0')}` },
          content: `message ${i}`,
          idempotencyKey: `bench-${i}`,
        },
      },
      { 'x-api-key': createApiKey.secret },
    );
    // The first 50 warm up the JIT and the connection pool.
    if (i >= 50) durations.push(performance.now() - started);
  }
  durations.sort((a, b) => a - b);
  const at = (q: number) => durations[Math.min(durations.length - 1, Math.floor(q * durations.length))]!;
  console.log(
    `ingestMessage over HTTP on ${db.kind}, ${count} sequential calls (100 customers): ` +
      `p50 ${at(0.5).toFixed(2)} ms, p90 ${at(0.9).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms`,
  );
} finally {
  await server.stop();
  await pubsub.close();
  await db.dispose();
}
