// Rate limits and budgets, kept in Redis so every api process shares them (in memory on the embedded
// default). rate-limiter-flexible does the counting (atomic in Redis, fixed windows); when Redis does not
// answer, each limit falls back to an in-memory one in this process, so an outage neither lifts the
// limits nor blocks requests.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { rateLimited } from '../kernel/errors.js';

/** At most `points` in any window of `seconds`. */
export interface RateWindow {
  points: number;
  seconds: number;
}

/** Each limit, or null for none. */
export interface RateLimitSettings {
  /** logIn attempts per client address. */
  logInPerIp: RateWindow | null;
  /** logIn attempts per email. */
  logInPerEmail: RateWindow | null;
  /** Failed logIns per email; once over, the right password is refused too until the window ends. */
  logInFailuresPerEmail: RateWindow | null;
  /** signUp per client address. */
  signUpPerIp: RateWindow | null;
  /** Refused credentials (bad session token, bad API key) per client address. */
  authFailuresPerIp: RateWindow | null;
  /** Requests per API key. */
  apiKeyRequests: RateWindow | null;
  /** Query cost per signed-in user (the operation limits' cost model). */
  userCost: RateWindow | null;
}

export type LimitName = keyof RateLimitSettings;

const MESSAGES: Record<LimitName, string> = {
  logInPerIp: 'Too many sign-in attempts from this address.',
  logInPerEmail: 'Too many sign-in attempts for this account.',
  logInFailuresPerEmail: 'Too many failed sign-ins for this account.',
  signUpPerIp: 'Too many accounts created from this address.',
  authFailuresPerIp: 'Too many refused credentials from this address.',
  apiKeyRequests: 'This API key has used up its request budget.',
  userCost: 'You have used up your query budget for now.',
};

/** How often tallied budget points are sent to Redis, and how long what Redis said is trusted. */
const TALLY_FLUSH_MS = 250;
const TALLY_FRESH_MS = 1000;

interface Tally {
  /** Points left at the last answer from Redis; `pending` is spent against it. */
  left: number;
  pending: number;
  freshUntil: number;
  flush?: NodeJS.Timeout;
}

export class RateLimits {
  private readonly limiters = new Map<LimitName, RateLimiterAbstract>();
  /** Keys this process saw go over a limit, with when they may try again: refused without asking Redis. */
  private readonly blockedUntil = new Map<string, number>();
  /** spend's local tallies: points spent here and not yet sent, against what Redis last said was left. */
  private readonly tallies = new Map<string, Tally>();

  constructor(
    settings: RateLimitSettings | null,
    redis?: Redis,
    /** Where the counters live in Redis; tests give each instance its own. */
    keyPrefix = 'rl',
    /** Told of every refusal (the metrics count them). */
    private readonly onRefused?: (name: LimitName) => void,
  ) {
    for (const [name, window] of Object.entries(settings ?? {}) as [LimitName, RateWindow | null][]) {
      if (!window) continue;
      const options = { keyPrefix: `${keyPrefix}:${name}`, points: window.points, duration: window.seconds };
      this.limiters.set(
        name,
        redis
          ? new RateLimiterRedis({
              ...options,
              storeClient: redis,
              rejectIfRedisNotReady: true,
              insuranceLimiter: new RateLimiterMemory(options),
            })
          : new RateLimiterMemory(options),
      );
    }
  }

  private refused(name: LimitName, retryAfterSeconds: number) {
    this.onRefused?.(name);
    return rateLimited(MESSAGES[name], retryAfterSeconds);
  }

  /** No limits at all (RATE_LIMITS=off, and tests that do not test them). */
  static none(): RateLimits {
    return new RateLimits(null);
  }

  has(name: LimitName): boolean {
    return this.limiters.has(name);
  }

  /** Takes `points` from the key's budget; RATE_LIMITED (with when to retry) once it is used up. */
  async consume(name: LimitName, key: string, points = 1): Promise<void> {
    const refusal = await this.take(name, key, points);
    if (refusal !== null) throw this.refused(name, refusal);
  }

  /**
   * Spends `points` of a budget (the query cost): an operation that does not fit what is left is refused
   * and spends nothing, so a refused large operation leaves the budget to small ones. It is charged on
   * every request, so while the key is far from its limit the points are tallied here and sent to Redis in
   * one call per key every TALLY_FLUSH_MS: a request does not wait for a round trip. Near the limit, or when
   * this process has not heard from Redis for TALLY_FRESH_MS, a spend asks Redis before the operation runs,
   * so refusals stay exact. Processes spending one key at once may pass its limit by what each tallied in
   * one flush interval; a process that stops loses its last interval's tally.
   */
  async spend(name: LimitName, key: string, points: number): Promise<void> {
    if (!this.limiters.has(name)) return;
    const id = `${name}\u0000${key}`;
    const tally = this.tallies.get(id);
    if (tally && Date.now() < tally.freshUntil && tally.pending + points <= tally.left) {
      tally.pending += points;
      tally.flush ??= setTimeout(() => void this.flushTally(name, key, id), TALLY_FLUSH_MS).unref();
      return;
    }
    if (tally) await this.flushTally(name, key, id);
    const left = await this.spendCounting(name, key, points);
    if (this.tallies.size > 100_000) this.tallies.clear();
    this.tallies.set(id, { left, pending: 0, freshUntil: Date.now() + TALLY_FRESH_MS });
  }

  /** Sends a key's tallied points to Redis; what is left after them decides whether the next spends wait. */
  private async flushTally(name: LimitName, key: string, id: string): Promise<void> {
    const tally = this.tallies.get(id);
    if (!tally) return;
    if (tally.flush) clearTimeout(tally.flush);
    const { pending } = tally;
    tally.flush = undefined;
    tally.pending = 0;
    if (pending === 0) return;
    try {
      const state = await this.limiters.get(name)!.consume(hashed(key), pending);
      tally.left = state.remainingPoints;
      tally.freshUntil = Date.now() + TALLY_FRESH_MS;
    } catch {
      // Over the limit (already spent: those operations ran), or no answer: the next spend asks Redis.
      tally.left = 0;
    }
  }

  /** Spends at once in Redis (refused: spends nothing); the points left after it. */
  private async spendCounting(name: LimitName, key: string, points: number): Promise<number> {
    const limiter = this.limiters.get(name)!;
    try {
      return (await limiter.consume(hashed(key), points)).remainingPoints;
    } catch (outcome) {
      if (!(outcome instanceof RateLimiterRes)) return 0;
      await limiter.reward(hashed(key), points).catch(() => undefined);
      throw this.refused(name, outcome.msBeforeNext / 1000);
    }
  }

  /**
   * Counts a failure against the key. Once the failures reach the limit the key is blocked here at once,
   * so that the next attempt is refused before it costs a lookup; true when it is blocked.
   */
  async penalize(name: LimitName, key: string): Promise<boolean> {
    return (await this.take(name, key, 1, { blockWhenSpent: true })) !== null;
  }

  /** RATE_LIMITED while the key is over its limit; takes nothing. */
  async assertNotBlocked(name: LimitName, key: string): Promise<void> {
    const limiter = this.limiters.get(name);
    if (!limiter) return;
    const local = this.localRefusal(name, key);
    if (local !== null) throw this.refused(name, local);
    const state = await limiter.get(hashed(key)).catch(() => null);
    if (state && state.consumedPoints > limiter.points) {
      throw this.refused(name, state.msBeforeNext / 1000);
    }
  }

  /** RATE_LIMITED when this process already saw the key go over its limit: no round trip, no SQL. */
  assertNotBlockedLocally(name: LimitName, key: string): void {
    const local = this.localRefusal(name, key);
    if (local !== null) throw this.refused(name, local);
  }

  async reset(name: LimitName, key: string): Promise<void> {
    this.blockedUntil.delete(`${name}\u0000${key}`);
    await this.limiters
      .get(name)
      ?.delete(hashed(key))
      .catch(() => undefined);
  }

  /** Seconds until a retry can succeed when over the limit (or spent, with blockWhenSpent), else null. */
  private async take(
    name: LimitName,
    key: string,
    points: number,
    options: { blockWhenSpent?: boolean } = {},
  ): Promise<number | null> {
    const limiter = this.limiters.get(name);
    if (!limiter) return null;
    try {
      const state = await limiter.consume(hashed(key), points);
      if (options.blockWhenSpent && state.remainingPoints <= 0) {
        this.blockedUntil.set(`${name}\u0000${key}`, Date.now() + state.msBeforeNext);
        return state.msBeforeNext / 1000;
      }
      return null;
    } catch (outcome) {
      // A rejection is a RateLimiterRes; anything else means neither Redis nor the insurance answered.
      if (!(outcome instanceof RateLimiterRes)) return null;
      const seconds = outcome.msBeforeNext / 1000;
      this.blockedUntil.set(`${name}\u0000${key}`, Date.now() + outcome.msBeforeNext);
      if (this.blockedUntil.size > 100_000) this.sweep();
      return seconds;
    }
  }

  private localRefusal(name: LimitName, key: string): number | null {
    if (!this.limiters.has(name)) return null;
    const until = this.blockedUntil.get(`${name}\u0000${key}`);
    if (until === undefined) return null;
    const left = until - Date.now();
    if (left > 0) return left / 1000;
    this.blockedUntil.delete(`${name}\u0000${key}`);
    return null;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, until] of this.blockedUntil) if (until <= now) this.blockedUntil.delete(key);
  }
}

/** Keys (emails, addresses, ids) are stored hashed: Redis never holds who tried what. */
function hashed(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 32);
}
