import type { PrismaClient } from '../generated/prisma/client.js';
import type { Actor } from './actor.js';
import { authenticate, type Credentials } from './authenticate.js';

/**
 * Credential re-checks shared by every subscription opened with the same credentials: when an event fans
 * out to a thousand subscriptions of one agent (or one key), the session or key is read once per interval,
 * not once per subscription. A check started within the interval is joined, a completed one reused.
 */
export class CredentialChecks {
  private readonly entries = new Map<
    string,
    {
      actor?: Actor;
      checkedAt: number;
      pending?: Promise<{ actor: Actor; checkedAt: number }>;
      startedAt: number;
    }
  >();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly intervalMs: number,
  ) {}

  /** The actor behind the credentials as checked less than `intervalMs` ago, and when it was checked. */
  check(credentials: Credentials): Promise<{ actor: Actor; checkedAt: number }> {
    const key = `${credentials.authorization ?? ''}\u0000${credentials.apiKey ?? ''}`;
    const now = Date.now();
    const entry = this.entries.get(key);
    if (entry?.actor && now - entry.checkedAt < this.intervalMs) {
      return Promise.resolve({ actor: entry.actor, checkedAt: entry.checkedAt });
    }
    if (entry?.pending && now - entry.startedAt <= this.intervalMs) return entry.pending;
    if (!entry && this.entries.size >= 10_000) this.sweep(now);
    const current = entry ?? { checkedAt: 0, startedAt: now };
    this.entries.set(key, current);
    current.startedAt = now;
    const pending = authenticate(this.prisma, credentials).then(
      (actor) => {
        const checkedAt = Date.now();
        if (current.pending === pending) {
          current.actor = actor;
          current.checkedAt = checkedAt;
          current.pending = undefined;
        }
        return { actor, checkedAt };
      },
      (error: unknown) => {
        // A failed check is not kept: the next subscriber asks the database again.
        if (this.entries.get(key) === current) this.entries.delete(key);
        throw error;
      },
    );
    current.pending = pending;
    return pending;
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.entries) {
      if (!entry.pending && now - entry.checkedAt >= this.intervalMs) this.entries.delete(key);
    }
  }
}

/**
 * A long-lived connection (a subscription) keeps the credentials it opened with and re-checks them at most
 * every `intervalMs` while events flow, so a removed member or a revoked key stops receiving within that
 * interval without a database query per event (nor per subscription: see CredentialChecks).
 */
export class ActorGuard {
  private checkedAt = Date.now();

  constructor(
    private readonly checks: CredentialChecks,
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
    const { actor, checkedAt } = await this.checks.check(this.credentials);
    this.actor = actor;
    this.checkedAt = checkedAt;
    return actor;
  }
}
