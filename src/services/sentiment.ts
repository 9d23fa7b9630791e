import type { Actor } from '../auth/actor.js';
import {
  batchByTokenBudget,
  type ConversationSentiment,
  type SentimentConversation,
  type SentimentResult,
} from '../ai/sentiment.js';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { Logger } from '../kernel/logger.js';
import { findAppServiceFor } from './app-services.js';
import { assertRange } from './date-range.js';
import type { ServiceDeps } from './deps.js';
import { badInput } from '../kernel/errors.js';
import { senderRoleOf } from './sender-role.js';

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

export type SentimentDeps = Pick<ServiceDeps, 'prisma' | 'model' | 'realtime' | 'now'> & { logger?: Logger };

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

interface Pending extends SentimentConversation {
  organizationId: string;
  appServiceId: string;
  startIndex: number;
  endIndex: number;
}

/** Conversations loaded, asked about and stored at a time: memory and statement sizes stay bounded however busy the hour. */
export const CHUNK_CONVERSATIONS = 2000;
/** Model requests in flight at once during a run (the model's latency, not our CPU, sets a run's length). */
export const DEFAULT_MODEL_CONCURRENCY = 4;

/**
 * Analyses the hour [windowEnd − 1h, windowEnd): a message at exactly windowStart is in, one at windowEnd
 * is in the next window. Conversations are sent in batches sized by a token budget, never mixing
 * organizations in one prompt (tenancy, and usage is billed per organization), a few requests at a time.
 * The active conversations go through in chunks of CHUNK_CONVERSATIONS: each chunk's windows are loaded,
 * analysed and stored (with one event per app service) before the next, so a run over 100,000
 * conversations holds one chunk's messages at a time, and a run that fails half-way keeps what it stored.
 */
export async function runSentimentWindow(
  deps: SentimentDeps,
  input: {
    windowEnd: Date;
    appServiceId?: string;
    organizationId?: string;
    tokenBudget?: number;
    modelConcurrency?: number;
  },
): Promise<SentimentWindowResult> {
  const now = deps.now?.() ?? new Date();
  assertWindowEnd(input.windowEnd, now);
  const windowEnd = input.windowEnd;
  const windowStart = new Date(windowEnd.getTime() - HOUR_MS);
  const scope: Prisma.MessageWhereInput = {
    ...(input.appServiceId ? { appServiceId: input.appServiceId } : {}),
    ...(input.organizationId ? { organizationId: input.organizationId } : {}),
  };

  // One GROUP BY for the active conversations, then per chunk one lookup for those already done: not a
  // query per conversation. Sorted by organization, so that a chunk holds few of them.
  const active = await deps.prisma.message.groupBy({
    by: ['conversationId', 'organizationId', 'appServiceId'],
    where: { ...scope, senderType: 'CUSTOMER', sentAt: { gte: windowStart, lt: windowEnd } },
  });
  active.sort(
    (a, b) =>
      compareText(a.organizationId, b.organizationId) || compareText(a.conversationId, b.conversationId),
  );
  const result: SentimentWindowResult = {
    windowStart,
    windowEnd,
    analysed: 0,
    modelCalls: 0,
    skipped: 0,
    failed: [],
    stored: [],
  };
  const window = { windowStart, windowEnd };
  const options = {
    tokenBudget: input.tokenBudget ?? DEFAULT_TOKEN_BUDGET,
    modelConcurrency: input.modelConcurrency ?? DEFAULT_MODEL_CONCURRENCY,
  };
  for (let from = 0; from < active.length; from += CHUNK_CONVERSATIONS) {
    await analyseChunk(deps, active.slice(from, from + CHUNK_CONVERSATIONS), window, options, result);
  }
  if (result.failed.length > 0)
    deps.logger?.warn(
      { failed: result.failed, windowEnd },
      'sentiment: no usable answer for some conversations',
    );
  return result;
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

type ActiveConversation = { conversationId: string; organizationId: string; appServiceId: string };
type Answer = { sentiment: ConversationSentiment; model: string; fallback: string | null };

/** One chunk of a window's active conversations: skip those done, ask the model, store, tell subscribers. */
async function analyseChunk(
  deps: SentimentDeps,
  chunk: ActiveConversation[],
  window: { windowStart: Date; windowEnd: Date },
  options: { tokenBudget: number; modelConcurrency: number },
  result: SentimentWindowResult,
): Promise<void> {
  const { windowStart, windowEnd } = window;
  const done = new Set(
    (
      await deps.prisma.analysis.findMany({
        where: {
          type: 'SENTIMENT_ANALYSIS',
          windowStart,
          windowEnd,
          conversationId: { in: chunk.map((a) => a.conversationId) },
        },
        select: { conversationId: true },
      })
    ).map((a) => a.conversationId),
  );
  const todo = chunk.filter((a) => !done.has(a.conversationId));
  result.skipped += chunk.length - todo.length;
  if (todo.length === 0) return;

  const pending = await loadWindows(deps.prisma, todo, windowStart, windowEnd);
  const answers = new Map<string, Answer>();
  const byOrganization = new Map<string, Pending[]>();
  for (const p of pending) {
    const list = byOrganization.get(p.organizationId);
    if (list) list.push(p);
    else byOrganization.set(p.organizationId, [p]);
  }
  const work: { organizationId: string; batch: Pending[] }[] = [];
  for (const [organizationId, conversations] of byOrganization)
    for (const batch of batchByTokenBudget(conversations, options.tokenBudget))
      work.push({ organizationId, batch });

  const ask = async (organizationId: string, batch: Pending[]) => {
    result.modelCalls += 1;
    const outcome = await deps.model.analyzeSentiment(
      { conversations: batch.map(({ id, messages }) => ({ id, messages })) },
      { organizationId },
    );
    for (const [id, sentiment] of outcome.results)
      answers.set(id, { sentiment, model: outcome.model, fallback: outcome.fallback ?? null });
  };
  await inPool(work, options.modelConcurrency, async ({ organizationId, batch }) => {
    await ask(organizationId, batch);
    // A conversation the batch answer missed (or answered badly) is asked about alone, once.
    for (const missing of batch.filter((c) => !answers.has(c.id))) await ask(organizationId, [missing]);
  });

  const answered: { p: Pending; answer: Answer }[] = [];
  for (const p of pending) {
    const answer = answers.get(p.id);
    if (answer) answered.push({ p, answer });
    else result.failed.push(p.id);
  }
  if (answered.length === 0) return;
  const stored = await storeAnswers(deps.prisma, answered, window);
  result.stored.push(...stored);
  result.analysed += stored.length;

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
}

/** Runs `work` over the items, at most `concurrency` at once; the first failure stops taking new items. */
async function inPool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const runner = async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, runner));
}

/**
 * A SENTIMENT_ANALYSIS and a TOPICS_DETECTED row per answered conversation, in one statement (so both or
 * neither): ON CONFLICT DO NOTHING on the unique (conversation, type, window, subject) lets a concurrent run that
 * stored the same window first win, nothing doubled. Returns the sentiment rows this call inserted. One
 * INSERT … SELECT over a JSON array: Prisma's createMany builds and maps every row in JavaScript (seconds
 * and hundreds of MB for a few thousand rows).
 */
async function storeAnswers(
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
async function loadWindows(
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
  deps: ServiceDeps,
  actor: Actor,
  input: { appServiceId: string; windowEnd: Date },
): Promise<SentimentWindowResult> {
  const appService = await findAppServiceFor(deps, actor, input.appServiceId, 'appServices:manage');
  return runSentimentWindow(deps, { windowEnd: input.windowEnd, appServiceId: appService.id });
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
