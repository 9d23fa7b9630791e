import type { Actor } from '../auth/actor.js';
import type { ContextMessage } from '../ai/classification.js';
import type { LanguageModel } from '../ai/language-model.js';
import {
  batchByTokenBudget,
  type ConversationSentiment,
  type SentimentConversation,
  type SentimentResult,
} from '../ai/sentiment.js';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { Logger } from '../logger.js';
import type { RealtimePublisher } from '../realtime/publisher.js';
import { findAppServiceFor } from './app-services.js';
import type { ServiceDeps } from './deps.js';
import { badInput } from './errors.js';

/**
 * Hourly sentiment: every closed UTC hour, each conversation with customer messages in it gets one
 * SENTIMENT_ANALYSIS (and one TOPICS_DETECTED) for that window. The unique key (conversation, type, window)
 * makes every run idempotent: a re-run, a retried job or two workers at once store each window once.
 */

export const HOUR_MS = 3_600_000;
/** The newest messages of a window the model sees: a busy hour stays bounded in tokens. */
export const MAX_WINDOW_MESSAGES = 40;
const MAX_MESSAGE_CHARS = 1000;
export const DEFAULT_TOKEN_BUDGET = 6000;
export const DEFAULT_LOOKBACK_HOURS = 24;
/** Reading ranges longer than this are refused: one report must stay one cheap query. */
export const MAX_RANGE_MS = 366 * 24 * HOUR_MS;

export interface SentimentDeps {
  prisma: PrismaClient;
  model: LanguageModel;
  realtime: RealtimePublisher;
  logger?: Logger;
  now?: () => Date;
}

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

export interface SentimentWindowResult {
  windowStart: Date;
  windowEnd: Date;
  /** Conversations newly analysed by this run. */
  analysed: number;
  modelCalls: number;
  /** Conversations active in the window that already had their analysis. */
  skipped: number;
  /** Conversations without a usable answer even when retried alone: nothing stored, the next run tries again. */
  failed: string[];
  stored: StoredSentiment[];
}

const isOnTheHour = (date: Date) => date.getTime() % HOUR_MS === 0;
export const floorToHour = (date: Date) => new Date(Math.floor(date.getTime() / HOUR_MS) * HOUR_MS);

/** A window end must close a whole UTC hour that is over. */
export function assertWindowEnd(windowEnd: Date, now: Date): void {
  if (Number.isNaN(windowEnd.getTime())) throw badInput('windowEnd is not a date.');
  if (!isOnTheHour(windowEnd))
    throw badInput('windowEnd must be on the hour (UTC), e.g. 2025-01-01T10:00:00Z.');
  if (windowEnd.getTime() > now.getTime())
    throw badInput('windowEnd is in the future: that hour is not over.');
}

/** from < to, at most 366 days apart. */
export function assertRange(from: Date, to: Date): void {
  if (!(from.getTime() < to.getTime())) throw badInput('`from` must be before `to`.');
  if (to.getTime() - from.getTime() > MAX_RANGE_MS) throw badInput('The range may cover at most 366 days.');
}

const senderOf = (type: string): ContextMessage['sender'] =>
  type === 'CUSTOMER' ? 'customer' : type === 'BOT' ? 'bot' : 'agent';

interface Pending extends SentimentConversation {
  organizationId: string;
  appServiceId: string;
  startIndex: number;
  endIndex: number;
}

/**
 * Analyses the hour [windowEnd − 1h, windowEnd): a message at exactly windowStart is in, one at windowEnd
 * is in the next window. Conversations are sent in batches sized by a token budget, never mixing
 * organizations in one prompt (tenancy, and usage is billed per organization).
 */
export async function runSentimentWindow(
  deps: SentimentDeps,
  input: { windowEnd: Date; appServiceId?: string; organizationId?: string; tokenBudget?: number },
): Promise<SentimentWindowResult> {
  const now = deps.now?.() ?? new Date();
  assertWindowEnd(input.windowEnd, now);
  const windowEnd = input.windowEnd;
  const windowStart = new Date(windowEnd.getTime() - HOUR_MS);
  const scope: Prisma.MessageWhereInput = {
    ...(input.appServiceId ? { appServiceId: input.appServiceId } : {}),
    ...(input.organizationId ? { organizationId: input.organizationId } : {}),
  };

  // One GROUP BY for the active conversations, one lookup for those already done: not a query per conversation.
  const active = await deps.prisma.message.groupBy({
    by: ['conversationId', 'organizationId', 'appServiceId'],
    where: { ...scope, senderType: 'CUSTOMER', sentAt: { gte: windowStart, lt: windowEnd } },
  });
  const done = new Set(
    (
      await deps.prisma.analysis.findMany({
        where: {
          type: 'SENTIMENT_ANALYSIS',
          windowStart,
          windowEnd,
          conversationId: { in: active.map((a) => a.conversationId) },
        },
        select: { conversationId: true },
      })
    ).map((a) => a.conversationId),
  );
  const todo = active.filter((a) => !done.has(a.conversationId));
  const result: SentimentWindowResult = {
    windowStart,
    windowEnd,
    analysed: 0,
    modelCalls: 0,
    skipped: active.length - todo.length,
    failed: [],
    stored: [],
  };
  if (todo.length === 0) return result;

  const pending = await loadWindows(deps.prisma, todo, windowStart, windowEnd);
  const answers = new Map<
    string,
    { sentiment: ConversationSentiment; model: string; fallback: string | null }
  >();
  const byOrganization = new Map<string, Pending[]>();
  for (const p of pending)
    byOrganization.set(p.organizationId, [...(byOrganization.get(p.organizationId) ?? []), p]);

  for (const [organizationId, conversations] of byOrganization) {
    const ask = async (batch: Pending[]) => {
      result.modelCalls += 1;
      const outcome = await deps.model.analyzeSentiment(
        { conversations: batch.map(({ id, messages }) => ({ id, messages })) },
        { organizationId },
      );
      for (const [id, sentiment] of outcome.results)
        answers.set(id, { sentiment, model: outcome.model, fallback: outcome.fallback ?? null });
    };
    for (const batch of batchByTokenBudget(conversations, input.tokenBudget ?? DEFAULT_TOKEN_BUDGET)) {
      await ask(batch);
      // A conversation the batch answer missed (or answered badly) is asked about alone, once.
      for (const missing of batch.filter((c) => !answers.has(c.id))) await ask([missing]);
    }
  }

  const rows: Prisma.AnalysisCreateManyInput[] = [];
  const topicRows: Prisma.AnalysisCreateManyInput[] = [];
  for (const p of pending) {
    const answer = answers.get(p.id);
    if (!answer) {
      result.failed.push(p.id);
      continue;
    }
    const common = {
      organizationId: p.organizationId,
      conversationId: p.id,
      contextStartIndex: p.startIndex,
      contextEndIndex: p.endIndex,
      windowStart,
      windowEnd,
      origin: answer.model,
    };
    rows.push({
      ...common,
      type: 'SENTIMENT_ANALYSIS',
      result: {
        emotion: answer.sentiment.emotion,
        score: answer.sentiment.score,
        model: answer.model,
        fallback: answer.fallback,
      },
    });
    topicRows.push({
      ...common,
      type: 'TOPICS_DETECTED',
      result: { topics: answer.sentiment.topics, model: answer.model },
    });
  }
  if (result.failed.length > 0)
    deps.logger?.warn(
      { failed: result.failed, windowEnd },
      'sentiment: no usable answer for some conversations',
    );

  // skipDuplicates: a concurrent run that stored the same window first wins, nothing is doubled.
  const stored = await deps.prisma.$transaction(async (tx) => {
    const inserted = await tx.analysis.createManyAndReturn({ data: rows, skipDuplicates: true });
    await tx.analysis.createMany({ data: topicRows, skipDuplicates: true });
    return inserted;
  });
  result.stored = stored.map(toStoredSentiment);
  result.analysed = stored.length;

  const appServiceOf = new Map(pending.map((p) => [p.id, p] as const));
  const perAppService = new Map<string, { organizationId: string; ids: string[] }>();
  for (const row of stored) {
    const p = appServiceOf.get(row.conversationId)!;
    const entry = perAppService.get(p.appServiceId) ?? { organizationId: p.organizationId, ids: [] };
    entry.ids.push(row.id);
    perAppService.set(p.appServiceId, entry);
  }
  for (const [appServiceId, { organizationId, ids }] of perAppService)
    await deps.realtime.sentimentUpdated({
      organizationId,
      appServiceId,
      analysisIds: ids,
      windowStart,
      windowEnd,
    });
  return result;
}

/** The window's messages of each conversation, newest MAX_WINDOW_MESSAGES kept, oldest first. */
async function loadWindows(
  prisma: PrismaClient,
  todo: { conversationId: string; organizationId: string; appServiceId: string }[],
  windowStart: Date,
  windowEnd: Date,
): Promise<Pending[]> {
  const messages = await prisma.message.findMany({
    where: {
      conversationId: { in: todo.map((t) => t.conversationId) },
      sentAt: { gte: windowStart, lt: windowEnd },
      private: false,
      senderType: { not: 'SYSTEM' },
    },
    orderBy: [{ conversationId: 'asc' }, { index: 'asc' }],
    select: { conversationId: true, index: true, senderType: true, content: true },
  });
  const grouped = new Map<string, typeof messages>();
  for (const m of messages) grouped.set(m.conversationId, [...(grouped.get(m.conversationId) ?? []), m]);
  return todo.flatMap((t) => {
    const list = (grouped.get(t.conversationId) ?? []).slice(-MAX_WINDOW_MESSAGES);
    if (list.length === 0) return [];
    return [
      {
        id: t.conversationId,
        organizationId: t.organizationId,
        appServiceId: t.appServiceId,
        startIndex: list[0]!.index,
        endIndex: list[list.length - 1]!.index,
        messages: list.map((m) => ({
          sender: senderOf(m.senderType),
          text: m.content.slice(0, MAX_MESSAGE_CHARS),
        })),
      },
    ];
  });
}

/**
 * Runs every closed hour of the look-back, oldest first, that still has an active conversation without its
 * analysis: a missed hour (worker down, job lost) is caught up on the next run. The check per window is one
 * indexed EXISTS-style query.
 */
export async function catchUpSentiment(
  deps: SentimentDeps,
  options: { now?: Date; lookbackHours?: number; tokenBudget?: number } = {},
): Promise<SentimentWindowResult[]> {
  const now = options.now ?? deps.now?.() ?? new Date();
  const lastEnd = floorToHour(now).getTime();
  const hours = options.lookbackHours ?? DEFAULT_LOOKBACK_HOURS;
  const results: SentimentWindowResult[] = [];
  for (let back = hours - 1; back >= 0; back -= 1) {
    const windowEnd = new Date(lastEnd - back * HOUR_MS);
    const windowStart = new Date(windowEnd.getTime() - HOUR_MS);
    const open = await deps.prisma.message.findFirst({
      where: {
        senderType: 'CUSTOMER',
        sentAt: { gte: windowStart, lt: windowEnd },
        conversation: { analyses: { none: { type: 'SENTIMENT_ANALYSIS', windowStart, windowEnd } } },
      },
      select: { id: true },
    });
    if (!open) continue;
    results.push(
      await runSentimentWindow(
        { ...deps, now: () => now },
        { windowEnd, ...(options.tokenBudget ? { tokenBudget: options.tokenBudget } : {}) },
      ),
    );
  }
  return results;
}

/** runSentimentAnalysis: one app service's window, now, by an ADMIN of its organization. */
export async function runSentimentAnalysisFor(
  deps: ServiceDeps & { model: LanguageModel },
  actor: Actor,
  input: { appServiceId: string; windowEnd: Date },
): Promise<SentimentWindowResult> {
  const appService = await findAppServiceFor(deps, actor, input.appServiceId, 'appServices:manage');
  return runSentimentWindow(
    {
      prisma: deps.prisma,
      model: deps.model,
      realtime: deps.realtime,
      ...(deps.now ? { now: deps.now } : {}),
    },
    { windowEnd: input.windowEnd, appServiceId: appService.id },
  );
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
