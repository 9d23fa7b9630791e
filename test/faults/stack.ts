// The platform as it runs in production, for the fault suite: one ROLE=api process and ROLE=worker
// processes on a database of the test's own and a private redis-server, with real SMTP and WhatsApp
// receivers; an ingest stream with a known set of escalating messages; and the counts that say whether
// anything was lost or doubled.
import { randomBytes } from 'node:crypto';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startReceiver, type Receiver } from '../notifications/support.js';
import { PrivateRedis } from '../support/private-redis.js';
import { startServerProcess, type ServerProcess } from '../support/process.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const WORKER_READY = /"msg":"workers running"()/;

export interface Stack {
  db: TestDatabase;
  redis: PrivateRedis;
  /** Between the platform's processes and Postgres, when asked for. */
  proxy?: TcpProxy;
  smtp: { port: number; received: string[]; close(): Promise<void> };
  whatsapp: Receiver;
  api: ServerProcess;
  workers: ServerProcess[];
  env: Record<string, string>;
  tenant: { apiKey: string; appServiceId: string };
  startWorker(extra?: Record<string, string>): Promise<ServerProcess>;
  stop(): Promise<void>;
}

async function startSmtp(): Promise<Stack['smtp']> {
  const received: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push(Buffer.concat(chunks).toString('utf8'));
        callback();
      });
    },
  });
  // A worker killed mid-session resets its connection: smtp-server reports that as an 'error' event, which
  // without a listener would be an uncaught exception in the test process. What arrived is what counts.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function graphql<T>(url: string, query: string, variables: Record<string, unknown>, headers = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (!body.data || body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** An api and one worker on their own database and Redis; `extraEnv` for both (e.g. a model server). */
export async function startStack(
  options: { proxy?: boolean; env?: Record<string, string> } = {},
): Promise<Stack> {
  const db = await createTestDatabase('postgres');
  const redis = new PrivateRedis();
  await redis.start();
  let proxy: TcpProxy | undefined;
  let databaseUrl = db.url!;
  if (options.proxy) {
    const target = new URL(db.url!);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const port = await proxy.start();
    const through = new URL(db.url!);
    through.port = String(port);
    databaseUrl = through.toString();
  }
  const smtp = await startSmtp();
  const whatsapp = await startReceiver(() => ({ status: 200, body: '{"messages":[{"id":"wamid.1"}]}' }));
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    WHATSAPP_API_URL: whatsapp.url,
    WHATSAPP_TOKEN: 'test-token',
    WHATSAPP_PHONE_NUMBER_ID: '100000000000001',
    // The reconciler looks at stale jobs every second and after 5 s, so that a test sees it act.
    RECONCILE_INTERVAL_SECONDS: '1',
    RECONCILE_LEASE_SECONDS: '5',
    ...options.env,
  };
  const api = await startServerProcess({ ...env, ROLE: 'api' });
  const workers: ServerProcess[] = [];
  const startWorker = async (extra: Record<string, string> = {}) => {
    const worker = await startServerProcess({ ...env, ROLE: 'worker', ...extra }, { ready: WORKER_READY });
    workers.push(worker);
    return worker;
  };
  await startWorker();

  const email = `faults-${randomBytes(4).toString('hex')}@example.test`;
  const { signUp } = await graphql<{ signUp: { token: string } }>(
    api.url,
    `
      mutation ($i: SignUpInput!) {
        signUp(input: $i) {
          token
        }
      }
    `,
    { i: { email, password: 'correct-horse-battery', name: 'Faults' } },
  );
  const auth = { authorization: `Bearer ${signUp.token}` };
  const { createOrganization } = await graphql<{ createOrganization: { organization: { id: string } } }>(
    api.url,
    `
      mutation {
        createOrganization(input: { name: "Faults" }) {
          organization {
            id
          }
        }
      }
    `,
    {},
    auth,
  );
  const organizationId = createOrganization.organization.id;
  const { createAppService } = await graphql<{ createAppService: { id: string } }>(
    api.url,
    `
      mutation ($i: CreateAppServiceInput!) {
        createAppService(input: $i) {
          id
        }
      }
    `,
    {
      i: {
        organizationId,
        name: 'Line',
        channel: 'WHATSAPP',
        notificationEmails: ['ops@example.test'],
        notificationWhatsappNumbers: ['+971500000999'],
      },
    },
    auth,
  );
  const { createApiKey } = await graphql<{ createApiKey: { secret: string } }>(
    api.url,
    `
      mutation ($o: ID!) {
        createApiKey(input: { organizationId: $o, name: "faults", scopes: [MESSAGES_WRITE] }) {
          secret
        }
      }
    `,
    { o: organizationId },
    auth,
  );
  return {
    db,
    redis,
    ...(proxy ? { proxy } : {}),
    smtp,
    whatsapp,
    api,
    workers,
    env,
    tenant: { apiKey: createApiKey.secret, appServiceId: createAppService.id },
    startWorker,
    async stop() {
      await Promise.all([api, ...workers].map((process) => process.stop(5000)));
      await redis.stop();
      await proxy?.stop();
      await smtp.close();
      await whatsapp.close();
      await db.drop();
    },
  };
}

const INGEST = `mutation($i: IngestMessageInput!) { ingestMessage(input: $i) { message { id } } }`;

export interface StreamResult {
  /** Messages the api acknowledged, by idempotency key → message id. */
  acknowledged: Map<string, string>;
  /** The keys that should escalate (SPEAK_TO_HUMAN). */
  escalating: Set<string>;
  /** Every HTTP attempt's duration and outcome. */
  attempts: { ms: number; status: number; code?: string }[];
}

/**
 * Sends `count` customer messages, each from a customer of its own (so every escalation notifies), every
 * `escalateEvery`-th one asking for a human; `during(i)` runs before message i (to inject a fault). A
 * message not acknowledged (an error answer, or no answer) is sent again with the same idempotency key,
 * as a connector would, until `giveUpMs`.
 */
export async function ingestStream(
  stack: Stack,
  options: {
    count: number;
    escalateEvery: number;
    during?: (index: number) => Promise<void>;
    giveUpMs?: number;
  },
): Promise<StreamResult> {
  const result: StreamResult = { acknowledged: new Map(), escalating: new Set(), attempts: [] };
  const run = randomBytes(3).toString('hex');
  for (let index = 0; index < options.count; index++) {
    await options.during?.(index);
    const key = `${run}-${index}`;
    const escalates = index % options.escalateEvery === 0;
    if (escalates) result.escalating.add(key);
    const input = {
      appServiceId: stack.tenant.appServiceId,
      customer: {
        externalId: `+9715${run.replace(/\D/g, '7').slice(0, 3)}${String(index).padStart(5, '0')}`,
      },
      content: escalates ? 'I want to talk to a real person please' : 'Thanks, that is all I needed',
      senderType: 'CUSTOMER',
      idempotencyKey: key,
    };
    const giveUpAt = Date.now() + (options.giveUpMs ?? 60_000);
    for (;;) {
      const started = Date.now();
      let status = 0;
      let code: string | undefined;
      let messageId: string | undefined;
      try {
        const response = await fetch(stack.api.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': stack.tenant.apiKey },
          body: JSON.stringify({ query: INGEST, variables: { i: input } }),
          signal: AbortSignal.timeout(20_000),
        });
        status = response.status;
        const body = (await response.json()) as {
          data?: { ingestMessage: { message: { id: string } } } | null;
          errors?: { extensions?: { code?: string } }[];
        };
        code = body.errors?.[0]?.extensions?.code;
        messageId = body.data?.ingestMessage.message.id;
      } catch {
        code = 'NO_ANSWER';
      }
      result.attempts.push({ ms: Date.now() - started, status, ...(code ? { code } : {}) });
      if (messageId) {
        result.acknowledged.set(key, Buffer.from(messageId, 'base64url').toString('utf8').split(':')[1]!);
        break;
      }
      if (Date.now() > giveUpAt) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return result;
}

export interface Counts {
  acknowledged: number;
  stored: number;
  classified: number;
  escalationsExpected: number;
  escalationsRaised: number;
  /** Escalations raised twice for one message (must be 0). */
  duplicateEscalations: number;
  emailsExpected: number;
  emailsReceived: number;
  whatsappExpected: number;
  whatsappReceived: number;
  /** Email and WhatsApp deliveries closed as "outcome unknown" (an attempt died mid-send): not resent. */
  uncertainDeliveries: number;
}

/** What the database and the receivers hold now, for the messages of the stream. */
export async function countsOf(stack: Stack, stream: StreamResult): Promise<Counts> {
  const ids = [...stream.acknowledged.values()];
  const escalatingIds = [...stream.escalating].flatMap((key) => {
    const id = stream.acknowledged.get(key);
    return id ? [id] : [];
  });
  const prisma = stack.db.prisma;
  const stored = await prisma.message.count({ where: { id: { in: ids } } });
  const classified = await prisma.analysis.count({ where: { type: 'INTENT', subjectKey: { in: ids } } });
  const escalations = await prisma.escalation.findMany({
    where: { messageId: { in: ids }, type: 'SPEAK_TO_HUMAN' },
    select: { messageId: true, notified: true },
  });
  const perMessage = new Map<string, number>();
  for (const escalation of escalations) {
    perMessage.set(escalation.messageId!, (perMessage.get(escalation.messageId!) ?? 0) + 1);
  }
  const deliveries = await prisma.notificationDelivery.groupBy({
    by: ['channel', 'status', 'lastError'],
    where: { escalation: { messageId: { in: ids } }, channel: { in: ['EMAIL', 'WHATSAPP'] } },
    _count: true,
  });
  const uncertain = deliveries
    .filter((row) => row.status === 'FAILED' && (row.lastError ?? '').startsWith('the sender stopped'))
    .reduce((sum, row) => sum + row._count, 0);
  return {
    acknowledged: stream.acknowledged.size,
    stored,
    classified,
    escalationsExpected: escalatingIds.length,
    escalationsRaised: perMessage.size,
    duplicateEscalations: [...perMessage.values()].filter((n) => n > 1).length,
    emailsExpected: escalations.filter((e) => e.notified).length,
    emailsReceived: stack.smtp.received.length,
    whatsappExpected: escalations.filter((e) => e.notified).length,
    whatsappReceived: stack.whatsapp.requests.length,
    uncertainDeliveries: uncertain,
  };
}

/** Waits until everything acknowledged is classified, escalated and notified (or the time is up). */
export async function settled(stack: Stack, stream: StreamResult, timeoutMs = 120_000): Promise<Counts> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await countsOf(stack, stream);
    const done =
      counts.classified === counts.acknowledged &&
      counts.escalationsRaised === counts.escalationsExpected &&
      counts.emailsReceived + counts.whatsappReceived + counts.uncertainDeliveries >=
        counts.emailsExpected + counts.whatsappExpected;
    if (done || Date.now() > deadline) {
      // A moment more, so that a duplicate arriving late is counted too.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      return countsOf(stack, stream);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Escalation delays (message stored → escalation raised), in ms, for the stream's messages. */
export async function escalationDelays(stack: Stack, stream: StreamResult): Promise<number[]> {
  const rows = await stack.db.prisma.escalation.findMany({
    where: { messageId: { in: [...stream.acknowledged.values()] } },
    select: { createdAt: true, message: { select: { createdAt: true } } },
  });
  return rows.map((row) => row.createdAt.getTime() - row.message!.createdAt.getTime()).sort((a, b) => a - b);
}

export const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : Number.NaN;
