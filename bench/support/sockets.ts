import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import type { FormattedExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** Called for every result a subscription receives, with the receiving time (performance.now()). */
export type OnResult = (subscription: number, result: FormattedExecutionResult, at: number) => void;

export interface SubscriberPool {
  /** Subscriptions open (connections × subscriptions per connection). */
  subscriptions: number;
  /** Errors, unexpected completions and closes seen so far, for the scenario to check. */
  failures: string[];
  close(): Promise<void>;
}

/**
 * Runs `open(i)` for i in 0..count-1, at most `concurrency` at a time; on the first failure it stops
 * starting new ones, waits for those in flight and throws.
 */
async function bounded(
  count: number,
  concurrency: number,
  open: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < count) {
      const i = next++;
      try {
        await open(i);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  if (failure !== undefined) throw failure;
}

const withTimeout = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
};

/**
 * `connections` graphql-ws clients (the `ws` package underneath, lazy: false, no retries), each with
 * `subscriptionsPerConnection` subscriptions of the same operation, opened at most `concurrency` at a time.
 * Resolves once every socket is acknowledged (connection_ack) and every subscribe message sent; that the
 * server listens is for the caller to confirm (by delivering an event).
 */
export async function openWsSubscribers(input: {
  url: string;
  connections: number;
  subscriptionsPerConnection?: number;
  connectionParams: (connection: number) => Record<string, unknown>;
  query: string;
  variables: Record<string, unknown>;
  concurrency?: number;
  timeoutMs?: number;
  onResult: OnResult;
}): Promise<SubscriberPool> {
  const perConnection = input.subscriptionsPerConnection ?? 1;
  const clients: Client[] = [];
  const failures: string[] = [];
  let closing = false;
  const fail = (what: string) => {
    if (!closing && failures.length < 100) failures.push(what);
  };
  const pool: SubscriberPool = {
    subscriptions: input.connections * perConnection,
    failures,
    async close() {
      closing = true;
      await Promise.allSettled(clients.map((client) => client.dispose()));
    },
  };
  try {
    await bounded(input.connections, input.concurrency ?? 100, async (connection) => {
      let acknowledged!: () => void;
      let refused!: (error: Error) => void;
      const ready = new Promise<void>((resolve, reject) => {
        acknowledged = resolve;
        refused = reject;
      });
      const client = createClient({
        url: input.url,
        webSocketImpl: WebSocket,
        lazy: false,
        retryAttempts: 0,
        connectionParams: input.connectionParams(connection),
        onNonLazyError: (error) => {
          fail(`connection ${connection}: ${String(error)}`);
          refused(new Error(`graphql-ws connection ${connection} failed: ${describe(error)}`));
        },
        on: {
          connected: () => acknowledged(),
          closed: (event) => {
            fail(`connection ${connection} closed: ${describe(event)}`);
            refused(new Error(`graphql-ws connection ${connection} closed: ${describe(event)}`));
          },
        },
      });
      clients.push(client);
      for (let s = 0; s < perConnection; s++) {
        const subscription = connection * perConnection + s;
        client.subscribe(
          { query: input.query, variables: input.variables },
          {
            next: (result) =>
              input.onResult(subscription, result as FormattedExecutionResult, performance.now()),
            error: (error) => fail(`subscription ${subscription}: ${describe(error)}`),
            complete: () => fail(`subscription ${subscription} completed`),
          },
        );
      }
      await withTimeout(ready, input.timeoutMs ?? 30_000, `graphql-ws connection ${connection}`);
    });
  } catch (error) {
    await pool.close();
    throw error;
  }
  return pool;
}

/**
 * `count` GraphQL-over-SSE streams (distinct connections mode: one POST with `Accept: text/event-stream`
 * per subscription, as graphql-sse's client does by default), over plain node:http so the same client reads
 * ours and the baseline. Resolves once every response's headers have arrived.
 */
export async function openSseSubscribers(input: {
  url: string;
  count: number;
  headers: Record<string, string>;
  query: string;
  variables: Record<string, unknown>;
  concurrency?: number;
  timeoutMs?: number;
  onResult: OnResult;
}): Promise<SubscriberPool> {
  const requests: ClientRequest[] = [];
  const failures: string[] = [];
  let closing = false;
  const fail = (what: string) => {
    if (!closing && failures.length < 100) failures.push(what);
  };
  const pool: SubscriberPool = {
    subscriptions: input.count,
    failures,
    async close() {
      closing = true;
      for (const req of requests) req.destroy();
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
  const body = JSON.stringify({ query: input.query, variables: input.variables });
  try {
    await bounded(input.count, input.concurrency ?? 100, (subscription) => {
      const opened = new Promise<IncomingMessage>((resolve, reject) => {
        const req = request(input.url, {
          method: 'POST',
          agent: false,
          headers: {
            'content-type': 'application/json',
            accept: 'text/event-stream',
            'content-length': Buffer.byteLength(body),
            ...input.headers,
          },
        });
        requests.push(req);
        req.on('response', (response) => {
          if (response.statusCode !== 200) {
            reject(new Error(`SSE stream ${subscription}: HTTP ${response.statusCode}`));
            response.resume();
            return;
          }
          resolve(response);
        });
        req.on('error', (error) => {
          fail(`SSE stream ${subscription}: ${error.message}`);
          reject(error);
        });
        req.end(body);
      });
      return withTimeout(opened, input.timeoutMs ?? 30_000, `SSE stream ${subscription}`).then((response) => {
        response.setEncoding('utf8');
        let buffered = '';
        response.on('data', (chunk: string) => {
          const at = performance.now();
          buffered += chunk;
          for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
            const event = buffered.slice(0, end);
            buffered = buffered.slice(end + 2);
            readSseEvent(event, subscription, at, input.onResult, fail);
          }
        });
        response.on('end', () => fail(`SSE stream ${subscription} ended`));
        response.on('error', (error) => fail(`SSE stream ${subscription}: ${error.message}`));
      });
    });
  } catch (error) {
    await pool.close();
    throw error;
  }
  return pool;
}

function readSseEvent(
  event: string,
  subscription: number,
  at: number,
  onResult: OnResult,
  fail: (what: string) => void,
): void {
  let type = 'message';
  let data = '';
  for (const line of event.split('\n')) {
    if (line.startsWith('event:')) type = line.slice(6).trim();
    else if (line.startsWith('data:')) data += line.slice(5).trimStart();
  }
  if (type === 'next' && data) onResult(subscription, JSON.parse(data) as FormattedExecutionResult, at);
  else if (type === 'complete') fail(`SSE stream ${subscription} completed`);
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (Array.isArray(value)) return JSON.stringify(value).slice(0, 300);
  if (value && typeof value === 'object' && 'code' in value) {
    const { code, reason } = value as { code: unknown; reason?: unknown };
    return `code ${String(code)}${reason ? ` (${String(reason)})` : ''}`;
  }
  return String(value);
}
