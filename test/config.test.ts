import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeBackends, loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('runs on embedded defaults with no environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      role: 'all',
      databaseUrl: undefined,
      redisUrl: undefined,
      openai: undefined,
    });
    expect(describeBackends(config)).toMatchObject({
      database: expect.stringMatching(/^embedded/),
      pubsub: 'in-process',
      languageModel: 'local classifier',
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'http://localhost' }, 'REDIS_URL'],
    [{ ROLE: 'boss' }, 'ROLE'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DASHBOARD_URL: 'not a url' }, 'DASHBOARD_URL'],
    [{ WHATSAPP_TOKEN: 'abc' }, 'WHATSAPP_API_URL'],
  ])('names the variable in one line for %o', (env, variable) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(variable);
    expect(message).not.toContain('\n');
  });

  it('stops start-up with that one line and a non-zero exit', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, PORT: 'not-a-port', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(78);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Invalid configuration: PORT /)]);
  });
});
