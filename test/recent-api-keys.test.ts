import { describe, expect, it } from 'vitest';
import { Actor } from '../src/auth/actor.js';
import { RecentApiKeys } from '../src/auth/recent-api-keys.js';

const credentials = { apiKey: 'cik_test_secret' };
const keyActor = (expiresAt: Date | null) =>
  Actor.forApiKey({ id: 'key-1', organizationId: 'org-1', scopes: ['messages:write'], expiresAt });

describe('RecentApiKeys', () => {
  it('trusts an accepted key for the time to live, then forgets it', () => {
    const cache = new RecentApiKeys(10_000);
    const actor = keyActor(null);
    cache.remember(credentials, actor, 1_000);
    expect(cache.get(credentials, 10_999)).toBe(actor);
    expect(cache.get(credentials, 11_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('never trusts a key past its own expiry (a rotated key in its grace period)', () => {
    const cache = new RecentApiKeys(10_000);
    cache.remember(credentials, keyActor(new Date(3_000)), 1_000);
    expect(cache.get(credentials, 2_999)).toBeDefined();
    expect(cache.get(credentials, 3_000)).toBeUndefined();
    cache.remember(credentials, keyActor(new Date(500)), 1_000);
    expect(cache.get(credentials, 1_000)).toBeUndefined();
  });

  it('keeps only API keys, forgets everything on a credential change, and stays bounded', () => {
    const cache = new RecentApiKeys(10_000, 2);
    cache.remember({ authorization: 'Bearer session' }, Actor.anonymous(), 0);
    expect(cache.size).toBe(0);
    for (const key of ['a', 'b', 'c']) cache.remember({ apiKey: key }, keyActor(null), 0);
    expect(cache.size).toBe(2);
    expect(cache.get({ apiKey: 'a' }, 1)).toBeUndefined();
    cache.forgetAll();
    expect(cache.get({ apiKey: 'c' }, 1)).toBeUndefined();
  });

  it('does nothing with a time to live of 0', () => {
    const cache = new RecentApiKeys(0);
    cache.remember(credentials, keyActor(null), 0);
    expect(cache.get(credentials, 0)).toBeUndefined();
  });
});
