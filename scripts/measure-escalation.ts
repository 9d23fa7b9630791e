// `npm run measure:escalation [-- --count 200]`: time from sending ingestMessage ("I want to talk to a real
// person") to receiving escalationRaised on a graphql-ws subscription, with the local classifier, through
// the whole application (outbox, queue, worker, notifications planning, pub/sub). With REDIS_URL the jobs run
// on BullMQ and events go through Redis; DATABASE_URL picks Postgres (a scratch database), else PGlite.
import { createClient } from 'graphql-ws';
import { pino } from 'pino';
import WebSocket from 'ws';
import { startApplication } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { quantile } from './support/measure-server.js';
import { scratchDatabase } from './support/scratch-database.js';

const countArg = process.argv.indexOf('--count');
const count = countArg > 0 ? Number(process.argv[countArg + 1]) : 200;
const db = await scratchDatabase('measure_escalation');
const config = loadConfig({
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'silent',
  ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
});
const app = await startApplication(config, pino({ level: 'silent' }), { db });
const url = app.server!.url;

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
  const body = (await response.json()) as { data: T; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const client = createClient({
  url: url.replace(/^http/, 'ws'),
  webSocketImpl: WebSocket,
  retryAttempts: 0,
  connectionParams: () => ({ authorization }),
});
let authorization = '';
try {
  const { signUp } = await gql<{ signUp: { token: string } }>(
    `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
    { i: { email: 'escalation@example.test', password: 'correct-horse-battery', name: 'Measure' } },
  );
  authorization = `Bearer ${signUp.token}`;
  const auth = { authorization };
  const { createOrganization } = await gql<{ createOrganization: { organization: { id: string } } }>(
    `mutation { createOrganization(input: { name: "Measure" }) { organization { id } } }`,
    {},
    auth,
  );
  const organizationId = createOrganization.organization.id;
  const { createAppService } = await gql<{ createAppService: { id: string } }>(
    `mutation($o: ID!) { createAppService(input: { organizationId: $o, name: "Line", channel: WHATSAPP, escalationCooldownMinutes: 0 }) { id } }`,
    { o: organizationId },
    auth,
  );
  const { createApiKey } = await gql<{ createApiKey: { secret: string } }>(
    `mutation($o: ID!) { createApiKey(input: { organizationId: $o, name: "m", scopes: [MESSAGES_WRITE] }) { secret } }`,
    { o: organizationId },
    auth,
  );

  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let waiting: (() => void) | undefined;
  client.subscribe(
    {
      query: `subscription($o: ID) { escalationRaised(organizationId: $o) { customerNumber } }`,
      variables: { o: organizationId },
    },
    {
      next: (value) => {
        const number = (value.data as { escalationRaised: { customerNumber: string } }).escalationRaised
          .customerNumber;
        const started = sentAt.get(number);
        if (started !== undefined) latencies.push(performance.now() - started);
        waiting?.();
      },
      error: console.error,
      complete: () => undefined,
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 500));

  for (let i = 0; i < count + 10; i++) {
    // A new customer each time, so every message is a first escalation (no cool-down).
    const number = `+9715${String(10_000_000 + i)}`;
    const received = new Promise<void>((resolve) => (waiting = resolve));
    sentAt.set(number, performance.now());
    await gql(
      `mutation($i: IngestMessageInput!) { ingestMessage(input: $i) { message { id } } }`,
      {
        i: {
          appServiceId: createAppService.id,
          customer: { externalId: number },
          content: 'I want to talk to a real person',
        },
      },
      { 'x-api-key': createApiKey.secret },
    );
    await received;
    if (i === 9) latencies.length = 0; // warm-up
  }
  latencies.sort((a, b) => a - b);
  console.log(
    `ingestMessage → escalationRaised, ${latencies.length} messages, local classifier, ` +
      `${app.jobs.kind} jobs, ${app.pubsub.kind} pub/sub, ${db.kind}: ` +
      `p50 ${quantile(latencies, 0.5).toFixed(1)} ms, p99 ${quantile(latencies, 0.99).toFixed(1)} ms`,
  );
} finally {
  await client.dispose();
  await app.stop();
  await db.dispose().catch(() => undefined);
}
