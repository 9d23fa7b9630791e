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

export class RateLimits {
  private readonly limiters = new Map<LimitName, RateLimiterAbstract>();
  /** Keys this process saw go over a limit, with when they may try again: refused without asking Redis. */
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    settings: RateLimitSettings | null,
    redis?: Redis,
    /** Where the counters live in Redis; tests give each instance its own. */
    keyPrefix = 'rl',
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
    if (refusal !== null) throw rateLimited(MESSAGES[name], refusal);
  }

  /**
   * Spends `points` of a budget (query cost): an operation that does not fit what is left is refused and
   * spends nothing, so a refused large operation leaves the budget to small ones.
   */
  async spend(name: LimitName, key: string, points: number): Promise<void> {
    const refusal = await this.take(name, key, points);
    if (refusal === null) return;
    await this.limiters
      .get(name)
      ?.reward(hashed(key), points)
      .catch(() => undefined);
    this.blockedUntil.delete(`${name}\u0000${key}`);
    throw rateLimited(MESSAGES[name], refusal);
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
    if (local !== null) throw rateLimited(MESSAGES[name], local);
    const state = await limiter.get(hashed(key)).catch(() => null);
    if (state && state.consumedPoints > limiter.points) {
      throw rateLimited(MESSAGES[name], state.msBeforeNext / 1000);
    }
  }

  /** RATE_LIMITED when this process already saw the key go over its limit: no round trip, no SQL. */
  assertNotBlockedLocally(name: LimitName, key: string): void {
    const local = this.localRefusal(name, key);
    if (local !== null) throw rateLimited(MESSAGES[name], local);
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
