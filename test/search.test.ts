// Conversation search (#19): searchConversations over message text (English, French, Arabic, typed with or
// without accents, letter variants and diacritics), partial contact names, phone numbers and identifiers;
// its filters, its paging, who may search, and nothing of one organization found from another. Also the
// statement count of a search (fixed, whatever the page size) and the snippet's reading of text matching
// the database's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeForSearch } from '../src/services/search-snippet.js';
import { createTestApp, type Auth, type TestApp } from './support/app.js';
import { backends } from './support/db.js';
import {
  createApiKey,
  createAppService,
  createOrganization,
  globalId,
  rawId,
  signUp,
} from './support/fixtures.js';

const SEARCH = /* GraphQL */ `
  query Search($o: ID!, $q: String!, $filter: ConversationSearchFilter, $first: Int, $after: String) {
    searchConversations(organizationId: $o, query: $q, filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          matchedOn
          conversation {
            id
            contact {
              name
            }
          }
          message {
            id
            content
          }
          snippet {
            text
            highlights {
              start
              end
            }
          }
        }
      }
    }
  }
`;

interface SearchResult {
  matchedOn: 'CONTACT' | 'MESSAGE';
  conversation: { id: string; contact: { name: string } | null };
  message: { id: string; content: string } | null;
  snippet: { text: string; highlights: { start: number; end: number }[] } | null;
}
interface SearchData {
  searchConversations: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: SearchResult }[];
  };
}

const ADD_MEMBER = `mutation($input: AddMemberInput!) { addMember(input: $input) { role } }`;

describe.each(backends)('searchConversations on %s', (kind) => {
  let app: TestApp;
  let owner: Awaited<ReturnType<typeof signUp>>;
  let orgId: string;
  let lineA: string;
  let lineB: string;
  let other: Awaited<ReturnType<typeof signUp>>;
  let otherOrgId: string;
  let otherLine: string;
  /** Conversation ids (raw) by name. */
  const conv: Record<string, string> = {};
  let teamId: string;
  let ownerAgentId: string;
  let otherAgentId: string;

  /** A contact, its identifiers, a conversation and its messages, written straight to the database. */
  async function conversation(
    name: string,
    input: {
      organizationId: string;
      appServiceId: string;
      contact: {
        name: string;
        phone?: string;
        identifiers?: { channel: 'WHATSAPP' | 'EMAIL'; externalId: string }[];
      };
      messages: (string | { content: string; private: boolean })[];
      minutesAgo: number;
      status?: 'BOT' | 'ASSIGNED' | 'RESOLVED';
      assigneeId?: string;
      teamId?: string;
      labels?: string[];
      priority?: 'HIGH' | 'NORMAL';
      escalated?: boolean;
    },
  ) {
    const organizationId = rawId(input.organizationId);
    const appServiceId = rawId(input.appServiceId);
    const at = new Date(Date.now() - input.minutesAgo * 60_000);
    const contact = await app.db.prisma.contact.create({
      data: {
        organizationId,
        name: input.contact.name,
        phone: input.contact.phone ?? null,
        identifiers: {
          create: (input.contact.identifiers ?? []).map((identifier) => ({ organizationId, ...identifier })),
        },
      },
    });
    const created = await app.db.prisma.conversation.create({
      data: {
        organizationId,
        appServiceId,
        contactId: contact.id,
        status: input.status ?? 'BOT',
        assigneeId: input.assigneeId ?? null,
        teamId: input.teamId ?? null,
        labels: input.labels ?? [],
        priority: input.priority ?? 'NORMAL',
        escalatedAt: input.escalated ? at : null,
        createdAt: at,
        lastMessageAt: at,
        messageCount: input.messages.length,
      },
    });
    await app.db.prisma.message.createMany({
      data: input.messages.map((message, index) => ({
        organizationId,
        appServiceId,
        conversationId: created.id,
        index,
        senderType: 'CUSTOMER' as const,
        senderContactId: contact.id,
        content: typeof message === 'string' ? message : message.content,
        private: typeof message === 'string' ? false : message.private,
        channel: 'WHATSAPP' as const,
        sentAt: new Date(at.getTime() - (input.messages.length - index) * 1000),
      })),
    });
    conv[name] = created.id;
    return created.id;
  }

  beforeAll(async () => {
    app = await createTestApp(kind);
    owner = await signUp(app, 'search-owner');
    orgId = await createOrganization(app, owner.token, 'Search Org');
    lineA = await createAppService(app, owner.token, orgId, 'Line A');
    lineB = await createAppService(app, owner.token, orgId, 'Line B');
    other = await signUp(app, 'search-other');
    otherOrgId = await createOrganization(app, other.token, 'Other Search Org');
    otherLine = await createAppService(app, other.token, otherOrgId, 'Other line');

    const org = rawId(orgId);
    ownerAgentId = (await app.db.prisma.agent.findFirstOrThrow({ where: { organizationId: org } })).id;
    otherAgentId = (await app.db.prisma.agent.create({ data: { organizationId: org, name: 'Colleague' } }))
      .id;
    teamId = (await app.db.prisma.team.create({ data: { organizationId: org, name: 'Billing' } })).id;

    await conversation('refund', {
      organizationId: orgId,
      appServiceId: lineA,
      contact: {
        name: 'Fatima Zahra',
        phone: '+971501234567',
        identifiers: [{ channel: 'WHATSAPP', externalId: '+971501234567' }],
      },
      messages: ['Hello there', 'I would like a refund for my order, it arrived broken.'],
      minutesAgo: 10,
      status: 'ASSIGNED',
      assigneeId: ownerAgentId,
      teamId,
      labels: ['billing'],
      priority: 'HIGH',
      escalated: true,
    });
    await conversation('refunded', {
      organizationId: orgId,
      appServiceId: lineA,
      contact: { name: 'John Smith', phone: '+447700900123' },
      messages: ['My money was refunded yesterday, thanks'],
      minutesAgo: 20,
      status: 'ASSIGNED',
      assigneeId: otherAgentId,
    });
    await conversation('french', {
      organizationId: orgId,
      appServiceId: lineA,
      contact: {
        name: 'Jean Dupont',
        phone: '+33698765432',
        identifiers: [{ channel: 'EMAIL', externalId: 'jean.dupont@example.fr' }],
      },
      messages: ['Bonjour', 'Je voudrais être remboursé : la livraison était très en retard.'],
      minutesAgo: 30,
    });
    await conversation('arabic', {
      organizationId: orgId,
      appServiceId: lineB,
      contact: { name: 'محمد الأحمد', phone: '+966551112233' },
      messages: ['السلام عليكم', 'أُرِيدُ إِلْغَاءَ الطلبِ رقم ٧٨٩'],
      minutesAgo: 40,
      status: 'RESOLVED',
      assigneeId: otherAgentId,
      labels: ['cancel'],
    });
    await conversation('private', {
      organizationId: orgId,
      appServiceId: lineB,
      contact: { name: 'Quiet Customer' },
      messages: ['Where is my parcel?', { content: 'Internal: offer a refund voucher', private: true }],
      minutesAgo: 50,
    });
    for (let i = 0; i < 7; i++) {
      await conversation(`delivery${i}`, {
        organizationId: orgId,
        appServiceId: i % 2 === 0 ? lineA : lineB,
        contact: { name: `Paging Customer ${i}` },
        messages: [`Question ${i} about the delivery window`],
        minutesAgo: 100 + i,
      });
    }
    // The other organization: the same words, the same name.
    await conversation('elsewhere', {
      organizationId: otherOrgId,
      appServiceId: otherLine,
      contact: { name: 'Fatima Zahra', phone: '+971501234567' },
      messages: ['I want a refund, the delivery was late. أريد إلغاء الطلب'],
      minutesAgo: 5,
    });
  });
  afterAll(() => app?.close());

  const search = (
    query: string,
    options: { filter?: object; first?: number; after?: string } = {},
    auth?: Auth,
  ) => app.gql<SearchData>(SEARCH, { o: orgId, q: query, ...options }, auth ?? { token: owner.token });

  /** The conversations found, by their names in `conv`, in order. */
  async function found(query: string, filter?: object, auth?: Auth): Promise<string[]> {
    const response = await search(query, { filter, first: 50 }, auth);
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    const names = Object.fromEntries(Object.entries(conv).map(([name, id]) => [id, name]));
    return response.data!.searchConversations.edges.map(
      (edge) => names[rawId(edge.node.conversation.id)] ?? '?',
    );
  }

  describe('finds', () => {
    it('an English word, and its inflections by prefix, with the best message and a highlighted snippet', async () => {
      expect(await found('refund')).toEqual(['refund', 'refunded', 'private']);
      const response = await search('REFUND order');
      const [hit] = response.data!.searchConversations.edges.map((edge) => edge.node);
      expect(hit).toMatchObject({
        matchedOn: 'MESSAGE',
        message: { content: expect.stringContaining('refund') },
      });
      const snippet = hit!.snippet!;
      expect(snippet.highlights.map((range) => snippet.text.slice(range.start, range.end))).toEqual([
        'refund',
        'order',
      ]);
      expect(await found('refunds')).toEqual([]);
    });

    it('French with the accents typed or not', async () => {
      expect(await found('rembourse')).toEqual(['french']);
      expect(await found('tres en retard')).toEqual(['french']);
      expect(await found('ÉTAIT')).toEqual(['french']);
      const response = await search('etre rembourse');
      const snippet = response.data!.searchConversations.edges[0]!.node.snippet!;
      expect(snippet.highlights.map((range) => snippet.text.slice(range.start, range.end))).toEqual([
        'être',
        'remboursé',
      ]);
    });

    it('Arabic with letter variants, diacritics and the article typed differently', async () => {
      expect(await found('الغاء طلب')).toEqual(['arabic']);
      expect(await found('إلغاء')).toEqual(['arabic']);
      expect(await found('اُرِيد الطَّلَب')).toEqual(['arabic']);
      expect(await found('789')).toEqual(['arabic']);
      const snippet = (await search('الغاء')).data!.searchConversations.edges[0]!.node.snippet!;
      expect(snippet.highlights.map((range) => snippet.text.slice(range.start, range.end))).toEqual([
        'إِلْغَاءَ',
      ]);
    });

    it('part of a phone number, typed in any format or digits', async () => {
      expect(await found('1234567')).toEqual(['refund']);
      expect(await found('050 123 4567')).toEqual(['refund']);
      expect(await found('٥٠١٢٣٤')).toEqual(['refund']);
      expect(await found('+966 55')).toEqual(['arabic']);
      const response = await search('1234567');
      expect(response.data!.searchConversations.edges[0]!.node).toMatchObject({
        matchedOn: 'CONTACT',
        message: null,
        snippet: null,
      });
    });

    it('part of a contact name, in Latin or Arabic script', async () => {
      expect(await found('fatim')).toEqual(['refund']);
      expect(await found('DUPON')).toEqual(['french']);
      expect(await found('احمد')).toEqual(['arabic']);
    });

    it('a channel identifier', async () => {
      expect(await found('jean.dupont@')).toEqual(['french']);
      expect(await found('dupont@example')).toEqual(['french']);
    });

    it('contact matches first, then the latest activity', async () => {
      // "Paging Customer …" are contacts; "delivery" is in their messages only.
      expect(await found('paging customer 3')).toEqual(['delivery3']);
      const all = await found('delivery');
      expect(all).toEqual([
        'delivery0',
        'delivery1',
        'delivery2',
        'delivery3',
        'delivery4',
        'delivery5',
        'delivery6',
      ]);
    });
  });

  describe('filters', () => {
    it('by app services, status, assignee (an agent, me, unassigned), team, label, priority, escalated', async () => {
      expect(await found('refund', { appServiceIds: [lineB] })).toEqual(['private']);
      expect(await found('refund', { appServiceIds: [lineA, lineB] })).toEqual([
        'refund',
        'refunded',
        'private',
      ]);
      expect(await found('refund', { status: ['ASSIGNED'] })).toEqual(['refund', 'refunded']);
      expect(await found('refund', { assigneeId: 'me' })).toEqual(['refund']);
      expect(await found('refund', { assigneeId: globalId('Agent', otherAgentId) })).toEqual(['refunded']);
      expect(await found('refund', { unassigned: true })).toEqual(['private']);
      expect(await found('refund', { unassigned: false })).toEqual(['refund', 'refunded']);
      expect(await found('refund', { teamId: globalId('Team', teamId) })).toEqual(['refund']);
      expect(await found('refund', { label: 'billing' })).toEqual(['refund']);
      expect(await found('refund', { priority: ['HIGH'] })).toEqual(['refund']);
      expect(await found('refund', { escalated: true })).toEqual(['refund']);
      expect(await found('refund', { escalated: false })).toEqual(['refunded', 'private']);
      expect(await found('الغاء', { status: ['RESOLVED'], label: 'cancel' })).toEqual(['arabic']);
      expect(await found('الغاء', { status: ['BOT'] })).toEqual([]);
    });

    it('by a date range of the last activity or the start', async () => {
      const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
      expect(await found('refund', { lastMessageAfter: minutesAgo(15) })).toEqual(['refund']);
      expect(await found('refund', { lastMessageBefore: minutesAgo(15) })).toEqual(['refunded', 'private']);
      expect(await found('refund', { createdAfter: minutesAgo(25), createdBefore: minutesAgo(15) })).toEqual([
        'refunded',
      ]);
    });
  });

  it('pages with cursors, each conversation once', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    for (let pageNo = 0; pageNo < 5; pageNo++) {
      const response = await search('delivery', { first: 3, ...(after ? { after } : {}) });
      expect(response.errors).toBeUndefined();
      const connection = response.data!.searchConversations;
      expect(connection.totalCount).toBe(7);
      seen.push(...connection.edges.map((edge) => edge.node.conversation.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor!;
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
  });

  describe('refuses', () => {
    const codes = (response: { errors?: { extensions?: { code?: string } }[] }) =>
      (response.errors ?? []).map((error) => error.extensions?.code);

    it('input out of bounds, with typed errors and never a SQL error', async () => {
      for (const query of ['!!!', '   ', '…', '؟،']) {
        expect(codes(await search(query)), query).toEqual(['BAD_USER_INPUT']);
      }
      expect(codes(await search('x'.repeat(201)))).toEqual(['BAD_USER_INPUT']);
      expect(codes(await search('refund', { first: 51 }))).toEqual(['BAD_USER_INPUT']);
      expect(codes(await search('refund', { after: 'not-a-cursor' }))).toEqual(['BAD_USER_INPUT']);
      // tsquery and LIKE syntax in the text is only text.
      for (const query of ["refund' & !order:* | (", '50%_\\', 'a:*b', "l'ordre"]) {
        const response = await search(query);
        expect(response.errors, query).toBeUndefined();
      }
      expect((await search('ـــ')).data!.searchConversations).toMatchObject({ totalCount: 0, edges: [] });
    });

    it('another organization: its id is forbidden, its app services find nothing of this one', async () => {
      const theirs = await app.gql<SearchData>(SEARCH, { o: orgId, q: 'refund' }, { token: other.token });
      expect(codes(theirs)).toEqual(['FORBIDDEN']);
      expect(theirs.data?.searchConversations ?? null).toBeNull();
      const mixed = await app.gql<SearchData>(
        SEARCH,
        { o: otherOrgId, q: 'refund', filter: { appServiceIds: [lineA, lineB] } },
        { token: other.token },
      );
      expect(mixed.errors).toBeUndefined();
      expect(mixed.data!.searchConversations).toMatchObject({ totalCount: 0, edges: [] });
      // Its own search finds only its own conversation, whatever the words or the contact.
      for (const query of ['refund', 'Fatima', '1234567', 'الغاء', 'delivery']) {
        const own = await app.gql<SearchData>(SEARCH, { o: otherOrgId, q: query }, { token: other.token });
        expect(
          own.data!.searchConversations.edges.map((edge) => rawId(edge.node.conversation.id)),
          query,
        ).toEqual([conv.elsewhere]);
      }
    });

    it('callers without conversations:read; API keys never search private notes', async () => {
      const analyst = await signUp(app, 'search-analyst');
      await app.gql(
        ADD_MEMBER,
        { input: { organizationId: orgId, email: analyst.email, role: 'ANALYST' } },
        {
          token: owner.token,
        },
      );
      expect(await found('refund', undefined, { token: analyst.token })).toEqual([
        'refund',
        'refunded',
        'private',
      ]);
      // An analyst has no agent profile: "me" is nobody.
      expect(await found('refund', { assigneeId: 'me' }, { token: analyst.token })).toEqual([]);

      const reader = (await createApiKey(app, owner.token, orgId, ['CONVERSATIONS_READ'])).secret;
      expect(await found('refund', undefined, { apiKey: reader })).toEqual(['refund', 'refunded']);
      expect(await found('voucher', undefined, { apiKey: reader })).toEqual([]);
      expect(await found('voucher')).toEqual(['private']);
      expect(codes(await search('refund', { filter: { assigneeId: 'me' } }, { apiKey: reader }))).toEqual([
        'BAD_USER_INPUT',
      ]);

      const writer = (await createApiKey(app, owner.token, orgId, ['MESSAGES_WRITE'])).secret;
      expect(codes(await search('refund', {}, { apiKey: writer }))).toEqual(['FORBIDDEN']);
      expect(codes(await app.gql(SEARCH, { o: orgId, q: 'refund' }))).toEqual(['UNAUTHENTICATED']);
    });
  });

  it('costs the same number of SQL statements for a page of 2 and of 20', async () => {
    const counted = async (first: number) => {
      await search('delivery', { first: 1 });
      const { result, statements } = await app.countStatements(() => search('delivery', { first }));
      expect(result.errors).toBeUndefined();
      return { edges: result.data!.searchConversations.edges.length, statements };
    };
    const two = await counted(2);
    const twenty = await counted(20);
    expect([two.edges, twenty.edges]).toEqual([2, 7]);
    // The session, the search (found, ranked, paged, best messages), the page's conversations, their
    // contacts (a lookup of its own: src/resolvers/owner-relation.ts), the page's messages.
    expect(two.statements).toHaveLength(5);
    expect(twenty.statements).toHaveLength(two.statements.length);
  });

  it('reads text as the database does (the snippet highlights what the index found)', async () => {
    const samples = [
      'Ça coûte CHÈRE, l’ŒUVRE «Élève» Straße',
      'أَهْلاً بِكُمْ في المدرسةِ ـــ إلى ٱلقاهرة مؤسسة ٠٥٠١٢٣ ۴۵ ئ ى ة',
      'Ñandú ÅSE Øre ýÿ — “quoted” ؟،؛',
    ];
    for (const sample of samples) {
      const [row] = await app.db.prisma.$queryRaw<
        { value: string }[]
      >`SELECT search_normalize(${sample}) AS value`;
      expect(normalizeForSearch(sample).value, sample).toBe(row!.value);
    }
  });
});
