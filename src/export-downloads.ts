// GET /exports/<id>/download?token=… on the api's port: an export's CSV streamed chunk by chunk from the
// database, for its requester only. The caller signs in as for /graphql (Authorization: Bearer <session>);
// the link's token (src/services/export-links.ts) is checked against that user. 401 without credentials,
// 404 for a wrong user, a tampered token or an export that is not there (the same answer, so nothing is
// learned), 410 once the link or the export has expired.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Authenticator } from './graphql/yoga.js';
import { DomainError } from './kernel/errors.js';
import type { Logger } from './kernel/logger.js';
import { addressOfRequest } from './protection/client-address.js';
import { UTF8_BOM } from './services/csv.js';
import type { ServiceDeps } from './services/deps.js';
import { EXPORT_DOWNLOAD_PREFIX, openExportDownload } from './services/export-links.js';

export interface ExportDownloadDeps {
  authenticator: Authenticator;
  services: Pick<ServiceDeps, 'prisma' | 'now'>;
  logger: Logger;
  trustProxyHops: number;
}

const DOWNLOAD_PATH = /^\/exports\/([^/]+)\/download$/;

export function withExportDownloads(handler: RequestListener, deps: ExportDownloadDeps): RequestListener {
  return (request, response) => {
    const url = request.url ?? '/';
    if (!url.startsWith(EXPORT_DOWNLOAD_PREFIX)) return handler(request, response);
    void serveExportDownload(request, response, deps).catch((error: unknown) => {
      deps.logger.error({ err: error }, 'export download failed');
      if (!response.headersSent) plain(response, 500, 'The download failed.\n');
      else response.destroy();
    });
  };
}

export async function serveExportDownload(
  request: IncomingMessage,
  response: ServerResponse,
  deps: ExportDownloadDeps,
): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return plain(response, 405, 'Method not allowed.\n', { allow: 'GET, HEAD' });
  }
  const url = new URL(request.url ?? '/', 'http://api.invalid');
  const match = DOWNLOAD_PATH.exec(url.pathname);
  if (!match) return plain(response, 404, 'Not found.\n');
  let actor;
  try {
    actor = await deps.authenticator.actorFor(
      { authorization: request.headers.authorization ?? null, apiKey: header(request, 'x-api-key') },
      addressOfRequest(request, deps.trustProxyHops),
    );
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return refused(response, error);
  }
  if (!actor.isAuthenticated) {
    return plain(response, 401, 'Sign in: send Authorization: Bearer <session token>.\n', {
      'www-authenticate': 'Bearer realm="exports"',
    });
  }
  const download = await openExportDownload(
    deps.services,
    actor,
    match[1]!,
    url.searchParams.get('token') ?? '',
  );
  if (download.status === 'not found') return plain(response, 404, 'Not found.\n');
  if (download.status === 'gone') return plain(response, 410, 'This export has expired; export again.\n');
  const stamp = download.createdAt.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  response.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${download.kind.toLowerCase()}-${stamp}.csv"`,
    'content-length': String(download.byteSize),
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
  });
  if (request.method === 'HEAD') return void response.end();
  response.write(UTF8_BOM);
  for await (const chunk of download.chunks()) {
    if (response.destroyed) return;
    // Backpressure: a slow client holds one chunk in memory, not the file.
    if (!response.write(chunk)) await drained(response);
  }
  response.end();
}

/** Resolves when the response can take more, or is gone (its listeners removed either way). */
function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

function header(request: IncomingMessage, name: string): string | null {
  const value = request.headers[name];
  return typeof value === 'string' ? value : null;
}

function refused(response: ServerResponse, error: DomainError): void {
  if (error.code === 'RATE_LIMITED') {
    return plain(response, 429, 'Too many refused credentials; try later.\n', {
      'retry-after': String(error.retryAfterSeconds ?? 60),
    });
  }
  if (error.code === 'SERVICE_UNAVAILABLE') return plain(response, 503, 'Briefly unavailable; retry.\n');
  return plain(response, 401, 'Sign in again.\n', { 'www-authenticate': 'Bearer realm="exports"' });
}

function plain(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(body);
}
