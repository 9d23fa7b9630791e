import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/auth/tokens.js';
import { codesOf, createTestApp, type TestApp } from './support/app.js';
import { backends } from './support/db.js';
import { createOrganization, rawId, SIGN_UP, signUp, uniqueEmail } from './support/fixtures.js';

const LOG_IN = `mutation($input: LogInInput!) { logIn(input: $input) { token user { email } } }`;
const VIEWER = `{ viewer { user { email name } organizations { totalCount edges { node { name viewerRole } } } } }`;

describe.each(backends)('identity on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp(kind);
  });
  afterAll(() => app?.close());

  it('signs up with an argon2id hash and a session stored only as a hash', async () => {
    const user = await signUp(app, 'alice');
    expect(user.token).toMatch(/^cis_[0-9A-Za-z]{43}$/);
    const row = await app.db.prisma.user.findUniqueOrThrow({ where: { email: user.email } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain(user.password);
    const sessions = await app.db.prisma.session.findMany({ where: { userId: row.id } });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.tokenHash).toBe(sha256Hex(user.token));
    expect(JSON.stringify(sessions)).not.toContain(user.token);

    const viewer = await app.gql<{ viewer: { user: { email: string } } }>(VIEWER, {}, { token: user.token });
    expect(viewer.data?.viewer.user.email).toBe(user.email);
  });

  it('refuses a duplicate email, whatever its case, and creates nothing', async () => {
    const first = await signUp(app, 'dup');
    const before = await app.db.prisma.user.count();
    const again = await app.gql(SIGN_UP, {
      input: { email: first.email.toUpperCase(), password: 'another-good-password', name: 'Dup' },
    });
    expect(codesOf(again)).toEqual(['CONFLICT']);
    expect(await app.db.prisma.user.count()).toBe(before);
  });

  it.each([
    ['a weak password', { email: uniqueEmail('weak'), password: 'short', name: 'W' }],
    ['a repetitive password', { email: uniqueEmail('rep'), password: 'aaaaaaaaaaaa', name: 'W' }],
    ['an invalid email', { email: 'not-an-email', password: 'correct-horse-battery', name: 'W' }],
    [
      'an over-long name',
      { email: uniqueEmail('long'), password: 'correct-horse-battery', name: 'x'.repeat(201) },
    ],
    ['an empty name', { email: uniqueEmail('empty'), password: 'correct-horse-battery', name: '   ' }],
  ])('refuses %s with BAD_USER_INPUT and stores nothing', async (_label, input) => {
    const before = await app.db.prisma.user.count();
    const response = await app.gql(SIGN_UP, { input });
    expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
    expect(await app.db.prisma.user.count()).toBe(before);
  });

  it('logs in, refuses a wrong password or unknown email alike, and logs out', async () => {
    const user = await signUp(app, 'bob');
    const ok = await app.gql<{ logIn: { token: string } }>(LOG_IN, {
      input: { email: user.email.toUpperCase(), password: user.password },
    });
    const token = ok.data!.logIn.token;
    expect(token).not.toBe(user.token);

    const wrong = await app.gql(LOG_IN, { input: { email: user.email, password: 'not-the-password' } });
    const unknown = await app.gql(LOG_IN, {
      input: { email: uniqueEmail('nobody'), password: 'whatever-pass' },
    });
    expect(codesOf(wrong)).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(unknown)).toEqual(['UNAUTHENTICATED']);
    expect(wrong.errors![0]!.message).toBe(unknown.errors![0]!.message);

    const out = await app.gql<{ logOut: boolean }>(`mutation { logOut }`, {}, { token });
    expect(out.data?.logOut).toBe(true);
    expect(codesOf(await app.gql(VIEWER, {}, { token }))).toEqual(['UNAUTHENTICATED']);
    // The other session of the same user still works.
    expect((await app.gql(VIEWER, {}, { token: user.token })).errors).toBeUndefined();
  });

  it('refuses malformed and unknown bearer tokens', async () => {
    for (const token of ['garbage', 'cis_unknownunknownunknownunknownunknownunknow']) {
      expect(codesOf(await app.gql(VIEWER, {}, { token }))).toEqual(['UNAUTHENTICATED']);
    }
    const response = await app.yoga.fetch('http://test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic abc' },
      body: JSON.stringify({ query: VIEWER }),
    });
    expect(codesOf((await response.json()) as never)).toEqual(['UNAUTHENTICATED']);
  });

  it('an anonymous viewer sees nothing and cannot create an organization', async () => {
    const viewer = await app.gql<{ viewer: { user: null; organizations: { totalCount: number } } }>(VIEWER);
    expect(viewer.data?.viewer.user).toBeNull();
    expect(viewer.data?.viewer.organizations.totalCount).toBe(0);
    const create = await app.gql(
      `mutation { createOrganization(input: { name: "X" }) { organization { id } } }`,
    );
    expect(codesOf(create)).toEqual(['UNAUTHENTICATED']);
  });
});

describe.each(backends)('organizations and members on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp(kind);
  });
  afterAll(() => app?.close());

  const ADD = `mutation($input: AddMemberInput!) { addMember(input: $input) { role user { email } } }`;
  const REMOVE = `mutation($input: MemberInput!) { removeMember(input: $input) { role } }`;
  const CHANGE = `mutation($input: ChangeMemberRoleInput!) { changeMemberRole(input: $input) { role } }`;

  it('makes the creator OWNER with an agent profile', async () => {
    const owner = await signUp(app, 'owner');
    const orgId = await createOrganization(app, owner.token, 'Acme Travel');
    const viewer = await app.gql<{
      viewer: { organizations: { edges: { node: { name: string; viewerRole: string } }[] } };
    }>(VIEWER, {}, { token: owner.token });
    expect(viewer.data?.viewer.organizations.edges.map((e) => e.node)).toEqual([
      { name: 'Acme Travel', viewerRole: 'OWNER' },
    ]);
    const agents = await app.db.prisma.agent.findMany({ where: { organizationId: rawId(orgId) } });
    expect(agents.map((a) => a.userId)).toEqual([rawId(owner.user.id)]);
  });

  it('adds members with roles; only working roles get an agent profile; only owners manage members', async () => {
    const owner = await signUp(app, 'owner2');
    const orgId = await createOrganization(app, owner.token, 'Members Inc');
    const agent = await signUp(app, 'agent');
    const analyst = await signUp(app, 'analyst');
    const admin = await signUp(app, 'admin');

    for (const [user, role] of [
      [agent, 'AGENT'],
      [analyst, 'ANALYST'],
      [admin, 'ADMIN'],
    ] as const) {
      const added = await app.gql(
        ADD,
        { input: { organizationId: orgId, email: user.email, role } },
        { token: owner.token },
      );
      expect(added.errors).toBeUndefined();
    }
    const profiles = await app.db.prisma.agent.findMany({ where: { organizationId: rawId(orgId) } });
    expect(profiles.map((p) => p.userId).sort()).toEqual(
      [owner, agent, admin].map((u) => rawId(u.user.id)).sort(),
    );

    const duplicate = await app.gql(
      ADD,
      { input: { organizationId: orgId, email: agent.email, role: 'AGENT' } },
      { token: owner.token },
    );
    expect(codesOf(duplicate)).toEqual(['CONFLICT']);
    const unknown = await app.gql(
      ADD,
      { input: { organizationId: orgId, email: uniqueEmail('ghost'), role: 'AGENT' } },
      { token: owner.token },
    );
    expect(codesOf(unknown)).toEqual(['NOT_FOUND']);
    const outsider = await signUp(app, 'outsider');
    const byAdmin = await app.gql(
      ADD,
      { input: { organizationId: orgId, email: outsider.email, role: 'AGENT' } },
      { token: admin.token },
    );
    expect(codesOf(byAdmin)).toEqual(['FORBIDDEN']);
    expect(await app.db.prisma.membership.count({ where: { organizationId: rawId(orgId) } })).toBe(4);

    const promoted = await app.gql<{ changeMemberRole: { role: string } }>(
      CHANGE,
      { input: { organizationId: orgId, userId: analyst.user.id, role: 'AGENT' } },
      { token: owner.token },
    );
    expect(promoted.data?.changeMemberRole.role).toBe('AGENT');
    expect(
      await app.db.prisma.agent.count({
        where: { organizationId: rawId(orgId), userId: rawId(analyst.user.id) },
      }),
    ).toBe(1);

    const lastOwner = await app.gql(
      REMOVE,
      { input: { organizationId: orgId, userId: owner.user.id } },
      { token: owner.token },
    );
    expect(codesOf(lastOwner)).toEqual(['CONFLICT']);
    const demote = await app.gql(
      CHANGE,
      { input: { organizationId: orgId, userId: owner.user.id, role: 'ADMIN' } },
      { token: owner.token },
    );
    expect(codesOf(demote)).toEqual(['CONFLICT']);

    const removed = await app.gql(
      REMOVE,
      { input: { organizationId: orgId, userId: agent.user.id } },
      { token: owner.token },
    );
    expect(removed.errors).toBeUndefined();
    const after = await app.gql<{ viewer: { organizations: { totalCount: number } } }>(
      VIEWER,
      {},
      { token: agent.token },
    );
    expect(after.data?.viewer.organizations.totalCount).toBe(0);
    const profile = await app.db.prisma.agent.findFirstOrThrow({
      where: { organizationId: rawId(orgId), email: agent.email },
    });
    expect(profile).toMatchObject({ userId: null, available: false });
  });

  it('lets ADMIN and OWNER manage app services, not AGENT or ANALYST, and validates settings', async () => {
    const owner = await signUp(app, 'owner3');
    const orgId = await createOrganization(app, owner.token, 'Apps Ltd');
    const users: Record<string, string> = {};
    for (const role of ['ADMIN', 'AGENT', 'ANALYST']) {
      const user = await signUp(app, role.toLowerCase());
      await app.gql(
        ADD,
        { input: { organizationId: orgId, email: user.email, role } },
        { token: owner.token },
      );
      users[role] = user.token;
    }
    const CREATE = `mutation($input: CreateAppServiceInput!) { createAppService(input: $input) { id name channel timezone botEnabled notificationEmails } }`;
    const input = {
      organizationId: orgId,
      name: 'Web chat',
      channel: 'WEB',
      timezone: 'Asia/Dubai',
      notificationEmails: ['Ops@Example.com'],
    };
    for (const role of ['AGENT', 'ANALYST']) {
      expect(codesOf(await app.gql(CREATE, { input }, { token: users[role] }))).toEqual(['FORBIDDEN']);
    }
    const created = await app.gql<{
      createAppService: { id: string; timezone: string; botEnabled: boolean; notificationEmails: string[] };
    }>(CREATE, { input }, { token: users.ADMIN });
    expect(created.data?.createAppService).toMatchObject({
      timezone: 'Asia/Dubai',
      botEnabled: true,
      notificationEmails: ['ops@example.com'],
    });

    const UPDATE = `mutation($input: UpdateAppServiceInput!) { updateAppService(input: $input) { name timezone botEnabled } }`;
    const id = created.data!.createAppService.id;
    const updated = await app.gql<{
      updateAppService: { name: string; timezone: string; botEnabled: boolean };
    }>(UPDATE, { input: { id, botEnabled: false } }, { token: owner.token });
    expect(updated.data?.updateAppService).toEqual({
      name: 'Web chat',
      timezone: 'Asia/Dubai',
      botEnabled: false,
    });

    for (const bad of [
      { timezone: 'Mars/Olympus' },
      { notificationEmails: ['nope'] },
      { notificationWebhookUrls: ['ftp://x'] },
      { notificationWebhookUrls: ['http://127.0.0.1:8080/hook'] },
      { notificationWebhookUrls: ['http://169.254.169.254/latest'] },
      { name: '' },
    ]) {
      const response = await app.gql(UPDATE, { input: { id, ...bad } }, { token: owner.token });
      expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
    }
    const row = await app.db.prisma.appService.findUniqueOrThrow({ where: { id: rawId(id) } });
    expect(row).toMatchObject({ name: 'Web chat', timezone: 'Asia/Dubai', notificationWebhookUrls: [] });
    expect(codesOf(await app.gql(UPDATE, { input: { id, name: 'x' } }, { token: users.AGENT }))).toEqual([
      'FORBIDDEN',
    ]);
    expect(
      codesOf(await app.gql(UPDATE, { input: { id: 'not-an-id', name: 'x' } }, { token: owner.token })),
    ).toEqual(['BAD_USER_INPUT']);
  });
});
