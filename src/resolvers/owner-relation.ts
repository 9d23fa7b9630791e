/**
 * Relations that point up the ownership tree (a message's conversation, a conversation's app service, an
 * app service's organization, an assignment's agent, …) are resolved with `t.prismaField` and a lookup of
 * their own, not `t.relation`, so they are not joined into the statement of what is below them.
 *
 * Why: Prisma joins a relation's rows as nested JSON built for each row of a page, and a page reads one row
 * more than asked (to know whether there is a next page). Down the tree that is bounded by the schema's
 * depth, but a path that climbs back up and down again (`messages { conversation { messages { … } } }`)
 * repeats the nesting at every turn: (first + 1)^levels rows in one statement, 2^16 at 16 levels of
 * `first: 1`, and it kept a Postgres core busy for minutes. Loaded on their own, each level is one more
 * statement (Prisma batches the lookups of one level into one) and a nested read costs the rows it
 * returns. test/query-shape.test.ts fails when a cycle of joined relations through a list appears.
 */
import type { Context } from '../graphql/context.js';
import type { Prisma } from '../generated/prisma/client.js';

/** What a row that belongs to a conversation (and so to its organization) carries. */
interface InConversation {
  conversationId: string;
  organizationId: string;
}

/** The select of a field resolved by loadConversationOf. */
export const conversationOwner = { conversationId: true, organizationId: true } as const;

/** Resolves `conversation` of a row: by id, inside the row's organization, with what the query selects under it. */
export function loadConversationOf(
  query: Omit<Prisma.ConversationFindUniqueOrThrowArgs, 'where'>,
  row: InConversation,
  _args: unknown,
  ctx: Context,
) {
  return ctx.db.prisma.conversation.findUniqueOrThrow({
    ...query,
    where: { id: row.conversationId, organizationId: row.organizationId },
  });
}

/** The select of a field resolved by loadOrganizationOf. */
export const organizationOwner = { organizationId: true } as const;

/** Resolves `organization` of a row. */
export function loadOrganizationOf(
  query: Omit<Prisma.OrganizationFindUniqueOrThrowArgs, 'where'>,
  row: { organizationId: string },
  _args: unknown,
  ctx: Context,
) {
  return ctx.db.prisma.organization.findUniqueOrThrow({ ...query, where: { id: row.organizationId } });
}

/**
 * Resolves a row's contact (a conversation's customer, a message's sender) by id inside the row's
 * organization. A contact sits above its conversations (`Contact.conversations` joins them down the
 * tree), so climbing to it is a lookup of its own, as for every other owner.
 */
export function loadContact(
  query: Omit<Prisma.ContactFindUniqueOrThrowArgs, 'where'>,
  contactId: string | null,
  organizationId: string,
  ctx: Context,
) {
  // Read the query even when there is nothing to look up (a bot's message): Pothos warns of an unused one.
  const selection = { ...query };
  if (!contactId) return null;
  return ctx.db.prisma.contact.findUnique({ ...selection, where: { id: contactId, organizationId } });
}
