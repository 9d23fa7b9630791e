// Request ids and the access log, on a real process: x-request-id is taken from the caller when sane or
// made up, returned on the response, carried by every error of the answer and by every log line of the
// request, and each operation leaves one info line (name, type, duration, codes, credential kind), with
// neither variables nor credentials in it.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { startServerProcess, type ServerProcess } from './support/process.js';

interface LogLine {
  msg?: string;
  level?: number;
  requestId?: string;
  operation?: string | null;
  type?: string | null;
  ms?: number;
  codes?: string[];
  credential?: string;
}

describe('request ids and the access log', () => {
  let db: TestDatabase;
  let server: ServerProcess;
  const password = `pw-${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    server = await startServerProcess({ DATABASE_URL: db.url!, LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return {
      requestId: response.headers.get('x-request-id'),
      body: (await response.json()) as {
        data?: unknown;
        errors?: { extensions?: Record<string, unknown> }[];
      },
    };
  };
  const lines = (): LogLine[] =>
    server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  const accessLinesOf = async (requestId: string) => {
    // The line is written as the answer goes out: give the process a moment to flush it.
    for (let attempt = 0; attempt < 50; attempt++) {
      const found = lines().filter(
        (line) => line.requestId === requestId && line.msg === 'graphql operation',
      );
      if (found.length) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return [];
  };

  it('keeps a sane x-request-id, returns it, and logs one line for the operation', async () => {
    const email = `ids-${randomBytes(4).toString('hex')}@example.test`;
    const signUp = await post(
      {
        query: `mutation SignUp($i: SignUpInput!) { signUp(input: $i) { token } }`,
        variables: { i: { email, password, name: 'Ids' } },
      },
      { 'x-request-id': 'lb-7f3a:0001' },
    );
    expect(signUp.requestId).toBe('lb-7f3a:0001');
    expect(signUp.body.errors).toBeUndefined();
    const [line, ...more] = await accessLinesOf('lb-7f3a:0001');
    expect(more).toEqual([]);
    expect(line).toMatchObject({ operation: 'SignUp', type: 'mutation', codes: [], credential: 'anonymous' });
    expect(line!.level).toBe(30);
    expect(typeof line!.ms).toBe('number');
    expect(server.output()).not.toContain(password);
  });

  it('makes one up when there is none or it is not a sane token, and puts it on every error', async () => {
    for (const given of [undefined, 'x'.repeat(200), 'spaces are not allowed']) {
      const answer = await post(
        {
          query: `mutation LogIn { logIn(input: { email: "nobody@example.test", password: "wrong-password-1" }) { token } }`,
        },
        given ? { 'x-request-id': given } : {},
      );
      expect(answer.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(answer.body.errors?.length).toBeGreaterThan(0);
      for (const error of answer.body.errors!) expect(error.extensions?.requestId).toBe(answer.requestId);
      const [line] = await accessLinesOf(answer.requestId!);
      // A wrong password is the caller's doing: logged at info with its code, not at error level.
      expect(line).toMatchObject({ operation: 'LogIn', codes: ['UNAUTHENTICATED'] });
      expect(lines().filter((l) => l.requestId === answer.requestId && (l.level ?? 0) >= 50)).toEqual([]);
    }
  });

  it("gives each message of a WebSocket its own id, from the upgrade request's", async () => {
    const signUp = await post({
      query: `mutation SignUp($i: SignUpInput!) { signUp(input: $i) { token } }`,
      variables: { i: { email: `ws-${randomBytes(4).toString('hex')}@example.test`, password, name: 'Ws' } },
    });
    const { token } = (signUp.body.data as { signUp: { token: string } }).signUp;
    const socket = new WebSocket(server.url.replace(/^http/, 'ws'), 'graphql-transport-ws', {
      headers: { 'x-request-id': 'lb-ws-42' },
    });
    const messages: { type: string; id?: string }[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data)) as { type: string }));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    // graphql-ws closes a socket that subscribes before its connection is acknowledged.
    for (let attempt = 0; attempt < 200 && !messages.some((m) => m.type === 'connection_ack'); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    socket.send(
      JSON.stringify({ id: 'q', type: 'subscribe', payload: { query: 'query Ping { __typename }' } }),
    );
    socket.send(
      JSON.stringify({
        id: 's',
        type: 'subscribe',
        payload: { query: 'subscription Tick { escalationRaised { event } }' },
      }),
    );
    const [ping] = await accessLinesOf('lb-ws-42:2');
    expect(ping).toMatchObject({ operation: 'Ping', type: 'query', codes: [] });
    const [tick] = await accessLinesOf('lb-ws-42:3');
    expect(tick).toMatchObject({ operation: 'Tick', type: 'subscription' });
    socket.close();
  });

  it('gives each of two requests its own id', async () => {
    const [first, second] = await Promise.all([
      post({ query: '{ __typename }' }),
      post({ query: '{ __typename }' }),
    ]);
    expect(first.requestId).not.toBe(second.requestId);
    expect(await accessLinesOf(first.requestId!)).toHaveLength(1);
    expect(await accessLinesOf(second.requestId!)).toHaveLength(1);
  });
});
