// CSV exports, asked for: who may ask (OWNER, ADMIN, ANALYST: `data:export`; a signed-in user, since the
// file is theirs alone), what is checked before anything is written (app services and agents of the
// organization, the range), and the request itself: the export row, its buildExport job in the outbox and
// the audit entry, in one transaction, so an acknowledged export is never lost. The job is in
// export-build.ts, the download link in export-links.ts.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Actor, ActorUser } from '../auth/actor.js';
import type { Prisma } from '../generated/prisma/client.js';
import {
  ConversationPriority,
  ConversationStatus,
  type ExportKind,
  type ExportStatus,
} from '../generated/prisma/enums.js';
import { outboxJob } from '../jobs/catalogue.js';
import { enqueueInTransaction } from '../jobs/outbox.js';
import { badInput, conflict } from '../kernel/errors.js';
import { recordAudit } from './audit-log.js';
import type { ConversationFilter } from './conversations.js';
import { MAX_RANGE_DAYS } from './date-range.js';
import { DEFAULT_EXPORT_SETTINGS, nowOf, type ServiceDeps } from './deps.js';
import { reportDimensions, type ReportDimension } from './reports.js';
import { lockKey } from './transactions.js';

/** App services one export may name (none: all of the organization's). */
export const MAX_EXPORT_APP_SERVICES = 100;
/** Exports of one requester in one organization not yet READY or FAILED: more wait for these to finish. */
export const MAX_UNFINISHED_EXPORTS = 5;

const isoDate = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

/**
 * The conversation export's parameters as stored on the row (JSON) and read back by the job: the inbox
 * filter (src/services/conversations.ts), the app services and the creation range.
 */
export const conversationExportParameters = z.object({
  filter: z
    .object({
      status: z.array(z.enum(ConversationStatus)).nullish(),
      priority: z.array(z.enum(ConversationPriority)).nullish(),
      assigneeId: z.uuid().nullish(),
      unassigned: z.boolean().nullish(),
      escalated: z.boolean().nullish(),
      label: z.string().nullish(),
      search: z.string().nullish(),
      updatedSince: isoDate.nullish(),
    })
    // A filter field this list lacks would be dropped by the job, exporting more than was asked: refused.
    .strict()
    .nullish(),
  appServiceIds: z.array(z.uuid()),
  from: isoDate.nullish(),
  to: isoDate.nullish(),
});
export type ConversationExportParameters = z.infer<typeof conversationExportParameters>;

const DAY_MS = 86_400_000;
const calendarDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as 2026-01-31')
  .refine((day) => new Date(`${day}T00:00:00Z`).toISOString().startsWith(day), 'must be a real date');

/**
 * The report export's parameters, as the reports take them (src/services/reports.ts): local calendar days
 * in the organization's time zone, both included, at most MAX_RANGE_DAYS; the dimensions (all when none).
 */
export const reportExportParameters = z
  .object({
    from: calendarDay,
    to: calendarDay,
    dimensions: z.array(z.enum(reportDimensions)).max(reportDimensions.length).nullish(),
  })
  .superRefine(({ from, to }, ctx) => {
    const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
    if (days < 1) ctx.addIssue({ code: 'custom', message: 'from must not be after to' });
    if (days > MAX_RANGE_DAYS) ctx.addIssue({ code: 'custom', message: `at most ${MAX_RANGE_DAYS} days` });
  });

export interface ConversationExportInput {
  organizationId: string;
  filter?: ConversationFilter | null;
  /** None or empty: every app service of the organization. */
  appServiceIds?: readonly string[] | null;
  /** Conversations created at or after `from` and before `to`. */
  from?: Date | null;
  to?: Date | null;
}

export interface ReportExportInput {
  organizationId: string;
  /** Local calendar days (YYYY-MM-DD), both included. */
  from: string;
  to: string;
  dimensions?: readonly ReportDimension[] | null;
}

type RequestDeps = Pick<ServiceDeps, 'prisma' | 'afterCommit'>;

/** Queues a CSV of the organization's conversations that match; the requester downloads it when READY. */
export async function exportConversations(deps: RequestDeps, actor: Actor, input: ConversationExportInput) {
  const user = assertMayExport(actor, input.organizationId);
  if ((input.appServiceIds?.length ?? 0) > MAX_EXPORT_APP_SERVICES)
    throw badInput(`At most ${MAX_EXPORT_APP_SERVICES} app services.`);
  const appServiceIds = [...new Set(input.appServiceIds ?? [])];
  if (input.from && input.to && input.from >= input.to)
    throw badInput('from must be before to.', { from: input.from, to: input.to });
  const filter = input.filter ?? null;
  // Ids of another organization (or none) are the caller's mistake: said so, and nothing is queued.
  const [services, assignees] = await Promise.all([
    appServiceIds.length
      ? deps.prisma.appService.count({
          where: { id: { in: appServiceIds }, organizationId: input.organizationId },
        })
      : 0,
    filter?.assigneeId
      ? deps.prisma.agent.count({ where: { id: filter.assigneeId, organizationId: input.organizationId } })
      : 0,
  ]);
  if (services !== appServiceIds.length) throw badInput('No such app service in this organization.');
  if (filter?.assigneeId && assignees === 0) throw badInput('No such agent in this organization.');
  const parameters = {
    filter: filter ? toJson(filter) : null,
    appServiceIds,
    from: input.from?.toISOString() ?? null,
    to: input.to?.toISOString() ?? null,
  } satisfies Prisma.InputJsonObject;
  if (!conversationExportParameters.safeParse(parameters).success)
    throw badInput('This filter cannot be exported (a field the export does not apply).');
  return createExport(deps, actor, user, input.organizationId, 'CONVERSATIONS', parameters);
}

/** Queues a CSV of the reports per agent, team and label over the range. */
export async function exportReport(deps: RequestDeps, actor: Actor, input: ReportExportInput) {
  const user = assertMayExport(actor, input.organizationId);
  const checked = reportExportParameters.safeParse({
    from: input.from,
    to: input.to,
    dimensions: input.dimensions ?? null,
  });
  if (!checked.success) throw badInput(`The range ${checked.error.issues[0]!.message}.`);
  const parameters = {
    from: checked.data.from,
    to: checked.data.to,
    dimensions: checked.data.dimensions ? [...new Set(checked.data.dimensions)] : null,
  };
  return createExport(deps, actor, user, input.organizationId, 'REPORT', parameters);
}

/** OWNER, ADMIN and ANALYST, signed in: the file and its link belong to one user. */
function assertMayExport(actor: Actor, organizationId: string): ActorUser {
  actor.assertCan(organizationId, 'data:export');
  return actor.requireUser();
}

async function createExport(
  deps: RequestDeps,
  actor: Actor,
  user: ActorUser,
  organizationId: string,
  kind: ExportKind,
  parameters: Prisma.InputJsonObject,
) {
  const created = await deps.prisma.$transaction(async (tx) => {
    // One requester's count is read and raised without interleaving.
    await lockKey(tx, `exports:${organizationId}:${user.id}`);
    const unfinished = await tx.export.count({
      where: { organizationId, requestedById: user.id, status: { in: ['QUEUED', 'RUNNING'] } },
    });
    if (unfinished >= MAX_UNFINISHED_EXPORTS)
      throw conflict(`${unfinished} of your exports are still running; wait until one of them is ready.`);
    const row = await tx.export.create({
      data: {
        organizationId,
        requestedById: user.id,
        kind,
        parameters,
        linkKey: randomBytes(32).toString('hex'),
      },
    });
    await enqueueInTransaction(tx, outboxJob('buildExport', { exportId: row.id, organizationId }));
    await recordAudit(tx, {
      organizationId,
      actor,
      action: 'export.requested',
      targetType: 'EXPORT',
      targetId: row.id,
      changes: { kind: { to: kind }, parameters: { to: parameters } },
    });
    return row;
  });
  deps.afterCommit?.();
  return created;
}

/** What the requester sees: a READY export past its expiry is EXPIRED even before the purge gets to it. */
export function effectiveStatus(
  row: { status: ExportStatus; expiresAt: Date | null },
  now: Date,
): ExportStatus {
  return row.status === 'READY' && row.expiresAt && row.expiresAt <= now ? 'EXPIRED' : row.status;
}

/** The where-clause of the exports a user sees: their own, where they may still export. */
export function ownExportsWhere(actor: Actor): Prisma.ExportWhereInput {
  return {
    organizationId: { in: actor.organizationIdsWith('data:export') },
    requestedById: actor.user ? actor.user.id : { in: [] },
  };
}

/** How many exports a purge pass handles at most (the next minute's pass takes the rest). */
const PURGE_BATCH = 500;

/**
 * The purge job: READY exports past their expiry lose their chunks and become EXPIRED. Returns how many.
 * Chunks of FAILED runs are deleted when they fail (export-build.ts).
 */
export async function purgeExpiredExports(deps: Pick<ServiceDeps, 'prisma' | 'now'>): Promise<number> {
  const now = nowOf(deps);
  return deps.prisma.$transaction(async (tx) => {
    const due = await tx.export.findMany({
      where: { status: 'READY', expiresAt: { lte: now } },
      select: { id: true },
      orderBy: { expiresAt: 'asc' },
      take: PURGE_BATCH,
    });
    if (due.length === 0) return 0;
    const ids = due.map((row) => row.id);
    await tx.exportChunk.deleteMany({ where: { exportId: { in: ids } } });
    const { count } = await tx.export.updateMany({
      where: { id: { in: ids }, status: 'READY' },
      data: { status: 'EXPIRED' },
    });
    return count;
  });
}

/** The export settings in effect (the configuration's, or the defaults in tests and tools). */
export function exportSettingsOf(deps: Pick<ServiceDeps, 'settings'>) {
  return deps.settings.exports ?? DEFAULT_EXPORT_SETTINGS;
}

/** The filter as JSON: dates as ISO strings, absent fields left out. */
function toJson(filter: ConversationFilter): Prisma.InputJsonObject {
  return JSON.parse(JSON.stringify(filter)) as Prisma.InputJsonObject;
}
