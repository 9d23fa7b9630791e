import type { Actor } from './actor.js';
import type { Credentials } from './authenticate.js';

/**
 * API keys accepted in the last few seconds, so that an integrator pushing hundreds of messages a second
 * does not cost a key lookup per message. An entry lives at most `ttlMs` and never past the key's own
 * expiry; every credential change pushed through the pub/sub (a revoked key, above all) empties the cache
 * at once, in every api process (see CredentialWatch.onAnyChange). Refused keys are never kept: each
 * attempt is looked up and counted against the address's failure budget.
 */
export class RecentApiKeys {
  private readonly entries = new Map<string, { actor: Actor; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(credentials: Credentials, now = Date.now()): Actor | undefined {
    if (this.ttlMs <= 0) return undefined;
    const key = keyOf(credentials);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until > now) return entry.actor;
    this.entries.delete(key);
    return undefined;
  }

  remember(credentials: Credentials, actor: Actor, now = Date.now()): void {
    if (this.ttlMs <= 0 || actor.kind !== 'apiKey') return;
    const expiresAt = actor.apiKey?.expiresAt?.getTime() ?? Infinity;
    const until = Math.min(now + this.ttlMs, expiresAt);
    if (until <= now) return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(keyOf(credentials), { actor, until });
  }

  forgetAll(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

const keyOf = (credentials: Credentials) =>
  `${credentials.authorization ?? ''}\u0000${credentials.apiKey ?? ''}`;
