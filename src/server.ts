import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import type { ServerOptions as WsServerOptions } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { authenticate } from './auth/authenticate.js';
import { withConsole } from './console-assets.js';
import { credentialsFromConnectionParams, createYogaApp, type AppDeps, type Yoga } from './yoga.js';

/** graphql-ws waits this long for `connection_init` before closing with 4408. */
export const CONNECTION_INIT_TIMEOUT_MS = 10_000;

export interface RunningServer {
  yoga: Yoga;
  http: Server;
  url: string;
  stop(): Promise<void>;
}

type Executor = NonNullable<WsServerOptions['execute']>;
interface EnvelopedRoot {
  execute: Executor;
  subscribe: Executor;
}

/** HTTP (queries, mutations, SSE) and graphql-ws on one port and one path. */
export interface ServerOptions {
  port: number;
  host?: string;
  connectionInitTimeoutMs?: number;
}

export async function startServer(deps: AppDeps, options: ServerOptions): Promise<RunningServer> {
  const yoga = createYogaApp(deps);
  // The agent console at /console (and / redirects there); everything else is the GraphQL app.
  const http = createServer(withConsole(yoga));
  const wsServer = new WebSocketServer({ server: http, path: yoga.graphqlEndpoint });

  const wsCleanup = useServer(
    {
      connectionInitWaitTimeout: options.connectionInitTimeoutMs ?? CONNECTION_INIT_TIMEOUT_MS,
      // A bad credential closes the socket with 4403 Forbidden (graphql-ws does so on `false`).
      onConnect: async (ctx) => {
        try {
          const actor = await authenticate(
            deps.db.prisma,
            credentialsFromConnectionParams(ctx.connectionParams),
          );
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
        const limit = deps.settings.maxSubscriptionsPerConnection;
        // graphql-ws has already reserved this id among the connection's subscriptions.
        if (Object.keys(active).filter((key) => key !== id).length >= limit) {
          return [
            new GraphQLError(`At most ${limit} subscriptions per connection; open another connection.`, {
              extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' },
            }),
          ];
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
        });
        const args: ExecutionArgs = {
          schema,
          operationName: payload.operationName,
          document: parse(payload.query),
          variableValues: payload.variables,
          contextValue: await contextFactory({ connectionParams: ctx.connectionParams }),
          rootValue: { execute, subscribe } satisfies EnvelopedRoot,
        };
        const errors = validate(args.schema, args.document);
        return errors.length ? errors : args;
      },
    },
    wsServer,
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
      // Stop accepting, let requests in flight finish, then drop idle keep-alive sockets.
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      await closed;
    })();
    return stopping;
  };

  return { yoga, http, url, stop };
}
