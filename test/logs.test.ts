// The log of a real process that was attacked: passwords (inline in a document or in variables), session
// tokens and API keys never appear in it; refused credentials and user errors are never logged at error
// level; a flood of refusals is counted, not printed one line per request. Logged at debug, the most.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { startServerProcess, type ServerProcess } from './support/process.js';

const INLINE_PASSWORD = 'inline-Secret-Password-4821';
const VARIABLE_PASSWORD = 'variable-Secret-Password-7730';
const REAL_PASSWORD = 'real-Secret-Password-1190';

describe('the log of an attacked process', () => {
  let db: TestDatabase;
  let server: ServerProcess;
  let log = '';
  const secrets: string[] = [INLINE_PASSWORD, VARIABLE_PASSWORD, REAL_PASSWORD];
  const FLOOD = 300;

  async function post(body: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { data?: Record<string, unknown> } };
  }

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    server = await startServerProcess({ DATABASE_URL: db.url!, LOG_LEVEL: 'debug', TRUST_PROXY: '1' });
    const email = `logged-${randomBytes(4).toString('hex')}@example.test`;
    const signedUp = await post({
      query: `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
      variables: { i: { email, password: REAL_PASSWORD, name: 'Logged' } },
    });
    const token = (signedUp.body.data!.signUp as { token: string }).token;
    secrets.push(token);
    // A wrong password written inline, as GraphiQL's pre-filled operation does, and one in variables.
    await post({
      query: `mutation { logIn(input: { email: "${email}", password: "${INLINE_PASSWORD}" }) { token } }`,
    });
    await post({
      query: `mutation($i: LogInInput!) { logIn(input: $i) { token } }`,
      variables: { i: { email, password: VARIABLE_PASSWORD } },
    });
    // Until the address is rate limited.
    for (let i = 0; i < 8; i++) {
      await post(
        {
          query: `mutation { logIn(input: { email: "${email}", password: "${INLINE_PASSWORD}" }) { token } }`,
        },
        { 'x-forwarded-for': '198.51.100.7' },
      );
    }
    // A flood of forged session tokens and API keys from one address.
    for (let i = 0; i < FLOOD; i++) {
      const forgedToken = `cis_${randomBytes(24).toString('base64url')}`;
      const forgedKey = `cik_${randomBytes(6).toString('hex')}_${randomBytes(19).toString('hex')}`;
      if (i < 5) secrets.push(forgedToken, forgedKey);
      await post(
        { query: '{ viewer { user { id } } }' },
        i % 2 ? { authorization: `Bearer ${forgedToken}` } : { 'x-api-key': forgedKey },
      );
    }
    // Operations over the limits, bad input, and a normal signed-in request.
    await post({ query: `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: __typename`).join(' ')} }` });
    await post({ query: '{ node(id: "garbage") { id } }' }, { authorization: `Bearer ${token}` });
    await post({ query: '{ viewer { user { email } } }' }, { authorization: `Bearer ${token}` });
    await server.stop();
    log = server.output();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  it('holds no password, session token or API key', () => {
    expect(log.length).toBeGreaterThan(0);
    for (const secret of secrets)
      expect(log, `a secret (${secret.slice(0, 8)}…) in the log`).not.toContain(secret);
  });

  it('has no line at error level: every refusal was the caller doing', () => {
    const lines = log.split('\n').filter((line) => line.startsWith('{'));
    const levels = lines.map((line) => (JSON.parse(line) as { level: number }).level);
    expect(levels.filter((level) => level >= 50)).toEqual([]);
  });

  it('counts the flood of refused credentials instead of a line per request', () => {
    const refusals = log.split('\n').filter((line) => line.includes('"msg":"request refused"'));
    // One line per kind and address in the window, not one per request.
    expect(refusals.length).toBeLessThan(10);
    const summary = log
      .split('\n')
      .filter((line) => line.includes('"msg":"requests refused in the last window"'))
      .map((line) => JSON.parse(line) as { level: number; event: string; count: number });
    // RATE_LIMIT_AUTH_FAILURES_PER_IP (30 a minute) refuses the rest of the flood before any lookup.
    const credentials = summary.find((line) => line.event === 'credentials refused');
    const limited = summary.find((line) => line.event === 'rate limited');
    expect(credentials?.level).toBe(40);
    expect(credentials?.count).toBeGreaterThanOrEqual(30);
    expect((credentials?.count ?? 0) + (limited?.count ?? 0)).toBeGreaterThanOrEqual(FLOOD);
  });
});
