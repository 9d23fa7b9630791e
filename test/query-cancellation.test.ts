// A request's SQL does not outlive the request: when the client goes away, when the request runs past
// REQUEST_TIMEOUT_MS, or when a statement runs past the pool's statement_timeout, the statement is
// cancelled in Postgres and nothing of the request is kept. The slow statement is made real: another
// connection holds the conversation's row lock, so the takeover's SELECT … FOR UPDATE waits in Postgres.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/database.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import {
  createAppService,
  createOrganization,
  globalId,
  insertConversation,
  signUp,
} from './support/fixtures.js';
import { eventually, startLiveServer, type LiveServer } from './support/live.js';

const TAKE_OVER = `mutation($id: ID!) { takeOverConversation(input: { conversationId: $id }) { conversation { status } } }`;

describe('cancelling the SQL of an abandoned request (Postgres)', () => {
  let db: TestDatabase;
  /** Connections of the test's own, to the test database: the lock holder and the observer. */
  let own: pg.Pool;
  let token: string;
  let organizationId: string;
  let appServiceId: string;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    own = new pg.Pool({ connectionString: db.url, max: 3 });
    const live = await startLiveServer(db, { redis: false });
    const owner = await signUp(live, 'canceller');
    token = owner.token;
    organizationId = await createOrganization(live, token, 'Cancel Co');
    appServiceId = await createAppService(live, token, organizationId);
    await live.stop();
  });
  afterAll(async () => {
    await own?.end();
    await db?.drop();
  });

  /** A conversation whose row another connection holds locked until release(). */
  async function lockedConversation() {
    const { conversationId } = await insertConversation(
      { db },
      { organizationId, appServiceId, messages: 2 },
    );
    const holder = await own.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE', [conversationId]);
    return {
      id: globalId('Conversation', conversationId),
      rawId: conversationId,
      release: async () => {
        await holder.query('ROLLBACK');
        holder.release();
      },
    };
  }

  const statusOf = async (rawId: string) =>
    (
      await own.query<{ status: string; assignee_id: string | null }>(
        'SELECT status, assignee_id FROM conversations WHERE id = $1',
        [rawId],
      )
    ).rows[0];

  /** Statements of the test database waiting on a lock right now (pg_stat_activity is per server). */
  const waiting = async () =>
    Number(
      (
        await own.query<{ count: string }>(
          `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        )
      ).rows[0]!.count,
    );

  async function withServer<T>(
    options: { requestTimeoutMs?: number; statementTimeoutMs?: number },
    fn: (live: LiveServer) => Promise<T>,
  ): Promise<T> {
    let database: Database = db;
    if (options.statementTimeoutMs) {
      database = await openDatabase({
        url: db.url!,
        statementTimeoutMs: options.statementTimeoutMs,
        poolSize: 2,
      });
    }
    const live = await startLiveServer(database, {
      redis: false,
      api: { requestTimeoutMs: options.requestTimeoutMs ?? 0 },
    });
    try {
      return await fn(live);
    } finally {
      await live.stop();
      if (database !== db) await database.close();
    }
  }

  it('cancels the statement when the client disconnects, and keeps nothing of the request', async () => {
    await withServer({}, async (live) => {
      const conversation = await lockedConversation();
      const abort = new AbortController();
      const request = fetch(live.server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: TAKE_OVER, variables: { id: conversation.id } }),
        signal: abort.signal,
      }).catch((error: unknown) => error);
      await eventually(async () => (await waiting()) === 1, 'the takeover waiting on the row lock');
      abort.abort();
      await request;
      // Cancelled in Postgres while the lock is still held: the statement is gone, not waiting on.
      await eventually(async () => (await waiting()) === 0, 'the waiting statement to be cancelled');
      await conversation.release();
      expect(await statusOf(conversation.rawId)).toEqual({ status: 'BOT', assignee_id: null });
    });
  });

  it('answers TIMEOUT (503) when the request runs past REQUEST_TIMEOUT_MS, and cancels its SQL', async () => {
    await withServer({ requestTimeoutMs: 800 }, async (live) => {
      const conversation = await lockedConversation();
      const response = await fetch(live.server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: TAKE_OVER, variables: { id: conversation.id } }),
      });
      const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
      expect(response.status).toBe(503);
      expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['TIMEOUT']);
      expect(await waiting()).toBe(0);
      await conversation.release();
      expect(await statusOf(conversation.rawId)).toEqual({ status: 'BOT', assignee_id: null });
    });
  });

  it("answers TIMEOUT when a statement runs past the pool's statement_timeout", async () => {
    await withServer({ statementTimeoutMs: 500 }, async (live) => {
      const conversation = await lockedConversation();
      const answer = await live.gql(TAKE_OVER, { id: conversation.id }, { token });
      expect(answer.errors?.map((error) => error.extensions?.code)).toEqual(['TIMEOUT']);
      expect(await waiting()).toBe(0);
      await conversation.release();
      expect(await statusOf(conversation.rawId)).toEqual({ status: 'BOT', assignee_id: null });
    });
  });
});
