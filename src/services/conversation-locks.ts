// Row locks on conversations, taken by every writer that hands out message indexes or changes a
// conversation's state: ingestion, the conversation actions and classification.
import type { Conversation } from '../generated/prisma/client.js';
import type { Tx } from './transactions.js';

/** Locks several conversation rows (in id order, so that two batches cannot deadlock) and reads them. */
export async function lockConversations(tx: Tx, ids: string[]): Promise<Conversation[]> {
  await tx.$queryRaw`SELECT 1 FROM conversations WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`;
  return tx.conversation.findMany({ where: { id: { in: ids } } });
}

/** Locks the conversation row until the transaction ends, so message indexes are handed out one at a time. */
export async function lockConversation(tx: Tx, conversationId: string): Promise<Conversation> {
  await tx.$queryRaw`SELECT 1 FROM conversations WHERE id = ${conversationId}::uuid FOR UPDATE`;
  return tx.conversation.findUniqueOrThrow({ where: { id: conversationId } });
}
