import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, parseApiKey } from '../src/auth/api-key-format.js';
import { sha256Hex } from '../src/auth/tokens.js';
import { codesOf, createTestApp, type TestApp } from './support/app.js';
import { backends } from './support/db.js';
import { createApiKey, createOrganization, rawId, signUp } from './support/fixtures.js';

const KEY_VIEWER = `{ viewer { user { id } apiKey { name status scopes } organizations { edges { node { id name } } } } }`;
const ALL_SCOPES = ['MESSAGES_WRITE', 'EVENTS_WRITE', 'CONVERSATIONS_READ', 'ANALYTICS_READ'];

describe('API key format', () => {
  it('carries a recognisable prefix and a checksum that catches any one-character change', () => {
    const { key, prefix } = generateApiKey();
    expect(key).toMatch(/^cik_[0-9A-Za-z]{12}_[0-9A-Za-z]{38}$/);
    expect(parseApiKey(key)).toEqual({ prefix });
    expect(key.startsWith(prefix)).toBe(true);
    for (const position of [4, 20, key.length - 1]) {
      const char = key[position] === 'a' ? 'b' : 'a';
      expect(parseApiKey(key.slice(0, position) + char + key.slice(position + 1))).toBeNull();
    }
    expect(parseApiKey(key.slice(0, -1))).toBeNull();
    expect(generateApiKey().key).not.toBe(key);
  });
});

describe.each(backends)('API key lifecycle on %s', (kind) => {
  let app: TestApp;
  let owner: Awaited<ReturnType<typeof signUp>>;
  let orgId: string;
  beforeAll(async () => {
    // These tests move the clock by editing rows (lastUsedAt, expiresAt), which a key accepted a moment
    // ago would not see: here every request looks its key up. The cache is tested on its own below.
    app = await createTestApp(kind, { api: { apiKeyCacheMs: 0 } });
    owner = await signUp(app, 'key-owner');
    orgId = await createOrganization(app, owner.token, 'Keys Org');
  });
  afterAll(() => app?.close());

  it('shows the secret once and stores only its SHA-256', async () => {
    const created = await createApiKey(app, owner.token, orgId, ['MESSAGES_WRITE']);
    expect(created.secret).toMatch(/^cik_/);
    expect(created.secret.startsWith(created.apiKey.prefix)).toBe(true);
    const row = await app.db.prisma.apiKey.findUniqueOrThrow({ where: { id: rawId(created.apiKey.id) } });
    expect(row.secretHash).toBe(sha256Hex(created.secret));
    expect(JSON.stringify(row)).not.toContain(created.secret.slice(created.apiKey.prefix.length));
    expect(row.scopes).toEqual(['messages:write']);

    // Listing keys never shows a secret: the schema has no field for it.
    const listed = await app.gql<{ node: { apiKeys: { edges: { node: Record<string, unknown> }[] } } }>(
      `query($id: ID!) { node(id: $id) { ... on Organization { apiKeys { edges { node { prefix name status } } } } } }`,
      { id: orgId },
      { token: owner.token },
    );
    expect(JSON.stringify(listed.data)).not.toContain(created.secret);
    expect(listed.data?.node.apiKeys.edges.map((e) => e.node)).toContainEqual({
      prefix: created.apiKey.prefix,
      name: 'key MESSAGES_WRITE',
      status: 'ACTIVE',
    });
  });

  it('authenticates as x-api-key or bearer, inside its organization only, and records lastUsedAt throttled', async () => {
    const { secret, apiKey } = await createApiKey(app, owner.token, orgId, ALL_SCOPES);
    const viaHeader = await app.gql<{
      viewer: {
        user: null;
        apiKey: { status: string };
        organizations: { edges: { node: { id: string } }[] };
      };
    }>(KEY_VIEWER, {}, { apiKey: secret });
    expect(viaHeader.data?.viewer.user).toBeNull();
    expect(viaHeader.data?.viewer.apiKey.status).toBe('ACTIVE');
    expect(viaHeader.data?.viewer.organizations.edges.map((e) => e.node.id)).toEqual([orgId]);
    const viaBearer = await app.gql(KEY_VIEWER, {}, { token: secret });
    expect(viaBearer.errors).toBeUndefined();

    const first = await app.db.prisma.apiKey.findUniqueOrThrow({ where: { id: rawId(apiKey.id) } });
    expect(first.lastUsedAt).toBeInstanceOf(Date);
    // A second request within the minute writes nothing to the key.
    const { statements } = await app.countStatements(() => app.gql(KEY_VIEWER, {}, { apiKey: secret }));
    expect(statements.filter((sql) => /update/i.test(sql) && /api_keys/.test(sql))).toEqual([]);
    const second = await app.db.prisma.apiKey.findUniqueOrThrow({ where: { id: rawId(apiKey.id) } });
    expect(second.lastUsedAt).toEqual(first.lastUsedAt);
    // Once the last use is older than the throttle, it is written again.
    await app.db.prisma.apiKey.update({
      where: { id: second.id },
      data: { lastUsedAt: new Date(Date.now() - 120_000) },
    });
    await app.gql(KEY_VIEWER, {}, { apiKey: secret });
    const third = await app.db.prisma.apiKey.findUniqueOrThrow({ where: { id: second.id } });
    expect(third.lastUsedAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('refuses a key with a broken checksum without any SQL, and an unknown key', async () => {
    const { secret } = await createApiKey(app, owner.token, orgId, ['MESSAGES_WRITE']);
    const broken = secret.slice(0, -1) + (secret.endsWith('a') ? 'b' : 'a');
    const { result, statements } = await app.countStatements(() =>
      app.gql(KEY_VIEWER, {}, { apiKey: broken }),
    );
    expect(codesOf(result)).toEqual(['UNAUTHENTICATED']);
    expect(result.errors![0]!.message).toMatch(/malformed/);
    expect(statements).toHaveLength(0);
    const unknown = generateApiKey().key;
    expect(codesOf(await app.gql(KEY_VIEWER, {}, { apiKey: unknown }))).toEqual(['UNAUTHENTICATED']);
  });

  it('rotates with a grace period, then the old key expires', async () => {
    const ROTATE = `mutation($input: RotateApiKeyInput!) {
      rotateApiKey(input: $input) { secret apiKey { id name scopes rotatedFrom { id } } previousKey { id status expiresAt } }
    }`;
    const old = await createApiKey(app, owner.token, orgId, ['MESSAGES_WRITE', 'CONVERSATIONS_READ']);
    const rotated = await app.gql<{
      rotateApiKey: {
        secret: string;
        apiKey: { id: string; name: string; scopes: string[]; rotatedFrom: { id: string } };
        previousKey: { id: string; status: string; expiresAt: string };
      };
    }>(ROTATE, { input: { id: old.apiKey.id, gracePeriodHours: 2 } }, { token: owner.token });
    const payload = rotated.data!.rotateApiKey;
    expect(payload.secret).not.toBe(old.secret);
    expect(payload.apiKey).toMatchObject({
      name: 'key MESSAGES_WRITE,CONVERSATIONS_READ',
      rotatedFrom: { id: old.apiKey.id },
    });
    expect(payload.apiKey.scopes.sort()).toEqual(['CONVERSATIONS_READ', 'MESSAGES_WRITE']);
    const graceEnd = new Date(payload.previousKey.expiresAt).getTime();
    expect(graceEnd).toBeGreaterThan(Date.now() + 2 * 3_600_000 - 60_000);
    expect(graceEnd).toBeLessThan(Date.now() + 2 * 3_600_000 + 60_000);

    // Both work during the grace period.
    expect((await app.gql(KEY_VIEWER, {}, { apiKey: old.secret })).errors).toBeUndefined();
    expect((await app.gql(KEY_VIEWER, {}, { apiKey: payload.secret })).errors).toBeUndefined();
    // A second rotation of the same key is refused.
    expect(codesOf(await app.gql(ROTATE, { input: { id: old.apiKey.id } }, { token: owner.token }))).toEqual([
      'CONFLICT',
    ]);

    // After the grace period the old key is expired.
    await app.db.prisma.apiKey.update({
      where: { id: rawId(old.apiKey.id) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const expired = await app.gql(KEY_VIEWER, {}, { apiKey: old.secret });
    expect(codesOf(expired)).toEqual(['UNAUTHENTICATED']);
    expect(expired.errors![0]!.message).toMatch(/expired/);
    expect((await app.gql(KEY_VIEWER, {}, { apiKey: payload.secret })).errors).toBeUndefined();
  });

  it('revokes at once, twice harmlessly, and refuses expiry in the past', async () => {
    const REVOKE = `mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { status revokedAt } }`;
    const key = await createApiKey(app, owner.token, orgId, ['EVENTS_WRITE']);
    const first = await app.gql<{ revokeApiKey: { status: string; revokedAt: string } }>(
      REVOKE,
      { input: { id: key.apiKey.id } },
      { token: owner.token },
    );
    expect(first.data?.revokeApiKey.status).toBe('REVOKED');
    const second = await app.gql<{ revokeApiKey: { revokedAt: string } }>(
      REVOKE,
      { input: { id: key.apiKey.id } },
      { token: owner.token },
    );
    expect(second.data?.revokeApiKey.revokedAt).toBe(first.data?.revokeApiKey.revokedAt);
    const used = await app.gql(KEY_VIEWER, {}, { apiKey: key.secret });
    expect(codesOf(used)).toEqual(['UNAUTHENTICATED']);
    expect(used.errors![0]!.message).toMatch(/revoked/);

    const before = await app.db.prisma.apiKey.count();
    const past = await app.gql(
      `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`,
      {
        input: {
          organizationId: orgId,
          name: 'old',
          scopes: ['EVENTS_WRITE'],
          expiresAt: '2020-01-01T00:00:00Z',
        },
      },
      { token: owner.token },
    );
    expect(codesOf(past)).toEqual(['BAD_USER_INPUT']);
    const noScopes = await app.gql(
      `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`,
      { input: { organizationId: orgId, name: 'none', scopes: [] } },
      { token: owner.token },
    );
    expect(codesOf(noScopes)).toEqual(['BAD_USER_INPUT']);
    expect(await app.db.prisma.apiKey.count()).toBe(before);
  });

  it('never lets a key manage keys or members, nor AGENT and ANALYST members manage keys', async () => {
    const { secret, apiKey } = await createApiKey(app, owner.token, orgId, ALL_SCOPES);
    const before = await app.db.prisma.apiKey.count();
    const attempts = [
      app.gql(
        `mutation($o: ID!) { createApiKey(input: { organizationId: $o, name: "x", scopes: [MESSAGES_WRITE] }) { secret } }`,
        { o: orgId },
        { apiKey: secret },
      ),
      app.gql(
        `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { status } }`,
        { id: apiKey.id },
        { apiKey: secret },
      ),
      app.gql(
        `mutation($id: ID!) { rotateApiKey(input: { id: $id }) { secret } }`,
        { id: apiKey.id },
        { apiKey: secret },
      ),
      app.gql(
        `mutation($o: ID!) { addMember(input: { organizationId: $o, email: "a@b.co", role: OWNER }) { role } }`,
        { o: orgId },
        { apiKey: secret },
      ),
      app.gql(
        `mutation($o: ID!) { createAppService(input: { organizationId: $o, name: "x", channel: WEB }) { id } }`,
        { o: orgId },
        { apiKey: secret },
      ),
    ];
    for (const response of await Promise.all(attempts)) expect(codesOf(response)).toEqual(['FORBIDDEN']);
    expect(await app.db.prisma.apiKey.count()).toBe(before);
    expect(
      (await app.db.prisma.apiKey.findUniqueOrThrow({ where: { id: rawId(apiKey.id) } })).revokedAt,
    ).toBeNull();

    const ADD = `mutation($input: AddMemberInput!) { addMember(input: $input) { role } }`;
    for (const role of ['AGENT', 'ANALYST']) {
      const member = await signUp(app, role.toLowerCase());
      await app.gql(
        ADD,
        { input: { organizationId: orgId, email: member.email, role } },
        { token: owner.token },
      );
      const create = await app.gql(
        `mutation($o: ID!) { createApiKey(input: { organizationId: $o, name: "x", scopes: [MESSAGES_WRITE] }) { secret } }`,
        { o: orgId },
        { token: member.token },
      );
      expect(codesOf(create)).toEqual(['FORBIDDEN']);
      const listed = await app.gql<{ node: { apiKeys: { totalCount: number } } }>(
        `query($id: ID!) { node(id: $id) { ... on Organization { apiKeys { totalCount } } } }`,
        { id: orgId },
        { token: member.token },
      );
      expect(listed.data?.node.apiKeys.totalCount).toBe(0);
    }
  });
});

describe.each(backends)('recently accepted API keys on %s', (kind) => {
  let app: TestApp;
  let owner: { token: string };
  let orgId: string;

  beforeAll(async () => {
    app = await createTestApp(kind);
    owner = await signUp(app, 'key-cache-owner');
    orgId = await createOrganization(app, owner.token, 'Key Cache Co');
  });
  afterAll(async () => {
    await app?.close();
  });

  /** The statements one request sends that read or write the api_keys table. */
  const keyLookups = async (secret: string) => {
    const statements: string[] = [];
    const stop = app.db.onQuery((sql) => statements.push(sql));
    try {
      const response = await app.gql(KEY_VIEWER, {}, { apiKey: secret });
      expect(response.errors).toBeUndefined();
    } finally {
      stop();
    }
    return statements.filter((sql) => sql.includes('"api_keys"') && !sql.includes('"viewer"'));
  };

  it('does not look up a key it accepted a moment ago', async () => {
    const key = await createApiKey(app, owner.token, orgId, ['CONVERSATIONS_READ']);
    expect((await keyLookups(key.secret)).length).toBeGreaterThan(0);
    const again = await keyLookups(key.secret);
    // Only the viewer's own `apiKey { … }` selection reads the table; authentication does not.
    expect(again.filter((sql) => sql.includes('"prefix" =')).length).toBe(0);
  });

  it('refuses a revoked key at once, though it was accepted a moment ago', async () => {
    const key = await createApiKey(app, owner.token, orgId, ['CONVERSATIONS_READ']);
    expect((await app.gql(KEY_VIEWER, {}, { apiKey: key.secret })).errors).toBeUndefined();
    const revoked = await app.gql(
      `mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { status } }`,
      { input: { id: key.apiKey.id } },
      { token: owner.token },
    );
    expect(revoked.errors).toBeUndefined();
    expect(codesOf(await app.gql(KEY_VIEWER, {}, { apiKey: key.secret }))).toEqual(['UNAUTHENTICATED']);
  });
});
