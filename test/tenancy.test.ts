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
  eventId: string;
  cannedResponseId: string;
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
    eventId: globalId(
      'Event',
      (
        await app.db.prisma.event.create({
          data: {
            organizationId: rawId(orgId),
            conversationId,
            type: 'SALE_MADE',
            payload: { product: `secret product ${name}`, price: 10 },
          },
        })
      ).id,
    ),
    cannedResponseId: globalId(
      'CannedResponse',
      (
        await app.db.prisma.cannedResponse.create({
          data: { organizationId: rawId(orgId), shortCode: 'greet', content: `secret greeting ${name}` },
        })
      ).id,
    ),
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
            cannedResponses(first: 100) {
              edges {
                node {
                  id
                  content
                }
              }
            }
            followUps(first: 100) {
              edges {
                node {
                  score
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
                  events(first: 100) {
                    edges {
                      node {
                        id
                        payload {
                          __typename
                          ... on SaleMadePayload {
                            product
                          }
                        }
                      }
                    }
                  }
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
    // The EVERYTHING walk reads every connection at once, ~2×10^8 objects by the cost model: far past
    // what a client may ask (test/abuse.test.ts tests the limits), so they are off here.
    app = await createTestApp(kind, { api: { operationLimits: null } });
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
    t.eventId,
    t.cannedResponseId,
    `secret product ${t.name}`,
    `secret greeting ${t.name}`,
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
      a.eventId,
      a.cannedResponseId,
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
    // The walk really selects what the other tests look for.
    for (const visible of [
      a.eventId,
      a.cannedResponseId,
      'secret product a',
      'secret greeting a',
      a.owner.email,
    ]) {
      expect(owner).toContain(visible);
    }
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
          app.db.prisma.conversation.findMany({
            where: { organizationId: rawId(a.orgId) },
            orderBy: { id: 'asc' },
          }),
          app.db.prisma.message.findMany({
            where: { organizationId: rawId(a.orgId) },
            orderBy: { id: 'asc' },
          }),
          app.db.prisma.event.count({ where: { organizationId: rawId(a.orgId) } }),
          app.db.prisma.cannedResponse.count({ where: { organizationId: rawId(a.orgId) } }),
          app.db.prisma.assignmentRecord.count({ where: { organizationId: rawId(a.orgId) } }),
          app.db.prisma.export.count({ where: { organizationId: rawId(a.orgId) } }),
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
      [
        'ingestMessage',
        `mutation($i: IngestMessageInput!) { ingestMessage(input: $i) { duplicate } }`,
        { i: { appServiceId: a.appServiceId, customer: { externalId: '+15550001' }, content: 'x' } },
      ],
      [
        'recordEvent',
        `mutation($i: RecordEventInput!) { recordEvent(input: $i) { id } }`,
        {
          i: {
            conversationId: a.conversationId,
            payload: { objectionDetection: { objectionType: 'price' } },
          },
        },
      ],
      [
        'takeOverConversation',
        `mutation($i: TakeOverConversationInput!) { takeOverConversation(input: $i) { conversation { id } } }`,
        { i: { conversationId: a.conversationId, message: 'x' } },
      ],
      [
        'sendMessage',
        `mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }`,
        { i: { conversationId: a.conversationId, content: 'x' } },
      ],
      [
        'assignConversation',
        `mutation($i: AssignConversationInput!) { assignConversation(input: $i) { queuePosition } }`,
        { i: { conversationId: a.conversationId, agentId: a.agentId } },
      ],
      [
        'releaseConversation',
        `mutation($i: ConversationIdInput!) { releaseConversation(input: $i) { id } }`,
        { i: { conversationId: a.conversationId } },
      ],
      [
        'setConversationStatus',
        `mutation($i: SetConversationStatusInput!) { setConversationStatus(input: $i) { id } }`,
        { i: { conversationId: a.conversationId, status: 'CLOSED' } },
      ],
      [
        'setConversationPriority',
        `mutation($i: SetConversationPriorityInput!) { setConversationPriority(input: $i) { id } }`,
        { i: { conversationId: a.conversationId, priority: 'URGENT' } },
      ],
      [
        'addLabels',
        `mutation($i: ConversationLabelsInput!) { addLabels(input: $i) { id } }`,
        { i: { conversationId: a.conversationId, labels: ['x'] } },
      ],
      [
        'createCannedResponse',
        `mutation($i: CreateCannedResponseInput!) { createCannedResponse(input: $i) { id } }`,
        { i: { organizationId: a.orgId, shortCode: 'x', content: 'x' } },
      ],
      [
        'createAgent',
        `mutation($i: CreateAgentInput!) { createAgent(input: $i) { id } }`,
        { i: { organizationId: a.orgId, name: 'Mole' } },
      ],
      [
        'updateAgent',
        `mutation($i: UpdateAgentInput!) { updateAgent(input: $i) { id } }`,
        { i: { id: a.agentId, available: false } },
      ],
      [
        'setAvailability',
        `mutation($i: SetAvailabilityInput!) { setAvailability(input: $i) { id } }`,
        { i: { organizationId: a.orgId, available: false } },
      ],
      [
        'recordCsatResponse',
        `mutation($i: RecordCsatResponseInput!) { recordCsatResponse(input: $i) { rating } }`,
        { i: { conversationId: a.conversationId, rating: 1 } },
      ],
      [
        'exportConversations',
        `mutation($i: ExportConversationsInput!) { exportConversations(input: $i) { id } }`,
        { i: { organizationId: a.orgId } },
      ],
      [
        'exportReport',
        `mutation($i: ExportReportInput!) { exportReport(input: $i) { id } }`,
        { i: { organizationId: a.orgId, range: { from: '2026-01-01', to: '2026-01-31' } } },
      ],
    ];
    const callers: [string, Auth][] = [
      ...attackers('a'),
      ['write-only key of the same organization', { apiKey: a.writeOnlyKey.secret }],
    ];
    for (const [who, auth] of callers) {
      for (const [name, query, variables] of mutations) {
        // Ingesting (and a customer's survey answer) is what a messages:write key of this organization is for.
        if (auth.apiKey === a.writeOnlyKey.secret && ['ingestMessage', 'recordCsatResponse'].includes(name))
          continue;
        attempts++;
        const response = await app.gql(query, variables, auth);
        if (response.data && Object.values(response.data).some((v) => v !== null)) leaks++;
        expect(codesOf(response), `${who}: ${name}`).toEqual(['FORBIDDEN']);
      }
    }
    // Acknowledging another organization's outbound messages acknowledges nothing.
    for (const [, auth] of attackers('a')) {
      attempts++;
      const ack = await app.gql<{ acknowledgeOutboundMessages: number }>(
        `mutation($i: AcknowledgeOutboundMessagesInput!) { acknowledgeOutboundMessages(input: $i) }`,
        { i: { messageIds: a.messageIds } },
        auth,
      );
      if (ack.data?.acknowledgeOutboundMessages) leaks++;
      expect(ack.data?.acknowledgeOutboundMessages ?? 0).toBe(0);
    }
    expect(await snapshot()).toBe(before);
  });
});
