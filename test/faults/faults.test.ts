// The fault suite: the platform in services mode (one ROLE=api, ROLE=worker processes) under real faults —
// a worker killed with SIGKILL mid-stream, its private Redis killed and restarted empty, Postgres cut off
// through a TCP proxy, a language model that never answers. Each scenario ingests a stream with a known set
// of escalating messages and asserts that nothing acknowledged is lost, every customer message is
// classified, every expected escalation is raised exactly once, no email or WhatsApp message is sent twice,
// and no request hung past its deadline. The figures (counts, recovery, escalation delays) are printed.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Counts,
  escalationDelays,
  ingestStream,
  percentile,
  settled,
  startStack,
  type Stack,
  type StreamResult,
} from './stack.js';

const MESSAGES = 40;
const ESCALATE_EVERY = 4;
/** No request may take longer than this, whatever is down (REQUEST_TIMEOUT_MS and the fast failures). */
const REQUEST_DEADLINE_MS = 10_000;

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

function report(name: string, stream: StreamResult, counts: Counts, extra: Record<string, unknown> = {}) {
  const answers = new Map<string, number>();
  for (const attempt of stream.attempts) {
    const key = attempt.code ?? String(attempt.status);
    answers.set(key, (answers.get(key) ?? 0) + 1);
  }
  console.log(
    `[faults] ${name}: ${JSON.stringify({ ...counts, answers: Object.fromEntries(answers), slowestRequestMs: Math.max(...stream.attempts.map((a) => a.ms)), ...extra })}`,
  );
}

/** What every scenario must end with. */
function expectNothingLostNothingDoubled(stream: StreamResult, counts: Counts) {
  expect(counts.acknowledged).toBe(MESSAGES);
  expect(counts.stored).toBe(counts.acknowledged);
  expect(counts.classified).toBe(counts.acknowledged);
  expect(counts.escalationsRaised).toBe(counts.escalationsExpected);
  expect(counts.escalationsExpected).toBe(MESSAGES / ESCALATE_EVERY);
  expect(counts.duplicateEscalations).toBe(0);
  // Never twice: at most one email and one WhatsApp message per escalation…
  expect(counts.emailsReceived).toBeLessThanOrEqual(counts.emailsExpected);
  expect(counts.whatsappReceived).toBeLessThanOrEqual(counts.whatsappExpected);
  // …and none silently missing: each one arrived, or its attempt died mid-send and it is flagged "outcome
  // unknown" (it may have arrived too: sent, then the process or the database went before recording it).
  expect(counts.emailsReceived + counts.whatsappReceived + counts.uncertainDeliveries).toBeGreaterThanOrEqual(
    counts.emailsExpected + counts.whatsappExpected,
  );
  expect(Math.max(...stream.attempts.map((attempt) => attempt.ms))).toBeLessThan(REQUEST_DEADLINE_MS);
}

describe('fault suite (services mode, real processes)', () => {
  it('without a fault: the baseline the others are compared with', async () => {
    stack = await startStack();
    const stream = await ingestStream(stack, { count: MESSAGES, escalateEvery: ESCALATE_EVERY });
    const counts = await settled(stack, stream);
    const delays = await escalationDelays(stack, stream);
    report('no fault', stream, counts, {
      escalationDelayMs: { p50: percentile(delays, 50), p99: percentile(delays, 99) },
    });
    expectNothingLostNothingDoubled(stream, counts);
    expect(counts.uncertainDeliveries).toBe(0);
    expect([counts.emailsReceived, counts.whatsappReceived]).toEqual([
      counts.emailsExpected,
      counts.whatsappExpected,
    ]);
  }, 240_000);

  it('a worker killed with SIGKILL mid-stream: another takes its jobs over', async () => {
    stack = await startStack();
    const s = stack;
    const started = Date.now();
    let killedAt = 0;
    const stream = await ingestStream(s, {
      count: MESSAGES,
      escalateEvery: ESCALATE_EVERY,
      during: async (index) => {
        if (index !== MESSAGES / 2) return;
        s.workers[0]!.child.kill('SIGKILL');
        killedAt = Date.now();
        await s.startWorker();
      },
    });
    const counts = await settled(s, stream);
    const delays = await escalationDelays(s, stream);
    report('worker SIGKILL', stream, counts, {
      recoveredInMs: Date.now() - started,
      escalationDelayMs: { p50: percentile(delays, 50), p99: percentile(delays, 99), max: delays.at(-1) },
      killedAfterMs: killedAt - started,
    });
    expectNothingLostNothingDoubled(stream, counts);
  }, 240_000);

  it('Redis killed and restarted empty: every acknowledged message is still classified', async () => {
    stack = await startStack();
    const s = stack;
    let killedAt = 0;
    let outageMs = 0;
    const stream = await ingestStream(s, {
      count: MESSAGES,
      escalateEvery: ESCALATE_EVERY,
      during: async (index) => {
        if (index === MESSAGES / 4) {
          await s.redis.kill();
          killedAt = Date.now();
        }
        if (index === (3 * MESSAGES) / 4) {
          // Ingestion goes on meanwhile; Redis stays down at least 10 s in all.
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, killedAt + 10_000 - Date.now())));
          await s.redis.start();
          outageMs = Date.now() - killedAt;
        }
      },
    });
    const recovering = Date.now();
    const counts = await settled(s, stream);
    // The schedules the empty Redis lost are back.
    const probe = new Redis(s.redis.url);
    const scheduleKeys = await probe.keys('*:repeat:*');
    probe.disconnect();
    const delays = await escalationDelays(s, stream);
    report('Redis SIGKILL and empty restart', stream, counts, {
      escalationDelayMs: { p50: percentile(delays, 50), p99: percentile(delays, 99) },
      outageMs,
      recoveredInMs: Date.now() - recovering,
      scheduleKeysAfter: scheduleKeys.length,
    });
    expectNothingLostNothingDoubled(stream, counts);
    expect(scheduleKeys.length).toBeGreaterThan(0);
    // While Redis was down the api answered (the message is in Postgres); nothing waited for Redis.
    expect(stream.attempts.filter((attempt) => attempt.code === 'NO_ANSWER')).toEqual([]);
  }, 240_000);

  it('Postgres cut off for seconds: SERVICE_UNAVAILABLE fast, then everything, once', async () => {
    stack = await startStack({ proxy: true });
    const s = stack;
    const stream = await ingestStream(s, {
      count: MESSAGES,
      escalateEvery: ESCALATE_EVERY,
      during: async (index) => {
        if (index !== MESSAGES / 4) return;
        await s.proxy!.cut();
        // Back in 6 s; meanwhile the stream keeps sending (and retrying what is refused).
        setTimeout(() => void s.proxy!.restore(), 6000);
      },
    });
    const counts = await settled(s, stream);
    const delays = await escalationDelays(s, stream);
    report('Postgres cut 6 s', stream, counts, {
      escalationDelayMs: { p50: percentile(delays, 50), p99: percentile(delays, 99) },
    });
    expectNothingLostNothingDoubled(stream, counts);
    const refused = stream.attempts.filter((attempt) => attempt.status >= 500);
    expect(refused.length).toBeGreaterThan(0);
    // Refused honestly: 503 SERVICE_UNAVAILABLE, never an INTERNAL_SERVER_ERROR.
    expect(new Set(refused.map((attempt) => `${attempt.status} ${attempt.code}`))).toEqual(
      new Set(['503 SERVICE_UNAVAILABLE']),
    );
  }, 240_000);

  it('a language model that never answers: the local classifier answers within the deadline', async () => {
    const hanging: ServerResponse[] = [];
    const model: Server = createServer((_req, res) => void hanging.push(res));
    await new Promise<void>((resolve) => model.listen(0, '127.0.0.1', resolve));
    try {
      stack = await startStack({
        env: {
          OPENAI_API_KEY: 'sk-test',
          OPENAI_BASE_URL: `http://127.0.0.1:${(model.address() as AddressInfo).port}/v1`,
          OPENAI_DEADLINE_MS: '1000',
        },
      });
      const stream = await ingestStream(stack, { count: MESSAGES, escalateEvery: ESCALATE_EVERY });
      const counts = await settled(stack, stream);
      const delays = await escalationDelays(stack, stream);
      report('model never answers', stream, counts, {
        escalationDelayMs: { p50: percentile(delays, 50), p99: percentile(delays, 99) },
        modelRequests: hanging.length,
      });
      expectNothingLostNothingDoubled(stream, counts);
      const fallbacks = await stack.db.prisma.escalation.count({
        where: { detectedBy: { startsWith: 'local (fallback' } },
      });
      expect(fallbacks).toBe(counts.escalationsRaised);
    } finally {
      for (const res of hanging) res.socket?.destroy();
      await new Promise<void>((resolve) => model.close(() => resolve()));
    }
  }, 240_000);
});
