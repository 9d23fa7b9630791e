import { z } from 'zod';
import { badInput } from '../kernel/errors.js';
import { decodeIdOf } from '../kernel/global-id.js';
import * as search from '../services/search.js';
import type { Snippet, TextRange } from '../services/search-snippet.js';
import { builder } from './builder.js';
import { ConversationPriorityEnum, ConversationStatusEnum } from './enums.js';
import { paged, pageSizeOf } from './pagination.js';

const SearchMatchEnum = builder.enumType('SearchMatch', {
  description: 'What matched: the contact (name, phone, an identifier) or the text of a message.',
  values: ['CONTACT', 'MESSAGE'] as const,
});

const TextRangeRef = builder.objectRef<TextRange>('TextRange').implement({
  description: 'A piece of a text: UTF-16 offsets, end excluded (as JavaScript strings count).',
  fields: (t) => ({ start: t.exposeInt('start'), end: t.exposeInt('end') }),
});

const SearchSnippetRef = builder.objectRef<Snippet>('SearchSnippet').implement({
  description: 'A short piece of the message around its first match, "…" where it was cut.',
  fields: (t) => ({
    text: t.exposeString('text'),
    highlights: t.field({
      type: [TextRangeRef],
      description: 'The matching words in `text`.',
      resolve: (snippet) => snippet.highlights,
    }),
  }),
});

const ConversationSearchResultRef = builder
  .objectRef<search.SearchHit>('ConversationSearchResult')
  .implement({
    fields: (t) => ({
      matchedOn: t.field({ type: SearchMatchEnum, resolve: (hit) => hit.matchedOn }),
      // Loaded by id; Prisma batches the lookups of a page into one statement.
      conversation: t.prismaField({
        type: 'Conversation',
        resolve: (query, hit, _args, ctx) =>
          ctx.db.prisma.conversation.findUniqueOrThrow({
            ...query,
            where: { id: hit.conversationId, organizationId: hit.organizationId },
          }),
      }),
      message: t.prismaField({
        type: 'Message',
        nullable: true,
        description:
          'The best matching message (the most relevant, then the latest); null when only the contact matched.',
        resolve: (query, hit, _args, ctx) => {
          // Built before the check, so the query counts as used when only the contact matched.
          const lookup = { ...query, where: { id: hit.messageId ?? '', organizationId: hit.organizationId } };
          return hit.messageId ? ctx.db.prisma.message.findUnique(lookup) : null;
        },
      }),
      snippet: t.field({
        type: SearchSnippetRef,
        nullable: true,
        description: "The best message's matching piece, with its matching words; null without a message.",
        resolve: (hit) => hit.snippet,
      }),
    }),
  });

const idList = (max: number) => z.array(z.string()).max(max);

const ConversationSearchFilterInput = builder.inputType('ConversationSearchFilter', {
  description: 'Narrows a search; every field given must hold (AND).',
  fields: (t) => ({
    appServiceIds: t.idList({
      required: false,
      description: "These app services only (at most 50); none: every one of the organization's.",
      validate: idList(50),
    }),
    status: t.field({
      type: [ConversationStatusEnum],
      required: false,
      validate: z.array(z.string()).max(10),
    }),
    priority: t.field({
      type: [ConversationPriorityEnum],
      required: false,
      validate: z.array(z.string()).max(10),
    }),
    assigneeId: t.id({
      required: false,
      description: 'An Agent id, or "me": the signed-in user\'s own agent profile in the organization.',
    }),
    unassigned: t.boolean({ required: false }),
    teamId: t.id({ required: false }),
    label: t.string({ required: false, validate: z.string().max(100) }),
    escalated: t.boolean({ required: false }),
    lastMessageAfter: t.field({
      type: 'DateTime',
      required: false,
      description: 'Last activity at or after.',
    }),
    lastMessageBefore: t.field({ type: 'DateTime', required: false, description: 'Last activity before.' }),
    createdAfter: t.field({ type: 'DateTime', required: false, description: 'Started at or after.' }),
    createdBefore: t.field({ type: 'DateTime', required: false, description: 'Started before.' }),
  }),
});

type FilterArg = typeof ConversationSearchFilterInput.$inferInput;

function toSearchFilter(filter: FilterArg | null | undefined): search.ConversationSearchFilter | null {
  if (!filter) return null;
  return {
    ...filter,
    appServiceIds: filter.appServiceIds?.map((id) => decodeIdOf('AppService', String(id))) ?? null,
    assigneeId:
      filter.assigneeId === 'me'
        ? 'me'
        : filter.assigneeId
          ? decodeIdOf('Agent', String(filter.assigneeId))
          : null,
    teamId: filter.teamId ? decodeIdOf('Team', String(filter.teamId)) : null,
  };
}

const page = paged(search.SEARCH_PAGE_DEFAULT, search.SEARCH_PAGE_MAX);

builder.queryField('searchConversations', (t) =>
  t.connection(
    {
      type: ConversationSearchResultRef,
      description:
        "Finds the organization's conversations by the words of their messages (English, French, Arabic: " +
        'accents, Arabic letter variants and diacritics as typed or not; a word of 3 characters or more also ' +
        "as a prefix), or by part of the contact's name, phone number or channel identifier. Contact matches " +
        'first, then the latest activity. Readers of conversations (CONVERSATIONS_READ for API keys, which ' +
        `never search private notes). \`first\` at most ${search.SEARCH_PAGE_MAX}; \`after\` pages on.`,
      authScopes: { authenticated: true },
      complexity: page.complexity,
      args: {
        organizationId: t.arg.id(),
        query: t.arg.string({
          description: `1 to ${search.SEARCH_QUERY_MAX} characters, with a letter or a digit.`,
          validate: z.string().max(search.SEARCH_QUERY_MAX * 2),
        }),
        filter: t.arg({ type: ConversationSearchFilterInput, required: false }),
      },
      resolve: async (_root, args, ctx) => {
        if (args.last != null || args.before != null) {
          throw badInput('A search pages forward only: use first and after.');
        }
        const result = await search.searchConversations(ctx.deps, ctx.actor, {
          organizationId: decodeIdOf('Organization', args.organizationId),
          query: args.query,
          filter: toSearchFilter(args.filter),
          first: pageSizeOf(args, page.defaultSize, page.maxSize),
          after: args.after ?? null,
        });
        return {
          totalCount: result.totalCount,
          edges: result.hits.map((hit) => ({ cursor: hit.cursor, node: hit })),
          pageInfo: {
            hasNextPage: result.hasNextPage,
            hasPreviousPage: false,
            startCursor: result.hits[0]?.cursor ?? null,
            endCursor: result.hits.at(-1)?.cursor ?? null,
          },
        };
      },
    },
    {
      name: 'ConversationSearchConnection',
      fields: (f) => ({
        totalCount: f.int({
          description: 'Every matching conversation, all pages together.',
          resolve: (connection) => (connection as unknown as { totalCount: number }).totalCount,
        }),
      }),
    },
    { name: 'ConversationSearchEdge' },
  ),
);
