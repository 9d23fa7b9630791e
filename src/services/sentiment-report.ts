// Reading sentiment: a conversation's timeline and an app service's report over a range.
import type { SentimentResult } from '../ai/sentiment.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import { assertRange } from './date-range.js';
import { toStoredSentiment, type StoredSentiment } from './sentiment-store.js';

/** The emotion timeline of a conversation: its windows inside [from, to), oldest first. */
export async function sentimentTimeline(
  prisma: PrismaClient,
  conversationId: string,
  range: { from: Date; to: Date },
): Promise<StoredSentiment[]> {
  assertRange(range.from, range.to);
  const rows = await prisma.analysis.findMany({
    where: {
      conversationId,
      type: 'SENTIMENT_ANALYSIS',
      windowStart: { gte: range.from },
      windowEnd: { lte: range.to },
    },
    orderBy: { windowStart: 'asc' },
  });
  return rows.map(toStoredSentiment);
}

export interface SentimentReport {
  total: number;
  averageScore: number | null;
  emotions: { emotion: SentimentResult['emotion']; count: number; share: number }[];
  turnedNegativeIds: string[];
}

const REPORT_EMOTIONS = ['ANGRY', 'DISAPPOINTED', 'NEUTRAL', 'SATISFIED', 'HAPPY'] as const;
const MAX_TURNED_NEGATIVE = 100;

/**
 * Counts per emotion and the average score of an app service's windows inside [from, to), aggregated in
 * SQL; "turned negative": conversations with an ANGRY or DISAPPOINTED window in the range whose previous
 * window (in or before the range) was not negative, or that had none.
 */
export async function sentimentReport(
  prisma: PrismaClient,
  appServiceId: string,
  range: { from: Date; to: Date },
): Promise<SentimentReport> {
  assertRange(range.from, range.to);
  const groups = await prisma.$queryRaw<{ emotion: string; count: number; total_score: number }[]>`
    SELECT a.result->>'emotion' AS emotion, COUNT(*)::int AS count,
           COALESCE(SUM((a.result->>'score')::int), 0)::int AS total_score
    FROM analyses a JOIN conversations c ON c.id = a.conversation_id
    WHERE c.app_service_id = ${appServiceId}::uuid AND a.type = 'SENTIMENT_ANALYSIS'
      AND a.window_start >= ${range.from} AND a.window_end <= ${range.to}
    GROUP BY 1`;
  const turned = await prisma.$queryRaw<{ conversation_id: string }[]>`
    SELECT DISTINCT t.conversation_id FROM (
      SELECT a.conversation_id, a.window_start, a.result->>'emotion' AS emotion,
             LAG(a.result->>'emotion') OVER (PARTITION BY a.conversation_id ORDER BY a.window_start) AS previous
      FROM analyses a JOIN conversations c ON c.id = a.conversation_id
      WHERE c.app_service_id = ${appServiceId}::uuid AND a.type = 'SENTIMENT_ANALYSIS'
        AND a.window_end <= ${range.to}
    ) t
    WHERE t.window_start >= ${range.from} AND t.emotion IN ('ANGRY', 'DISAPPOINTED')
      AND (t.previous IS NULL OR t.previous NOT IN ('ANGRY', 'DISAPPOINTED'))
    LIMIT ${MAX_TURNED_NEGATIVE}`;
  const total = groups.reduce((sum, g) => sum + Number(g.count), 0);
  const scoreSum = groups.reduce((sum, g) => sum + Number(g.total_score), 0);
  return {
    total,
    averageScore: total === 0 ? null : scoreSum / total,
    emotions: REPORT_EMOTIONS.map((emotion) => {
      const count = Number(groups.find((g) => g.emotion === emotion)?.count ?? 0);
      return { emotion, count, share: total === 0 ? 0 : count / total };
    }),
    turnedNegativeIds: turned.map((t) => t.conversation_id),
  };
}
