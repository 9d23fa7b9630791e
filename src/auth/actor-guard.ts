import type { PrismaClient } from '../generated/prisma/client.js';
import type { Actor } from './actor.js';
import { authenticate, type Credentials } from './authenticate.js';

/**
 * A long-lived connection (a subscription) keeps the credentials it opened with and re-checks them at most
 * every `intervalMs` while events flow, so a removed member or a revoked key stops receiving within that
 * interval without a database query per event.
 */
export class ActorGuard {
  private checkedAt = Date.now();
  private pending: Promise<Actor> | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly credentials: Credentials,
    private actor: Actor,
    private readonly intervalMs: number,
  ) {}

  get current(): Actor {
    return this.actor;
  }

  /** The actor as the database sees it now (or within the interval); throws UNAUTHENTICATED when revoked. */
  async fresh(): Promise<Actor> {
    if (Date.now() - this.checkedAt < this.intervalMs) return this.actor;
    this.pending ??= authenticate(this.prisma, this.credentials)
      .then((actor) => {
        this.actor = actor;
        this.checkedAt = Date.now();
        return actor;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }
}
