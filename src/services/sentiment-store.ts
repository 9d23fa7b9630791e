// Sentiment analyses in the database: the window's messages read for the model, the answers written
// (one statement per chunk), and analysis rows read back as StoredSentiment.
import type { ConversationSentiment, SentimentConversation, SentimentResult } from '../ai/sentiment.js';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import { senderRoleOf } from './sender-role.js';

/** The newest messages of a window the model sees: a busy hour stays bounded in tokens. */
export const MAX_WINDOW_MESSAGES = 40;
const MAX_MESSAGE_CHARS = 1000;

export interface StoredSentiment {
  id: string;
  organizationId: string;
  conversationId: string;
  emotion: SentimentResult['emotion'];
  score: number;
  windowStart: Date;
  windowEnd: Date;
  contextStartIndex: number | null;
  contextEndIndex: number | null;
}

/** A conversation's window as the model is asked about it, with where it came from. */
export interface Pending extends SentimentConversation {
  organizationId: string;
  appServiceId: string;
  startIndex: number;
  endIndex: number;
}

/** A conversation with customer messages in the window. */
export type ActiveConversation = { conversationId: string; organizationId: string; appServiceId: string };
/** The model's answer for one conversation. */
export type Answer = { sentiment: ConversationSentiment; model: string; fallback: string | null };

/**
 * A SENTIMENT_ANALYSIS and a TOPICS_DETECTED row per answered conversation, in one statement (so both or
 * neither): ON CONFLICT DO NOTHING on the unique (conversation, type, window, subject) lets a concurrent run that
 * stored the same window first win, nothing doubled. Returns the sentiment rows this call inserted. One
 * INSERT … SELECT over a JSON array: Prisma's createMany builds and maps every row in JavaScript (seconds
 * and hundreds of MB for a few thousand rows).
 */
export async function storeAnswers(
  prisma: PrismaClient,
  answered: { p: Pending; answer: Answer }[],
  window: { windowStart: Date; windowEnd: Date },
): Promise<StoredSentiment[]> {
  const rows = answered.flatMap(({ p, answer }) => {
    const common = {
      organization_id: p.organizationId,
      conversation_id: p.id,
      context_start_index: p.startIndex,
      context_end_index: p.endIndex,
      origin: answer.model,
    };
    return [
      {
        ...common,
        type: 'SENTIMENT_ANALYSIS',
        result: {
          emotion: answer.sentiment.emotion,
          score: answer.sentiment.score,
          model: answer.model,
          fallback: answer.fallback,
        },
      },
      {
        ...common,
        type: 'TOPICS_DETECTED',
        result: { topics: answer.sentiment.topics, model: answer.model },
      },
    ];
  });
  const inserted = await prisma.$queryRaw<{ id: string; conversation_id: string; type: string }[]>`
    INSERT INTO analyses (id, organization_id, conversation_id, type, context_start_index, context_end_index,
      result, window_start, window_end, origin)
    SELECT gen_random_uuid(), r.organization_id, r.conversation_id, r.type::"AnalysisType",
      r.context_start_index, r.context_end_index, r.result,
      ${window.windowStart.toISOString()}::timestamptz, ${window.windowEnd.toISOString()}::timestamptz, r.origin
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(organization_id uuid, conversation_id uuid,
      type text, context_start_index int, context_end_index int, result jsonb, origin text)
    ON CONFLICT (conversation_id, type, window_start, window_end, subject_key) DO NOTHING
    RETURNING id::text AS id, conversation_id::text AS conversation_id, type::text AS type`;
  const idOf = new Map(
    inserted
      .filter((row) => row.type === 'SENTIMENT_ANALYSIS')
      .map((row) => [row.conversation_id, row.id] as const),
  );
  return answered.flatMap(({ p, answer }) => {
    const id = idOf.get(p.id);
    if (!id) return [];
    return [
      {
        id,
        organizationId: p.organizationId,
        conversationId: p.id,
        emotion: answer.sentiment.emotion,
        score: answer.sentiment.score,
        windowStart: window.windowStart,
        windowEnd: window.windowEnd,
        contextStartIndex: p.startIndex,
        contextEndIndex: p.endIndex,
      },
    ];
  });
}

/**
 * The window's messages of each conversation, newest MAX_WINDOW_MESSAGES kept (in SQL: a conversation
 * with thousands of messages in the hour costs the same as one with forty), oldest first.
 */
export async function loadWindows(
  prisma: PrismaClient,
  todo: ActiveConversation[],
  windowStart: Date,
  windowEnd: Date,
): Promise<Pending[]> {
  const messages = await prisma.$queryRaw<
    { conversationId: string; index: number; senderType: string; content: string }[]
  >`
    SELECT conversation_id::text AS "conversationId", index, sender_type::text AS "senderType", content
    FROM (
      SELECT conversation_id, index, sender_type, left(content, ${MAX_MESSAGE_CHARS}::int) AS content,
        row_number() OVER (PARTITION BY conversation_id ORDER BY index DESC) AS newest
      FROM messages
      WHERE conversation_id = ANY(${todo.map((t) => t.conversationId)}::uuid[])
        AND sent_at >= ${windowStart.toISOString()}::timestamptz
        AND sent_at < ${windowEnd.toISOString()}::timestamptz
        AND private = false AND sender_type <> 'SYSTEM'
    ) AS m
    WHERE newest <= ${MAX_WINDOW_MESSAGES}::int
    ORDER BY conversation_id, index`;
  const grouped = new Map<string, typeof messages>();
  for (const m of messages) {
    const list = grouped.get(m.conversationId);
    if (list) list.push(m);
    else grouped.set(m.conversationId, [m]);
  }
  return todo.flatMap((t) => {
    const list = grouped.get(t.conversationId) ?? [];
    if (list.length === 0) return [];
    return [
      {
        id: t.conversationId,
        organizationId: t.organizationId,
        appServiceId: t.appServiceId,
        startIndex: list[0]!.index,
        endIndex: list[list.length - 1]!.index,
        messages: list.map((m) => ({
          sender: senderRoleOf(m.senderType),
          text: m.content.slice(0, MAX_MESSAGE_CHARS),
        })),
      },
    ];
  });
}

type AnalysisRow = Prisma.AnalysisGetPayload<object>;

export function sentimentOf(row: AnalysisRow): ConversationSentiment | null {
  const value = row.result as { emotion?: unknown; score?: unknown } | null;
  if (!value || typeof value.emotion !== 'string' || typeof value.score !== 'number') return null;
  return { emotion: value.emotion as SentimentResult['emotion'], score: value.score, topics: [] };
}

export function toStoredSentiment(row: AnalysisRow): StoredSentiment {
  const sentiment = sentimentOf(row);
  return {
    id: row.id,
    organizationId: row.organizationId,
    conversationId: row.conversationId,
    emotion: sentiment?.emotion ?? 'NEUTRAL',
    score: sentiment?.score ?? 0,
    windowStart: row.windowStart,
    windowEnd: row.windowEnd,
    contextStartIndex: row.contextStartIndex,
    contextEndIndex: row.contextEndIndex,
  };
}
