// Conversation search (searchConversations): full text over the messages, partial contact names, phone
// numbers and channel identifiers, in English, French and Arabic, inside one organization, with the inbox's
// filters. One SQL statement finds, ranks and pages the conversations and picks each one's best message;
// the text functions and indexes it relies on are in the migration conversation_search.
//
// Ranking: conversations whose contact matches (name, phone, identifier: someone typed who they look for)
// come first, then those with a matching message; within each, the latest activity first, the id as the
// tie-breaker, so that keyset cursors page without duplicates. A full relevance score over every matching
// message would read all of them for a common word: on 1,000,000 messages that is seconds, not a page.
import { Prisma } from '../generated/prisma/client.js';
import type { ConversationPriority, ConversationStatus } from '../generated/prisma/enums.js';
import type { Actor } from '../auth/actor.js';
import { badInput } from '../kernel/errors.js';
import type { ServiceDeps } from './deps.js';
import { snippetOf, type Snippet } from './search-snippet.js';

export const SEARCH_QUERY_MAX = 200;
export const SEARCH_PAGE_DEFAULT = 20;
export const SEARCH_PAGE_MAX = 50;

export interface ConversationSearchFilter {
  /** Only these app services of the organization (all of them when empty). */
  appServiceIds?: string[] | null;
  status?: ConversationStatus[] | null;
  /** An agent's id, or 'me': the viewer's own agent profile in the organization. */
  assigneeId?: string | null;
  unassigned?: boolean | null;
  teamId?: string | null;
  label?: string | null;
  priority?: ConversationPriority[] | null;
  escalated?: boolean | null;
  /** Last activity in [lastMessageAfter, lastMessageBefore). */
  lastMessageAfter?: Date | null;
  lastMessageBefore?: Date | null;
  /** Started in [createdAfter, createdBefore). */
  createdAfter?: Date | null;
  createdBefore?: Date | null;
}

export interface SearchInput {
  organizationId: string;
  query: string;
  filter?: ConversationSearchFilter | null;
  first?: number | null;
  after?: string | null;
}

export type SearchMatch = 'CONTACT' | 'MESSAGE';

export interface SearchHit {
  organizationId: string;
  conversationId: string;
  matchedOn: SearchMatch;
  /** The best matching message (the most relevant, then the latest); null when only the contact matched. */
  messageId: string | null;
  snippet: Snippet | null;
  cursor: string;
}

export interface SearchPage {
  hits: SearchHit[];
  hasNextPage: boolean;
  totalCount: number;
}

interface Cursor {
  rank: number;
  at: Date;
  id: string;
}

interface Row {
  id: string | null;
  rank: number;
  last_message_at: Date;
  total: number;
  message_id: string | null;
  content: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Digits, spaces and the signs of a phone number: also matched against phone digits. */
const PHONE_LIKE = /^[\s\d+().\-٠-٩۰-۹]+$/u;

/** Searches the organization's conversations; readers of conversations only (users and API keys alike). */
export async function searchConversations(
  deps: Pick<ServiceDeps, 'prisma'>,
  actor: Actor,
  input: SearchInput,
): Promise<SearchPage> {
  actor.assertCan(input.organizationId, 'conversations:read');
  const query = input.query.trim().replace(/\s+/g, ' ');
  if (query.length === 0 || query.length > SEARCH_QUERY_MAX) {
    throw badInput(`The search text must have 1 to ${SEARCH_QUERY_MAX} characters.`);
  }
  if (!/[\p{L}\p{N}]/u.test(query)) throw badInput('The search text needs a letter or a digit.');
  const first = input.first ?? SEARCH_PAGE_DEFAULT;
  if (!Number.isInteger(first) || first < 0 || first > SEARCH_PAGE_MAX) {
    throw badInput(`"first" must be a whole number from 0 to ${SEARCH_PAGE_MAX}.`);
  }
  const after = input.after ? decodeCursor(input.after) : null;
  const filter = input.filter ?? {};
  if (filter.assigneeId === 'me' && !actor.user) {
    throw badInput('assigneeId "me" needs a signed-in user; an API key has no agent profile.');
  }

  const org = Prisma.sql`${input.organizationId}::uuid`;
  const tsquery = Prisma.sql`search_query(${query})`;
  // Integrators' keys never read private notes (as Message lookups: resolvers/message.ts).
  const visible = actor.kind === 'apiKey' ? Prisma.sql`AND NOT m.private` : Prisma.empty;
  const phoneDigits = Prisma.sql`ltrim(search_digits(${query}), '0')`;
  const byDigits = PHONE_LIKE.test(query)
    ? Prisma.sql`
        UNION
        SELECT id FROM contacts WHERE organization_id = ${org} AND char_length(${phoneDigits}) >= 4
          AND search_digits(phone) LIKE search_like(${phoneDigits})
        UNION
        SELECT contact_id FROM contact_identifiers WHERE organization_id = ${org}
          AND char_length(${phoneDigits}) >= 4 AND search_digits(external_id) LIKE search_like(${phoneDigits})`
    : Prisma.empty;
  const where = conversationConditions(input.organizationId, filter, actor);
  const keyset = after
    ? Prisma.sql`WHERE (rank, last_message_at, id) < (${after.rank}::int, ${after.at.toISOString()}::timestamptz, ${after.id}::uuid)`
    : Prisma.empty;

  const rows = await deps.prisma.$queryRaw<Row[]>`
    WITH hit_contacts AS (
      SELECT id FROM contacts WHERE organization_id = ${org}
        AND char_length(search_normalize(${query})) >= 3
        AND search_normalize(name) LIKE search_like(search_normalize(${query}))
      UNION
      SELECT contact_id FROM contact_identifiers WHERE organization_id = ${org}
        AND char_length(search_normalize(${query})) >= 3
        AND search_normalize(external_id) LIKE search_like(search_normalize(${query}))
      ${byDigits}
    ),
    -- The matching messages, read once through the full-text index: the conversations they are in, and
    -- then the best one of each conversation on the page.
    hit_messages AS MATERIALIZED (
      SELECT m.id, m.conversation_id FROM messages m
      WHERE m.organization_id = ${org} AND search_vector(m.content) @@ ${tsquery} ${visible}
    ),
    candidates AS (
      SELECT c.id, c.last_message_at, 2 AS rank FROM conversations c
      WHERE ${where} AND c.contact_id IN (SELECT id FROM hit_contacts)
      UNION ALL
      SELECT c.id, c.last_message_at, 1 AS rank FROM conversations c
      WHERE ${where}
        AND NOT EXISTS (SELECT 1 FROM hit_contacts h WHERE h.id = c.contact_id)
        AND c.id IN (SELECT conversation_id FROM hit_messages)
    ),
    page AS (
      SELECT id, last_message_at, rank FROM candidates ${keyset}
      ORDER BY rank DESC, last_message_at DESC, id DESC
      LIMIT ${first + 1}
    )
    SELECT p.id::text AS id, p.rank, p.last_message_at, counted.total, best.id::text AS message_id, best.content
    FROM (SELECT count(*)::int AS total FROM candidates) counted
    LEFT JOIN page p ON true
    LEFT JOIN LATERAL (
      SELECT m.id, m.content FROM messages m
      WHERE m.conversation_id = p.id AND m.id IN (SELECT id FROM hit_messages)
      ORDER BY ts_rank(search_vector(m.content), ${tsquery}) DESC, m.index DESC
      LIMIT 1
    ) best ON true
    ORDER BY p.rank DESC, p.last_message_at DESC, p.id DESC`;

  // One row even when the page is empty (it carries the total); its id is then null.
  const found = rows.filter((row): row is Row & { id: string } => row.id !== null);
  const hits = found.slice(0, first).map((row): SearchHit => ({
    organizationId: input.organizationId,
    conversationId: row.id,
    matchedOn: row.rank === 2 ? 'CONTACT' : 'MESSAGE',
    messageId: row.message_id,
    snippet: row.content === null ? null : snippetOf(row.content, query),
    cursor: encodeCursor({ rank: row.rank, at: row.last_message_at, id: row.id }),
  }));
  return { hits, hasNextPage: found.length > first, totalCount: rows[0]?.total ?? 0 };
}

/** The filter on conversations `c`, inside the organization. */
function conversationConditions(
  organizationId: string,
  filter: ConversationSearchFilter,
  actor: Actor,
): Prisma.Sql {
  const conditions: Prisma.Sql[] = [Prisma.sql`c.organization_id = ${organizationId}::uuid`];
  if (filter.appServiceIds?.length) {
    conditions.push(Prisma.sql`c.app_service_id = ANY(${filter.appServiceIds}::uuid[])`);
  }
  if (filter.status?.length) {
    conditions.push(Prisma.sql`c.status = ANY(${filter.status}::"ConversationStatus"[])`);
  }
  if (filter.priority?.length) {
    conditions.push(Prisma.sql`c.priority = ANY(${filter.priority}::"ConversationPriority"[])`);
  }
  if (filter.assigneeId === 'me') {
    conditions.push(
      Prisma.sql`c.assignee_id = (SELECT id FROM agents WHERE organization_id = ${organizationId}::uuid
        AND user_id = ${actor.user!.id}::uuid)`,
    );
  } else if (filter.assigneeId) {
    conditions.push(Prisma.sql`c.assignee_id = ${filter.assigneeId}::uuid`);
  }
  if (filter.unassigned === true) conditions.push(Prisma.sql`c.assignee_id IS NULL`);
  if (filter.unassigned === false) conditions.push(Prisma.sql`c.assignee_id IS NOT NULL`);
  if (filter.teamId) conditions.push(Prisma.sql`c.team_id = ${filter.teamId}::uuid`);
  if (filter.label) conditions.push(Prisma.sql`c.labels @> ARRAY[${filter.label}]::text[]`);
  if (filter.escalated === true) conditions.push(Prisma.sql`c.escalated_at IS NOT NULL`);
  if (filter.escalated === false) conditions.push(Prisma.sql`c.escalated_at IS NULL`);
  const since = (column: string, at: Date | null | undefined, op: '>=' | '<') => {
    if (at)
      conditions.push(
        Prisma.sql`${Prisma.raw(`c.${column}`)} ${Prisma.raw(op)} ${at.toISOString()}::timestamptz`,
      );
  };
  since('last_message_at', filter.lastMessageAfter, '>=');
  since('last_message_at', filter.lastMessageBefore, '<');
  since('created_at', filter.createdAfter, '>=');
  since('created_at', filter.createdBefore, '<');
  return Prisma.join(conditions, ' AND ');
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.rank, cursor.at.toISOString(), cursor.id])).toString('base64url');
}

function decodeCursor(value: string): Cursor {
  const invalid = () => badInput('"after" is not a cursor of this search.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value.slice(0, 200), 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw invalid();
  const [rank, at, id] = parsed as unknown[];
  const date = typeof at === 'string' ? new Date(at) : null;
  if (
    (rank !== 1 && rank !== 2) ||
    !date ||
    Number.isNaN(date.getTime()) ||
    typeof id !== 'string' ||
    !UUID.test(id)
  ) {
    throw invalid();
  }
  return { rank, at: date, id };
}
