import type { Actor } from '../auth/actor.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { SenderType } from '../generated/prisma/enums.js';

export interface ConversationStats {
  messages: number;
  messagesBySenderType: { senderType: SenderType; count: number }[];
  privateNotes: number;
  /** Seconds from the first message to the last. */
  durationSeconds: number;
  /** Seconds from the start (or the escalation, when there was one) to the first human reply. */
  firstReplySeconds: number | null;
  escalations: number;
}

/** A conversation's statistics (messages per sender, duration, first reply, escalations), from two aggregate queries. */
export async function conversationStats(
  prisma: PrismaClient,
  conversation: { id: string; createdAt: Date; escalatedAt: Date | null; firstReplyAt: Date | null },
): Promise<ConversationStats> {
  const [groups, escalations] = await Promise.all([
    prisma.message.groupBy({
      by: ['senderType', 'private'],
      where: { conversationId: conversation.id },
      _count: { _all: true },
      _min: { sentAt: true },
      _max: { sentAt: true },
    }),
    prisma.escalation.count({ where: { conversationId: conversation.id } }),
  ]);
  const bySender = new Map<SenderType, number>();
  let first: Date | null = null;
  let last: Date | null = null;
  let privateNotes = 0;
  for (const group of groups) {
    if (group.private) privateNotes += group._count._all;
    else bySender.set(group.senderType, (bySender.get(group.senderType) ?? 0) + group._count._all);
    if (group._min.sentAt && (!first || group._min.sentAt < first)) first = group._min.sentAt;
    if (group._max.sentAt && (!last || group._max.sentAt > last)) last = group._max.sentAt;
  }
  const replyFrom = conversation.escalatedAt ?? first ?? conversation.createdAt;
  return {
    messages: [...bySender.values()].reduce((sum, count) => sum + count, 0),
    messagesBySenderType: [...bySender].map(([senderType, count]) => ({ senderType, count })),
    privateNotes,
    durationSeconds: first && last ? Math.round((last.getTime() - first.getTime()) / 1000) : 0,
    firstReplySeconds:
      conversation.firstReplyAt && conversation.firstReplyAt >= replyFrom
        ? Math.round((conversation.firstReplyAt.getTime() - replyFrom.getTime()) / 1000)
        : conversation.firstReplyAt
          ? 0
          : null,
    escalations,
  };
}

const SPEAKER: Record<SenderType, string> = {
  CUSTOMER: 'Customer',
  BOT: 'Bot',
  AGENT: 'Agent',
  SYSTEM: 'System',
};

/** The conversation as plain text for export, one line per message; private notes only for members. */
export async function conversationTranscript(
  prisma: PrismaClient,
  actor: Actor,
  conversation: { id: string; organizationId: string },
): Promise<string> {
  const withNotes = actor.kind === 'user';
  const messages = await prisma.message.findMany({
    where: { conversationId: conversation.id, ...(withNotes ? {} : { private: false }) },
    orderBy: { index: 'asc' },
    select: {
      sentAt: true,
      senderType: true,
      content: true,
      type: true,
      link: true,
      private: true,
      senderContact: { select: { name: true } },
      senderAgent: { select: { name: true } },
    },
  });
  return messages
    .map((message) => {
      const time = message.sentAt.toISOString().replace('T', ' ').slice(0, 19);
      const name = message.senderContact?.name ?? message.senderAgent?.name;
      const who = `${SPEAKER[message.senderType]}${name ? ` (${name})` : ''}`;
      const note = message.private ? ' [private note]' : '';
      const attachment =
        message.type !== 'TEXT'
          ? ` [${message.type.toLowerCase()}${message.link ? `: ${message.link}` : ''}]`
          : '';
      return `[${time} UTC] ${who}${note}: ${message.content}${attachment}`;
    })
    .join('\n');
}
