// `npm run measure:realtime [-- --subscribers 100 --events 50]`: publish-to-receive latency of one event
// fanned out to N graphql-ws subscribers of an app service, on one api process, through Redis when
// REDIS_URL is set (in-process otherwise). DATABASE_URL picks Postgres (a throw-away database);
// unset runs on an in-memory PGlite.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { topic } from '../src/realtime/topics.js';
import { quantile, startMeasureServer } from './support/measure-server.js';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const subscribers = arg('subscribers', 100);
const events = arg('events', 50);
const measure = await startMeasureServer('measure_realtime');
const clients: ReturnType<typeof createClient>[] = [];

try {
  const { appServiceId, apiKey, auth } = measure.tenant;
  const { ingestMessage } = await measure.gql<{ ingestMessage: { message: { id: string } } }>(
    `mutation($i: IngestMessageInput!) { ingestMessage(input: $i) { message { id } } }`,
    { i: { appServiceId, customer: { externalId: '+971500000001' }, content: 'hello' } },
    { 'x-api-key': apiKey },
  );
  const messageId = Buffer.from(ingestMessage.message.id, 'base64url').toString().split(':')[1]!;
  const message = await measure.db.prisma.message.findUniqueOrThrow({ where: { id: messageId } });

  let sentAt = 0;
  const latencies: number[] = [];
  for (let i = 0; i < subscribers; i++) {
    const client = createClient({
      url: measure.server.url.replace(/^http/, 'ws'),
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
        error: console.error,
        complete: () => undefined,
      },
    );
  }
  const appServiceTopic = topic('messageAdded', 'appService', message.appServiceId);
  while (measure.pubsub.bus.listeners(appServiceTopic) < subscribers) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }

  for (let round = 0; round < events + 5; round++) {
    const before = latencies.length;
    sentAt = performance.now();
    await measure.realtime.messageAdded(message);
    while (latencies.length < before + subscribers) await new Promise((resolve) => setImmediate(resolve));
    // The first rounds warm up the JIT and the connections.
    if (round < 5) latencies.length = 0;
  }
  latencies.sort((a, b) => a - b);
  console.log(
    `messageAdded publish-to-receive, ${subscribers} graphql-ws subscribers, ${events} events, ` +
      `${measure.pubsub.kind} pub/sub, ${measure.db.kind}: p50 ${quantile(latencies, 0.5).toFixed(2)} ms, ` +
      `p99 ${quantile(latencies, 0.99).toFixed(2)} ms (${latencies.length} deliveries)`,
  );
} finally {
  await Promise.all(clients.map((client) => client.dispose()));
  await measure.stop();
}
