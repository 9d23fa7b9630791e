import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesOf, createTestApp, type TestApp } from './support/app.js';
import { backends } from './support/db.js';
import { createApiKey, createAppService, createOrganization, rawId, signUp } from './support/fixtures.js';

const INGEST = /* GraphQL */ `
  mutation Ingest($input: IngestMessageInput!) {
    ingestMessage(input: $input) {
      botShouldReply
      duplicate
      message {
        id
        index
        content
        senderType
        type
        channel
        sentAt
      }
      conversation {
        id
        status
        messageCount
        lastMessageAt
        contact {
          id
          name
          phone
          identifiers {
            channel
            externalId
          }
        }
      }
    }
  }
`;
const INGEST_MANY = /* GraphQL */ `
  mutation IngestMany($input: IngestMessagesInput!) {
    ingestMessages(input: $input) {
      results {
        duplicate
        message {
          id
          index
        }
        conversation {
          id
        }
      }
    }
  }
`;

interface Ingested {
  ingestMessage: {
    botShouldReply: boolean;
    duplicate: boolean;
    message: { id: string; index: number; content: string; senderType: string; sentAt: string };
    conversation: {
      id: string;
      status: string;
      messageCount: number;
      contact: {
        id: string;
        name: string | null;
        phone: string | null;
        identifiers: { channel: string; externalId: string }[];
      };
    };
  };
}

describe.each(backends)('message ingestion on %s', (kind) => {
  let app: TestApp;
  let key: string;
  let token: string;
  let orgId: string;
  let whatsapp: string;
  let telegram: string;
  let other: { key: string; appServiceId: string };

  beforeAll(async () => {
    app = await createTestApp(kind);
    const owner = await signUp(app, 'ingest-owner');
    token = owner.token;
    orgId = await createOrganization(app, token, 'Ingest Org');
    whatsapp = await createAppService(app, token, orgId, 'WhatsApp');
    const created = await app.gql<{ createAppService: { id: string } }>(
      `mutation($input: CreateAppServiceInput!) { createAppService(input: $input) { id } }`,
      { input: { organizationId: orgId, name: 'Telegram', channel: 'TELEGRAM', botEnabled: false } },
      { token },
    );
    telegram = created.data!.createAppService.id;
    key = (await createApiKey(app, token, orgId, ['MESSAGES_WRITE', 'CONVERSATIONS_READ'])).secret;
    const outsider = await signUp(app, 'ingest-outsider');
    const otherOrg = await createOrganization(app, outsider.token, 'Other Org');
    other = {
      key: (await createApiKey(app, outsider.token, otherOrg, ['MESSAGES_WRITE'])).secret,
      appServiceId: await createAppService(app, outsider.token, otherOrg, 'Other line'),
    };
  });
  afterAll(() => app?.close());

  const ingest = (input: Record<string, unknown>, apiKey = key) =>
    app.gql<Ingested>(INGEST, { input: { senderType: 'CUSTOMER', ...input } }, { apiKey });

  it('creates the contact and a bot conversation, and tells the bot to reply', async () => {
    const response = await ingest({
      appServiceId: whatsapp,
      customer: { externalId: '971 50 111 2233', name: 'Sara' },
      content: 'Hello, is anyone there?',
    });
    expect(response.errors).toBeUndefined();
    const result = response.data!.ingestMessage;
    expect(result).toMatchObject({
      botShouldReply: true,
      duplicate: false,
      message: { index: 0, senderType: 'CUSTOMER' },
    });
    expect(result.conversation).toMatchObject({
      status: 'BOT',
      messageCount: 1,
      contact: {
        name: 'Sara',
        phone: '+971501112233',
        identifiers: [{ channel: 'WHATSAPP', externalId: '971 50 111 2233' }],
      },
    });
    const bot = await ingest({
      appServiceId: whatsapp,
      customer: { externalId: '971 50 111 2233' },
      senderType: 'BOT',
      content: 'Hi Sara!',
    });
    expect(bot.data!.ingestMessage).toMatchObject({ botShouldReply: false, message: { index: 1 } });
    expect(bot.data!.ingestMessage.conversation.id).toBe(result.conversation.id);
  });

  it('recognises the same customer on a second channel by phone, as one contact', async () => {
    const first = await ingest({
      appServiceId: whatsapp,
      customer: { externalId: '+971502223344', name: 'Omar' },
      content: 'hi',
    });
    const second = await ingest({
      appServiceId: telegram,
      customer: { externalId: 'tg-998877', phone: '+971 50 222 3344' },
      content: 'me again, on Telegram',
    });
    const a = first.data!.ingestMessage.conversation;
    const b = second.data!.ingestMessage.conversation;
    expect(b.contact.id).toBe(a.contact.id);
    expect(b.id).not.toBe(a.id);
    expect(b.status).toBe('OPEN');
    expect(second.data!.ingestMessage.botShouldReply).toBe(false);
    expect(b.contact.identifiers.map((i) => i.channel).sort()).toEqual(['TELEGRAM', 'WHATSAPP']);
    // A Telegram user id alone is not a phone number: a new person.
    const stranger = await ingest({
      appServiceId: telegram,
      customer: { externalId: '971502223344' },
      content: 'x',
    });
    expect(stranger.data!.ingestMessage.conversation.contact.id).not.toBe(a.contact.id);
  });

  it('keeps conversation order by sentAt when messages arrive late', async () => {
    const customer = { externalId: '+971503334455' };
    const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString();
    await ingest({ appServiceId: whatsapp, customer, content: 'm10', sentAt: at(10) });
    await ingest({ appServiceId: whatsapp, customer, content: 'm30', sentAt: at(30) });
    const late = await ingest({ appServiceId: whatsapp, customer, content: 'm20', sentAt: at(20) });
    expect(late.data!.ingestMessage.message.index).toBe(1);
    const earliest = await ingest({ appServiceId: whatsapp, customer, content: 'm05', sentAt: at(5) });
    expect(earliest.data!.ingestMessage.message.index).toBe(0);
    const rows = await app.db.prisma.message.findMany({
      where: { conversationId: rawId(late.data!.ingestMessage.conversation.id) },
      orderBy: { index: 'asc' },
    });
    expect(rows.map((m) => [m.index, m.content])).toEqual([
      [0, 'm05'],
      [1, 'm10'],
      [2, 'm20'],
      [3, 'm30'],
    ]);
    const conversation = await app.db.prisma.conversation.findUniqueOrThrow({
      where: { id: rows[0]!.conversationId },
    });
    expect(conversation.lastMessageAt.toISOString()).toBe(at(30));
  });

  it('returns the first result for a repeated idempotency key, also under concurrent retries', async () => {
    const input = {
      appServiceId: whatsapp,
      customer: { externalId: '+971504445566' },
      content: 'once',
      idempotencyKey: 'wamid.ABC123',
    };
    const first = await ingest(input);
    const again = await ingest(input);
    expect(again.data!.ingestMessage).toMatchObject({
      duplicate: true,
      message: { id: first.data!.ingestMessage.message.id },
    });

    const racing = { ...input, customer: { externalId: '+971505556677' }, idempotencyKey: 'wamid.RACE' };
    const results = await Promise.all(Array.from({ length: 8 }, () => ingest(racing)));
    for (const result of results) expect(result.errors).toBeUndefined();
    const ids = new Set(results.map((r) => r.data!.ingestMessage.message.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => !r.data!.ingestMessage.duplicate)).toHaveLength(1);
    expect(await app.db.prisma.message.count({ where: { idempotencyKey: 'wamid.RACE' } })).toBe(1);
    expect(await app.db.prisma.contact.count({ where: { phone: '+971505556677' } })).toBe(1);
    expect(await app.db.prisma.conversation.count({ where: { contact: { phone: '+971505556677' } } })).toBe(
      1,
    );
  });

  it('answers the first result when concurrent requests reuse one idempotency key for different customers', async () => {
    // Different customers take different locks, so the inserts race on the unique key itself.
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        ingest({
          appServiceId: whatsapp,
          customer: { externalId: `+97150700${String(n).padStart(4, '0')}` },
          content: `collision ${n}`,
          idempotencyKey: 'wamid.COLLIDE',
        }),
      ),
    );
    expect(results.flatMap((result) => result.errors ?? [])).toEqual([]);
    const ids = new Set(results.map((result) => result.data!.ingestMessage.message.id));
    expect(ids.size).toBe(1);
    expect(results.filter((result) => !result.data!.ingestMessage.duplicate)).toHaveLength(1);
    expect(await app.db.prisma.message.count({ where: { idempotencyKey: 'wamid.COLLIDE' } })).toBe(1);
  });

  it('puts concurrent messages of one customer in one conversation with consecutive indexes', async () => {
    const customer = { externalId: '+971501212121' };
    const first = await ingest({ appServiceId: whatsapp, customer, content: 'before' });
    const conversationId = first.data!.ingestMessage.conversation.id;
    await app.gql(
      `mutation($i: ConversationIdInput!) { closeConversation(input: $i) { status } }`,
      { i: { conversationId } },
      { token },
    );
    // The next conversation does not exist yet: all eight race to create it.
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        ingest({ appServiceId: whatsapp, customer, content: `burst ${i}` }),
      ),
    );
    for (const result of results) expect(result.errors).toBeUndefined();
    const conversations = new Set(results.map((r) => r.data!.ingestMessage.conversation.id));
    expect(conversations.size).toBe(1);
    expect([...conversations][0]).not.toBe(conversationId);
    expect(results.map((r) => r.data!.ingestMessage.message.index).sort((a, b) => a - b)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7,
    ]);
  });

  it('reopens a resolved conversation on a customer message and starts a new one after close', async () => {
    const customer = { externalId: '+971506667788' };
    const first = await ingest({ appServiceId: whatsapp, customer, content: 'first' });
    const conversationId = first.data!.ingestMessage.conversation.id;
    const resolve = await app.gql(
      `mutation($i: ConversationIdInput!) { resolveConversation(input: $i) { status resolvedAt } }`,
      { i: { conversationId } },
      { token },
    );
    expect(resolve.errors).toBeUndefined();
    const reopened = await ingest({ appServiceId: whatsapp, customer, content: 'one more thing' });
    expect(reopened.data!.ingestMessage.conversation).toMatchObject({ id: conversationId, status: 'BOT' });
    expect(
      (await app.db.prisma.conversation.findUniqueOrThrow({ where: { id: rawId(conversationId) } }))
        .resolvedAt,
    ).toBeNull();

    await app.gql(
      `mutation($i: ConversationIdInput!) { closeConversation(input: $i) { status } }`,
      { i: { conversationId } },
      { token },
    );
    const fresh = await ingest({ appServiceId: whatsapp, customer, content: 'new topic' });
    expect(fresh.data!.ingestMessage.conversation.id).not.toBe(conversationId);
    expect(fresh.data!.ingestMessage.message.index).toBe(0);
  });

  it('stores a batch all or nothing', async () => {
    const before = await app.db.prisma.message.count();
    const good = Array.from({ length: 30 }, (_, i) => ({
      appServiceId: whatsapp,
      senderType: i % 2 ? 'BOT' : 'CUSTOMER',
      customer: { externalId: `+97150700${String(i % 3).padStart(4, '0')}` },
      content: `backfill ${i}`,
      idempotencyKey: `batch-${i}`,
    }));
    const ok = await app.gql<{ ingestMessages: { results: { message: { index: number } }[] } }>(
      INGEST_MANY,
      { input: { messages: good } },
      { apiKey: key },
    );
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.ingestMessages.results).toHaveLength(30);
    expect(await app.db.prisma.message.count()).toBe(before + 30);

    const mixed = [
      {
        appServiceId: whatsapp,
        senderType: 'CUSTOMER',
        customer: { externalId: '+971508880000' },
        content: 'fine',
        idempotencyKey: 'mixed-1',
      },
      {
        appServiceId: other.appServiceId,
        senderType: 'CUSTOMER',
        customer: { externalId: '+971508880000' },
        content: 'not yours',
      },
    ];
    expect(codesOf(await app.gql(INGEST_MANY, { input: { messages: mixed } }, { apiKey: key }))).toEqual([
      'FORBIDDEN',
    ]);
    const tooLong = [
      { ...mixed[0], idempotencyKey: 'mixed-2' },
      { ...mixed[0], idempotencyKey: 'mixed-3', content: 'x'.repeat(20_001) },
    ];
    expect(codesOf(await app.gql(INGEST_MANY, { input: { messages: tooLong } }, { apiKey: key }))).toEqual([
      'BAD_USER_INPUT',
    ]);
    const repeated = [
      { ...mixed[0], idempotencyKey: 'same' },
      { ...mixed[0], idempotencyKey: 'same' },
    ];
    expect(codesOf(await app.gql(INGEST_MANY, { input: { messages: repeated } }, { apiKey: key }))).toEqual([
      'BAD_USER_INPUT',
    ]);
    const tooMany = Array.from({ length: 501 }, () => mixed[0]);
    expect(codesOf(await app.gql(INGEST_MANY, { input: { messages: tooMany } }, { apiKey: key }))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(await app.db.prisma.message.count()).toBe(before + 30);
    expect(await app.db.prisma.contact.count({ where: { phone: '+971508880000' } })).toBe(0);
  });

  it('stores a batch exactly as it would store its messages one by one', async () => {
    type Row = { duplicate: boolean; botShouldReply: boolean; conversation: { id: string } };
    const at = (minute: number) => new Date(Date.UTC(2026, 0, 2, 10, minute)).toISOString();
    // The same story twice, for two sets of customers: once in one batch, once message by message.
    const story = async (set: string, inOneBatch: boolean) => {
      const a = `+97155${set}00001`;
      const b = `+97155${set}00002`;
      const p = `+97155${set}00003`;
      const pre = await ingest({
        appServiceId: whatsapp,
        customer: { externalId: p },
        content: 'p0',
        idempotencyKey: `pre-${set}`,
      });
      await app.gql(
        `mutation($i: ConversationIdInput!) { resolveConversation(input: $i) { status } }`,
        { i: { conversationId: pre.data!.ingestMessage.conversation.id } },
        { token },
      );
      const messages = [
        { appServiceId: whatsapp, customer: { externalId: a }, content: 'a10', sentAt: at(10) },
        { appServiceId: whatsapp, customer: { externalId: b, name: 'Bee' }, content: 'b-now' },
        { appServiceId: whatsapp, customer: { externalId: a, name: 'Ay' }, content: 'a30', sentAt: at(30) },
        { appServiceId: whatsapp, customer: { externalId: a }, content: 'a20', sentAt: at(20) },
        {
          appServiceId: whatsapp,
          customer: { externalId: p },
          content: 'p-reopens',
          idempotencyKey: `p1-${set}`,
        },
        { appServiceId: whatsapp, customer: { externalId: p }, content: 'p0', idempotencyKey: `pre-${set}` },
        {
          appServiceId: whatsapp,
          customer: { externalId: a },
          senderType: 'BOT',
          content: 'a40',
          sentAt: at(40),
        },
        { appServiceId: whatsapp, customer: { externalId: a }, content: 'a05', sentAt: at(5) },
        { appServiceId: telegram, customer: { externalId: `tg-${set}`, phone: a }, content: 'a on telegram' },
        { appServiceId: whatsapp, customer: { externalId: b }, senderType: 'AGENT', content: 'b-agent' },
      ].map((m) => ({ senderType: 'CUSTOMER', ...m }));
      // message and conversation are read back after the commit (the state after the whole batch); what the
      // service decided per message is in duplicate and botShouldReply.
      const BATCH = `mutation($input: IngestMessagesInput!) { ingestMessages(input: $input) { results {
        duplicate botShouldReply conversation { id } } } }`;
      let rows: Row[];
      if (inOneBatch) {
        const response = await app.gql<{ ingestMessages: { results: Row[] } }>(
          BATCH,
          { input: { messages } },
          { apiKey: key },
        );
        expect(response.errors).toBeUndefined();
        rows = response.data!.ingestMessages.results;
      } else {
        rows = [];
        for (const message of messages) {
          const response = await app.gql<{ ingestMessages: { results: Row[] } }>(
            BATCH,
            { input: { messages: [message] } },
            { apiKey: key },
          );
          expect(response.errors).toBeUndefined();
          rows.push(response.data!.ingestMessages.results[0]!);
        }
      }
      const conversations = [...new Set(rows.map((row) => rawId(row.conversation.id)))];
      const stored = await app.db.prisma.conversation.findMany({
        where: { id: { in: conversations } },
        include: { messages: { orderBy: { index: 'asc' } }, contact: { include: { identifiers: true } } },
      });
      const byId = new Map(stored.map((c) => [c.id, c]));
      return {
        // Conversation ids differ between the two runs: compare by their place in the story.
        results: rows.map((row) => ({
          ...row,
          conversation: conversations.indexOf(rawId(row.conversation.id)),
        })),
        conversations: conversations.map((id) => {
          const c = byId.get(id)!;
          return {
            status: c.status,
            messageCount: c.messageCount,
            lastMessageAt:
              c.lastMessageAt.getTime() > Date.UTC(2026, 1) ? 'now' : c.lastMessageAt.toISOString(),
            firstReply: c.firstReplyAt !== null,
            resolvedAt: c.resolvedAt,
            contact: c.contact?.name,
            identifiers: c.contact?.identifiers.length,
            messages: c.messages.map((m) => [m.index, m.content, m.senderType]),
          };
        }),
        // One classification job per customer message stored.
        jobs: (
          await app.db.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM outbox_jobs
            WHERE payload->>'messageId' = ANY(${stored.flatMap((c) => c.messages.map((m) => m.id))}::text[])`
        )[0]!.n,
      };
    };
    const batch = await story('1', true);
    const oneByOne = await story('2', false);
    expect(batch.results).toEqual(oneByOne.results);
    expect(batch.conversations).toEqual(oneByOne.conversations);
    expect(batch.jobs).toBe(oneByOne.jobs);
    expect(batch.jobs).toBe(8);
    expect(batch.results.map((r) => r.duplicate)).toEqual([
      ...Array(5).fill(false),
      true,
      ...Array(4).fill(false),
    ]);
    expect(batch.results.map((r) => r.botShouldReply)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      false,
      true,
      false,
      false,
    ]);
    expect(batch.conversations[0]!.messages.map((m) => m[1])).toEqual(['a05', 'a10', 'a20', 'a30', 'a40']);
  });

  it('refuses other tenants, missing scopes and bad input, changing nothing', async () => {
    const before = await app.db.prisma.message.count();
    const input = { appServiceId: whatsapp, customer: { externalId: '+971509990000' }, content: 'hello' };
    expect(codesOf(await ingest(input, other.key))).toEqual(['FORBIDDEN']);
    const readOnly = (await createApiKey(app, token, orgId, ['CONVERSATIONS_READ'])).secret;
    expect(codesOf(await ingest(input, readOnly))).toEqual(['FORBIDDEN']);
    // Nobody signed in and no key: UNAUTHENTICATED, not FORBIDDEN.
    expect(codesOf(await app.gql(INGEST, { input: { ...input, senderType: 'CUSTOMER' } }))).toEqual([
      'UNAUTHENTICATED',
    ]);
    expect(codesOf(await ingest({ ...input, content: 'x'.repeat(20_001) }))).toEqual(['BAD_USER_INPUT']);
    expect(codesOf(await ingest({ ...input, customer: { externalId: '' } }))).toEqual(['BAD_USER_INPUT']);
    expect(codesOf(await ingest({ ...input, appServiceId: 'bogus' }))).toEqual(['BAD_USER_INPUT']);
    expect(codesOf(await ingest({ ...input, link: 'not a url' }))).toEqual(['BAD_USER_INPUT']);
    expect(await app.db.prisma.message.count()).toBe(before);
  });

  it('lets a key that only writes read back what it wrote, and nothing more of the conversation', async () => {
    const writeOnly = (await createApiKey(app, token, orgId, ['MESSAGES_WRITE'])).secret;
    const input = {
      appServiceId: whatsapp,
      senderType: 'CUSTOMER',
      customer: { externalId: '+971509991111' },
      content: 'hello',
    };
    const written = await app.gql<{
      ingestMessage: {
        message: { content: string };
        conversation: { transcript: string | null; stats: null; messages: { totalCount: number } };
      };
    }>(
      `mutation($input: IngestMessageInput!) { ingestMessage(input: $input) {
        message { content } conversation { transcript stats { messages } messages { totalCount } } } }`,
      { input },
      { apiKey: writeOnly },
    );
    expect(written.errors).toBeUndefined();
    expect(written.data!.ingestMessage).toEqual({
      message: { content: 'hello' },
      conversation: { transcript: null, stats: null, messages: { totalCount: 0 } },
    });
  });
});
