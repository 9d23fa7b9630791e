// The agent console (console/, built by Vite to console/dist) served by the API's own HTTP server at
// /console, so that the page and /graphql share one origin.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the console is served from; Vite builds it with the same base. */
export const CONSOLE_PATH = '/console';

/** console/dist next to src/ (tsx) or dist/ (the compiled server): both are one level below the root. */
export const DEFAULT_CONSOLE_DIST = fileURLToPath(new URL('../console/dist/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** Vite names the files under assets/ by their content hash: they never change, so they may be cached. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html (and unhashed files) are checked again on every visit, so a new build shows at once. */
const REVALIDATE = 'no-cache';

export const NOT_BUILT_HINT = 'The agent console is not built: run `npm run console:build`.\n';

/** True for /console and everything below it (not /consoles). */
export function isConsolePath(pathname: string): boolean {
  return pathname === CONSOLE_PATH || pathname.startsWith(`${CONSOLE_PATH}/`);
}

/**
 * Serves the built console: files as they are, index.html for any other path below /console (the app's
 * own routes), 404 for a missing file under assets/, 503 with a hint when the console is not built.
 */
export async function serveConsole(
  request: IncomingMessage,
  response: ServerResponse,
  root: string = DEFAULT_CONSOLE_DIST,
): Promise<void> {
  const send = (status: number, body: string, headers: Record<string, string> = {}) => {
    response.writeHead(status, {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      ...headers,
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  };

  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return send(405, 'Method not allowed.\n', { allow: 'GET, HEAD' });
  }
  // The URL parser resolves dot segments (also %2e%2e): what is left must still be below /console.
  const pathname = new URL(request.url ?? '/', 'http://console.invalid').pathname;
  if (!isConsolePath(pathname)) return send(404, 'Not found.\n');
  let relative: string;
  try {
    relative = decodeURIComponent(pathname.slice(CONSOLE_PATH.length)).replace(/^\/+/, '');
  } catch {
    return send(400, 'Bad request.\n');
  }
  const base = path.resolve(root);
  const file = path.resolve(base, relative);
  // No way out of the folder: not with "..", encoded slashes, absolute paths or NUL bytes.
  if (relative.includes('\0') || (file !== base && !file.startsWith(base + path.sep))) {
    return send(404, 'Not found.\n');
  }

  const index = path.join(base, 'index.html');
  if (!(await isFile(index))) return send(503, NOT_BUILT_HINT);

  let target = file;
  if (!(await isFile(file))) {
    // A missing hashed asset is a real 404 (an old page asking for a file a new build replaced).
    if (relative.startsWith('assets/')) return send(404, 'Not found.\n');
    target = index;
  }
  const info = await stat(target);
  const hashed = target !== index && path.relative(base, target).startsWith(`assets${path.sep}`);
  response.writeHead(200, {
    'content-type': CONTENT_TYPES[path.extname(target).toLowerCase()] ?? 'application/octet-stream',
    'content-length': String(info.size),
    'cache-control': hashed ? IMMUTABLE : REVALIDATE,
    'last-modified': info.mtime.toUTCString(),
    'x-content-type-options': 'nosniff',
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  await new Promise<void>((resolve) => {
    const stream = createReadStream(target);
    stream.on('error', () => {
      response.destroy();
      resolve();
    });
    stream.on('end', resolve);
    stream.pipe(response);
  });
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/**
 * The server's request listener: /console from disk, `/` redirected to the console, everything else to
 * `next` (the GraphQL app: /graphql, /healthz, /readyz).
 */
export function withConsole(next: RequestListener, root: string = DEFAULT_CONSOLE_DIST): RequestListener {
  return (request, response) => {
    const pathname = (request.url ?? '/').split('?')[0]!;
    if (isConsolePath(pathname)) {
      serveConsole(request, response, root).catch(() => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        response.end();
      });
      return;
    }
    if (pathname === '/' && (request.method === 'GET' || request.method === 'HEAD')) {
      response.writeHead(302, { location: `${CONSOLE_PATH}/` });
      response.end();
      return;
    }
    next(request, response);
  };
}
