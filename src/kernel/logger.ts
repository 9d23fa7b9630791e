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

export function createLogger(level: string): Logger {
  return pino({ level, base: undefined, redact: REDACT });
}
