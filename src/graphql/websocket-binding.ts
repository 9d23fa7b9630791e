import type { IncomingMessage } from 'node:http';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';

/** What each socket keeps for the server's callbacks: not the upgrade request, only what was taken from it. */
export interface SocketExtra<Taken> {
  socket: WebSocket;
  /** What `take` extracted from the upgrade request (the caller's address): the request itself is let go. */
  taken: Taken;
}

/** A ping this often; a socket that has not answered the previous one by then is terminated. */
export const KEEP_ALIVE_MS = 12_000;
/** Sockets are pinged in this many turns per period, so ten thousand sockets are not pinged in one tick. */
const KEEP_ALIVE_TURNS = 60;

/**
 * graphql-ws on a `ws` server, like graphql-ws's own `useServer`, with less kept per socket, because an api
 * process holds tens of thousands of them: one keep-alive timer for all sockets (each socket has its turn
 * once per period, the turns spread over it) instead of an interval and a timeout each, and what the
 * callbacks need from the upgrade request (the address) extracted once, so the request and its headers are
 * not held for the life of the socket.
 */
export function bindGraphQLWs<Taken>(
  options: ServerOptions<Record<string, unknown> | undefined, SocketExtra<Taken>>,
  wsServer: WebSocketServer,
  take: (request: IncomingMessage) => Taken,
  keepAliveMs = KEEP_ALIVE_MS,
  /** Surrounds the handling of each message (the server runs it in a request scope with its own id). */
  aroundMessage: (taken: Taken, handle: () => Promise<void>) => Promise<void> = (_taken, handle) => handle(),
): { dispose(): Promise<void> } {
  const server = makeServer(options);
  wsServer.options.handleProtocols = handleProtocols;
  const unanswered = new WeakSet<WebSocket>();
  const turns = Array.from({ length: KEEP_ALIVE_TURNS }, () => new Set<WebSocket>());
  let nextTurn = 0;
  let tick = 0;
  const keepAlive =
    keepAliveMs > 0
      ? setInterval(
          () => {
            for (const socket of turns[tick++ % KEEP_ALIVE_TURNS]!) {
              if (unanswered.has(socket)) {
                socket.terminate();
                continue;
              }
              unanswered.add(socket);
              socket.ping();
            }
          },
          Math.max(1, Math.floor(keepAliveMs / KEEP_ALIVE_TURNS)),
        ).unref()
      : undefined;

  wsServer.on('connection', (socket, request) => {
    const turn = turns[nextTurn++ % KEEP_ALIVE_TURNS]!;
    turn.add(socket);
    socket.on('pong', () => unanswered.delete(socket));
    socket.once('error', () => socket.close(CloseCode.InternalServerError, 'Internal server error'));
    const taken = take(request);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', (data) => {
            aroundMessage(taken, () => handle(String(data))).catch(() =>
              socket.close(CloseCode.InternalServerError, 'Internal server error'),
            );
          }),
      },
      { socket, taken },
    );
    socket.once('close', (code, reason) => {
      turn.delete(socket);
      void closed(code, String(reason));
    });
  });

  return {
    async dispose() {
      clearInterval(keepAlive);
      for (const client of wsServer.clients) client.close(1001, 'Going away');
      wsServer.removeAllListeners();
      await new Promise<void>((resolve, reject) =>
        wsServer.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
