// Stopping a real api process: on SIGTERM it answers /readyz with 503 first (the load balancer takes it
// out) while still serving requests for SHUTDOWN_DRAIN_SECONDS, then stops and exits 0; a SIGTERM during
// start-up is not fatal half-way: the start finishes, then the process stops cleanly and exits 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { startServerProcess } from './support/process.js';

describe('shutdown of an api process', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('answers not ready first, keeps serving through the drain, then exits 0', async () => {
    const server = await startServerProcess({ DATABASE_URL: db.url!, SHUTDOWN_DRAIN_SECONDS: '3' });
    const origin = new URL(server.url).origin;
    expect((await fetch(`${origin}/readyz`)).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    let notReady = false;
    for (let attempt = 0; attempt < 100 && !notReady; attempt++) {
      notReady = (await fetch(`${origin}/readyz`)).status === 503;
      if (!notReady) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(notReady).toBe(true);
    // Draining: still alive and answering.
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
    const answer = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await answer.json()).toEqual({ data: { __typename: 'Query' } });
    expect(await exited).toBe(0);
    expect(server.output()).toContain('"msg":"stopped"');
  });

  it('finishes starting, then stops cleanly, when SIGTERM comes during start-up', async () => {
    const starting = await startServerProcess({ DATABASE_URL: db.url! }, { ready: /"msg":"starting"()/ });
    const code = await starting.stop(30_000);
    expect(code).toBe(0);
    expect(starting.output()).toContain('"msg":"shutting down"');
    expect(starting.output()).toContain('"msg":"stopped"');
  });
});
