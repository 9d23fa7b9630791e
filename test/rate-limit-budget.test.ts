// The query-cost budget is spent on every request: far from its limit, spends are tallied in the process
// and sent to Redis together (no round trip per request); near it, each spend asks Redis, so a refusal is
// exact and a refused operation spends nothing. Counted on a real Redis, by the commands the client sends.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../src/kernel/errors.js';
import { RateLimits } from '../src/protection/rate-limits.js';
import { eventually, REDIS_URL } from './support/live.js';

describe('the query-cost budget', () => {
  let redis: Redis;
  let commands = 0;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { enableOfflineQueue: false });
    await new Promise((resolve) => redis.once('ready', resolve));
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = (...args: Parameters<typeof send>) => {
      commands += 1;
      return send(...args);
    };
  });
  afterAll(() => redis?.disconnect());

  const settingsWith = (points: number) => ({
    logInPerIp: null,
    logInPerEmail: null,
    logInFailuresPerEmail: null,
    signUpPerIp: null,
    authFailuresPerIp: null,
    apiKeyRequests: null,
    userCost: { points, seconds: 60 },
  });
  const newPrefix = () => `rl-budget-${randomBytes(4).toString('hex')}`;
  /** The points Redis holds as spent under a prefix (rate-limiter-flexible keeps one counter per key). */
  const spentInRedis = async (prefix: string) => {
    const keys = await redis.keys(`${prefix}:userCost:*`);
    const values = await Promise.all(keys.map((key) => redis.get(key)));
    return values.reduce((sum, value) => sum + Number(value ?? 0), 0);
  };

  it('far from the limit, a hundred spends cost a few round trips, and every point reaches Redis', async () => {
    const prefix = newPrefix();
    const limits = new RateLimits(settingsWith(1_000_000), redis, prefix);
    const before = commands;
    for (let i = 0; i < 100; i++) await limits.spend('userCost', 'user-1', 10);
    expect(commands - before).toBeLessThanOrEqual(3);
    await eventually(async () => (await spentInRedis(prefix)) === 1000, 'the tally to reach Redis');
  });

  it('near the limit, refuses exactly what does not fit and spends nothing for it', async () => {
    const limits = new RateLimits(settingsWith(300), redis, newPrefix());
    await limits.spend('userCost', 'user-2', 100);
    await limits.spend('userCost', 'user-2', 100);
    const refused = await limits.spend('userCost', 'user-2', 150).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe('RATE_LIMITED');
    // The refused 150 spent nothing: 100 still fit, then nothing does.
    await limits.spend('userCost', 'user-2', 100);
    await expect(limits.spend('userCost', 'user-2', 1)).rejects.toBeInstanceOf(DomainError);
  });

  it('two processes share one budget in Redis; a stale tally passes by one interval at most', async () => {
    const prefix = newPrefix();
    const a = new RateLimits(settingsWith(300), redis, prefix);
    const b = new RateLimits(settingsWith(300), redis, prefix);
    await a.spend('userCost', 'user-3', 200);
    await expect(b.spend('userCost', 'user-3', 150)).rejects.toBeInstanceOf(DomainError);
    await b.spend('userCost', 'user-3', 100);
    // a last heard that 100 were left: it tallies 1 more without asking (the bound of a stale tally)…
    await a.spend('userCost', 'user-3', 1);
    // …and once that tally has come back from Redis, a knows the budget is spent and refuses (spends while the
    // flush is on its way are still tallied: the bound of a stale tally).
    await eventually(async () => (await spentInRedis(prefix)) >= 301, 'the tally to reach Redis');
    await eventually(
      () =>
        a.spend('userCost', 'user-3', 1).then(
          () => false,
          (error: unknown) => error instanceof DomainError,
        ),
      'a to refuse once its tally is back from Redis',
    );
    await expect(b.spend('userCost', 'user-3', 1)).rejects.toBeInstanceOf(DomainError);
  });
});
