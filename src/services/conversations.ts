import type { ConversationPriority, ConversationStatus } from '../generated/prisma/enums.js';
import type { Prisma } from '../generated/prisma/client.js';

export interface ConversationFilter {
  status?: ConversationStatus[] | null;
  assigneeId?: string | null;
  unassigned?: boolean | null;
  escalated?: boolean | null;
  label?: string | null;
  priority?: ConversationPriority[] | null;
  /** Case-insensitive search in message content and the contact's name or phone. */
  search?: string | null;
  updatedSince?: Date | null;
}

/** The inbox filter as a Prisma where-clause; the caller adds the tenancy filter. */
export function conversationFilterWhere(
  filter: ConversationFilter | null | undefined,
): Prisma.ConversationWhereInput {
  if (!filter) return {};
  const where: Prisma.ConversationWhereInput[] = [];
  if (filter.status?.length) where.push({ status: { in: filter.status } });
  if (filter.priority?.length) where.push({ priority: { in: filter.priority } });
  if (filter.assigneeId) where.push({ assigneeId: filter.assigneeId });
  if (filter.unassigned === true) where.push({ assigneeId: null });
  if (filter.unassigned === false) where.push({ assigneeId: { not: null } });
  if (filter.escalated === true) where.push({ escalatedAt: { not: null } });
  if (filter.escalated === false) where.push({ escalatedAt: null });
  if (filter.label) where.push({ labels: { has: filter.label } });
  if (filter.updatedSince) where.push({ updatedAt: { gte: filter.updatedSince } });
  if (filter.search) {
    const contains = { contains: filter.search, mode: 'insensitive' as const };
    where.push({
      OR: [
        { messages: { some: { content: contains } } },
        { contact: { is: { OR: [{ name: contains }, { phone: contains }] } } },
      ],
    });
  }
  return { AND: where };
}

/** Inbox order: most recent activity first, id as the tie-breaker so pages are stable. */
export const inboxOrder: Prisma.ConversationOrderByWithRelationInput[] = [
  { lastMessageAt: 'desc' },
  { id: 'desc' },
];
