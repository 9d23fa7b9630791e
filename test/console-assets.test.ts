import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withConsole } from '../src/console-assets.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request: the path goes out exactly as given (fetch would normalize "..").  */
function send(port: number, rawPath: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: rawPath, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function listen(root: string): Promise<Server> {
  const server = createServer(
    withConsole((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('graphql app');
    }, root),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;

describe('serving the agent console at /console', () => {
  let dir: string;
  let built: Server;
  let missing: Server;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'console-assets-'));
    const dist = path.join(dir, 'dist');
    await mkdir(path.join(dist, 'assets'), { recursive: true });
    await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>console</title>');
    await writeFile(path.join(dist, 'assets', 'index-Abc123.js'), 'console.log("hi")');
    await writeFile(path.join(dist, 'assets', 'index-Abc123.css'), 'body{}');
    await writeFile(path.join(dist, 'favicon.svg'), '<svg/>');
    // Next to the served folder: must never be reachable.
    await writeFile(path.join(dir, 'secret.txt'), 'top secret');
    built = await listen(dist);
    missing = await listen(path.join(dir, 'not-built'));
  });
  afterAll(async () => {
    built?.close();
    missing?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves index.html at /console, /console/ and the app routes below it, revalidated each time', async () => {
    for (const route of [
      '/console',
      '/console/',
      '/console/inbox/123',
      '/console/?lang=ar',
      '/console/conversations/Q29udmVyc2F0aW9uOjEyMw',
      '/console/team',
    ]) {
      const answer = await send(portOf(built), route);
      expect(answer.status, route).toBe(200);
      expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(answer.headers['cache-control']).toBe('no-cache');
      expect(answer.body).toContain('<title>console</title>');
    }
  });

  it('serves the hashed assets with their content type, cached for good; a missing one is a 404', async () => {
    const js = await send(portOf(built), '/console/assets/index-Abc123.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.body).toBe('console.log("hi")');
    const css = await send(portOf(built), '/console/assets/index-Abc123.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const svg = await send(portOf(built), '/console/favicon.svg');
    expect(svg.headers['content-type']).toBe('image/svg+xml');
    expect(svg.headers['cache-control']).toBe('no-cache');
    expect((await send(portOf(built), '/console/assets/index-Old999.js')).status).toBe(404);
    const head = await send(portOf(built), '/console/assets/index-Abc123.js', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String('console.log("hi")'.length));
    expect(head.body).toBe('');
  });

  it('never leaves the folder', async () => {
    for (const route of [
      '/console/../secret.txt',
      '/console/..%2fsecret.txt',
      '/console/%2e%2e/secret.txt',
      '/console/assets/..%2F..%2Fsecret.txt',
      '/console/..%5csecret.txt',
      '/console/%00',
      `/console/${encodeURIComponent(path.join(dir, 'secret.txt'))}`,
    ]) {
      const answer = await send(portOf(built), route);
      expect(answer.body, route).not.toContain('top secret');
    }
    expect((await send(portOf(built), '/console/%E0%A4%A')).status).toBe(400);
  });

  it('answers 503 with the build command when the console is not built', async () => {
    const answer = await send(portOf(missing), '/console/');
    expect(answer.status).toBe(503);
    expect(answer.body).toBe('The agent console is not built: run `npm run console:build`.\n');
  });

  it('redirects / to the console, refuses writes, and leaves the rest to the GraphQL app', async () => {
    const root = await send(portOf(built), '/');
    expect(root.status).toBe(302);
    expect(root.headers.location).toBe('/console/');
    expect((await send(portOf(built), '/console/', 'POST')).status).toBe(405);
    expect((await send(portOf(built), '/?x=1')).status).toBe(302);
    for (const route of ['/graphql', '/healthz', '/consoles']) {
      expect((await send(portOf(built), route)).body, route).toBe('graphql app');
    }
  });
});
