import type { PrismaClient } from '../generated/prisma/client.js';
import { unauthenticated } from '../kernel/errors.js';
import { Actor } from './actor.js';
import { looksLikeApiKey, parseApiKey } from './api-key-format.js';
import { equalHex, sha256Hex } from './tokens.js';

/** lastUsedAt is written at most this often per key or session, not on every request. */
export const LAST_USED_THROTTLE_MS = 60_000;

export interface Credentials {
  /** The Authorization header (`Bearer …`), or the graphql-ws `authorization` field. */
  authorization?: string | null;
  /** The `x-api-key` header, or the graphql-ws `apiKey` field. */
  apiKey?: string | null;
}

/**
 * Turns request credentials into an Actor. No credentials → anonymous; credentials that do not
 * check out → UNAUTHENTICATED (never silently anonymous, so a broken key is noticed).
 */
export async function authenticate(
  prisma: PrismaClient,
  credentials: Credentials,
  now = new Date(),
): Promise<Actor> {
  const bearer = parseBearer(credentials.authorization);
  const apiKey = credentials.apiKey?.trim() || (bearer && looksLikeApiKey(bearer) ? bearer : null);
  if (apiKey) return authenticateApiKey(prisma, apiKey, now);
  if (bearer) return authenticateSession(prisma, bearer, now);
  return Actor.anonymous();
}

function parseBearer(header: string | null | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>".');
  return match[1]!;
}

async function authenticateApiKey(prisma: PrismaClient, key: string, now: Date): Promise<Actor> {
  const parsed = parseApiKey(key);
  // A malformed key or a bad checksum is refused before any database lookup.
  if (!parsed) throw unauthenticated('The API key is malformed.');
  const row = await prisma.apiKey.findUnique({
    where: { prefix: parsed.prefix },
    select: {
      id: true,
      organizationId: true,
      prefix: true,
      secretHash: true,
      scopes: true,
      revokedAt: true,
      expiresAt: true,
      lastUsedAt: true,
      organization: { select: { active: true } },
    },
  });
  if (!row || !equalHex(row.secretHash, sha256Hex(key))) throw unauthenticated('The API key is not valid.');
  if (row.revokedAt) throw unauthenticated('The API key has been revoked.');
  if (row.expiresAt && row.expiresAt <= now) throw unauthenticated('The API key has expired.');
  if (!row.organization.active) throw unauthenticated('The organization of this API key is not active.');
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_THROTTLE_MS) {
    await prisma.apiKey.updateMany({
      where: {
        id: row.id,
        OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - LAST_USED_THROTTLE_MS) } }],
      },
      data: { lastUsedAt: now },
    });
  }
  return Actor.forApiKey({
    id: row.id,
    organizationId: row.organizationId,
    prefix: row.prefix,
    scopes: row.scopes,
    expiresAt: row.expiresAt,
  });
}

async function authenticateSession(prisma: PrismaClient, token: string, now: Date): Promise<Actor> {
  const session = await prisma.session.findUnique({
    where: { tokenHash: sha256Hex(token) },
    select: {
      id: true,
      expiresAt: true,
      revokedAt: true,
      lastUsedAt: true,
      user: {
        select: {
          id: true,
          email: true,
          name: true,
          memberships: {
            where: { organization: { active: true } },
            select: { organizationId: true, role: true },
          },
        },
      },
    },
  });
  if (!session || session.revokedAt || session.expiresAt <= now) {
    throw unauthenticated('The session is not valid; sign in again.');
  }
  if (!session.lastUsedAt || now.getTime() - session.lastUsedAt.getTime() >= LAST_USED_THROTTLE_MS) {
    await prisma.session.update({ where: { id: session.id }, data: { lastUsedAt: now } });
  }
  const { memberships, ...user } = session.user;
  return Actor.forUser(user, session.id, new Map(memberships.map((m) => [m.organizationId, m.role])));
}
