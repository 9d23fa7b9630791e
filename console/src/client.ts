// The console's GraphQL client: urql over HTTP (/graphql, same origin) for queries and mutations, and
// graphql-ws on the same path for the live subscriptions, both with the session token.
import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from 'urql';
import { createClient as createSocket, type Client as SocketClient } from 'graphql-ws';

export type SocketStatus = 'connecting' | 'live' | 'offline';

export interface ConsoleClient {
  urql: Client;
  /** Current socket state, and a way to hear about its changes (returns the unsubscribe). */
  status(): SocketStatus;
  onStatus(listener: (status: SocketStatus) => void): () => void;
  /** GET a same-origin path with the session's Authorization: an export's CSV is only its requester's. */
  fetchWithSession(path: string): Promise<Response>;
  dispose(): void;
}

/** graphql-ws closes with 4403 when the connection_init credentials are refused. */
const FORBIDDEN_CLOSE = 4403;

export const GRAPHQL_PATH = '/graphql';

export function socketUrl(location: Location = window.location): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${GRAPHQL_PATH}`;
}

/**
 * A client for one session. `onUnauthenticated` runs when the server no longer accepts the token
 * (UNAUTHENTICATED on a request, or the socket refused), so the app can ask to sign in again.
 */
export function createConsoleClient(token: string | null, onUnauthenticated: () => void): ConsoleClient {
  let status: SocketStatus = 'connecting';
  const listeners = new Set<(status: SocketStatus) => void>();
  const setStatus = (next: SocketStatus) => {
    status = next;
    for (const listener of listeners) listener(next);
  };

  // Made on the first subscription, and again after a dispose (React may unmount and mount again).
  let socket: SocketClient | null = null;
  const openSocket = (authorization: string): SocketClient =>
    (socket ??= createSocket({
      url: socketUrl(),
      // The shape src/graphql/yoga.ts credentialsFromConnectionParams reads.
      connectionParams: { authorization },
      lazy: true,
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: (event) => !(isCloseEvent(event) && event.code === FORBIDDEN_CLOSE),
      on: {
        connecting: () => setStatus('connecting'),
        connected: () => setStatus('live'),
        closed: (event) => {
          setStatus('offline');
          if (isCloseEvent(event) && event.code === FORBIDDEN_CLOSE) onUnauthenticated();
        },
      },
    }));

  const urql = new Client({
    url: GRAPHQL_PATH,
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
    fetchOptions: (): RequestInit => (token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    exchanges: [
      mapExchange({
        onError(error) {
          const expired = error.graphQLErrors.some((e) => e.extensions.code === 'UNAUTHENTICATED');
          if (expired && token) onUnauthenticated();
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              if (!token) {
                sink.error(new Error('Sign in to receive live updates.'));
                return { unsubscribe: () => undefined };
              }
              return { unsubscribe: openSocket(`Bearer ${token}`).subscribe(input, sink) };
            },
          };
        },
      }),
    ],
  });

  return {
    urql,
    status: () => status,
    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    fetchWithSession: (path) => fetch(path, token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    dispose() {
      void socket?.dispose();
      socket = null;
    },
  };
}

function isCloseEvent(event: unknown): event is { code: number } {
  return (
    typeof event === 'object' && event !== null && typeof (event as { code?: unknown }).code === 'number'
  );
}
