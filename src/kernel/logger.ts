import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths pino replaces with "[Redacted]": credentials in headers, connection params and inputs. */
const REDACT = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
  'connectionParams',
  '*.connectionParams',
  'authorization',
  '*.authorization',
  'apiKey',
  '*.apiKey',
  'password',
  '*.password',
  '*.*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'variables',
  '*.variables',
];

/** `fields`: what every line carries besides its own (the id of the request being served). */
export function createLogger(level: string, fields?: () => Record<string, unknown>): Logger {
  return pino({ level, base: undefined, redact: REDACT, ...(fields ? { mixin: fields } : {}) });
}
