import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Actor } from '../src/auth/actor.js';
import { ActorGuard, CredentialChecks } from '../src/auth/actor-guard.js';
import type { PrismaClient } from '../src/generated/prisma/client.js';

/** Just the session lookup authenticate() makes for a Bearer token, counted; `revoked` flips the answer. */
function fakeSessions() {
  const state = { lookups: 0, revoked: false };
  const prisma = {
    session: {
      findUnique: async () => {
        state.lookups++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        return {
          id: 's1',
          expiresAt: new Date(Date.now() + 3_600_000),
          revokedAt: state.revoked ? new Date() : null,
          lastUsedAt: new Date(),
          user: {
            id: 'u1',
            email: 'agent@example.test',
            name: 'Agent',
            memberships: [{ organizationId: 'o1', role: 'AGENT' }],
          },
        };
      },
    },
  } as unknown as PrismaClient;
  return { prisma, state };
}

const credentials = { authorization: 'Bearer cis_token' };
const opened = Actor.forUser({ id: 'u1', email: 'agent@example.test', name: 'Agent' }, 's1', new Map());

describe('subscription credential re-checks', () => {
  // The clock (Date only) moves when the test says so: what is "within the interval" does not depend on how
  // long a thousand guards take on a busy machine. Timers stay real (the fake lookup's 5 ms).
  beforeEach(() => vi.useFakeTimers({ toFake: ['Date'] }));
  afterEach(() => vi.useRealTimers());
  const advanceClock = (ms: number) => vi.advanceTimersByTime(ms);

  it('are shared by every subscription with the same credentials: one lookup per interval', async () => {
    const { prisma, state } = fakeSessions();
    const checks = new CredentialChecks(prisma, 50);
    const guards = Array.from({ length: 1000 }, () => new ActorGuard(checks, credentials, opened, 50));
    // Within the interval since they opened: no lookup at all.
    await Promise.all(guards.map((guard) => guard.fresh()));
    expect(state.lookups).toBe(0);
    advanceClock(60);
    const actors = await Promise.all(guards.map((guard) => guard.fresh()));
    expect(state.lookups).toBe(1);
    expect(actors.every((actor) => actor.can('o1', 'conversations:read'))).toBe(true);
    // A guard asking a moment later reuses that check; another credential gets its own.
    await new ActorGuard(checks, credentials, opened, 0).fresh();
    expect(state.lookups).toBe(1);
    await new ActorGuard(checks, { authorization: 'Bearer cis_other' }, opened, 0).fresh();
    expect(state.lookups).toBe(2);
  });

  it('still notice a revocation within the interval', async () => {
    const { prisma, state } = fakeSessions();
    const checks = new CredentialChecks(prisma, 30);
    const guards = Array.from({ length: 10 }, () => new ActorGuard(checks, credentials, opened, 30));
    state.revoked = true;
    advanceClock(40);
    const outcomes = await Promise.allSettled(guards.map((guard) => guard.fresh()));
    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
    expect(state.lookups).toBe(1);
    // A failed check is not kept: the next one asks again.
    state.revoked = false;
    await expect(guards[0]!.fresh()).resolves.toBeInstanceOf(Actor);
    expect(state.lookups).toBe(2);
  });

  it('with a zero interval (tests) check on every delivery, sharing only checks started the same instant', async () => {
    const { prisma, state } = fakeSessions();
    const checks = new CredentialChecks(prisma, 0);
    const guard = new ActorGuard(checks, credentials, opened, 0);
    await guard.fresh();
    await guard.fresh();
    expect(state.lookups).toBe(2);
  });
});
