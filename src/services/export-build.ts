// The buildExport job: writes one export's CSV into export_chunks. Conversations are read in keyset pages
// of EXPORT_BATCH_SIZE on (created_at, id), so memory holds one page and one pending chunk whatever the
// export's size; a chunk row is written each time EXPORT_CHUNK_KIB of text is pending. The chunks live in
// the database, so any api process can serve the download. Each run has its own `attempt`: a retry (or a
// run that overtook a stalled one) writes its own chunks and only the run that finishes last-started wins;
// older runs' chunks are deleted, so a retried export never holds a row twice.
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import { EXPORT_ATTEMPTS } from '../jobs/catalogue.js';
import { csvRow, UTF8_BOM, type CsvCell } from './csv.js';
import { conversationFilterWhere } from './conversations.js';
import { nowOf, type ServiceDeps } from './deps.js';
import {
  conversationExportParameters,
  exportSettingsOf,
  type ConversationExportParameters,
} from './exports.js';
import { reportCsvRows } from './export-report.js';

export type BuildDeps = Pick<ServiceDeps, 'prisma' | 'settings' | 'now' | 'logger'>;

/** The conversation export's columns, in order. */
export const CONVERSATION_COLUMNS = [
  'id',
  'app_service',
  'status',
  'priority',
  'labels',
  'assignee',
  'team',
  'contact_name',
  'contact_phone',
  'created_at',
  'first_reply_at',
  'resolved_at',
  'message_count',
  'last_message_at',
  'last_message',
] as const;

/** The last message's text is cut here: a cell, not a transcript. */
export const LAST_MESSAGE_MAX = 1000;

export interface BuildResult {
  /** Nothing done: the export is READY, EXPIRED or gone, or a later run took it over. */
  skipped?: true;
  rows?: number;
  chunks?: number;
}

/** Test seams: called after each page is written (a test fails a run there). */
export interface BuildHooks {
  afterBatch?: (batch: number) => Promise<void> | void;
}

export async function buildExport(
  deps: BuildDeps,
  { exportId }: { exportId: string },
  hooks: BuildHooks = {},
): Promise<BuildResult> {
  const started = await startRun(deps, exportId);
  if (!started) return { skipped: true };
  const { attempt } = started;
  const settings = exportSettingsOf(deps);
  const writer = new ChunkWriter(deps.prisma, exportId, attempt, settings.chunkBytes);
  try {
    const rows =
      started.kind === 'CONVERSATIONS'
        ? await writeConversations(deps, writer, started, settings.batchSize, hooks)
        : await writeReport(deps, writer, started);
    await writer.flush();
    const finishedAt = nowOf(deps);
    const { count } = await deps.prisma.export.updateMany({
      where: { id: exportId, attempt, status: 'RUNNING' },
      data: {
        status: 'READY',
        rowCount: rows,
        // The download starts with the byte order mark (written there: the chunks hold the CSV only).
        byteSize: Buffer.byteLength(UTF8_BOM) + writer.bytes,
        completedAt: finishedAt,
        expiresAt: new Date(finishedAt.getTime() + settings.ttlMs),
        error: null,
      },
    });
    // Another run started after this one: its chunks are the export's, these go.
    const stale = count === 0 ? { attempt } : { attempt: { not: attempt } };
    await deps.prisma.exportChunk.deleteMany({ where: { exportId, ...stale } });
    return count === 0 ? { skipped: true } : { rows, chunks: writer.chunks };
  } catch (error) {
    await failRun(deps, exportId, attempt, error);
    throw error;
  }
}

interface StartedRun {
  attempt: number;
  kind: 'CONVERSATIONS' | 'REPORT';
  organizationId: string;
  requestedById: string;
  parameters: unknown;
  createdAt: Date;
}

/** Takes the export for this run (the next attempt); null when there is nothing to build. */
async function startRun(deps: BuildDeps, exportId: string): Promise<StartedRun | null> {
  const rows = await deps.prisma.$queryRaw<StartedRun[]>`
    UPDATE exports SET attempt = attempt + 1, status = 'RUNNING', started_at = ${nowOf(deps)}
    WHERE id = ${exportId}::uuid AND status IN ('QUEUED', 'RUNNING', 'FAILED')
    RETURNING attempt, kind::text AS kind, organization_id::text AS "organizationId",
      requested_by_id::text AS "requestedById", parameters, created_at AS "createdAt"`;
  const run = rows[0];
  if (!run) return null;
  // Chunks of earlier runs (a crash, a failed try) are not this file's.
  await deps.prisma.exportChunk.deleteMany({ where: { exportId, attempt: { lt: run.attempt } } });
  return run;
}

/**
 * A failed run: its chunks go; the export waits for the next try (QUEUED), or is FAILED after the last one
 * (retryJob may run it again). A later run may have taken it over meanwhile: then this one changes nothing.
 */
async function failRun(deps: BuildDeps, exportId: string, attempt: number, error: unknown): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  try {
    await deps.prisma.exportChunk.deleteMany({ where: { exportId, attempt } });
    await deps.prisma.export.updateMany({
      where: { id: exportId, attempt, status: 'RUNNING' },
      data: { status: attempt >= EXPORT_ATTEMPTS ? 'FAILED' : 'QUEUED', error: message.slice(0, 500) },
    });
  } catch (cleanup) {
    // The database may be what failed; the next try deletes the chunks anyway.
    deps.logger.warn({ err: cleanup, exportId }, 'export failure not recorded');
  }
}

/** The matching conversations, one keyset page at a time; returns how many rows were written. */
async function writeConversations(
  deps: BuildDeps,
  writer: ChunkWriter,
  run: StartedRun,
  batchSize: number,
  hooks: BuildHooks,
): Promise<number> {
  const parameters = conversationExportParameters.parse(run.parameters);
  await writer.write(csvRow([...CONVERSATION_COLUMNS]));
  const where = conversationExportWhere(run.organizationId, parameters, run.createdAt);
  let after: { createdAt: Date; id: string } | null = null;
  let rows = 0;
  for (let batch = 1; ; batch++) {
    const pageWhere: Prisma.ConversationWhereInput = after
      ? {
          AND: [
            where,
            {
              OR: [
                { createdAt: { gt: after.createdAt } },
                { createdAt: after.createdAt, id: { gt: after.id } },
              ],
            },
          ],
        }
      : where;
    const page = await deps.prisma.conversation.findMany({
      where: pageWhere,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: batchSize,
      select: {
        id: true,
        status: true,
        priority: true,
        labels: true,
        createdAt: true,
        firstReplyAt: true,
        resolvedAt: true,
        messageCount: true,
        lastMessageAt: true,
        appService: { select: { name: true } },
        assignee: { select: { name: true } },
        team: { select: { name: true } },
        contact: { select: { name: true, phone: true } },
        messages: { orderBy: { index: 'desc' }, take: 1, select: { content: true } },
      },
    });
    for (const c of page) {
      const cells: CsvCell[] = [
        c.id,
        c.appService.name,
        c.status,
        c.priority,
        c.labels.join('; '),
        c.assignee?.name,
        c.team?.name,
        c.contact?.name,
        c.contact?.phone,
        c.createdAt,
        c.firstReplyAt,
        c.resolvedAt,
        c.messageCount,
        c.lastMessageAt,
        c.messages[0]?.content.slice(0, LAST_MESSAGE_MAX),
      ];
      await writer.write(csvRow(cells));
    }
    rows += page.length;
    await hooks.afterBatch?.(batch);
    if (page.length < batchSize) return rows;
    const last = page[page.length - 1]!;
    after = { createdAt: last.createdAt, id: last.id };
  }
}

/**
 * The conversations an export covers: the organization's, of the app services named (all when none),
 * created in the range and before the export was asked for (rows created while it runs are not half in),
 * matching the inbox filter.
 */
export function conversationExportWhere(
  organizationId: string,
  parameters: ConversationExportParameters,
  requestedAt: Date,
): Prisma.ConversationWhereInput {
  const { filter, appServiceIds, from, to } = parameters;
  const before = to && to < requestedAt ? { lt: to } : { lte: requestedAt };
  return {
    AND: [
      { organizationId },
      appServiceIds.length ? { appServiceId: { in: appServiceIds } } : {},
      { createdAt: from ? { gte: from, ...before } : before },
      conversationFilterWhere(filter),
    ],
  };
}

async function writeReport(deps: BuildDeps, writer: ChunkWriter, run: StartedRun): Promise<number> {
  let rows = 0;
  for await (const text of reportCsvRows(deps, run)) {
    await writer.write(text);
    rows++;
  }
  // The header line is not a row.
  return Math.max(0, rows - 1);
}

/** Buffers CSV text and stores it as numbered chunks of about `chunkBytes`. */
class ChunkWriter {
  bytes = 0;
  chunks = 0;
  private pending: string[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly exportId: string,
    private readonly attempt: number,
    private readonly chunkBytes: number,
  ) {}

  async write(text: string): Promise<void> {
    if (!text) return;
    this.pending.push(text);
    this.pendingBytes += Buffer.byteLength(text, 'utf8');
    if (this.pendingBytes >= this.chunkBytes) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    await this.prisma.exportChunk.create({
      data: { exportId: this.exportId, attempt: this.attempt, seq: this.chunks, data: this.pending.join('') },
    });
    this.chunks++;
    this.bytes += this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
  }
}
