import { pino } from 'pino';
import { createInProcessQueue } from '../../src/jobs/in-process-queue.js';
import { createPubSub } from '../../src/realtime/pubsub.js';
import { RealtimePublisher } from '../../src/realtime/publisher.js';
import { startServer } from '../../src/server.js';
import { scratchDatabase } from './scratch-database.js';

/**
 * A real server for a measurement, on a scratch database (Postgres with DATABASE_URL, else in-memory
 * PGlite) and Redis pub/sub with REDIS_URL, with one tenant ready: a user, an organization, a WhatsApp app
 * service and an API key with MESSAGES_WRITE.
 */
export async function startMeasureServer(label: string) {
  const db = await scratchDatabase(label);
  const logger = pino({ level: 'silent' });
  const pubsub = createPubSub(process.env.REDIS_URL);
  const realtime = new RealtimePublisher(pubsub.bus, logger);
  // Measurements of the api alone: jobs are queued (outbox) but not run here.
  const jobs = createInProcessQueue({ logger });
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
      jobs,
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

  const { signUp } = await gql<{ signUp: { token: string } }>(
    `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
    { i: { email: `${label}@example.test`, password: 'correct-horse-battery', name: label } },
  );
  const auth = { authorization: `Bearer ${signUp.token}` };
  const { createOrganization } = await gql<{ createOrganization: { organization: { id: string } } }>(
    `mutation { createOrganization(input: { name: "Measure" }) { organization { id } } }`,
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
    `mutation($o: ID!) { createApiKey(input: { organizationId: $o, name: "measure", scopes: [MESSAGES_WRITE] }) { secret } }`,
    { o: organizationId },
    auth,
  );

  return {
    db,
    pubsub,
    realtime,
    server,
    gql,
    tenant: { auth, organizationId, appServiceId: createAppService.id, apiKey: createApiKey.secret },
    async stop() {
      await server.stop();
      await jobs.close();
      await pubsub.close();
      await db.dispose();
    },
  };
}

/** The value at quantile q of ascending-sorted numbers. */
export const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
