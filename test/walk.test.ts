import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app.js';
import { backends } from './support/db.js';
import {
  createAppService,
  createOrganization,
  globalId,
  insertConversation,
  signUp,
} from './support/fixtures.js';

/** The dashboard's walk: individual → businesses → app services → conversations → messages. */
const WALK = /* GraphQL */ `
  query Walk($conversations: Int!, $messages: Int!) {
    viewer {
      user {
        name
      }
      organizations(first: 10) {
        edges {
          node {
            id
            name
            appServices(first: 10) {
              edges {
                node {
                  id
                  name
                  conversations(first: $conversations) {
                    totalCount
                    pageInfo {
                      hasNextPage
                      endCursor
                    }
                    edges {
                      node {
                        id
                        status
                        lastMessageAt
                        contact {
                          name
                          phone
                        }
                        assignee {
                          name
                        }
                        messages(last: $messages) {
                          edges {
                            node {
                              id
                              index
                              senderType
                              content
                              sentAt
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

interface WalkResult {
  viewer: {
    organizations: {
      edges: {
        node: {
          appServices: {
            edges: {
              node: {
                name: string;
                conversations: {
                  totalCount: number;
                  pageInfo: { hasNextPage: boolean };
                  edges: {
                    node: {
                      id: string;
                      lastMessageAt: string;
                      messages: { edges: { node: { index: number } }[] };
                    };
                  }[];
                };
              };
            }[];
          };
        };
      }[];
    };
  };
}

describe.each(backends)('the dashboard walk on %s', (kind) => {
  let app: TestApp;
  let token: string;
  let orgId: string;
  let appServiceId: string;
  beforeAll(async () => {
    app = await createTestApp(kind);
    const owner = await signUp(app, 'walker');
    token = owner.token;
    orgId = await createOrganization(app, token, 'Walk Org');
    appServiceId = await createAppService(app, token, orgId, 'WhatsApp line');
    await createAppService(app, token, orgId, 'Zz empty web chat');
    for (let i = 0; i < 60; i++) {
      await insertConversation(app, {
        organizationId: orgId,
        appServiceId,
        messages: 12,
        minutesAgo: 600 - i,
        label: i % 3 === 0 ? 'vip' : undefined,
      });
    }
  });
  afterAll(() => app?.close());

  it('walks from the user to the messages, newest conversation first and messages oldest first', async () => {
    const response = await app.gql<WalkResult>(WALK, { conversations: 5, messages: 10 }, { token });
    expect(response.errors).toBeUndefined();
    const services = response.data!.viewer.organizations.edges[0]!.node.appServices.edges.map((e) => e.node);
    expect(services.map((s) => s.name)).toEqual(['WhatsApp line', 'Zz empty web chat']);
    const inbox = services[0]!.conversations;
    expect(inbox.totalCount).toBe(60);
    expect(inbox.pageInfo.hasNextPage).toBe(true);
    const times = inbox.edges.map((e) => Date.parse(e.node.lastMessageAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const indexes = inbox.edges[0]!.node.messages.edges.map((e) => e.node.index);
    expect(indexes).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(services[1]!.conversations.totalCount).toBe(0);
  });

  it('costs the same number of SQL statements at 5 and at 50 conversations per page', async () => {
    const small = await app.countStatements(() =>
      app.gql<WalkResult>(WALK, { conversations: 5, messages: 10 }, { token }),
    );
    const large = await app.countStatements(() =>
      app.gql<WalkResult>(WALK, { conversations: 50, messages: 10 }, { token }),
    );
    const edges = (r: typeof small) =>
      r.result.data!.viewer.organizations.edges[0]!.node.appServices.edges[0]!.node.conversations.edges
        .length;
    expect(edges(small)).toBe(5);
    expect(edges(large)).toBe(50);
    expect(large.statements.length).toBe(small.statements.length);
    console.log(
      `[walk ${kind}] SQL statements: ${small.statements.length} at 5 conversations, ${large.statements.length} at 50`,
    );
  });

  it('costs the same number of SQL statements for a filtered inbox at 10 and 100 per page', async () => {
    const INBOX = `query($id: ID!, $first: Int!) { node(id: $id) { ... on AppService {
      conversations(first: $first, filter: { status: [BOT, OPEN], search: "message" }) {
        totalCount edges { node { id status priority labels contact { name } assignee { name }
          messages(last: 10) { edges { node { content senderType } } } } } } } } }`;
    type Inbox = { node: { conversations: { edges: unknown[] } } };
    const ten = await app.countStatements(() =>
      app.gql<Inbox>(INBOX, { id: appServiceId, first: 10 }, { token }),
    );
    const hundred = await app.countStatements(() =>
      app.gql<Inbox>(INBOX, { id: appServiceId, first: 100 }, { token }),
    );
    expect(ten.result.data!.node.conversations.edges).toHaveLength(10);
    expect(hundred.result.data!.node.conversations.edges.length).toBeGreaterThan(50);
    expect(hundred.statements.length).toBe(ten.statements.length);
    console.log(
      `[inbox ${kind}] SQL statements: ${ten.statements.length} at 10, ${hundred.statements.length} at 100`,
    );
  });

  it('pages messages both ways and conversations forward', async () => {
    const first = await app.gql<WalkResult>(WALK, { conversations: 1, messages: 3 }, { token });
    const conversation =
      first.data!.viewer.organizations.edges[0]!.node.appServices.edges[0]!.node.conversations.edges[0]!.node;
    const PAGE = `query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
      node(id: $id) { ... on Conversation { messages(first: $first, after: $after, last: $last, before: $before) {
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { index } } } } }
    }`;
    type Page = {
      node: {
        messages: {
          pageInfo: {
            hasNextPage: boolean;
            hasPreviousPage: boolean;
            startCursor: string;
            endCursor: string;
          };
          edges: { node: { index: number } }[];
        };
      };
    };
    const newest = await app.gql<Page>(PAGE, { id: conversation.id, last: 4 }, { token });
    expect(newest.data!.node.messages.edges.map((e) => e.node.index)).toEqual([8, 9, 10, 11]);
    expect(newest.data!.node.messages.pageInfo.hasPreviousPage).toBe(true);
    const older = await app.gql<Page>(
      PAGE,
      { id: conversation.id, last: 4, before: newest.data!.node.messages.pageInfo.startCursor },
      { token },
    );
    expect(older.data!.node.messages.edges.map((e) => e.node.index)).toEqual([4, 5, 6, 7]);
    const oldest = await app.gql<Page>(PAGE, { id: conversation.id, first: 3 }, { token });
    expect(oldest.data!.node.messages.edges.map((e) => e.node.index)).toEqual([0, 1, 2]);
    const next = await app.gql<Page>(
      PAGE,
      { id: conversation.id, first: 3, after: oldest.data!.node.messages.pageInfo.endCursor },
      { token },
    );
    expect(next.data!.node.messages.edges.map((e) => e.node.index)).toEqual([3, 4, 5]);

    const INBOX = `query($id: ID!, $after: String) { node(id: $id) { ... on AppService {
      conversations(first: 25, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } } } }`;
    type Inbox = {
      node: {
        conversations: {
          pageInfo: { hasNextPage: boolean; endCursor: string };
          edges: { node: { id: string } }[];
        };
      };
    };
    const seen = new Set<string>();
    let after: string | undefined;
    for (let page = 0; page < 3; page++) {
      const result = await app.gql<Inbox>(INBOX, { id: appServiceId, after }, { token });
      for (const edge of result.data!.node.conversations.edges) seen.add(edge.node.id);
      after = result.data!.node.conversations.pageInfo.endCursor;
      expect(result.data!.node.conversations.pageInfo.hasNextPage).toBe(page < 2);
    }
    expect(seen.size).toBe(60);
  });

  it('filters the inbox by status, label, search and escalation', async () => {
    const FILTER = `query($id: ID!, $filter: ConversationFilter) { node(id: $id) { ... on AppService {
      conversations(first: 100, filter: $filter) { totalCount edges { node { id labels status } } } } } }`;
    type Result = {
      node: { conversations: { totalCount: number; edges: { node: { id: string; labels: string[] } }[] } };
    };
    const vip = await app.gql<Result>(FILTER, { id: appServiceId, filter: { label: 'vip' } }, { token });
    expect(vip.data!.node.conversations.totalCount).toBe(20);
    expect(vip.data!.node.conversations.edges.every((e) => e.node.labels.includes('vip'))).toBe(true);

    const someId = vip.data!.node.conversations.edges[0]!.node.id;
    const raw = Buffer.from(someId, 'base64url').toString().split(':')[1]!;
    await app.db.prisma.conversation.update({
      where: { id: raw },
      data: { escalatedAt: new Date(), status: 'OPEN' },
    });
    const escalated = await app.gql<Result>(
      FILTER,
      { id: appServiceId, filter: { escalated: true } },
      { token },
    );
    expect(escalated.data!.node.conversations.edges.map((e) => e.node.id)).toEqual([someId]);
    const open = await app.gql<Result>(FILTER, { id: appServiceId, filter: { status: ['OPEN'] } }, { token });
    expect(open.data!.node.conversations.edges.map((e) => e.node.id)).toEqual([someId]);
    const bot = await app.gql<Result>(
      FILTER,
      { id: appServiceId, filter: { status: ['BOT'], escalated: false } },
      { token },
    );
    expect(bot.data!.node.conversations.totalCount).toBe(59);

    const search = await app.gql<Result>(
      FILTER,
      { id: appServiceId, filter: { search: `MESSAGE 3 OF ${raw.toUpperCase()}` } },
      { token },
    );
    expect(search.data!.node.conversations.edges.map((e) => e.node.id)).toEqual([someId]);
  });

  it('resolves every type through node(id) and refuses malformed ids', async () => {
    const [agent] = await app.db.prisma.agent.findMany({ take: 1 });
    const [message] = await app.db.prisma.message.findMany({ take: 1 });
    const [contact] = await app.db.prisma.contact.findMany({ take: 1 });
    const [user] = await app.db.prisma.user.findMany({ take: 1 });
    const NODE = `query($id: ID!) { node(id: $id) { __typename id } }`;
    for (const [type, id] of [
      ['Agent', agent!.id],
      ['Message', message!.id],
      ['Contact', contact!.id],
      ['Conversation', message!.conversationId],
      ['AppService', message!.appServiceId],
      ['Organization', message!.organizationId],
      ['User', user!.id],
    ] as const) {
      const response = await app.gql<{ node: { __typename: string; id: string } }>(
        NODE,
        { id: globalId(type, id) },
        { token },
      );
      expect(response.data?.node).toEqual({ __typename: type, id: globalId(type, id) });
    }
    for (const bad of ['nonsense', globalId('Conversation', 'not-a-uuid'), 'x'.repeat(500)]) {
      const response = await app.gql(NODE, { id: bad }, { token });
      expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });
});
