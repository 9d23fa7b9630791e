// `npm run measure:realtime [-- --subscribers 100 --events 50]`: publish-to-receive latency of one event
// fanned out to N graphql-ws subscribers of an app service, on one api process, through Redis when
// REDIS_URL is set (in-process otherwise). DATABASE_URL picks Postgres (a throw-away database);
// unset runs on an in-memory PGlite.
import { createClient } from 'graphql-ws';
import { pino } from 'pino';
import WebSocket from 'ws';
import { scratchDatabase } from './support/scratch-database.js';
import { createPubSub } from '../src/realtime/pubsub.js';
import { RealtimePublisher } from '../src/realtime/publisher.js';
import { topic } from '../src/realtime/topics.js';
import { startServer } from '../src/server.js';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const subscribers = arg('subscribers', 100);
const events = arg('events', 50);
const db = await scratchDatabase('measure_realtime');
const logger = pino({ level: 'silent' });
const pubsub = createPubSub(process.env.REDIS_URL);
const realtime = new RealtimePublisher(pubsub.bus, logger);
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
    realtime,
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

const clients: ReturnType<typeof createClient>[] = [];
try {
  const { signUp } = await gql<{ signUp: { token: string } }>(
    `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
    { i: { email: 'rt@example.test', password: 'correct-horse-battery', name: 'RT' } },
  );
  const auth = { authorization: `Bearer ${signUp.token}` };
  const { createOrganization } = await gql<{ createOrganization: { organization: { id: string } } }>(
    `mutation { createOrganization(input: { name: "RT" }) { organization { id } } }`,
    {},
    auth,
  );
  const { createAppService } = await gql<{ createAppService: { id: string } }>(
    `mutation($o: ID!) { createAppService(input: { organizationId: $o, name: "Line", channel: WHATSAPP }) { id } }`,
    { o: createOrganization.organization.id },
    auth,
  );
  const { createApiKey } = await gql<{ createApiKey: { secret: string } }>(
    `mutation($o: ID!) { createApiKey(input: { organizationId: $o, name: "rt", scopes: [MESSAGES_WRITE] }) { secret } }`,
    { o: createOrganization.organization.id },
    auth,
  );
  const appServiceId = createAppService.id;
  const { ingestMessage } = await gql<{ ingestMessage: { message: { id: string } } }>(
    `mutation($i: IngestMessageInput!) { ingestMessage(input: $i) { message { id } } }`,
    { i: { appServiceId, customer: { externalId: '+971500000001' }, content: 'hello' } },
    { 'x-api-key': createApiKey.secret },
  );
  const rawMessageId = Buffer.from(ingestMessage.message.id, 'base64url').toString().split(':')[1]!;
  const message = await db.prisma.message.findUniqueOrThrow({ where: { id: rawMessageId } });

  let sentAt = 0;
  const latencies: number[] = [];
  for (let i = 0; i < subscribers; i++) {
    const client = createClient({
      url: server.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: auth,
      retryAttempts: 0,
    });
    clients.push(client);
    client.subscribe(
      {
        query: `subscription($a: ID) { messageAdded(appServiceId: $a) { id content senderType sentAt } }`,
        variables: { a: appServiceId },
      },
      {
        next: () => void latencies.push(performance.now() - sentAt),
        error: (e) => console.error(e),
        complete: () => undefined,
      },
    );
  }
  const appServiceTopic = topic('messageAdded', 'appService', message.appServiceId);
  while (pubsub.bus.listeners(appServiceTopic) < subscribers)
    await new Promise((resolve) => setTimeout(resolve, 20));

  for (let round = 0; round < events + 5; round++) {
    const before = latencies.length;
    sentAt = performance.now();
    await realtime.messageAdded(message);
    while (latencies.length < before + subscribers) await new Promise((resolve) => setImmediate(resolve));
    // The first rounds warm up the JIT and the connections.
    if (round < 5) latencies.length = 0;
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  console.log(
    `messageAdded publish-to-receive, ${subscribers} graphql-ws subscribers, ${events} events, ` +
      `${pubsub.kind} pub/sub, ${db.kind}: p50 ${at(0.5).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms ` +
      `(${latencies.length} deliveries)`,
  );
} finally {
  await Promise.all(clients.map((client) => client.dispose()));
  await server.stop();
  await pubsub.close();
  await db.dispose();
}
