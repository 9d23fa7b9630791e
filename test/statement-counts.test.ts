// The SQL budget of the hot paths (#16): an ingest, a classification, an inbox page. Each test counts the
// statements Prisma sends during the operation itself (db.onQuery, from right before the request to its
// answer) and asserts the exact number measured: that number is the budget. A change that adds a statement
// fails here and has to say why it needs it; one that removes statements lowers the number. The counts are
// the same on Postgres and on the embedded PGlite.
//
// Nothing is left out: every statement onQuery reports is counted. COMMIT (and ROLLBACK) are reported and
// counted; BEGIN is issued inside the driver adapters and reported on neither backend (src/db/database.ts),
// so it is in none of the numbers. On a failure the assertion message lists the statements, numbered, so the
// reader sees what changed.
//
// Authentication costs statements too: the lookup of the API key or session, and a lastUsedAt write at most
// once a minute per credential (src/auth/authenticate.ts). So that the counts do not depend on when that
// write falls, every counted request uses a credential of its own, warmed up by one request just before:
// the warm-up makes the first lookup and the lastUsedAt write, and the counted request costs what every
// later request with that credential costs (an API key accepted a moment ago is not looked up again; a
// session is looked up on every request).
import { PubSub } from 'graphql-subscriptions';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INBOX_QUERY } from '../bench/scenarios/dashboard.js';
import { localServiceDeps } from '../src/local-services.js';
import { RealtimePublisher } from '../src/realtime/publisher.js';
import { TopicBus } from '../src/realtime/topic-bus.js';
import { jobHandlers } from '../src/workers/handlers/index.js';
import { createTestApp, testSettings, type Auth, type GraphQLResponse, type TestApp } from './support/app.js';
import { backends } from './support/db.js';
import {
  createApiKey,
  createAppService,
  createOrganization,
  insertConversation,
  rawId,
  signUp,
} from './support/fixtures.js';

/** The integrator's ingest (client-examples/integrator/integrator.graphql, IngestCustomerMessage). */
const INGEST = /* GraphQL */ `
  mutation IngestCustomerMessage($input: IngestMessageInput!) {
    ingestMessage(input: $input) {
      botShouldReply
      duplicate
      message {
        id
        index
      }
      conversation {
        id
        status
      }
    }
  }
`;

/** The same selection for each message of a batch. */
const INGEST_MANY = /* GraphQL */ `
  mutation IngestCustomerMessages($input: IngestMessagesInput!) {
    ingestMessages(input: $input) {
      results {
        botShouldReply
        duplicate
        message {
          id
          index
        }
        conversation {
          id
          status
        }
      }
    }
  }
`;

interface IngestResult {
  botShouldReply: boolean;
  duplicate: boolean;
  message: { id: string; index: number };
  conversation: { id: string; status: string };
}

interface InboxData {
  node: {
    conversations: {
      totalCount: number;
      edges: { node: { assignee: { name: string } | null; messages: { edges: unknown[] } } }[];
    };
  };
}

const LOG_IN = `mutation($input: LogInInput!) { logIn(input: $input) { token } }`;

/** Asks for nothing: the request only authenticates (every request does, before it executes). */
const WARM_UP = `{ __typename }`;

/** The statements, numbered and on one line each, for the assertion message. */
const listing = (statements: string[]) =>
  statements.map((sql, i) => `${i + 1}. ${sql.replace(/\s+/g, ' ').trim()}`).join('\n');

describe.each(backends)('SQL statements per operation on %s', (kind) => {
  let app: TestApp;
  let owner: Awaited<ReturnType<typeof signUp>>;
  let orgId: string;
  let appServiceId: string;
  let inboxServiceId: string;

  beforeAll(async () => {
    app = await createTestApp(kind);
    owner = await signUp(app, 'statements-owner');
    orgId = await createOrganization(app, owner.token, 'Statement Budget Org');
    appServiceId = await createAppService(app, owner.token, orgId, 'WhatsApp line');
    // The inbox: 120 conversations of 12 messages, one in three held by one of 3 agents.
    inboxServiceId = await createAppService(app, owner.token, orgId, 'Inbox line');
    const agents = await Promise.all(
      [1, 2, 3].map((n) =>
        app.db.prisma.agent.create({ data: { organizationId: rawId(orgId), name: `Agent ${n}` } }),
      ),
    );
    for (let i = 0; i < 120; i++) {
      const { conversationId } = await insertConversation(app, {
        organizationId: orgId,
        appServiceId: inboxServiceId,
        messages: 12,
        minutesAgo: 600 - i,
        label: i % 4 === 0 ? 'vip' : undefined,
      });
      if (i % 3 === 0) {
        await app.db.prisma.conversation.update({
          where: { id: conversationId },
          data: { status: 'ASSIGNED', assigneeId: agents[i % agents.length]!.id },
        });
      }
    }
  });
  afterAll(() => app?.close());

  /** One request with credentials warmed up just before (see the top of the file), and its statements. */
  async function counted<T>(
    query: string,
    variables: Record<string, unknown>,
    auth: Auth,
  ): Promise<{ result: GraphQLResponse<T>; statements: string[] }> {
    const warmUp = await app.gql(WARM_UP, {}, auth);
    expect(warmUp.errors, JSON.stringify(warmUp.errors)).toBeUndefined();
    const measured = await app.countStatements(() => app.gql<T>(query, variables, auth));
    expect(measured.result.errors, JSON.stringify(measured.result.errors)).toBeUndefined();
    return measured;
  }

  /** An integrator key (MESSAGES_WRITE) of its own, not used yet. */
  const freshKey = async (): Promise<Auth> => ({
    apiKey: (await createApiKey(app, owner.token, orgId, ['MESSAGES_WRITE'])).secret,
  });

  /** A session of the owner's own, not used yet. */
  const freshSession = async (): Promise<Auth> => {
    const response = await app.gql<{ logIn: { token: string } }>(LOG_IN, {
      input: { email: owner.email, password: owner.password },
    });
    if (!response.data) throw new Error(`logIn failed: ${JSON.stringify(response.errors)}`);
    return { token: response.data.logIn.token };
  };

  let customers = 0;
  const newCustomer = () => `+97155${String(++customers).padStart(7, '0')}`;
  let keys = 0;
  /** A customer's text message, with an idempotency key as connectors send it (client-examples/integrator). */
  const message = (externalId: string, content = 'Hello, is my order on its way?') => ({
    appServiceId,
    customer: { externalId },
    senderType: 'CUSTOMER',
    content,
    idempotencyKey: `statements-${++keys}`,
  });

  const ingestOne = (externalId: string, auth: Auth) =>
    counted<{ ingestMessage: IngestResult }>(INGEST, { input: message(externalId) }, auth);

  /** `size` messages, the customers in turn. */
  const ingestBatch = (externalIds: string[], size: number, auth: Auth) =>
    counted<{ ingestMessages: { results: IngestResult[] } }>(
      INGEST_MANY,
      {
        input: {
          messages: Array.from({ length: size }, (_, i) => message(externalIds[i % externalIds.length]!)),
        },
      },
      auth,
    );

  describe('ingestMessage', () => {
    it('into the conversation the customer already has', async () => {
      const customer = newCustomer();
      const auth = await freshKey();
      expect((await app.gql(INGEST, { input: message(customer) }, auth)).errors).toBeUndefined();
      const { result, statements } = await ingestOne(customer, auth);
      expect(result.data!.ingestMessage.message.index).toBe(1);
      // The budget: the app service; in the transaction the customer's lock, the idempotency keys, the
      // contact identifier, the conversation, its row lock and row, the message INSERT, the conversation
      // UPDATE, the outbox INSERT, COMMIT; then the payload's message and conversation (one each).
      expect(statements.length, listing(statements)).toBe(13);
    });

    it('from a new customer: a new contact and a new conversation', async () => {
      const { result, statements } = await ingestOne(newCustomer(), await freshKey());
      expect(result.data!.ingestMessage.message.index).toBe(0);
      // The budget: the 13 above and 6 for a new customer: the contact by phone (none), the contact and
      // its identifier INSERTs; the conversation INSERT, its participant INSERT and Prisma's read-back.
      expect(statements.length, listing(statements)).toBe(19);
    });
  });

  describe('ingestMessages', () => {
    it('costs the same for 20 and for 100 messages of 5 customers who have conversations', async () => {
      const few = Array.from({ length: 5 }, newCustomer);
      const many = Array.from({ length: 5 }, newCustomer);
      const setUp = await freshKey();
      for (const customer of [...few, ...many]) {
        expect((await app.gql(INGEST, { input: message(customer) }, setUp)).errors).toBeUndefined();
      }
      const twenty = await ingestBatch(few, 20, await freshKey());
      const hundred = await ingestBatch(many, 100, await freshKey());
      expect(twenty.result.data!.ingestMessages.results).toHaveLength(20);
      expect(hundred.result.data!.ingestMessages.results).toHaveLength(100);
      // The budget: as one ingestMessage into an existing conversation, whatever the batch's size (every
      // step is one set-wise statement for the whole batch).
      expect(twenty.statements.length, listing(twenty.statements)).toBe(13);
      expect(hundred.statements.length, listing(hundred.statements)).toBe(twenty.statements.length);
    });

    it('costs the same for 20 and for 100 messages of 5 new customers', async () => {
      const twenty = await ingestBatch(Array.from({ length: 5 }, newCustomer), 20, await freshKey());
      const hundred = await ingestBatch(Array.from({ length: 5 }, newCustomer), 100, await freshKey());
      expect(twenty.result.data!.ingestMessages.results).toHaveLength(20);
      expect(hundred.result.data!.ingestMessages.results).toHaveLength(100);
      // The budget: 13 + 6 per new customer (see above: contacts and conversations are created one by one),
      // so 43 for 5, whatever the number of messages.
      expect(twenty.statements.length, listing(twenty.statements)).toBe(43);
      expect(hundred.statements.length, listing(hundred.statements)).toBe(twenty.statements.length);
    });
  });

  // The classify job's handler (src/workers/handlers/classify.ts) for one customer message, with the local
  // model the tests use (a model that records its usage, as the OpenAI one does, adds its INSERT). The
  // worker's outbox settlement around the handler (src/jobs/settlement.ts) is not counted.
  describe('classification', () => {
    const logger = pino({ level: 'silent' });
    const deps = () =>
      localServiceDeps({
        prisma: app.db.prisma,
        logger,
        settings: testSettings,
        realtime: new RealtimePublisher(new TopicBus(new PubSub()), logger),
        jobs: app.jobs,
      });

    /** A new customer's first message, ingested, then classified: the classification's statements. */
    async function classify(content: string) {
      const ingested = await app.gql<{ ingestMessage: IngestResult }>(
        INGEST,
        { input: message(newCustomer(), content) },
        await freshKey(),
      );
      expect(ingested.errors).toBeUndefined();
      const messageId = rawId(ingested.data!.ingestMessage.message.id);
      return app.countStatements(() =>
        jobHandlers.classify(deps(), { messageId, organizationId: rawId(orgId) }),
      );
    }

    it('of an ordinary question', async () => {
      const { result, statements } = await classify('Hello, what time do you open tomorrow?');
      expect(result).toEqual({ status: 'classified', escalations: [], events: 0 });
      // The budget: the message with its app service, "already classified?", the context messages; in the
      // transaction the conversation's row lock and row, "already classified?" again, the analysis INSERT,
      // the conversation UPDATE (its language, detected for the first time), COMMIT.
      expect(statements.length, listing(statements)).toBe(9);
    });

    it('of a request for a human (one escalation, notified)', async () => {
      const { result, statements } = await classify('Please, I want to talk to a real person now');
      expect(result).toMatchObject({
        status: 'classified',
        escalations: [{ type: 'SPEAK_TO_HUMAN', notified: true }],
      });
      // The budget: the 9 above and 8 for the escalation: the cool-down COUNT, the escalation INSERT, the
      // notice's data, the notification INSERT, the webhook endpoints, the existing deliveries, the
      // deliveries INSERT, the pending deliveries (none here: no channel is configured, nothing is queued).
      expect(statements.length, listing(statements)).toBe(17);
    });
  });

  describe('the inbox page', () => {
    it('costs the same for 20 and for 100 conversations', async () => {
      // The dashboard's inbox page (bench/scenarios/dashboard.ts: client-examples/dashboard/walk.graphql's
      // Inbox with the last 10 messages), with the owner's session.
      const twenty = await counted<InboxData>(
        INBOX_QUERY,
        { appServiceId: inboxServiceId, first: 20, messages: 10 },
        await freshSession(),
      );
      const hundred = await counted<InboxData>(
        INBOX_QUERY,
        { appServiceId: inboxServiceId, first: 100, messages: 10 },
        await freshSession(),
      );
      const page = (r: typeof twenty) => r.result.data!.node.conversations;
      expect(page(twenty).totalCount).toBe(120);
      expect(page(twenty).edges).toHaveLength(20);
      expect(page(hundred).edges).toHaveLength(100);
      expect(page(hundred).edges.filter((e) => e.node.assignee).length).toBeGreaterThan(0);
      expect(page(hundred).edges.every((e) => e.node.messages.edges.length === 10)).toBe(true);
      // The budget: the session (with the user's memberships), one statement for the whole page (the app
      // service, totalCount, the conversations with their assignee and last messages), and one for the
      // page's contacts: a contact sits above its conversations (Contact.conversations joins down), so
      // it is climbed to with a lookup of its own (src/resolvers/owner-relation.ts).
      expect(twenty.statements.length, listing(twenty.statements)).toBe(3);
      expect(hundred.statements.length, listing(hundred.statements)).toBe(twenty.statements.length);
    });
  });
});
