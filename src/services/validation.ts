import { z } from 'zod';
import type { Prisma } from '../generated/prisma/client.js';
import { badInput } from '../kernel/errors.js';

/** Input rules shared by the GraphQL inputs (validation plugin) and the services that trust them. */
export const limits = {
  name: 200,
  email: 254,
  passwordMin: 10,
  passwordMax: 200,
  externalId: 200,
  url: 2048,
  listItems: 50,
} as const;

export const nameSchema = z.string().trim().min(1, 'must not be empty').max(limits.name);
export const emailSchema = z
  .string()
  .trim()
  .max(limits.email)
  .pipe(z.email('must be an email address'))
  .transform((value) => value.toLowerCase());

const commonPasswords = new Set(['password123', 'password1234', '1234567890', 'qwertyuiop', 'letmein123']);
export const passwordSchema = z
  .string()
  .min(limits.passwordMin, `must have at least ${limits.passwordMin} characters`)
  .max(limits.passwordMax)
  .refine((value) => new Set(value).size >= 4, 'is too repetitive')
  .refine((value) => !commonPasswords.has(value.toLowerCase()), 'is too common');

export const timezoneSchema = z
  .string()
  .max(64)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as Europe/Paris');

export const phoneSchema = z
  .string()
  .trim()
  .regex(/^\+?[0-9 ()-]{6,32}$/, 'must be a phone number such as +971500000001');
export const webhookUrlSchema = z.url({ protocol: /^https?$/ }).max(limits.url);
export const externalIdSchema = z.string().trim().min(1).max(limits.externalId);

/** metaData-style input: a JSON object of bounded size, or null/undefined for "none". */
export function toJsonObject(value: unknown): Prisma.InputJsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw badInput('metaData must be a JSON object.');
  if (JSON.stringify(value).length > 16_384) throw badInput('metaData must be at most 16 KiB of JSON.');
  return value as Prisma.InputJsonObject;
}
