import { execFileSync } from 'node:child_process';
import os from 'node:os';
import pg from 'pg';
import { Redis } from 'ioredis';

/** What the figures were measured on, written next to them. */
export async function describeMachine(databaseUrl: string, redisUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const postgres = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]!
    .server_version;
  await client.end();
  const redis = new Redis(redisUrl, { lazyConnect: true });
  await redis.connect();
  const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
  redis.disconnect();
  const cpus = os.cpus();
  return {
    cpu: `${cpus[0]?.model ?? 'unknown'} × ${cpus.length}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg().map((value) => Number(value.toFixed(2))),
    node: process.version,
    postgres,
    redis: redisVersion,
    commit: gitCommit(),
  };
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}
