import type { PrismaClient } from '../generated/prisma/client.js';

export interface ServiceSettings {
  sessionTtlMs: number;
  apiKeyRotationGraceMs: number;
}

/** What a service function needs besides the actor and its input. */
export interface ServiceDeps {
  prisma: PrismaClient;
  settings: ServiceSettings;
  now?: () => Date;
}

export const nowOf = (deps: ServiceDeps): Date => (deps.now ? deps.now() : new Date());
