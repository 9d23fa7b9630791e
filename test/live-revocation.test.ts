// logOut, key revocation and member removal end that credential's live subscriptions at once, on every
// api process (the change travels through Redis pub/sub), without waiting for an event: the per-event
// re-check is set to a minute here, so only the pushed change can end them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topic } from '../src/realtime/topics.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { createApiKey, createAppService, createOrganization, rawId, signUp } from './support/fixtures.js';
import { eventually, startLiveServer, subscribe, waitForListeners, type LiveServer } from './support/live.js';

const MESSAGE_ADDED = `subscription($appServiceId: ID) { messageAdded(appServiceId: $appServiceId) { id } }`;

describe('live revocation across api processes (Redis)', () => {
  let db: TestDatabase;
  /** Two api servers sharing Postgres and Redis: subscribers on `other`, changes made on `one`. */
  let one: LiveServer;
  let other: LiveServer;
  let owner: { token: string };
  let organizationId: string;
  let appServiceId: string;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    const settings = { subscriberRecheckMs: 60_000 };
    const api = { apiKeyCacheMs: 60_000 };
    one = await startLiveServer(db, { redis: true, settings, api });
    other = await startLiveServer(db, { redis: true, settings, api });
    owner = await signUp(one, 'revoker');
    organizationId = await createOrganization(one, owner.token, 'Revoke Co');
    appServiceId = await createAppService(one, owner.token, organizationId);
  });
  afterAll(async () => {
    await one?.stop();
    await other?.stop();
    await db?.drop();
  });

  const listening = (count: number) =>
    waitForListeners(other, topic('messageAdded', 'appService', rawId(appServiceId)), count);

  it('ends the subscriptions of a session when it logs out, and no others', async () => {
    const leaving = await signUp(one, 'logs-out');
    const staying = await signUp(one, 'stays');
    for (const user of [leaving, staying]) {
      await one.gql(
        `mutation($i: AddMemberInput!) { addMember(input: $i) { role } }`,
        { i: { organizationId, email: user.email, role: 'AGENT' } },
        { token: owner.token },
      );
    }
    const ended = await subscribe(
      other.server.url,
      { authorization: `Bearer ${leaving.token}` },
      MESSAGE_ADDED,
      {
        appServiceId,
      },
    );
    const kept = await subscribe(
      other.server.url,
      { authorization: `Bearer ${staying.token}` },
      MESSAGE_ADDED,
      {
        appServiceId,
      },
    );
    await listening(2);
    expect((await one.gql('mutation { logOut }', {}, { token: leaving.token })).data).toEqual({
      logOut: true,
    });
    await ended.ended;
    expect(ended.errors.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    await listening(1);
    expect(kept.errors).toEqual([]);
    await ended.stop();
    await kept.stop();
  });

  it('refuses a revoked key at once on every process, even one that accepted it a moment ago', async () => {
    const key = await createApiKey(one, owner.token, organizationId, ['CONVERSATIONS_READ']);
    const VIEWER = '{ viewer { apiKey { name } } }';
    // `other` accepts the key and keeps it for API_KEY_CACHE_SECONDS (60 s here: longer than the wait below).
    expect((await other.gql(VIEWER, {}, { apiKey: key.secret })).errors).toBeUndefined();
    const revoked = await one.gql(
      `mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { status } }`,
      { input: { id: key.apiKey.id } },
      { token: owner.token },
    );
    expect(revoked.errors).toBeUndefined();
    await eventually(
      async () => {
        const response = await other.gql(VIEWER, {}, { apiKey: key.secret });
        return response.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED';
      },
      'the revocation reaches the other process',
      3_000,
    );
  });

  it('ends the subscriptions of a revoked API key', async () => {
    const key = await createApiKey(one, owner.token, organizationId, ['CONVERSATIONS_READ']);
    const stream = await subscribe(other.server.url, { apiKey: key.secret }, MESSAGE_ADDED, { appServiceId });
    await listening(1);
    await one.gql(
      `mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { status } }`,
      { i: { id: key.apiKey.id } },
      { token: owner.token },
    );
    await stream.ended;
    expect(stream.errors.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    await listening(0);
    await stream.stop();
  });

  it("ends a removed member's subscriptions in that organization only", async () => {
    const member = await signUp(one, 'removed');
    await one.gql(
      `mutation($i: AddMemberInput!) { addMember(input: $i) { role } }`,
      { i: { organizationId, email: member.email, role: 'AGENT' } },
      { token: owner.token },
    );
    // The member's own organization, where nothing changes.
    const ownOrganization = await createOrganization(one, member.token, 'Own Co');
    const ownService = await createAppService(one, member.token, ownOrganization);
    const removed = await subscribe(
      other.server.url,
      { authorization: `Bearer ${member.token}` },
      MESSAGE_ADDED,
      {
        appServiceId,
      },
    );
    const kept = await subscribe(
      other.server.url,
      { authorization: `Bearer ${member.token}` },
      MESSAGE_ADDED,
      {
        appServiceId: ownService,
      },
    );
    await listening(1);
    await waitForListeners(other, topic('messageAdded', 'appService', rawId(ownService)), 1);
    const userId = rawId(
      (
        await one.gql<{ viewer: { user: { id: string } } }>(
          '{ viewer { user { id } } }',
          {},
          { token: member.token },
        )
      ).data!.viewer.user.id,
    );
    await one.gql(
      `mutation($i: MemberInput!) { removeMember(input: $i) { role } }`,
      { i: { organizationId, userId: Buffer.from(`User:${userId}`).toString('base64url') } },
      { token: owner.token },
    );
    await removed.ended;
    expect(removed.errors.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
    await listening(0);
    expect(other.pubsub.bus.listeners(topic('messageAdded', 'appService', rawId(ownService)))).toBe(1);
    expect(kept.errors).toEqual([]);
    await removed.stop();
    await kept.stop();
  });
});
