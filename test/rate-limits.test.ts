// Each rate limit trips, answers 429 with Retry-After and a typed code, and resets after its window;
// limits live in Redis, so two api processes share them. Every test uses addresses and emails of its
// own (TRUST_PROXY=1 and X-Forwarded-For), so nothing here depends on what another test counted.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimits, type RateLimitSettings } from '../src/protection/rate-limits.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { createApiKey, createOrganization, signUp } from './support/fixtures.js';
import { REDIS_URL, startLiveServer, type LiveServer } from './support/live.js';
import { startServerProcess, type ServerProcess } from './support/process.js';

// Long enough for the attempts of a test to fall in one window on a slow machine (argon2 takes ~0.3 s).
const WINDOW_S = 8;
const settings: RateLimitSettings = {
  logInPerIp: { points: 3, seconds: WINDOW_S },
  logInPerEmail: { points: 4, seconds: WINDOW_S },
  logInFailuresPerEmail: { points: 3, seconds: WINDOW_S },
  signUpPerIp: { points: 2, seconds: WINDOW_S },
  authFailuresPerIp: { points: 3, seconds: WINDOW_S },
  apiKeyRequests: { points: 5, seconds: WINDOW_S },
  userCost: { points: 300, seconds: WINDOW_S },
};

interface Answer {
  status: number;
  retryAfter: string | null;
  codes: (string | undefined)[];
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

const randomAddress = () => `203.0.113.${1 + (randomBytes(1)[0]! % 250)}-${randomBytes(4).toString('hex')}`;
/** Waits as long as the refusal said (Retry-After), then a little more. */
const waitAsTold = (refusal: Answer) =>
  new Promise((resolve) => setTimeout(resolve, Number(refusal.retryAfter) * 1000 + 300));

async function post(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Answer['body'];
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    codes: (body.errors ?? []).map((error) => error.extensions?.code as string | undefined),
    body,
  };
}

const LOG_IN = `mutation($input: LogInInput!) { logIn(input: $input) { token } }`;
const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { token } }`;

function expectRateLimited(answer: Answer): Answer {
  expect(answer.status).toBe(429);
  expect(answer.codes).toEqual(['RATE_LIMITED']);
  const retryAfter = Number(answer.retryAfter);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW_S);
  expect(answer.body.errors![0]!.extensions!.retryAfter).toBe(retryAfter);
  return answer;
}

describe('rate limits on one api', () => {
  let db: TestDatabase;
  let live: LiveServer;
  let redis: Redis;
  let user: { email: string; password: string; token: string };

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    redis = new Redis(REDIS_URL, { enableOfflineQueue: false });
    await new Promise((resolve) => redis.once('ready', resolve));
    live = await startLiveServer(db, {
      redis: false,
      rateLimits: new RateLimits(settings, redis, `rl-test-${randomBytes(4).toString('hex')}`),
      api: { trustProxyHops: 1 },
    });
    user = await signUp(live, 'limited');
  });
  afterAll(async () => {
    await live?.stop();
    redis?.disconnect();
    await db?.drop();
  });

  const from = (address: string, extra: Record<string, string> = {}) => ({
    'x-forwarded-for': address,
    ...extra,
  });

  it('logIn per address: the 4th try in the window is refused, another address is not, and it resets', async () => {
    const address = randomAddress();
    const wrong = { input: { email: user.email, password: 'wrong-password-0' } };
    for (let i = 0; i < 3; i++) {
      // Other emails, so only the address limit counts.
      const answer = await post(
        live.server.url,
        LOG_IN,
        { input: { email: `x${i}-${address}@e.test`, password: 'x' } },
        from(address),
      );
      expect(answer.codes).toEqual(['UNAUTHENTICATED']);
    }
    const refused = expectRateLimited(await post(live.server.url, LOG_IN, wrong, from(address)));
    // The refusal costs no password check and no SQL.
    let statements = 0;
    const stop = db.onQuery(() => statements++);
    expectRateLimited(await post(live.server.url, LOG_IN, wrong, from(address)));
    stop();
    expect(statements).toBe(0);
    const right = { input: { email: user.email, password: user.password } };
    expect((await post(live.server.url, LOG_IN, right, from(randomAddress()))).codes).toEqual([]);
    await waitAsTold(refused);
    expect((await post(live.server.url, LOG_IN, right, from(address))).codes).toEqual([]);
  });

  it('failed logIns per account: then even the right password is refused until the window ends', async () => {
    const victim = await signUp(live, 'victim');
    for (let i = 0; i < 3; i++) {
      const answer = await post(
        live.server.url,
        LOG_IN,
        { input: { email: victim.email, password: `guess-${i}-password` } },
        from(randomAddress()),
      );
      expect(answer.codes).toEqual(['UNAUTHENTICATED']);
    }
    const right = { input: { email: victim.email, password: victim.password } };
    await waitAsTold(expectRateLimited(await post(live.server.url, LOG_IN, right, from(randomAddress()))));
    expect((await post(live.server.url, LOG_IN, right, from(randomAddress()))).codes).toEqual([]);
  });

  it('signUp per address', async () => {
    const address = randomAddress();
    const input = (n: number) => ({
      input: {
        email: `new-${n}-${randomBytes(4).toString('hex')}@e.test`,
        password: 'correct-horse-battery',
        name: 'N',
      },
    });
    expect((await post(live.server.url, SIGN_UP, input(1), from(address))).codes).toEqual([]);
    expect((await post(live.server.url, SIGN_UP, input(2), from(address))).codes).toEqual([]);
    await waitAsTold(expectRateLimited(await post(live.server.url, SIGN_UP, input(3), from(address))));
    expect((await post(live.server.url, SIGN_UP, input(4), from(address))).codes).toEqual([]);
  });

  it('refused credentials per address: after 3 bad keys, the address is refused without a lookup', async () => {
    const organizationId = await createOrganization(live, user.token, 'Keys Co');
    const good = await createApiKey(live, user.token, organizationId, ['CONVERSATIONS_READ']);
    const address = randomAddress();
    // Well formed (right checksum) but unknown: each one is a database lookup.
    const forged = good.secret.replace(/^cik_\w{12}/, 'cik_AAAAAAAAAAAA');
    const viewer = '{ viewer { apiKey { id } } }';
    for (let i = 0; i < 3; i++) {
      const answer = await post(live.server.url, viewer, {}, from(address, { 'x-api-key': forged }));
      expect(answer.status).toBe(200);
      expect(answer.codes).toEqual(['UNAUTHENTICATED']);
    }
    let statements = 0;
    const stop = db.onQuery(() => statements++);
    // Blocked: the next bad key, and even a good one from this address, with no SQL spent on them.
    expectRateLimited(await post(live.server.url, viewer, {}, from(address, { 'x-api-key': forged })));
    const refused = expectRateLimited(
      await post(live.server.url, viewer, {}, from(address, { 'x-api-key': good.secret })),
    );
    stop();
    expect(statements).toBe(0);
    expect(
      (await post(live.server.url, viewer, {}, from(randomAddress(), { 'x-api-key': good.secret }))).codes,
    ).toEqual([]);
    await waitAsTold(refused);
    expect(
      (await post(live.server.url, viewer, {}, from(address, { 'x-api-key': good.secret }))).codes,
    ).toEqual([]);
  });

  it('requests per API key, whatever the address', async () => {
    const organizationId = await createOrganization(live, user.token, 'Budget Co');
    const key = await createApiKey(live, user.token, organizationId, ['CONVERSATIONS_READ']);
    const viewer = '{ viewer { apiKey { id } } }';
    for (let i = 0; i < 5; i++) {
      expect(
        (await post(live.server.url, viewer, {}, from(randomAddress(), { 'x-api-key': key.secret }))).codes,
      ).toEqual([]);
    }
    await waitAsTold(
      expectRateLimited(
        await post(live.server.url, viewer, {}, from(randomAddress(), { 'x-api-key': key.secret })),
      ),
    );
    expect(
      (await post(live.server.url, viewer, {}, from(randomAddress(), { 'x-api-key': key.secret }))).codes,
    ).toEqual([]);
  });

  it("a user's query-cost budget: operations are charged what they may load", async () => {
    const reader = await signUp(live, 'reader');
    // organizations(first: 100) { appServices(first: 1) } may load 101 × (1 + 2) + 1 = 304 > 300 objects.
    const costly =
      '{ viewer { organizations(first: 100) { edges { node { appServices(first: 1) { edges { node { id } } } } } } } }';
    const cheap = '{ viewer { user { id } } }';
    const auth = { authorization: `Bearer ${reader.token}` };
    expectRateLimited(await post(live.server.url, costly, {}, from(randomAddress(), auth)));
    // What is left is still there for cheap operations.
    expect((await post(live.server.url, cheap, {}, from(randomAddress(), auth))).codes).toEqual([]);
  });
});

describe('rate limits shared by two api processes through Redis', () => {
  let db: TestDatabase;
  let servers: ServerProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    const env = {
      DATABASE_URL: db.url!,
      REDIS_URL,
      ROLE: 'api',
      TRUST_PROXY: '1',
      RATE_LIMIT_LOGIN_PER_IP: '4/60s',
    };
    servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await db?.drop();
  });

  it('counts attempts on either process against the one limit', async () => {
    const address = randomAddress();
    const attempt = (server: ServerProcess, n: number) =>
      post(
        server.url,
        LOG_IN,
        { input: { email: `nobody-${n}@e.test`, password: 'x' } },
        { 'x-forwarded-for': address },
      );
    // Two on each process: four in all, the limit.
    for (let n = 0; n < 4; n++)
      expect((await attempt(servers[n % 2]!, n)).codes).toEqual(['UNAUTHENTICATED']);
    // The fifth is refused, on both processes.
    const first = await attempt(servers[0]!, 5);
    const second = await attempt(servers[1]!, 6);
    expect(first.status).toBe(429);
    expect(second.status).toBe(429);
    expect(first.codes).toEqual(['RATE_LIMITED']);
    expect(second.codes).toEqual(['RATE_LIMITED']);
  });
});
