import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: undefined,
    // Never log credentials that might appear in request headers.
    redact: ['req.headers.authorization', 'req.headers["x-api-key"]', '*.password', '*.secret'],
  });
}
