/**
 * The metrics rollup (the monitoring metrics and their transactions): hourly (the 'metrics' queue) and on demand, for each
 * app service, computes its figures over the 24 hours before `now` (a rolling window, so successive values
 * are comparable) and appends a MetricTransaction for each metric whose value changed since its last one,
 * with currentGrowth = (new − last) / new (null when new is 0, and for a metric's first transaction).
 */
import type { PrismaClient } from '../generated/prisma/client.js';
import { EscalationType } from '../generated/prisma/enums.js';
import type { Actor } from '../auth/actor.js';
import { forbidden } from '../kernel/errors.js';
import { figuresByAppService } from './monitoring-figures.js';

export const ROLLUP_WINDOW_MS = 24 * 3_600_000;

export const METRIC_NAMES = [
  'number_of_chat_sessions',
  'number_of_messages',
  'escalated_conversations',
  'issues_resolved',
  'resolution_time_seconds',
  'first_response_time_seconds',
  ...Object.values(EscalationType).map((type) => `escalations_${type.toLowerCase()}`),
] as const;

/** (new − last) / new; null when new is 0 or there is no last value. */
export function growthOf(last: number | null, value: number): number | null {
  if (last === null || value === 0) return null;
  return (value - last) / value;
}

export interface RollupResult {
  appServices: number;
  /** Transactions appended (metrics whose value changed). */
  transactions: number;
}

/**
 * Rolls up every app service (or one). Statements per app service are fixed (figures, metrics, last
 * transactions, inserts); re-running at the same `now` adds nothing (unique (metric, time), skipDuplicates).
 */
export async function rollupMetrics(
  prisma: PrismaClient,
  input: { now: Date; appServiceId?: string },
): Promise<RollupResult> {
  const appServices = await prisma.appService.findMany({
    where: input.appServiceId ? { id: input.appServiceId } : {},
    select: { id: true, organizationId: true },
  });
  const from = new Date(input.now.getTime() - ROLLUP_WINDOW_MS);
  let transactions = 0;
  for (const appService of appServices) {
    const figures = (
      await figuresByAppService(prisma, appService.organizationId, [appService.id], from, input.now)
    ).get(appService.id)!;
    const values: Record<string, number> = {
      number_of_chat_sessions: figures.numberOfChatSessions,
      number_of_messages: figures.numberOfMessages,
      escalated_conversations: figures.escalatedConversations,
      issues_resolved: figures.issuesResolved,
      // No resolution in the window reads as 0 seconds: a metric value is a number.
      resolution_time_seconds: figures.resolutionTime ?? 0,
      first_response_time_seconds: figures.firstResponseTime ?? 0,
    };
    for (const type of Object.values(EscalationType)) values[`escalations_${type.toLowerCase()}`] = 0;
    for (const { type, count } of figures.escalationsByType)
      values[`escalations_${type.toLowerCase()}`] = count;

    await prisma.metric.createMany({
      data: METRIC_NAMES.map((name) => ({
        organizationId: appService.organizationId,
        appServiceId: appService.id,
        name,
      })),
      skipDuplicates: true,
    });
    const metrics = await prisma.metric.findMany({
      where: { appServiceId: appService.id },
      select: {
        id: true,
        name: true,
        // The last transaction strictly before now: a re-run at the same time compares with the same value.
        transactions: {
          where: { time: { lt: input.now } },
          orderBy: { time: 'desc' },
          take: 1,
          select: { value: true },
        },
      },
    });
    const rows = metrics.flatMap((metric) => {
      const value = values[metric.name];
      if (value === undefined) return [];
      const last = metric.transactions[0]?.value ?? null;
      if (last === value) return [];
      return [{ metricId: metric.id, value, time: input.now, currentGrowth: growthOf(last, value) }];
    });
    if (rows.length > 0) {
      const created = await prisma.metricTransaction.createMany({ data: rows, skipDuplicates: true });
      transactions += created.count;
    }
  }
  return { appServices: appServices.length, transactions };
}

/** refreshMetrics: an app service's rollup now (ADMIN, appServices:manage). */
export async function refreshMetrics(
  prisma: PrismaClient,
  actor: Actor,
  input: { appServiceId: string; now?: Date },
): Promise<RollupResult> {
  actor.assertAuthenticated();
  const appService = await prisma.appService.findFirst({
    where: {
      id: input.appServiceId,
      organizationId: { in: actor.organizationIdsWith('appServices:manage') },
    },
    select: { id: true },
  });
  if (!appService) throw forbidden();
  return rollupMetrics(prisma, { now: input.now ?? new Date(), appServiceId: appService.id });
}
