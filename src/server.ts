import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import type { ServerOptions as WsServerOptions } from 'graphql-ws';
import { WebSocketServer } from 'ws';
import type { Actor } from './auth/actor.js';
import { withConsole } from './console-assets.js';
import { withExportDownloads } from './export-downloads.js';
import { withMetricsEndpoint, type MetricsAccess } from './observability/metrics-endpoint.js';
import { QueryScope } from './db/query-cancellation.js';
import { bindGraphQLWs } from './graphql/websocket-binding.js';
import type { SubscriptionGroups } from './graphql/subscription-groups.js';
import { addressOfRequest } from './protection/client-address.js';
import {
  credentialsFromConnectionParams,
  createGraphQLApi,
  resolveApiOptions,
  type AppDeps,
  type Yoga,
} from './graphql/yoga.js';

/** graphql-ws waits this long for `connection_init` before closing with 4408. */
export const CONNECTION_INIT_TIMEOUT_MS = 10_000;

export interface RunningServer {
  yoga: Yoga;
  /** The live subscriptions, grouped by what they compute (for metrics and tests). */
  subscriptionGroups: SubscriptionGroups;
  /** From now on /readyz answers 503 (the load balancer takes the process out); requests are still served. */
  drain(): void;
  /** graphql-ws connections open now. */
  openSockets(): number;
  http: Server;
  url: string;
  stop(): Promise<void>;
}

type Executor = NonNullable<WsServerOptions['execute']>;
/** What a socket keeps: its caller's address, its id, and who connection_init authenticated, when. */
interface SocketState {
  clientAddress: string;
  /** The upgrade request's x-request-id (or a new one); each message is `<it>:<n>` in the logs. */
  requestId: string;
  messages: number;
  authenticated?: { actor: Actor; at: number };
}
interface EnvelopedRoot {
  execute: Executor;
  subscribe: Executor;
}

/** HTTP (queries, mutations, SSE) and graphql-ws on one port and one path. */
export interface ServerOptions {
  port: number;
  host?: string;
  connectionInitTimeoutMs?: number;
  /** GET /metrics on this port (src/observability/metrics-endpoint.ts); none: 404. */
  metrics?: MetricsAccess;
}

/**
 * Each request's SQL runs in a QueryScope: when the client goes away before the answer, or the answer has
 * not started within `timeoutMs`, its statements still running in Postgres are cancelled (the caller then
 * gets TIMEOUT, or nobody gets anything). A streaming answer (SSE) has started, so only a disconnect ends it.
 */
export function withQueryScopes(handler: RequestListener, timeoutMs: number): RequestListener {
  return (request: IncomingMessage, response: ServerResponse) => {
    const requestId = requestIdOf(request);
    response.setHeader('x-request-id', requestId);
    const scope = new QueryScope(requestId);
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            if (!response.headersSent) scope.cancel();
          }, timeoutMs).unref()
        : undefined;
    response.on('close', () => {
      clearTimeout(timer);
      if (response.writableFinished) scope.close();
      else scope.cancel();
    });
    scope.run(() => handler(request, response));
  };
}

/** A caller's (or its load balancer's) x-request-id when it is a sane token, otherwise a new one. */
const REQUEST_ID = /^[\w.:@/+=-]{1,128}$/;
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

export async function startServer(deps: AppDeps, options: ServerOptions): Promise<RunningServer> {
  let draining = false;
  const notDraining = async () => {
    if (draining) throw new Error('draining for shutdown');
  };
  const { yoga, authenticator, credentialWatch, failureLog, subscriptionGroups } = createGraphQLApi({
    ...deps,
    readinessChecks: [notDraining, ...(deps.readinessChecks ?? [])],
  });
  const api = resolveApiOptions(deps.api);
  await credentialWatch.start();
  // The agent console at /console (and / redirects there), export downloads at /exports/<id>/download;
  // everything else is the GraphQL app.
  const app = withQueryScopes(
    withExportDownloads(withConsole(yoga), {
      authenticator,
      services: deps.services,
      logger: deps.services.logger,
      trustProxyHops: api.trustProxyHops,
    }),
    api.requestTimeoutMs,
  );
  const http = createServer(options.metrics ? withMetricsEndpoint(app, options.metrics) : app);
  const wsServer = new WebSocketServer({ server: http, path: yoga.graphqlEndpoint });

  const wsCleanup = bindGraphQLWs<SocketState>(
    {
      connectionInitWaitTimeout: options.connectionInitTimeoutMs ?? CONNECTION_INIT_TIMEOUT_MS,
      // A bad credential closes the socket with 4403 Forbidden (graphql-ws does so on `false`).
      onConnect: async (ctx) => {
        try {
          const actor = await authenticator.actorFor(
            credentialsFromConnectionParams(ctx.connectionParams),
            ctx.extra.taken.clientAddress,
          );
          ctx.extra.taken.authenticated = { actor, at: Date.now() };
          return actor.isAuthenticated;
        } catch {
          return false;
        }
      },
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onSubscribe: async (ctx, id, payload) => {
        // A limit per connection, so one client cannot pile up unbounded listeners.
        const active = ctx.subscriptions;
        const limit = deps.services.settings.maxSubscriptionsPerConnection;
        // graphql-ws has already reserved this id among the connection's subscriptions.
        if (Object.keys(active).filter((key) => key !== id).length >= limit) {
          return [
            new GraphQLError(`At most ${limit} subscriptions per connection; open another connection.`, {
              extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' },
            }),
          ];
        }
        // Only what the context needs: the operation's context must not hold the socket's state.
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          connectionParams: ctx.connectionParams,
          clientAddress: ctx.extra.taken.clientAddress,
          params: payload,
          connectionActor: ctx.extra.taken.authenticated,
        });
        // As over HTTP: parse and validate (with the operation limits) before the context, so that a
        // refused operation costs no authentication and no SQL.
        let document;
        try {
          document = parse(payload.query);
          const errors = validate(schema, document);
          if (errors.length) return errors.map(withoutHttp);
        } catch (error) {
          if (error instanceof GraphQLError) return [withoutHttp(error)];
          throw error;
        }
        let contextValue;
        try {
          contextValue = await contextFactory({ connectionParams: ctx.connectionParams });
        } catch (error) {
          // Refused credentials or a rate limit: an error for this operation, the socket stays open.
          if (error instanceof GraphQLError) return [withoutHttp(error)];
          throw error;
        }
        return {
          schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue,
          rootValue: { execute, subscribe } satisfies EnvelopedRoot,
        } satisfies ExecutionArgs;
      },
    },
    wsServer,
    (request) => ({
      clientAddress: addressOfRequest(request, api.trustProxyHops),
      requestId: requestIdOf(request),
      messages: 0,
    }),
    undefined,
    // Each message (connection_init, subscribe, …) is a request of its own in the logs.
    (state, handle) => new QueryScope(`${state.requestId}:${++state.messages}`).run(handle),
  );

  await new Promise<void>((resolve) => http.listen(options.port, options.host, resolve));
  const address = http.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}${yoga.graphqlEndpoint}`;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await wsCleanup.dispose();
      wsServer.close();
      await credentialWatch.stop();
      // What the refusals of the last window added up to, before the process goes.
      failureLog.flush();
      // Stop accepting, let requests in flight finish, then drop idle keep-alive sockets.
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      await closed;
    })();
    return stopping;
  };

  return {
    yoga,
    subscriptionGroups,
    http,
    url,
    drain: () => (draining = true),
    openSockets: () => wsServer.clients.size,
    stop,
  };
}

/** `extensions.http` tells Yoga the HTTP status; a WebSocket message has none, so it is left out. */
function withoutHttp(error: GraphQLError): GraphQLError {
  if (!error.extensions.http) return error;
  const { http: _http, ...extensions } = error.extensions;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    positions: error.positions,
    path: error.path,
    extensions,
  });
}
