// The attacks an ordinary member or an integrator key could make on the API, against a listening server
// on Postgres: each is refused with its typed code, never a 5xx nor INTERNAL_SERVER_ERROR, and a refused
// operation runs no SQL (statements counted through Prisma's query events).
import { getIntrospectionQuery } from 'graphql';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { createAppService, createOrganization, insertConversation, signUp } from './support/fixtures.js';
import { startLiveServer, type LiveServer } from './support/live.js';

interface Answer {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: Record<string, unknown> & { code?: string } }[];
  };
}

const codes = (answer: Answer) => (answer.body.errors ?? []).map((error) => error.extensions?.code);

describe('abuse: operation limits, bad input and production defaults', () => {
  let db: TestDatabase;
  let live: LiveServer;
  let token: string;
  let appServiceId: string;
  let conversationId: string;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    live = await startLiveServer(db, { redis: false });
    const owner = await signUp(live, 'abuse-owner');
    token = owner.token;
    const organizationId = await createOrganization(live, token, 'Abuse Co');
    appServiceId = await createAppService(live, token, organizationId);
    const { conversationId: raw } = await insertConversation(
      { db },
      { organizationId, appServiceId, messages: 6 },
    );
    conversationId = Buffer.from(`Conversation:${raw}`).toString('base64url');
  });
  afterAll(async () => {
    await live?.stop();
    await db?.drop();
  });

  /** POSTs a document (with the owner's token unless `anonymous`) and counts the SQL it caused. */
  async function send(
    query: string,
    options: { variables?: Record<string, unknown>; anonymous?: boolean; body?: string } = {},
  ): Promise<Answer & { statements: number }> {
    let statements = 0;
    const stop = db.onQuery(() => statements++);
    try {
      const response = await fetch(live.server.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.anonymous ? {} : { authorization: `Bearer ${token}` }),
        },
        body: options.body ?? JSON.stringify({ query, variables: options.variables }),
      });
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        body: JSON.parse(text) as Answer['body'],
        statements,
      };
    } finally {
      stop();
    }
  }

  /** Never a server error, whatever was sent. */
  function expectNoServerError(answer: Answer) {
    expect(answer.status).toBeLessThan(500);
    expect(codes(answer)).not.toContain('INTERNAL_SERVER_ERROR');
  }

  const nestedMessages = (levels: number) => {
    let inner = 'id';
    for (let i = 0; i < levels; i++)
      inner = `messages(first: 1) { edges { node { id conversation { ${inner} } } } }`;
    return `{ node(id: "${conversationId}") { ... on Conversation { ${inner} } } }`;
  };

  it('refuses a nesting deeper than the limit before running it: QUERY_TOO_DEEP, HTTP 400, no SQL', async () => {
    const answer = await send(nestedMessages(16));
    expectNoServerError(answer);
    expect(answer.status).toBe(400);
    expect(codes(answer)).toEqual(['QUERY_TOO_DEEP']);
    expect(answer.body.errors![0]!.extensions).toMatchObject({ limit: 30, actual: 66 });
    expect(answer.statements).toBe(0);
  });

  it('answers a nesting within the limit with one statement per level, not one per combination', async () => {
    // 3 turns of messages → conversation: depth 13. Each turn is one more statement, whatever first is.
    const one = await send(nestedMessages(3));
    expect(one.body.errors).toBeUndefined();
    const wider = await send(nestedMessages(3).replaceAll('first: 1', 'first: 5'));
    expect(wider.body.errors).toBeUndefined();
    // The same statements for 5 rows per level as for 1 (auth + one per level), though 5³ rows come back.
    expect(wider.statements).toBe(one.statements);
    expect(one.statements).toBeLessThanOrEqual(8);
  });

  it('refuses an operation that may load more objects than the limit: QUERY_TOO_COMPLEX with the figures', async () => {
    const query = `query($id: ID!) { node(id: $id) { ... on AppService {
      conversations(first: 100) { edges { node { messages(first: 200) { edges { node {
        conversation { messages(first: 200) { edges { node { id } } } } } } } } } } } } }`;
    const answer = await send(query, { variables: { id: appServiceId } });
    expectNoServerError(answer);
    expect(answer.status).toBe(400);
    expect(codes(answer)).toEqual(['QUERY_TOO_COMPLEX']);
    const { actual, limit } = answer.body.errors![0]!.extensions as { actual: number; limit: number };
    expect(actual).toBeGreaterThan(limit);
    expect(limit).toBe(500_000);
    expect(answer.statements).toBe(0);
  });

  it('measures cost with the variables of each request (a cached validation does not hide them)', async () => {
    const query = `query($id: ID!, $n: Int!, $m: Int!) { node(id: $id) { ... on AppService {
      conversations(first: $n) { edges { node { messages(first: $m) { edges { node {
        conversation { messages(first: $m) { edges { node { id } } } } } } } } } } } } }`;
    const small = await send(query, { variables: { id: appServiceId, n: 2, m: 2 } });
    expect(small.body.errors).toBeUndefined();
    const large = await send(query, { variables: { id: appServiceId, n: 100, m: 200 } });
    expect(codes(large)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(large.statements).toBe(0);
    const smallAgain = await send(query, { variables: { id: appServiceId, n: 2, m: 2 } });
    expect(smallAgain.body.errors).toBeUndefined();
    // Measures are kept per document and variables: the same refusal again is still a refusal, still no SQL.
    const largeAgain = await send(query, { variables: { id: appServiceId, n: 100, m: 200 } });
    expect(codes(largeAgain)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(largeAgain.statements).toBe(0);
  });

  it('refuses too many aliases, __typename included: QUERY_TOO_MANY_ALIASES', async () => {
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: __typename`).join(' ');
    const answer = await send(`{ ${aliases} }`, { anonymous: true });
    expectNoServerError(answer);
    expect(answer.status).toBe(400);
    expect(codes(answer)).toEqual(['QUERY_TOO_MANY_ALIASES']);
    expect(answer.body.errors![0]!.extensions).toMatchObject({ limit: 30, actual: 31 });
  });

  it('refuses a huge document while parsing it: QUERY_TOO_MANY_TOKENS (5,000 aliases of __typename)', async () => {
    const aliases = Array.from({ length: 5000 }, (_, i) => `a${i}: __typename`).join(' ');
    const answer = await send(`{ ${aliases} }`, { anonymous: true });
    expectNoServerError(answer);
    expect(answer.status).toBe(400);
    expect(codes(answer)).toEqual(['QUERY_TOO_MANY_TOKENS']);
    expect(answer.body.errors![0]!.extensions).toMatchObject({ limit: 3000, actual: 15002 });
    expect(answer.statements).toBe(0);
  });

  it('refuses too many directives: QUERY_TOO_MANY_DIRECTIVES', async () => {
    const fields = Array.from({ length: 51 }, (_, i) => `f${i}: __typename @include(if: true)`).join(' ');
    const answer = await send(
      `{ viewer { user { id } } ${fields.replaceAll(/f(\d+): __typename/g, '__typename')} }`,
    );
    expectNoServerError(answer);
    expect(codes(answer)).toEqual(['QUERY_TOO_MANY_DIRECTIVES']);
    expect(answer.statements).toBe(0);
  });

  it('counts fragments at every place they are spread (fragment fan-out)', async () => {
    // Each fragment spreads the next twice: 2^12 copies of a conversation page once expanded.
    const fragments = Array.from(
      { length: 12 },
      (_, i) => `fragment F${i} on AppService { ...F${i + 1} ...F${i + 1} }`,
    ).join('\n');
    const query = `query($id: ID!) { node(id: $id) { ... on AppService { ...F0 } } }
      ${fragments}
      fragment F12 on AppService { conversations(first: 100) { edges { node { id contact { id } } } } }`;
    const answer = await send(query, { variables: { id: appServiceId } });
    expectNoServerError(answer);
    expect(codes(answer)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(answer.statements).toBe(0);
  });

  it('limits introspection: nested type lists and repeated __schema are refused, the standard query is not', async () => {
    const standard = await send(getIntrospectionQuery(), { anonymous: true });
    expect(standard.body.errors).toBeUndefined();
    expect(standard.statements).toBe(0);
    // types × fields × fields: graphql-js's own rule lets it through (it counts `fields` only), ours not.
    const cyclic = await send('{ __schema { types { fields { type { fields { name } } } } } }', {
      anonymous: true,
    });
    expect(cyclic.status).toBe(400);
    expect(codes(cyclic)).toEqual(['QUERY_INTROSPECTION_TOO_LARGE']);
    const repeated = await send('{ a: __schema { queryType { name } } b: __schema { queryType { name } } }', {
      anonymous: true,
    });
    expect(codes(repeated)).toEqual(['QUERY_INTROSPECTION_TOO_LARGE']);
  });

  it('refuses a body over the size limit without parsing it', async () => {
    const big = JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(5 * 1024 * 1024) } });
    const answer = await send('', { body: big, anonymous: true });
    expect(answer.status).toBe(413);
    expect(answer.statements).toBe(0);
  });

  it('answers bad cursors, page sizes out of range and bad ids with BAD_USER_INPUT', async () => {
    const page = (args: string) =>
      send(
        `query($id: ID!) { node(id: $id) { ... on AppService { conversations(${args}) { edges { node { id } } } } } }`,
        {
          variables: { id: appServiceId },
        },
      );
    for (const args of ['first: 2, after: "garbage"', 'first: -1', 'first: 1000', 'last: 101']) {
      const answer = await page(args);
      expectNoServerError(answer);
      expect(codes(answer), args).toEqual(['BAD_USER_INPUT']);
    }
    // A page size out of range is refused before anything runs.
    expect((await page('first: 1000')).statements).toBe(0);
    const unknownType = Buffer.from('Spaceship:3f1c2a4e-1111-4111-8111-111111111111').toString('base64url');
    const node = await send(`{ node(id: "${unknownType}") { id } }`);
    expectNoServerError(node);
    expect(codes(node)).toEqual(['BAD_USER_INPUT']);
  });

  it('answers nodes(ids) with null for a bad entry only', async () => {
    const answer = await send(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, {
      variables: { ids: [appServiceId, 'garbage', conversationId] },
    });
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data).toEqual({ nodes: [{ id: appServiceId }, null, { id: conversationId }] });
    const tooMany = await send(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, {
      variables: { ids: Array.from({ length: 101 }, () => appServiceId) },
    });
    expect(codes(tooMany)).toEqual(['BAD_USER_INPUT']);
  });

  it('answers a mutation without credentials with UNAUTHENTICATED', async () => {
    const answer = await send(
      `mutation { createOrganization(input: { name: "X" }) { organization { id } } }`,
      {
        anonymous: true,
      },
    );
    expectNoServerError(answer);
    expect(codes(answer)).toEqual(['UNAUTHENTICATED']);
  });

  it('applies the same limits to subscriptions over graphql-ws, before any SQL', async () => {
    const client = createClient({
      url: live.server.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
      lazy: false,
    });
    let statements = 0;
    const errors = await new Promise<{ extensions?: { code?: string } }[]>((resolve) => {
      // Counted once the socket is up: only the subscribe itself.
      client.on('connected', () => {
        const stop = db.onQuery(() => statements++);
        client.subscribe(
          {
            query: `subscription { messageAdded(conversationId: "${conversationId}") { ${deepSelection(8)} } }`,
          },
          {
            next: () => undefined,
            error: (error) => {
              stop();
              resolve(error as never);
            },
            complete: () => resolve([]),
          },
        );
      });
    });
    await client.dispose();
    expect(errors.map((error) => error.extensions?.code)).toEqual(['QUERY_TOO_DEEP']);
    expect(statements).toBe(0);
  });
});

/** A selection on Message that climbs messages → conversation `levels` times. */
function deepSelection(levels: number): string {
  let inner = 'id';
  for (let i = 0; i < levels; i++)
    inner = `conversation { messages(first: 1) { edges { node { id ${inner} } } } }`;
  return inner;
}

describe('abuse: production defaults', () => {
  let db: TestDatabase;
  let live: LiveServer;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    live = await startLiveServer(db, {
      redis: false,
      api: { graphiql: false, fieldSuggestions: false, anonymousIntrospection: false },
    });
  });
  afterAll(async () => {
    await live?.stop();
    await db?.drop();
  });

  it('serves no GraphiQL page', async () => {
    const response = await fetch(live.server.url, { headers: { accept: 'text/html' } });
    expect(await response.text()).not.toContain('GraphiQL');
  });

  it('gives no "Did you mean" suggestions', async () => {
    const answer = await live.gql('{ viewr { user { id } } }');
    expect(answer.errors?.[0]?.message).toBe('Cannot query field "viewr" on type "Query".');
  });

  it('lets only signed-in callers introspect, and still answers __typename', async () => {
    const anonymous = await live.gql('{ __schema { queryType { name } } }');
    expect(anonymous.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect((await live.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
    const user = await signUp(live, 'analyst');
    const signedIn = await live.gql('{ __schema { queryType { name } } }', {}, { token: user.token });
    expect(signedIn.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});
