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
      /** When the check that produced `actor` started. */
      actorStartedAt?: number;
      pending?: Promise<{ actor: Actor; checkedAt: number }>;
      startedAt: number;
    }
  >();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly intervalMs: number,
  ) {}

  /**
   * The actor behind the credentials as checked less than `intervalMs` ago, and when it was checked.
   * `since` (the credentials changed then) accepts only a check that started at or after that moment, so
   * that all the subscriptions told of one change share one new lookup.
   */
  check(credentials: Credentials, since?: number): Promise<{ actor: Actor; checkedAt: number }> {
    const key = `${credentials.authorization ?? ''}\u0000${credentials.apiKey ?? ''}`;
    const now = Date.now();
    const entry = this.entries.get(key);
    const fresh =
      since === undefined
        ? entry?.actor && now - entry.checkedAt < this.intervalMs
        : entry?.actor && (entry.actorStartedAt ?? 0) >= since;
    if (entry?.actor && fresh) return Promise.resolve({ actor: entry.actor, checkedAt: entry.checkedAt });
    const joinable =
      since === undefined
        ? now - (entry?.startedAt ?? 0) <= this.intervalMs
        : (entry?.startedAt ?? 0) >= since;
    if (entry?.pending && joinable) return entry.pending;
    if (!entry && this.entries.size >= 10_000) this.sweep(now);
    const current = entry ?? { checkedAt: 0, startedAt: now };
    this.entries.set(key, current);
    current.startedAt = now;
    const startedAt = now;
    const pending = authenticate(this.prisma, credentials).then(
      (actor) => {
        const checkedAt = Date.now();
        if (current.pending === pending) {
          current.actor = actor;
          current.checkedAt = checkedAt;
          current.actorStartedAt = startedAt;
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

  /**
   * The actor as the database sees it now (or within the interval); UNAUTHENTICATED when revoked.
   * `changedAt`: the credentials changed then, so only a check started since will do.
   */
  async fresh(changedAt?: number): Promise<Actor> {
    if (changedAt === undefined && Date.now() - this.checkedAt < this.intervalMs) return this.actor;
    const { actor, checkedAt } = await this.checks.check(this.credentials, changedAt);
    this.actor = actor;
    this.checkedAt = checkedAt;
    return actor;
  }
}
