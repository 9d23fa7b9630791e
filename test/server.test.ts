import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GraphQLError } from 'graphql';
import { createClient } from 'graphql-ws';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PubSub } from 'graphql-subscriptions';
import { createErrorMasker } from '../src/graphql/error-masking.js';
import { createInProcessQueue } from '../src/jobs/in-process-queue.js';
import { RealtimePublisher } from '../src/realtime/publisher.js';
import { TopicBus } from '../src/realtime/topic-bus.js';
import { localServiceDeps } from '../src/local-services.js';
import { startServer, type RunningServer } from '../src/server.js';
import { testSettings } from './support/app.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';

const VIEWER = `{ viewer { user { email } } }`;

/** Opens a graphql-ws connection and reports how it closed (or that it was acknowledged). */
function connect(url: string, connectionParams: Record<string, unknown> | undefined, lazy = false) {
  return new Promise<{ acked: boolean; closeCode?: number }>((resolve) => {
    const client = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      lazy,
      retryAttempts: 0,
      connectionParams,
      on: {
        connected: () => {
          resolve({ acked: true });
          void client.dispose();
        },
        closed: (event) => resolve({ acked: false, closeCode: (event as { code: number }).code }),
      },
      onNonLazyError: () => undefined,
    });
  });
}

describe('the HTTP and WebSocket server', () => {
  let db: TestDatabase;
  let server: RunningServer;
  let token: string;
  const bus = new TopicBus(new PubSub());
  const jobs = createInProcessQueue();

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    server = await startServer(
      {
        db,
        services: localServiceDeps({
          prisma: db.prisma,
          logger: pino({ level: 'silent' }),
          settings: testSettings,
          realtime: new RealtimePublisher(bus, pino({ level: 'silent' })),
          jobs,
        }),
        bus,
      },
      { port: 0, host: '127.0.0.1', connectionInitTimeoutMs: 300 },
    );
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `mutation { signUp(input: { email: "ws@example.test", password: "correct-horse-battery", name: "WS" }) { token } }`,
      }),
    });
    token = ((await response.json()) as { data: { signUp: { token: string } } }).data.signUp.token;
  });
  afterAll(async () => {
    await server?.stop();
    await jobs.close();
    await db?.drop();
  });

  it('answers health, readiness and GraphiQL on one port', async () => {
    const base = server.url.replace('/graphql', '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const graphiql = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(graphiql.status).toBe(200);
    expect(await graphiql.text()).toContain('GraphiQL');
  });

  it('serves queries over HTTP with the bearer token', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: VIEWER }),
    });
    expect(await response.json()).toEqual({ data: { viewer: { user: { email: 'ws@example.test' } } } });
  });

  it('acknowledges a graphql-ws connection with a valid token and runs operations on it', async () => {
    expect(await connect(server.url, { authorization: `Bearer ${token}` })).toEqual({ acked: true });
    const client = createClient({
      url: server.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    const result = await new Promise((resolve, reject) => {
      let value: unknown;
      client.subscribe(
        { query: VIEWER },
        { next: (v) => (value = v), error: reject, complete: () => resolve(value) },
      );
    });
    await client.dispose();
    expect(result).toEqual({ data: { viewer: { user: { email: 'ws@example.test' } } } });
  });

  it('closes a graphql-ws connection with 4403 on a bad credential or none', async () => {
    expect(await connect(server.url, { authorization: 'Bearer cis_nope' })).toEqual({
      acked: false,
      closeCode: 4403,
    });
    expect(await connect(server.url, { apiKey: 'cik_broken' })).toEqual({ acked: false, closeCode: 4403 });
    expect(await connect(server.url, {})).toEqual({ acked: false, closeCode: 4403 });
  });

  it('closes with 4408 when connection_init never comes', async () => {
    const socket = new WebSocket(server.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const code = await new Promise<number>((resolve) =>
      socket.on('close', (closeCode) => resolve(closeCode)),
    );
    expect(code).toBe(4408);
  });
});

describe('error masking', () => {
  it('masks unexpected errors for clients and logs them with their stack', () => {
    const logged: unknown[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
    const masked = createErrorMasker(logger)(new Error('database password is hunter2'));
    expect(masked.message).toBe('Unexpected error.');
    expect(JSON.stringify(masked)).not.toContain('hunter2');
    expect(logged).toHaveLength(1);
    expect(JSON.stringify(logged[0])).toContain('hunter2');
    expect((logged[0] as { err: { stack: string } }).err.stack).toMatch(/at /);
  });
});

describe('the process', () => {
  it('starts on the embedded default with a demo workspace and stops cleanly on SIGTERM', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ci-start-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        DATABASE_URL: '',
        REDIS_URL: '',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start within 60 s:\n${output}`)), 60_000);
        // The banner is written after the ready line, possibly in a later chunk: wait for both.
        child.stdout.on('data', () => {
          const match = /"url":"([^"]+)","msg":"GraphQL API and GraphiQL ready"/.exec(output);
          if (match && output.includes('Demo login:')) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
      });
      expect(output).toContain('demo@example.com');
      const login = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `mutation { logIn(input: { email: "demo@example.com", password: "demo-password-1" }) { user { name } } }`,
        }),
      });
      expect(await login.json()).toEqual({ data: { logIn: { user: { name: 'Demo Owner' } } } });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output).toContain('"msg":"stopped"');
    } finally {
      child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('variables that do not fit their types', () => {
  it('answer BAD_USER_INPUT with graphql-js message, not a masked error', () => {
    const masker = createErrorMasker(pino({ level: 'silent' }));
    const coercion = new GraphQLError(
      'Variable "$input" got invalid value "x" at "input.channel"; Value "x" does not exist in "Channel" enum.',
      {
        originalError: new TypeError('inner'),
      },
    );
    const masked = masker(coercion) as GraphQLError;
    expect(masked.extensions.code).toBe('BAD_USER_INPUT');
    expect(masked.message).toContain('does not exist in "Channel" enum');
  });
});
