import { createClient, type Client } from 'graphql-ws';
import { pino } from 'pino';
import WebSocket from 'ws';
import { createInProcessQueue } from '../../src/jobs/in-process-queue.js';
import { createPubSub, type PubSubHandle } from '../../src/realtime/pubsub.js';
import { RealtimePublisher } from '../../src/realtime/publisher.js';
import { localServiceDeps } from '../../src/local-services.js';
import { startServer, type RunningServer } from '../../src/server.js';
import type { ServiceSettings } from '../../src/services/deps.js';
import type { Database } from '../../src/db/database.js';
import type { ApiOptions } from '../../src/config.js';
import type { RateLimits } from '../../src/protection/rate-limits.js';
import { testSettings, type GraphQLResponse } from './app.js';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface LiveServer {
  server: RunningServer;
  pubsub: PubSubHandle;
  realtime: RealtimePublisher;
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    auth?: { token?: string; apiKey?: string },
  ): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

/** A listening server on a random port over the given database, with Redis pub/sub (or in-process). */
export async function startLiveServer(
  db: Database,
  options: {
    redis?: boolean;
    settings?: Partial<ServiceSettings>;
    api?: Partial<ApiOptions>;
    rateLimits?: RateLimits;
  } = {},
): Promise<LiveServer> {
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const pubsub = createPubSub(options.redis === false ? undefined : REDIS_URL);
  const realtime = new RealtimePublisher(pubsub.bus, logger);
  const jobs = createInProcessQueue({ logger });
  const server = await startServer(
    {
      db,
      services: localServiceDeps({
        prisma: db.prisma,
        logger,
        settings: { ...testSettings, ...options.settings },
        realtime,
        jobs,
        ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
      }),
      bus: pubsub.bus,
      ...(options.api ? { api: options.api } : {}),
    },
    { port: 0, host: '127.0.0.1', connectionInitTimeoutMs: 1000 },
  );
  return {
    server,
    pubsub,
    realtime,
    async gql(query, variables, auth) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (auth?.token) headers.authorization = `Bearer ${auth.token}`;
      if (auth?.apiKey) headers['x-api-key'] = auth.apiKey;
      const response = await fetch(server.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as never;
    },
    async stop() {
      await server.stop();
      await jobs.close();
      await pubsub.close();
    },
  };
}

export interface Subscription<T> {
  /** Results received so far (data only). */
  received: T[];
  errors: { message: string; extensions?: { code?: string } }[];
  /** Resolves once n results have arrived. */
  next(n?: number): Promise<T[]>;
  /** Resolves when the server completes or errors the subscription. */
  ended: Promise<void>;
  stop(): Promise<void>;
}

/** A real graphql-ws client subscribed to one operation. The server acknowledges before this resolves. */
export async function subscribe<T = Record<string, unknown>>(
  url: string,
  connectionParams: Record<string, unknown>,
  query: string,
  variables: Record<string, unknown> = {},
  client?: Client,
): Promise<Subscription<T>> {
  const ownClient =
    client ??
    createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams,
      retryAttempts: 0,
      lazy: false,
    });
  await new Promise<void>((resolve, reject) => {
    const offConnected = ownClient.on('connected', () => {
      offConnected();
      resolve();
    });
    ownClient.on('closed', (event) => reject(new Error(`closed ${(event as { code: number }).code}`)));
    if (client) resolve();
  });
  const received: T[] = [];
  const errors: Subscription<T>['errors'] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  let endResolve!: () => void;
  const ended = new Promise<void>((resolve) => (endResolve = resolve));
  const settle = () => {
    for (const waiter of [...waiters]) {
      if (received.length >= waiter.n) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const unsubscribe = ownClient.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        if (value.errors) errors.push(...(value.errors as never[]));
        if (value.data) received.push(value.data as T);
        settle();
      },
      error: (error) => {
        errors.push(...((Array.isArray(error) ? error : [{ message: String(error) }]) as never[]));
        endResolve();
      },
      complete: () => endResolve(),
    },
  );
  return {
    received,
    errors,
    ended,
    next: (n = received.length + 1) =>
      new Promise<T[]>((resolve) => {
        waiters.push({ n, resolve: () => resolve(received) });
        settle();
      }),
    async stop() {
      unsubscribe();
      if (!client) await ownClient.dispose();
    },
  };
}

/** Waits until the server listens to a topic that many times (the subscriptions are set up). */
export async function waitForListeners(live: LiveServer, topic: string, count: number, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (live.pubsub.bus.listeners(topic) < count) {
    if (Date.now() > deadline) {
      throw new Error(`only ${live.pubsub.bus.listeners(topic)} of ${count} listeners on ${topic}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Waits until a condition holds (polling), for effects that arrive asynchronously. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
