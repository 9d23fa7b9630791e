import type { Actor } from './auth/actor.js';
import type { Database } from './db/database.js';
import type { Logger } from './logger.js';
import type { ServiceSettings } from './services/deps.js';

/** Per-request context: who is asking, and what the resolvers may call. */
export interface Context {
  actor: Actor;
  db: Database;
  settings: ServiceSettings;
  logger: Logger;
}
