// ROLE=worker serves no GraphQL, but it is a process to watch and to check: a small HTTP listener on PORT
// with /metrics, /healthz (the process is up) and /readyz (Postgres and Redis answer; 503 once it drains).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathOf, serveMetrics, type MetricsAccess } from './metrics-endpoint.js';

export interface WorkerListener {
  url: string;
  /** From now on /readyz answers 503. */
  drain(): void;
  stop(): Promise<void>;
}

export async function startWorkerListener(options: {
  port: number;
  host?: string;
  metrics: MetricsAccess;
  readinessChecks: (() => Promise<unknown>)[];
  timeoutMs?: number;
}): Promise<WorkerListener> {
  let draining = false;
  const server: Server = createServer((request, response) => {
    const path = pathOf(request);
    if (path === '/metrics' && options.metrics.enabled)
      return void serveMetrics(request, response, options.metrics);
    if (path === '/healthz') return void response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    if (path === '/readyz') {
      void ready(options.readinessChecks, draining, options.timeoutMs ?? 3000).then((ok) =>
        response.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ready' : 'not ready'),
      );
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`,
    drain: () => (draining = true),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function ready(
  checks: (() => Promise<unknown>)[],
  draining: boolean,
  timeoutMs: number,
): Promise<boolean> {
  if (draining) return false;
  try {
    await Promise.all(
      checks.map((check) =>
        Promise.race([
          check(),
          new Promise((_resolve, reject) =>
            setTimeout(() => reject(new Error('timeout')), timeoutMs).unref(),
          ),
        ]),
      ),
    );
    return true;
  } catch {
    return false;
  }
}
