// The SQL writers for conversations and messages: the current conversation of each customer (created
// when needed), messages in one statement, conversations to their state after a batch, and a late
// message's place by sentAt.
import type { Prisma } from '../generated/prisma/client.js';
import type { AppService, Conversation, Message } from '../generated/prisma/client.js';
import { unheldStatus } from './conversation-lifecycle.js';
import type { Tx } from './transactions.js';

/**
 * The current conversation of each (app service, contact) pair, keyed as given: the latest one, or a new
 * one where there is none or the latest is CLOSED. `created` holds the ids of the new ones.
 */
export async function currentConversations(
  tx: Tx,
  pairs: Map<string, { appService: AppService; contactId: string; sentAt: Date }>,
): Promise<{ conversationIds: Map<string, string>; created: Set<string> }> {
  const conversationIds = new Map<string, string>();
  const created = new Set<string>();
  if (pairs.size > 0) {
    const candidates = await tx.conversation.findMany({
      where: {
        appServiceId: { in: [...new Set([...pairs.values()].map((p) => p.appService.id))] },
        contactId: { in: [...new Set([...pairs.values()].map((p) => p.contactId))] },
      },
      orderBy: { createdAt: 'desc' },
      select: { id: true, status: true, appServiceId: true, contactId: true },
    });
    for (const [pair, { appService, contactId, sentAt }] of pairs) {
      const latest = candidates.find((c) => c.appServiceId === appService.id && c.contactId === contactId);
      if (latest && latest.status !== 'CLOSED') {
        conversationIds.set(pair, latest.id);
      } else {
        const id = await createConversation(tx, appService, contactId, sentAt);
        conversationIds.set(pair, id);
        created.add(id);
      }
    }
  }
  return { conversationIds, created };
}

/** A new conversation of the customer on this app service (none yet, or the latest is CLOSED). */
async function createConversation(
  tx: Tx,
  appService: AppService,
  contactId: string,
  sentAt: Date,
): Promise<string> {
  const created = await tx.conversation.create({
    data: {
      organizationId: appService.organizationId,
      appServiceId: appService.id,
      contactId,
      status: unheldStatus(appService.botEnabled),
      lastMessageAt: sentAt,
      origin: 'integration',
      participants: { create: { contactId } },
    },
    select: { id: true },
  });
  return created.id;
}

export type NewMessage = Pick<
  Message,
  | 'id'
  | 'organizationId'
  | 'appServiceId'
  | 'conversationId'
  | 'index'
  | 'senderType'
  | 'senderContactId'
  | 'content'
  | 'type'
  | 'link'
  | 'channel'
  | 'subchannel'
  | 'origin'
  | 'idempotencyKey'
  | 'sentAt'
  | 'confidence'
> & { metaData: Prisma.InputJsonObject | undefined };

/**
 * The messages in one INSERT … SELECT FROM unnest (one array per column, whatever the count: Prisma's
 * createMany sends one parameter per value); returns them as stored, in the same order.
 */
export async function insertMessages(tx: Tx, rows: NewMessage[]): Promise<Message[]> {
  const column = <T>(pick: (row: NewMessage) => T) => rows.map(pick);
  const stored = await tx.$queryRaw<{ id: string; created_at: Date; updated_at: Date }[]>`
    INSERT INTO messages (id, organization_id, app_service_id, conversation_id, index, sender_type,
      sender_contact_id, content, type, link, channel, subchannel, meta_data, origin, idempotency_key, sent_at,
      confidence, created_at, updated_at)
    SELECT r.id, r.organization_id, r.app_service_id, r.conversation_id, r.index, r.sender_type::"SenderType",
      r.sender_contact_id, r.content, r.type::"MessageType", r.link, r.channel::"Channel", r.subchannel,
      r.meta_data::jsonb, r.origin, r.idempotency_key, r.sent_at, r.confidence, now(), now()
    FROM unnest(
      ${column((r) => r.id)}::uuid[], ${column((r) => r.organizationId)}::uuid[],
      ${column((r) => r.appServiceId)}::uuid[], ${column((r) => r.conversationId)}::uuid[],
      ${column((r) => r.index)}::int[], ${column((r) => r.senderType)}::text[],
      ${column((r) => r.senderContactId)}::uuid[], ${column((r) => r.content)}::text[],
      ${column((r) => r.type)}::text[], ${column((r) => r.link)}::text[], ${column((r) => r.channel)}::text[],
      ${column((r) => r.subchannel)}::text[],
      ${column((r) => (r.metaData === undefined ? null : JSON.stringify(r.metaData)))}::text[],
      ${column((r) => r.origin)}::text[], ${column((r) => r.idempotencyKey)}::text[],
      ${column((r) => r.sentAt.toISOString())}::timestamptz[], ${column((r) => r.confidence)}::float8[]
    ) AS r(id, organization_id, app_service_id, conversation_id, index, sender_type, sender_contact_id, content,
      type, link, channel, subchannel, meta_data, origin, idempotency_key, sent_at, confidence)
    RETURNING id::text AS id, created_at, updated_at`;
  const byId = new Map(stored.map((row) => [row.id, row]));
  return rows.map((row) => {
    const { created_at: createdAt, updated_at: updatedAt } = byId.get(row.id)!;
    return {
      ...row,
      senderAgentId: null,
      private: false,
      metaData: (row.metaData ?? null) as Prisma.JsonValue,
      deliveredAt: null,
      createdAt: new Date(createdAt),
      updatedAt: new Date(updatedAt),
    };
  });
}

/** Each conversation to the state it reached in the batch, in one UPDATE … FROM unnest (they are locked). */
export async function updateConversations(tx: Tx, conversations: Conversation[]): Promise<void> {
  if (conversations.length === 0) return;
  const column = <T>(pick: (row: Conversation) => T) => conversations.map(pick);
  const time = (value: Date | null) => (value ? value.toISOString() : null);
  await tx.$executeRaw`
    UPDATE conversations AS c SET message_count = u.message_count, last_message_at = u.last_message_at,
      status = u.status::"ConversationStatus", assignee_id = u.assignee_id, resolved_at = u.resolved_at,
      first_reply_at = u.first_reply_at, updated_at = u.updated_at
    FROM unnest(
      ${column((c) => c.id)}::uuid[], ${column((c) => c.messageCount)}::int[],
      ${column((c) => time(c.lastMessageAt))}::timestamptz[], ${column((c) => c.status)}::text[],
      ${column((c) => c.assigneeId)}::uuid[], ${column((c) => time(c.resolvedAt))}::timestamptz[],
      ${column((c) => time(c.firstReplyAt))}::timestamptz[], ${column((c) => time(c.updatedAt))}::timestamptz[]
    ) AS u(id, message_count, last_message_at, status, assignee_id, resolved_at, first_reply_at, updated_at)
    WHERE c.id = u.id`;
}

/**
 * The index for a message sent at `sentAt`: the end of the conversation, or, for a message that arrives
 * late (sentAt before the newest message), its place by sentAt, shifting the later ones up by one.
 */
export async function placeBySentAt(tx: Tx, conversation: Conversation, sentAt: Date): Promise<number> {
  if (conversation.messageCount === 0 || sentAt >= conversation.lastMessageAt)
    return conversation.messageCount;
  const index = await tx.message.count({
    where: { conversationId: conversation.id, sentAt: { lte: sentAt } },
  });
  if (index >= conversation.messageCount) return conversation.messageCount;
  // Two steps through negative numbers, because the unique (conversation, index) is checked row by row.
  await tx.$executeRaw`UPDATE messages SET index = -index - 1 WHERE conversation_id = ${conversation.id}::uuid AND index >= ${index}`;
  await tx.$executeRaw`UPDATE messages SET index = -index WHERE conversation_id = ${conversation.id}::uuid AND index < 0`;
  return index;
}
