import { Redis } from 'ioredis';

const CLAIM_KEY = 'bench:claimed-by';

/**
 * A Redis logical database of its own for one scenario, so its BullMQ queues (whose key prefix the platform
 * does not make configurable) stay apart from other scenarios, tests and people sharing the Redis server:
 * jobs queued by one api are then never taken by another scenario's worker. Picks an empty database among
 * 1..15, claims it with a key (SET NX, expiring after `ttlSeconds` in case the bench is killed), and on
 * release empties it. Pub/sub channels are server-wide in Redis whatever the database, which is harmless
 * here: topics carry the ids of each scenario's own rows.
 */
export async function claimRedisDatabase(
  redisUrl: string,
  label: string,
  ttlSeconds = 3600,
): Promise<{ url: string; db: number; release(): Promise<void> }> {
  for (let db = 15; db >= 1; db--) {
    const url = withDatabase(redisUrl, db);
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    try {
      if ((await redis.dbsize()) !== 0) continue;
      const claimed = await redis.set(CLAIM_KEY, `${label} ${process.pid}`, 'EX', ttlSeconds, 'NX');
      if (claimed !== 'OK') continue;
      return {
        url,
        db,
        async release() {
          const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
          await admin.connect();
          try {
            await admin.flushdb();
          } finally {
            admin.disconnect();
          }
        },
      };
    } finally {
      redis.disconnect();
    }
  }
  throw new Error('No empty Redis database among 1..15 to run the scenario in.');
}

/** The same Redis URL on another logical database (`redis://host:port/<db>`). */
export function withDatabase(redisUrl: string, db: number): string {
  const url = new URL(redisUrl);
  url.pathname = `/${db}`;
  return url.toString();
}
