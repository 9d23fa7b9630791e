// Baseline of the subscriptions scenario: a plain `ws` server (and plain SSE) that subscribes to one Redis
// channel and broadcasts, for every event published there, a prepared JSON result to all its sockets.
// It speaks just enough graphql-transport-ws (connection_init → connection_ack, subscribe, complete,
// ping/pong) and GraphQL-over-SSE (POST with Accept: text/event-stream, `event: next` frames) for the same
// client code to read it and the platform; it checks no credentials and runs no GraphQL.
//
// Env: PORT, HOST, REDIS_URL, CHANNEL (the Redis channel), RESULTS (a JSON file: the event's `messageId` →
// the ExecutionResult JSON text to send, e.g. what the platform delivered for that message).
// GET /healthz answers 200 once Redis has acknowledged the SUBSCRIBE.
import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { Redis } from 'ioredis';
import { WebSocketServer, type WebSocket } from 'ws';

const port = Number(process.env.PORT ?? 4100);
const host = process.env.HOST ?? '127.0.0.1';
const channel = process.env.CHANNEL;
const resultsFile = process.env.RESULTS;
if (!channel || !resultsFile) throw new Error('ws-broadcast: set CHANNEL and RESULTS');
const results = new Map(
  Object.entries(JSON.parse(readFileSync(resultsFile, 'utf8')) as Record<string, string>),
);

/** Per socket: the ids of its graphql-ws subscriptions. */
const sockets = new Map<WebSocket, Set<string>>();
const streams = new Set<ServerResponse>();
let subscribed = false;

const http = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(subscribed ? 200 : 503).end();
    return;
  }
  if (req.method === 'POST' && req.url === '/graphql' && req.headers.accept?.includes('text/event-stream')) {
    req.resume();
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      connection: 'keep-alive',
      'cache-control': 'no-cache',
    });
    res.write(':\n\n');
    streams.add(res);
    res.on('close', () => streams.delete(res));
    return;
  }
  res.writeHead(404).end();
});

const wsServer = new WebSocketServer({ server: http, path: '/graphql' });
wsServer.on('connection', (socket) => {
  socket.on('message', (data) => {
    let message: { type?: string; id?: string };
    try {
      message = JSON.parse(String(data)) as { type?: string; id?: string };
    } catch {
      socket.close(4400, 'Invalid message received');
      return;
    }
    switch (message.type) {
      case 'connection_init':
        sockets.set(socket, new Set());
        socket.send('{"type":"connection_ack"}');
        break;
      case 'ping':
        socket.send('{"type":"pong"}');
        break;
      case 'subscribe':
        if (typeof message.id === 'string') sockets.get(socket)?.add(message.id);
        break;
      case 'complete':
        if (typeof message.id === 'string') sockets.get(socket)?.delete(message.id);
        break;
    }
  });
  socket.on('close', () => sockets.delete(socket));
});

// Like the platform's SSE responses: a comment every 12 s keeps idle streams open through proxies.
setInterval(() => {
  for (const res of streams) res.write(':\n\n');
}, 12_000).unref();

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
redis.on('message', (_channel: string, text: string) => {
  const event = JSON.parse(text) as { messageId?: string };
  const result = event.messageId === undefined ? undefined : results.get(event.messageId);
  if (result === undefined) return;
  for (const [socket, ids] of sockets) {
    for (const id of ids) socket.send(`{"id":${JSON.stringify(id)},"type":"next","payload":${result}}`);
  }
  if (streams.size) {
    const frame = `event: next\ndata: ${result}\n\n`;
    for (const res of streams) res.write(frame);
  }
});
await redis.subscribe(channel);
subscribed = true;
http.listen(port, host);

const stop = () => {
  for (const socket of sockets.keys()) socket.terminate();
  for (const res of streams) res.destroy();
  wsServer.close();
  http.close();
  redis.disconnect();
  setTimeout(() => process.exit(0), 200).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
