import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesOf, createTestApp, type Auth, type TestApp } from './support/app.js';
import { backends } from './support/db.js';
import {
  createApiKey,
  createAppService,
  createOrganization,
  globalId,
  insertConversation,
  rawId,
  signUp,
} from './support/fixtures.js';

interface Tenant {
  name: string;
  owner: Awaited<ReturnType<typeof signUp>>;
  orgId: string;
  appServiceId: string;
  conversationId: string;
  contactId: string;
  messageIds: string[];
  agentId: string;
  fullKey: Awaited<ReturnType<typeof createApiKey>>;
  writeOnlyKey: Awaited<ReturnType<typeof createApiKey>>;
}

async function makeTenant(app: TestApp, name: string): Promise<Tenant> {
  const owner = await signUp(app, `owner-${name}`);
  const orgId = await createOrganization(app, owner.token, `Org ${name}`);
  const appServiceId = await createAppService(app, owner.token, orgId, `Line ${name}`);
  const { conversationId, contactId } = await insertConversation(app, {
    organizationId: orgId,
    appServiceId,
    messages: 4,
  });
  await app.db.prisma.message.updateMany({ where: { conversationId, index: 3 }, data: { private: true } });
  const messages = await app.db.prisma.message.findMany({
    where: { conversationId },
    orderBy: { index: 'asc' },
  });
  const agent = await app.db.prisma.agent.findFirstOrThrow({ where: { organizationId: rawId(orgId) } });
  return {
    name,
    owner,
    orgId,
    appServiceId,
    conversationId: globalId('Conversation', conversationId),
    contactId: globalId('Contact', contactId),
    messageIds: messages.map((m) => globalId('Message', m.id)),
    agentId: globalId('Agent', agent.id),
    fullKey: await createApiKey(app, owner.token, orgId, [
      'MESSAGES_WRITE',
      'EVENTS_WRITE',
      'CONVERSATIONS_READ',
      'ANALYTICS_READ',
    ]),
    writeOnlyKey: await createApiKey(app, owner.token, orgId, ['MESSAGES_WRITE']),
  };
}

/** Everything any viewer can reach by walking from `viewer` and the organization-level lists. */
const EVERYTHING = /* GraphQL */ `
  {
    viewer {
      user {
        id
        email
      }
      organizations(first: 100) {
        edges {
          node {
            id
            name
            members(first: 100) {
              edges {
                node {
                  role
                  user {
                    id
                    email
                  }
                }
              }
            }
            apiKeys(first: 100) {
              edges {
                node {
                  id
                  prefix
                }
              }
            }
            agents(first: 100) {
              edges {
                node {
                  id
                  name
                  email
                  user {
                    id
                  }
                }
              }
            }
            conversations(first: 100) {
              edges {
                node {
                  id
                  contact {
                    id
                  }
                  messages(first: 100) {
                    edges {
                      node {
                        id
                      }
                    }
                  }
                }
              }
            }
            appServices(first: 100) {
              edges {
                node {
                  id
                  conversations(first: 100) {
                    edges {
                      node {
                        id
                        contact {
                          id
                          identifiers {
                            externalId
                          }
                        }
                        assignee {
                          id
                        }
                        agents {
                          id
                        }
                        externalParticipants {
                          id
                        }
                        messages(first: 100) {
                          edges {
                            node {
                              id
                              content
                              senderContact {
                                id
                              }
                            }
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
`;

const NODE = `query($id: ID!) { node(id: $id) { __typename id } }`;
const NODES = `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`;

describe.each(backends)('cross-tenant isolation on %s', (kind) => {
  let app: TestApp;
  let a: Tenant;
  let b: Tenant;
  let attempts = 0;
  let leaks = 0;

  beforeAll(async () => {
    app = await createTestApp(kind);
    a = await makeTenant(app, 'a');
    b = await makeTenant(app, 'b');
  });
  afterAll(async () => {
    console.log(`[tenancy ${kind}] cross-tenant attempts: ${attempts}, leaks: ${leaks}`);
    await app?.close();
  });

  const secretsOf = (t: Tenant) => [
    t.orgId,
    t.appServiceId,
    t.conversationId,
    t.contactId,
    t.agentId,
    t.owner.user.id,
    t.owner.email,
    t.fullKey.apiKey.id,
    t.writeOnlyKey.apiKey.id,
    t.fullKey.apiKey.prefix,
    ...t.messageIds,
    rawId(t.orgId),
    rawId(t.conversationId),
  ];

  function attackers(victim: 'a'): [string, Auth][] {
    void victim;
    return [
      ['user of the other organization', { token: b.owner.token }],
      ['API key of the other organization', { apiKey: b.fullKey.secret }],
    ];
  }

  it('node(id) and nodes(ids) of another organization return null', async () => {
    const targets = [
      a.orgId,
      a.appServiceId,
      a.conversationId,
      a.contactId,
      a.agentId,
      a.owner.user.id,
      a.fullKey.apiKey.id,
      ...a.messageIds,
    ];
    for (const [who, auth] of attackers('a')) {
      for (const id of targets) {
        attempts++;
        const response = await app.gql<{ node: unknown }>(NODE, { id }, auth);
        if (response.data?.node !== null) leaks++;
        expect(response.data?.node, `${who} reading ${id}`).toBeNull();
      }
      attempts++;
      const many = await app.gql<{ nodes: unknown[] }>(NODES, { ids: targets }, auth);
      if (many.data?.nodes.some((n) => n !== null)) leaks++;
      expect(many.data?.nodes).toEqual(targets.map(() => null));
    }
  });

  it('a key without conversations:read sees no conversation, message, contact, key or user of its own organization', async () => {
    const auth = { apiKey: a.writeOnlyKey.secret };
    for (const id of [a.conversationId, a.contactId, a.owner.user.id, a.fullKey.apiKey.id, ...a.messageIds]) {
      attempts++;
      const response = await app.gql<{ node: unknown }>(NODE, { id }, auth);
      if (response.data?.node !== null) leaks++;
      expect(response.data?.node, `write-only key reading ${id}`).toBeNull();
    }
    attempts++;
    const walk = await app.gql(EVERYTHING, {}, auth);
    expect(walk.errors).toBeUndefined();
    const text = JSON.stringify(walk.data);
    expect(text).toContain(a.orgId);
    for (const hidden of [
      a.conversationId,
      a.contactId,
      a.owner.email,
      a.fullKey.apiKey.prefix,
      ...a.messageIds,
    ]) {
      if (text.includes(hidden)) leaks++;
      expect(text).not.toContain(hidden);
    }
  });

  it('a key with conversations:read never sees private notes', async () => {
    attempts++;
    const walk = await app.gql(EVERYTHING, {}, { apiKey: a.fullKey.secret });
    const text = JSON.stringify(walk.data);
    expect(text).toContain(a.messageIds[0]);
    if (text.includes(a.messageIds[3]!)) leaks++;
    expect(text).not.toContain(a.messageIds[3]);
    const owner = JSON.stringify((await app.gql(EVERYTHING, {}, { token: a.owner.token })).data);
    expect(owner).toContain(a.messageIds[3]);
  });

  it('every nested connection from the other side contains nothing of this organization', async () => {
    for (const [who, auth] of attackers('a')) {
      attempts++;
      const response = await app.gql(EVERYTHING, {}, auth);
      expect(response.errors, who).toBeUndefined();
      const text = JSON.stringify(response.data);
      expect(text).toContain(b.orgId);
      for (const secret of secretsOf(a)) {
        if (text.includes(secret)) leaks++;
        expect(text, `${who} must not see ${secret}`).not.toContain(secret);
      }
    }
  });

  it('every mutation on another organization is FORBIDDEN and changes nothing', async () => {
    const snapshot = async () =>
      JSON.stringify(
        await Promise.all([
          app.db.prisma.organization.findUnique({ where: { id: rawId(a.orgId) } }),
          app.db.prisma.membership.findMany({
            where: { organizationId: rawId(a.orgId) },
            orderBy: { id: 'asc' },
          }),
          app.db.prisma.appService.findMany({
            where: { organizationId: rawId(a.orgId) },
            orderBy: { id: 'asc' },
          }),
          app.db.prisma.apiKey.findMany({
            where: { organizationId: rawId(a.orgId) },
            orderBy: { id: 'asc' },
          }),
          app.db.prisma.agent.findMany({ where: { organizationId: rawId(a.orgId) }, orderBy: { id: 'asc' } }),
        ]),
      );
    const before = await snapshot();
    const outsider = await signUp(app, 'outsider');
    const mutations: [string, string, Record<string, unknown>][] = [
      [
        'updateOrganization',
        `mutation($i: UpdateOrganizationInput!) { updateOrganization(input: $i) { id } }`,
        { i: { organizationId: a.orgId, name: 'pwned' } },
      ],
      [
        'addMember',
        `mutation($i: AddMemberInput!) { addMember(input: $i) { role } }`,
        { i: { organizationId: a.orgId, email: outsider.email, role: 'OWNER' } },
      ],
      [
        'removeMember',
        `mutation($i: MemberInput!) { removeMember(input: $i) { role } }`,
        { i: { organizationId: a.orgId, userId: a.owner.user.id } },
      ],
      [
        'changeMemberRole',
        `mutation($i: ChangeMemberRoleInput!) { changeMemberRole(input: $i) { role } }`,
        { i: { organizationId: a.orgId, userId: a.owner.user.id, role: 'ANALYST' } },
      ],
      [
        'createAppService',
        `mutation($i: CreateAppServiceInput!) { createAppService(input: $i) { id } }`,
        { i: { organizationId: a.orgId, name: 'x', channel: 'WEB' } },
      ],
      [
        'updateAppService',
        `mutation($i: UpdateAppServiceInput!) { updateAppService(input: $i) { id } }`,
        { i: { id: a.appServiceId, name: 'pwned' } },
      ],
      [
        'createApiKey',
        `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }`,
        { i: { organizationId: a.orgId, name: 'x', scopes: ['MESSAGES_WRITE'] } },
      ],
      [
        'revokeApiKey',
        `mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { id } }`,
        { i: { id: a.fullKey.apiKey.id } },
      ],
      [
        'rotateApiKey',
        `mutation($i: RotateApiKeyInput!) { rotateApiKey(input: $i) { secret } }`,
        { i: { id: a.fullKey.apiKey.id } },
      ],
    ];
    const callers: [string, Auth][] = [
      ...attackers('a'),
      ['write-only key of the same organization', { apiKey: a.writeOnlyKey.secret }],
    ];
    for (const [who, auth] of callers) {
      for (const [name, query, variables] of mutations) {
        attempts++;
        const response = await app.gql(query, variables, auth);
        if (response.data && Object.values(response.data).some((v) => v !== null)) leaks++;
        expect(codesOf(response), `${who}: ${name}`).toEqual(['FORBIDDEN']);
      }
    }
    expect(await snapshot()).toBe(before);
  });
});
