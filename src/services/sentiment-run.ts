import type { Actor } from '../auth/actor.js';
import { batchByTokenBudget } from '../ai/sentiment.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { Logger } from '../kernel/logger.js';
import { findAppServiceFor } from './app-services.js';
import type { ServiceDeps } from './deps.js';
import { badInput } from '../kernel/errors.js';
import {
  loadWindows,
  storeAnswers,
  type ActiveConversation,
  type Answer,
  type Pending,
  type StoredSentiment,
} from './sentiment-store.js';

/**
 * Hourly sentiment: every closed UTC hour, each conversation with customer messages in it gets one
 * SENTIMENT_ANALYSIS (and one TOPICS_DETECTED) for that window. The unique key (conversation, type, window)
 * makes every run idempotent: a re-run, a retried job or two workers at once store each window once.
 */

export const HOUR_MS = 3_600_000;
export const DEFAULT_TOKEN_BUDGET = 6000;
export const DEFAULT_LOOKBACK_HOURS = 24;

export type SentimentDeps = Pick<ServiceDeps, 'prisma' | 'model' | 'realtime' | 'now'> & { logger?: Logger };

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
