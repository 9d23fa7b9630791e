import type { FormattedExecutionResult } from 'graphql';
import { delay } from './processes.js';

interface Pending {
  key: string;
  publishedAt: number;
  remaining: number;
  latencies: number[];
  done: () => void;
}

/**
 * Counts what a pool of subscriptions receives: which subscriptions have received anything (to confirm they
 * listen), and for the event awaited now (known by a key in its result, e.g. the message id) each
 * subscription's publish-to-receive time. Events are awaited one at a time, so a late delivery of an
 * earlier event (another key) is never taken for the current one.
 */
export class Deliveries {
  private readonly seen: Uint8Array;
  private seenCount = 0;
  private pending: Pending | undefined;
  /** Results with errors, or with a key that is not awaited (late ones), for the detail. */
  errors = 0;
  stray = 0;
  total = 0;

  constructor(
    readonly subscriptions: number,
    private readonly keyOf: (result: FormattedExecutionResult) => string | undefined,
  ) {
    this.seen = new Uint8Array(subscriptions);
  }

  readonly onResult = (subscription: number, result: FormattedExecutionResult, at: number): void => {
    this.total++;
    if (result.errors?.length) {
      this.errors++;
      return;
    }
    if (!this.seen[subscription]) {
      this.seen[subscription] = 1;
      this.seenCount++;
    }
    const pending = this.pending;
    if (!pending || this.keyOf(result) !== pending.key) {
      this.stray++;
      return;
    }
    pending.latencies.push(at - pending.publishedAt);
    if (--pending.remaining === 0) pending.done();
  };

  /**
   * Publishes one event (publish() resolves when Redis has taken it) and waits until every subscription
   * received it or `timeoutMs` passed; returns the latencies in ms and how many did not arrive in time.
   */
  async await(
    key: string,
    publish: () => Promise<unknown>,
    timeoutMs: number,
    expected = this.subscriptions,
  ): Promise<{ latencies: number[]; missed: number }> {
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const pending: Pending = {
      key,
      publishedAt: performance.now(),
      remaining: expected,
      latencies: [],
      done,
    };
    this.pending = pending;
    await publish();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([finished, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    this.pending = undefined;
    return { latencies: pending.latencies, missed: Math.max(0, pending.remaining) };
  }

  /**
   * Publishes events until `expected` subscriptions (all by default; the first ones opened) have received at
   * least one (a subscription only counts as listening once it has), each awaited up to `perTryMs` (default:
   * 1 ms per subscription, at least 250 ms); throws after `tries` (default 30).
   */
  async confirmListening(
    publish: (attempt: number) => Promise<unknown>,
    options: { tries?: number; perTryMs?: number; expected?: number } = {},
  ): Promise<number> {
    const tries = options.tries ?? 30;
    const expected = options.expected ?? this.subscriptions;
    // Long enough for one event to reach them all, short enough not to idle when one try missed a few.
    const perTryMs = options.perTryMs ?? Math.max(250, expected);
    for (let attempt = 0; attempt < tries; attempt++) {
      await publish(attempt);
      const deadline = performance.now() + perTryMs;
      while (this.seenCount < expected && performance.now() < deadline) await delay(10);
      if (this.seenCount >= expected) return attempt + 1;
    }
    throw new Error(
      `only ${this.seenCount} of ${expected} subscriptions received an event after ${tries} tries`,
    );
  }
}
