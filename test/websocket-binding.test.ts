// The graphql-ws binding keeps one keep-alive timer for all sockets: a socket that answers pings stays open,
// one that stops answering is terminated at the next round; and graphql-ws speaks through it as usual.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { GRAPHQL_TRANSPORT_WS_PROTOCOL } from 'graphql-ws';
import { bindGraphQLWs } from '../src/graphql/websocket-binding.js';
import { schema } from '../src/resolvers/schema.js';

describe('graphql-ws binding', () => {
  let http: Server;
  let binding: { dispose(): Promise<void> };
  let url: string;
  const addresses: string[] = [];

  beforeAll(async () => {
    http = createServer();
    const wsServer = new WebSocketServer({ server: http, path: '/graphql' });
    binding = bindGraphQLWs<string>(
      {
        schema,
        onConnect: (ctx) => {
          addresses.push(ctx.extra.taken);
          return true;
        },
      },
      wsServer,
      (request) => request.socket.remoteAddress ?? 'unknown',
      50,
    );
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    await binding?.dispose();
    await new Promise((resolve) => http?.close(resolve));
  });

  const open = (autoPong: boolean) =>
    new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(url, GRAPHQL_TRANSPORT_WS_PROTOCOL, { autoPong });
      socket.once('open', () => {
        socket.send(JSON.stringify({ type: 'connection_init' }));
        socket.once('message', (data) => {
          expect(JSON.parse(String(data))).toEqual({ type: 'connection_ack' });
          resolve(socket);
        });
      });
      socket.once('error', reject);
    });
  const closed = (socket: WebSocket) =>
    new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));

  it('acknowledges connection_init with what it took from the upgrade request', async () => {
    const socket = await open(true);
    expect(addresses.at(-1)).toBe('127.0.0.1');
    socket.close();
  });

  it('keeps a socket that answers pings, and terminates one that stops answering', async () => {
    const answering = await open(true);
    const silent = await open(false);
    let pings = 0;
    answering.on('ping', () => pings++);
    // 1006: the server dropped the connection without a close frame (terminate).
    expect(await closed(silent)).toBe(1006);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(pings).toBeGreaterThanOrEqual(2);
    expect(answering.readyState).toBe(WebSocket.OPEN);
    answering.close();
  });
});
