import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesOf, createTestApp, type Auth, type TestApp } from './support/app.js';
import { backends } from './support/db.js';
import {
  createApiKey,
  createAppService,
  createOrganization,
  globalId,
  rawId,
  signUp,
} from './support/fixtures.js';

const AGENT_FIELDS = /* GraphQL */ `
  id
  name
  email
  internal
  channels
  topics
  languages
  maxConcurrent
  available
  workingHours
  timezone
  activeConversationCount
  assignments(first: 10) {
    totalCount
    edges {
      node {
        reason
        agent {
          id
        }
        conversation {
          id
          status
        }
      }
    }
  }
`;
const CREATE = `mutation($input: CreateAgentInput!) { createAgent(input: $input) { ${AGENT_FIELDS} } }`;
const UPDATE = `mutation($input: UpdateAgentInput!) { updateAgent(input: $input) { ${AGENT_FIELDS} } }`;
const SET_AVAILABILITY = `mutation($input: SetAvailabilityInput!) { setAvailability(input: $input) { ${AGENT_FIELDS} } }`;
const ADD_MEMBER = `mutation($input: AddMemberInput!) { addMember(input: $input) { role } }`;

interface AgentView {
  id: string;
  name: string;
  email: string | null;
  internal: boolean;
  channels: string[];
  topics: string[];
  languages: string[];
  maxConcurrent: number;
  available: boolean;
  workingHours: unknown;
  timezone: string;
  activeConversationCount: number;
  assignments: {
    totalCount: number;
    edges: {
      node: { reason: string; agent: { id: string } | null; conversation: { id: string; status: string } };
    }[];
  };
}

describe.each(backends)('agent profiles on %s', (kind) => {
  let app: TestApp;
  let owner: Awaited<ReturnType<typeof signUp>>;
  let admin: Awaited<ReturnType<typeof signUp>>;
  let agentUser: Awaited<ReturnType<typeof signUp>>;
  let analyst: Awaited<ReturnType<typeof signUp>>;
  let orgId: string;
  let appServiceId: string;
  let key: Awaited<ReturnType<typeof createApiKey>>;
  // Another organization, its owner and its key.
  let otherOwner: Awaited<ReturnType<typeof signUp>>;
  let otherKey: Awaited<ReturnType<typeof createApiKey>>;

  beforeAll(async () => {
    app = await createTestApp(kind);
    owner = await signUp(app, 'agents-owner');
    orgId = await createOrganization(app, owner.token, 'Agents Inc');
    appServiceId = await createAppService(app, owner.token, orgId);
    admin = await signUp(app, 'agents-admin');
    agentUser = await signUp(app, 'agents-agent');
    analyst = await signUp(app, 'agents-analyst');
    for (const [user, role] of [
      [admin, 'ADMIN'],
      [agentUser, 'AGENT'],
      [analyst, 'ANALYST'],
    ] as const) {
      const added = await app.gql(
        ADD_MEMBER,
        { input: { organizationId: orgId, email: user.email, role } },
        { token: owner.token },
      );
      expect(added.errors).toBeUndefined();
    }
    key = await createApiKey(app, owner.token, orgId, ['MESSAGES_WRITE', 'CONVERSATIONS_READ']);
    otherOwner = await signUp(app, 'agents-other');
    const otherOrgId = await createOrganization(app, otherOwner.token, 'Other Inc');
    otherKey = await createApiKey(app, otherOwner.token, otherOrgId, [
      'MESSAGES_WRITE',
      'CONVERSATIONS_READ',
    ]);
  });
  afterAll(() => app?.close());

  const agentsOfOrg = () =>
    app.db.prisma.agent.findMany({ where: { organizationId: rawId(orgId) }, orderBy: { id: 'asc' } });
  const profileOf = (user: { user: { id: string } }) =>
    app.db.prisma.agent.findFirstOrThrow({
      where: { organizationId: rawId(orgId), userId: rawId(user.user.id) },
    });

  async function create(input: Record<string, unknown>, auth: Auth = { token: owner.token }) {
    const response = await app.gql<{ createAgent: AgentView }>(
      CREATE,
      { input: { organizationId: orgId, ...input } },
      auth,
    );
    if (!response.data) throw new Error(`createAgent failed: ${JSON.stringify(response.errors)}`);
    return response.data.createAgent;
  }

  it('creates an agent with routing preferences, normalized', async () => {
    const hours = { mon: [['09:00', '17:00']], fri: [['22:00', '02:00']] };
    const agent = await create(
      {
        name: 'Night desk',
        email: 'Night@Example.com',
        internal: false,
        channels: ['WHATSAPP', 'WEB', 'WHATSAPP'],
        topics: ['Billing', 'billing', ' refunds '],
        languages: ['EN', 'ar-AE'],
        maxConcurrent: 3,
        workingHours: hours,
        timezone: 'Asia/Dubai',
      },
      { token: admin.token },
    );
    expect(agent).toMatchObject({
      name: 'Night desk',
      email: 'night@example.com',
      internal: false,
      channels: ['WHATSAPP', 'WEB'],
      topics: ['Billing', 'refunds'],
      languages: ['en', 'ar-ae'],
      maxConcurrent: 3,
      available: true,
      workingHours: hours,
      timezone: 'Asia/Dubai',
      activeConversationCount: 0,
      assignments: { totalCount: 0, edges: [] },
    });
    const row = await app.db.prisma.agent.findUniqueOrThrow({ where: { id: rawId(agent.id) } });
    expect(row).toMatchObject({ organizationId: rawId(orgId), userId: null, workingHours: hours });
  });

  it.each([
    ['maxConcurrent 0', { maxConcurrent: 0 }],
    ['maxConcurrent 101', { maxConcurrent: 101 }],
    ['an unknown time zone', { timezone: 'Mars/Olympus' }],
    ['hours without a leading zero', { workingHours: { mon: [['9:00', '17:00']] } }],
    ['an unknown day', { workingHours: { monday: [['09:00', '17:00']] } }],
    ['an empty interval', { workingHours: { mon: [['09:00', '09:00']] } }],
    ['hours that are not an object', { workingHours: 'nine to five' }],
    ['a malformed language', { languages: ['english!'] }],
    ['an empty topic', { topics: ['  '] }],
    ['an empty name', { name: ' ' }],
    ['a malformed email', { email: 'not-an-email' }],
  ])('refuses %s with BAD_USER_INPUT and creates nothing', async (_label, input) => {
    const before = await agentsOfOrg();
    const response = await app.gql(
      CREATE,
      { input: { organizationId: orgId, name: 'Bad', ...input } },
      { token: owner.token },
    );
    expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
    expect(await agentsOfOrg()).toEqual(before);
  });

  it('updates only the fields given; null clears working hours (always)', async () => {
    const agent = await create({
      name: 'Day desk',
      topics: ['sales'],
      workingHours: { mon: [['09:00', '17:00']] },
      timezone: 'Europe/Paris',
    });
    const updated = await app.gql<{ updateAgent: AgentView }>(
      UPDATE,
      { input: { id: agent.id, languages: ['fr'], maxConcurrent: 8 } },
      { token: admin.token },
    );
    expect(updated.errors).toBeUndefined();
    expect(updated.data?.updateAgent).toMatchObject({
      name: 'Day desk',
      topics: ['sales'],
      languages: ['fr'],
      maxConcurrent: 8,
      workingHours: { mon: [['09:00', '17:00']] },
      timezone: 'Europe/Paris',
    });
    const cleared = await app.gql<{ updateAgent: AgentView }>(
      UPDATE,
      { input: { id: agent.id, workingHours: null, channels: [] } },
      { token: owner.token },
    );
    expect(cleared.data?.updateAgent).toMatchObject({
      workingHours: null,
      channels: [],
      timezone: 'Europe/Paris',
    });
  });

  it('refuses an invalid update with BAD_USER_INPUT and changes nothing', async () => {
    const agent = await create({ name: 'Stable' });
    const before = await agentsOfOrg();
    for (const input of [
      { maxConcurrent: 0 },
      { timezone: 'Nowhere/City' },
      { workingHours: { sun: [['10:00', '24:30']] } },
      { name: '' },
    ]) {
      const response = await app.gql(UPDATE, { input: { id: agent.id, ...input } }, { token: owner.token });
      expect(codesOf(response), JSON.stringify(input)).toEqual(['BAD_USER_INPUT']);
    }
    const malformedId = await app.gql(UPDATE, { input: { id: 'nope', name: 'x' } }, { token: owner.token });
    expect(codesOf(malformedId)).toEqual(['BAD_USER_INPUT']);
    expect(await agentsOfOrg()).toEqual(before);
  });

  it('AGENT, ANALYST and API keys cannot create or update agents (FORBIDDEN, nothing changed)', async () => {
    const target = await create({ name: 'Target' });
    const before = await agentsOfOrg();
    const callers: [string, Auth][] = [
      ['AGENT', { token: agentUser.token }],
      ['ANALYST', { token: analyst.token }],
      ['API key', { apiKey: key.secret }],
      ['owner of another organization', { token: otherOwner.token }],
      ['API key of another organization', { apiKey: otherKey.secret }],
    ];
    for (const [who, auth] of callers) {
      const created = await app.gql(CREATE, { input: { organizationId: orgId, name: 'Sneaky' } }, auth);
      expect(codesOf(created), `${who} create`).toEqual(['FORBIDDEN']);
      const updated = await app.gql(UPDATE, { input: { id: target.id, maxConcurrent: 99 } }, auth);
      expect(codesOf(updated), `${who} update`).toEqual(['FORBIDDEN']);
    }
    // An id that does not exist is refused the same way, so nobody learns whether an id is real.
    const unknown = await app.gql(
      UPDATE,
      { input: { id: globalId('Agent', '00000000-0000-4000-8000-000000000000'), name: 'x' } },
      { token: owner.token },
    );
    expect(codesOf(unknown)).toEqual(['FORBIDDEN']);
    expect(await agentsOfOrg()).toEqual(before);
  });

  it('setAvailability switches the viewer’s own profile off and on', async () => {
    const off = await app.gql<{ setAvailability: AgentView }>(
      SET_AVAILABILITY,
      { input: { organizationId: orgId, available: false } },
      { token: agentUser.token },
    );
    expect(off.errors).toBeUndefined();
    const profile = await profileOf(agentUser);
    expect(off.data?.setAvailability).toMatchObject({ id: globalId('Agent', profile.id), available: false });
    expect(profile.available).toBe(false);

    const on = await app.gql<{ setAvailability: AgentView }>(
      SET_AVAILABILITY,
      { input: { organizationId: orgId, available: true } },
      { token: agentUser.token },
    );
    expect(on.data?.setAvailability.available).toBe(true);
    expect((await profileOf(agentUser)).available).toBe(true);
  });

  it('coming back on takes queued conversations at once, with the assignment in its history', async () => {
    const prisma = app.db.prisma;
    // Everyone else off, so that only the agent who comes back can take the queued conversation.
    await prisma.agent.updateMany({ where: { organizationId: rawId(orgId) }, data: { available: false } });
    const conversation = await prisma.conversation.create({
      data: {
        organizationId: rawId(orgId),
        appServiceId: rawId(appServiceId),
        status: 'BOT',
        queuedAt: new Date(Date.now() - 60_000),
      },
    });
    const on = await app.gql<{ setAvailability: AgentView }>(
      SET_AVAILABILITY,
      { input: { organizationId: orgId, available: true } },
      { token: agentUser.token },
    );
    expect(on.errors).toBeUndefined();
    const profile = await profileOf(agentUser);
    expect(on.data?.setAvailability).toMatchObject({
      available: true,
      activeConversationCount: 1,
      assignments: {
        totalCount: 1,
        edges: [
          {
            node: {
              reason: 'AUTO',
              agent: { id: globalId('Agent', profile.id) },
              conversation: { id: globalId('Conversation', conversation.id), status: 'ASSIGNED' },
            },
          },
        ],
      },
    });
    expect(await prisma.conversation.findUniqueOrThrow({ where: { id: conversation.id } })).toMatchObject({
      assigneeId: profile.id,
      status: 'ASSIGNED',
      queuedAt: null,
    });
  });

  it('setAvailability from another organization or with an API key is FORBIDDEN and changes nothing', async () => {
    const before = await agentsOfOrg();
    const callers: [string, Auth][] = [
      ['owner of another organization', { token: otherOwner.token }],
      ['API key of another organization', { apiKey: otherKey.secret }],
      ['API key of this organization', { apiKey: key.secret }],
      ['ANALYST (no agent work here)', { token: analyst.token }],
    ];
    for (const [who, auth] of callers) {
      const response = await app.gql(
        SET_AVAILABILITY,
        { input: { organizationId: orgId, available: false } },
        auth,
      );
      expect(codesOf(response), who).toEqual(['FORBIDDEN']);
      expect(response.data ?? null, who).toBeNull();
    }
    expect(
      codesOf(await app.gql(SET_AVAILABILITY, { input: { organizationId: orgId, available: true } })),
    ).toEqual(['UNAUTHENTICATED']);
    expect(await agentsOfOrg()).toEqual(before);
  });

  it('setAvailability without an agent profile in the organization is NOT_FOUND', async () => {
    const newcomer = await signUp(app, 'agents-newcomer');
    await app.gql(
      ADD_MEMBER,
      { input: { organizationId: orgId, email: newcomer.email, role: 'AGENT' } },
      { token: owner.token },
    );
    await app.db.prisma.agent.deleteMany({
      where: { organizationId: rawId(orgId), userId: rawId(newcomer.user.id) },
    });
    const response = await app.gql(
      SET_AVAILABILITY,
      { input: { organizationId: orgId, available: true } },
      { token: newcomer.token },
    );
    expect(codesOf(response)).toEqual(['NOT_FOUND']);
  });
});
