// What the console's conversation view relies on (#19): a public reply is held to its channel's length
// (WhatsApp 4,096 characters: BAD_USER_INPUT, nothing stored, no takeover), private notes are not, and
// AppService.maxReplyLength says the limit; a contact's identifiers and past conversations, never another
// organization's, at a fixed number of statements however many contacts a page shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, codesOf, type TestApp } from './support/app.js';
import { backends } from './support/db.js';
import {
  createAppService,
  createOrganization,
  globalId,
  insertConversation,
  rawId,
  signUp,
} from './support/fixtures.js';

const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id private } } }`;
const TAKE_OVER = `mutation($i: TakeOverConversationInput!) { takeOverConversation(input: $i) { conversation { id } } }`;
const LIMIT = `query($id: ID!) { node(id: $id) { ... on AppService { channel maxReplyLength } } }`;
const CONTACT = `query($id: ID!) { node(id: $id) { ... on Conversation { contact { id name
  identifiers { channel externalId }
  conversations(first: 10) { totalCount edges { node { id status appService { name } } } } } } } }`;
const INBOX_CONTACTS = `query($o: ID!, $n: Int!) { node(id: $o) { ... on Organization {
  conversations(first: $n) { edges { node { id contact { identifiers { externalId }
    conversations(first: 5) { totalCount edges { node { id status } } } } } } } } } }`;

type ContactAnswer = {
  node: {
    contact: {
      id: string;
      name: string;
      identifiers: { channel: string; externalId: string }[];
      conversations: { totalCount: number; edges: { node: { id: string; status: string } }[] };
    } | null;
  } | null;
};

describe.each(backends)('replies and contacts for the conversation view on %s', (kind) => {
  let app: TestApp;
  let owner: { token: string };
  let stranger: { token: string };
  let orgId: string;
  let whatsapp: string;
  let web: string;

  beforeAll(async () => {
    app = await createTestApp(kind);
    owner = await signUp(app, 'replies-owner');
    stranger = await signUp(app, 'replies-stranger');
    orgId = await createOrganization(app, owner.token, 'Replies Org');
    await createOrganization(app, stranger.token, 'Stranger Org');
    whatsapp = await createAppService(app, owner.token, orgId, 'WhatsApp line');
    const created = await app.gql<{ createAppService: { id: string } }>(
      `mutation($input: CreateAppServiceInput!) { createAppService(input: $input) { id } }`,
      { input: { organizationId: orgId, name: 'Web chat', channel: 'WEB', externalId: 'replies-web' } },
      { token: owner.token },
    );
    web = created.data!.createAppService.id;
  });
  afterAll(() => app?.close());

  const conversationOn = async (appServiceId: string) => {
    const { conversationId } = await insertConversation(app, {
      organizationId: orgId,
      appServiceId,
      messages: 2,
    });
    return globalId('Conversation', conversationId);
  };
  const stored = (conversationId: string) =>
    app.db.prisma.message.count({ where: { conversationId: rawId(conversationId), senderType: 'AGENT' } });

  it('says each app service its channel limit', async () => {
    const limits = await Promise.all(
      [whatsapp, web].map(async (id) => (await app.gql(LIMIT, { id }, { token: owner.token })).data!.node),
    );
    expect(limits).toEqual([
      { channel: 'WHATSAPP', maxReplyLength: 4096 },
      { channel: 'WEB', maxReplyLength: 20_000 },
    ]);
  });

  it('refuses a WhatsApp reply over 4,096 characters, stores nothing and takes nothing over', async () => {
    const conversationId = await conversationOn(whatsapp);
    const tooLong = await app.gql(
      SEND,
      { i: { conversationId, content: 'a'.repeat(5000) } },
      { token: owner.token },
    );
    expect(codesOf(tooLong)).toEqual(['BAD_USER_INPUT']);
    expect(tooLong.errors![0]!.message).toContain('4096');
    const takeOver = await app.gql(
      TAKE_OVER,
      { i: { conversationId, message: 'b'.repeat(4097) } },
      { token: owner.token },
    );
    expect(codesOf(takeOver)).toEqual(['BAD_USER_INPUT']);
    expect(await stored(conversationId)).toBe(0);
    expect(
      await app.db.prisma.conversation.findUniqueOrThrow({ where: { id: rawId(conversationId) } }),
    ).toMatchObject({ status: 'BOT', assigneeId: null });

    // Exactly the limit passes, counted as the channel counts: an emoji is one character.
    const atLimit = await app.gql(
      SEND,
      { i: { conversationId, content: `${'😀'.repeat(96)}${'c'.repeat(4000)}` } },
      { token: owner.token },
    );
    expect(atLimit.errors).toBeUndefined();
    // A private note never goes out: only the general limit holds it.
    const note = await app.gql(
      SEND,
      { i: { conversationId, content: 'n'.repeat(5000), private: true } },
      { token: owner.token },
    );
    expect(note.errors).toBeUndefined();
    expect(await stored(conversationId)).toBe(2);
  });

  it('lets a web chat reply of 5,000 characters through', async () => {
    const conversationId = await conversationOn(web);
    const answer = await app.gql(
      SEND,
      { i: { conversationId, content: 'w'.repeat(5000) } },
      { token: owner.token },
    );
    expect(answer.errors).toBeUndefined();
  });

  it("lists a contact's identifiers and conversations, and shows another organization none of them", async () => {
    const first = await insertConversation(app, {
      organizationId: orgId,
      appServiceId: whatsapp,
      messages: 2,
    });
    const earlier = await app.db.prisma.conversation.create({
      data: {
        organizationId: rawId(orgId),
        appServiceId: rawId(web),
        contactId: first.contactId,
        status: 'RESOLVED',
        lastMessageAt: new Date(Date.now() - 86_400_000),
      },
    });
    await app.db.prisma.contactIdentifier.createMany({
      data: [
        {
          organizationId: rawId(orgId),
          contactId: first.contactId,
          channel: 'WHATSAPP',
          externalId: '+971509990001',
        },
        {
          organizationId: rawId(orgId),
          contactId: first.contactId,
          channel: 'EMAIL',
          externalId: 'rania@example.test',
        },
      ],
    });
    // A row of another organization pointing at this contact (it cannot happen through the API) stays unseen.
    const strangerOrg = await app.db.prisma.organization.create({ data: { name: 'Elsewhere' } });
    const strangerLine = await app.db.prisma.appService.create({
      data: { organizationId: strangerOrg.id, name: 'Elsewhere line', channel: 'WHATSAPP' },
    });
    await app.db.prisma.conversation.create({
      data: {
        organizationId: strangerOrg.id,
        appServiceId: strangerLine.id,
        contactId: first.contactId,
        status: 'BOT',
      },
    });

    const conversationId = globalId('Conversation', first.conversationId);
    const answer = await app.gql<ContactAnswer>(CONTACT, { id: conversationId }, { token: owner.token });
    expect(answer.errors).toBeUndefined();
    const contact = answer.data!.node!.contact!;
    expect(contact.identifiers.map((identifier) => `${identifier.channel} ${identifier.externalId}`)).toEqual(
      ['WHATSAPP +971509990001', 'EMAIL rania@example.test'],
    );
    // Latest activity first: this one, then the resolved one on the web chat.
    expect(contact.conversations.totalCount).toBe(2);
    expect(contact.conversations.edges.map((edge) => edge.node)).toEqual([
      { id: conversationId, status: 'BOT', appService: { name: 'WhatsApp line' } },
      { id: globalId('Conversation', earlier.id), status: 'RESOLVED', appService: { name: 'Web chat' } },
    ]);

    // Another organization's owner: neither the conversation nor the contact.
    const foreign = await app.gql<ContactAnswer>(CONTACT, { id: conversationId }, { token: stranger.token });
    expect(foreign.data?.node ?? null).toBeNull();
    const foreignContact = await app.gql<{ node: unknown }>(
      `query($id: ID!) { node(id: $id) { ... on Contact { conversations(first: 5) { totalCount } } } }`,
      { id: contact.id },
      { token: stranger.token },
    );
    expect(foreignContact.data?.node ?? null).toBeNull();
    // A page size beyond the bound is refused.
    const tooMany = await app.gql(
      `query($id: ID!) { node(id: $id) { ... on Contact { conversations(first: 500) { totalCount } } } }`,
      { id: contact.id },
      { token: owner.token },
    );
    expect(codesOf(tooMany)).toEqual(['BAD_USER_INPUT']);
  });

  it("costs the same statements for 2 and for 8 inbox rows with their contacts' conversations", async () => {
    for (let i = 0; i < 8; i++) await conversationOn(whatsapp);
    const measure = async (n: number) => {
      await app.gql(`{ __typename }`, {}, { token: owner.token });
      const { result, statements } = await app.countStatements(() =>
        app.gql<{ node: { conversations: { edges: unknown[] } } }>(
          INBOX_CONTACTS,
          { o: orgId, n },
          { token: owner.token },
        ),
      );
      expect(result.errors).toBeUndefined();
      expect(result.data!.node.conversations.edges).toHaveLength(n);
      return statements.length;
    };
    expect(await measure(8)).toBe(await measure(2));
  });
});
