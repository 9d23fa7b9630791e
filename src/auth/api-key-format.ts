import { crc32 } from 'node:zlib';
import { randomBase62, toBase62 } from './tokens.js';

/**
 * API keys look like `cik_<12 char id>_<32 char secret><6 char checksum>`.
 * The `cik_` prefix makes leaked keys recognisable to secret scanners; the id finds the row;
 * the CRC32 checksum lets a mistyped or truncated key be refused without touching the database.
 */
export const API_KEY_PREFIX = 'cik_';
const ID_LENGTH = 12;
const SECRET_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
const KEY_PATTERN = new RegExp(
  `^${API_KEY_PREFIX}([0-9A-Za-z]{${ID_LENGTH}})_([0-9A-Za-z]{${SECRET_LENGTH}})([0-9A-Za-z]{${CHECKSUM_LENGTH}})$`,
);

function checksum(body: string): string {
  return toBase62(crc32(body), CHECKSUM_LENGTH);
}

export interface GeneratedApiKey {
  /** The whole key, shown once. */
  key: string;
  /** The visible part stored in clear, e.g. `cik_3f9a1c2b7d4e`. */
  prefix: string;
}

export function generateApiKey(): GeneratedApiKey {
  const prefix = `${API_KEY_PREFIX}${randomBase62(ID_LENGTH)}`;
  const body = `${prefix}_${randomBase62(SECRET_LENGTH)}`;
  return { key: `${body}${checksum(body)}`, prefix };
}

/** The prefix of a well-formed key with a valid checksum, or null. */
export function parseApiKey(key: string): { prefix: string } | null {
  const match = KEY_PATTERN.exec(key);
  if (!match) return null;
  const body = key.slice(0, key.length - CHECKSUM_LENGTH);
  if (checksum(body) !== match[3]) return null;
  return { prefix: `${API_KEY_PREFIX}${match[1]}` };
}

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}
