// An export's download link: `/exports/<id>/download?token=<expiry>.<signature>`, the signature an
// HMAC-SHA256 over the export id, the requesting user and the expiry, keyed by the export's own random key
// (exports.link_key, never shown), so every api process can check it without a shared secret and no link
// outlives its export. The download also needs the requester's own credentials: the link is theirs alone.
// Every refusal that could tell whether an export exists answers NOT_FOUND; only the requester, with a
// valid link, learns that it has expired (GONE).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Actor } from '../auth/actor.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import { nowOf, type ServiceDeps } from './deps.js';

export const EXPORT_DOWNLOAD_PREFIX = '/exports/';

interface Signable {
  id: string;
  requestedById: string;
  linkKey: string;
}

function signature(row: Signable, expiresAtMs: number): Buffer {
  return createHmac('sha256', Buffer.from(row.linkKey, 'hex'))
    .update(`export-download\n${row.id}\n${row.requestedById}\n${expiresAtMs}`)
    .digest();
}

/** The link's token: the expiry (ms, base 36) and the signature (base64url). */
export function downloadToken(row: Signable, expiresAt: Date): string {
  const ms = expiresAt.getTime();
  return `${ms.toString(36)}.${signature(row, ms).toString('base64url')}`;
}

/** The download path with its token, relative to the api's origin (where /graphql is). */
export function downloadPath(row: Signable, expiresAt: Date): string {
  return `${EXPORT_DOWNLOAD_PREFIX}${row.id}/download?token=${downloadToken(row, expiresAt)}`;
}

/** The token's expiry when its signature is right for this export and user; null otherwise. */
export function verifiedExpiry(row: Signable, token: string): number | null {
  const match = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return null;
  const ms = parseInt(match[1]!, 36);
  const given = Buffer.from(match[2]!, 'base64url');
  const wanted = signature(row, ms);
  return given.length === wanted.length && timingSafeEqual(given, wanted) ? ms : null;
}

export type DownloadOutcome =
  | { status: 'not found' }
  | { status: 'gone' }
  | {
      status: 'ok';
      kind: 'CONVERSATIONS' | 'REPORT';
      byteSize: number;
      createdAt: Date;
      /** The CSV text, chunk by chunk, read a few chunks at a time. */
      chunks: () => AsyncGenerator<string>;
    };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Checks a download: the link's signature for this export and the signed-in requester, its expiry, and that
 * the requester may still export in the organization. One statement to decide, then the chunks in order.
 */
export async function openExportDownload(
  deps: Pick<ServiceDeps, 'prisma' | 'now'>,
  actor: Actor,
  exportId: string,
  token: string,
): Promise<DownloadOutcome> {
  const userId = actor.user?.id;
  if (!userId || !UUID.test(exportId)) return { status: 'not found' };
  const row = await deps.prisma.export.findFirst({
    where: { id: exportId, requestedById: userId },
    select: {
      id: true,
      organizationId: true,
      requestedById: true,
      linkKey: true,
      kind: true,
      status: true,
      attempt: true,
      byteSize: true,
      createdAt: true,
      expiresAt: true,
    },
  });
  if (!row) return { status: 'not found' };
  const expiry = verifiedExpiry(row, token);
  // A member who lost the right to export (or left) is told no more than a stranger.
  if (expiry === null || !actor.can(row.organizationId, 'data:export')) return { status: 'not found' };
  const now = nowOf(deps).getTime();
  if (
    expiry <= now ||
    row.status === 'EXPIRED' ||
    (row.expiresAt !== null && row.expiresAt.getTime() <= now)
  ) {
    return { status: 'gone' };
  }
  if (row.status !== 'READY') return { status: 'not found' };
  return {
    status: 'ok',
    kind: row.kind,
    byteSize: Number(row.byteSize ?? 0),
    createdAt: row.createdAt,
    chunks: () => readChunks(deps.prisma, row.id, row.attempt),
  };
}

/** Chunks fetched per statement while streaming (each up to EXPORT_CHUNK_KIB). */
const CHUNKS_PER_READ = 4;

async function* readChunks(prisma: PrismaClient, exportId: string, attempt: number): AsyncGenerator<string> {
  for (let next = 0; ;) {
    const rows = await prisma.exportChunk.findMany({
      where: { exportId, attempt, seq: { gte: next } },
      orderBy: { seq: 'asc' },
      take: CHUNKS_PER_READ,
      select: { seq: true, data: true },
    });
    for (const row of rows) yield row.data;
    if (rows.length < CHUNKS_PER_READ) return;
    next = rows[rows.length - 1]!.seq + 1;
  }
}
