// GET /metrics in Prometheus text format, on the api's port (before the GraphQL app) and on a worker's small
// listener. With METRICS_TOKEN set a scrape needs `Authorization: Bearer <token>`; in production without a
// token the endpoint is off (404), so that a public port never shows the process's figures by accident.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Metrics } from './metrics.js';

export const METRICS_PATH = '/metrics';

export interface MetricsAccess {
  metrics: Metrics;
  /** Bearer token a scrape must present; none: open (development) or off (`enabled: false`). */
  token: string | undefined;
  enabled: boolean;
}

export function withMetricsEndpoint(handler: RequestListener, access: MetricsAccess): RequestListener {
  return (request, response) => {
    if (pathOf(request) !== METRICS_PATH || !access.enabled) return handler(request, response);
    void serveMetrics(request, response, access);
  };
}

export async function serveMetrics(
  request: IncomingMessage,
  response: ServerResponse,
  access: MetricsAccess,
): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (access.token && !bearerMatches(request.headers.authorization, access.token)) {
    response.writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"' }).end();
    return;
  }
  try {
    const body = await access.metrics.render();
    response.writeHead(200, { 'content-type': access.metrics.contentType, 'cache-control': 'no-store' });
    response.end(request.method === 'HEAD' ? undefined : body);
  } catch {
    response.writeHead(500).end();
  }
}

export function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** Compares in constant time, so the answer's timing says nothing about the token. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
