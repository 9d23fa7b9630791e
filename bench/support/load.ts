// HTTP load with autocannon, for any scenario: a fixed number of connections for a fixed duration (or a fixed
// number of requests), one body per request if asked, every response checked; plus `rotate`, which runs
// several contenders per round in a rotating order (a three-way `alternate`).
import autocannon from 'autocannon';
import { median } from './measurement.js';

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** The same body on every request, or a function giving the n-th request's body (n counts from 0). */
  body?: string | ((n: number) => string);
  connections: number;
  /** Run this long… */
  durationSeconds?: number;
  /** …or send this many requests (then `durationSeconds` is ignored). */
  amount?: number;
  /** Per request; a request over it counts as an error. Default 30 s. */
  timeoutSeconds?: number;
  /**
   * Checks each response body (e.g. no GraphQL `errors`); a false return counts as a failed response.
   * Only when given does autocannon keep the bodies.
   */
  check?: (body: string, status: number) => boolean;
  /** Fail (throw) when any request errs, times out, answers non-2xx or fails `check`. Default true. */
  strict?: boolean;
}

export interface LoadResult {
  /** 2xx responses that passed `check`, per second of the run. */
  throughput: number;
  /** Responses that were 2xx and passed `check`. */
  ok: number;
  durationSeconds: number;
  /** Milliseconds, as autocannon's histogram records them. */
  latency: { mean: number; p50: number; p90: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  failedChecks: number;
  /** Requests the body function was asked for (sent, including any in flight at the end). */
  bodies: number;
}

/** Runs autocannon and resolves with its figures; with `strict` (the default) any failure throws. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { body, check } = options;
  let bodies = 0;
  let failedChecks = 0;
  const request: autocannon.Request = {
    method: options.method ?? 'POST',
    ...(typeof body === 'function'
      ? {
          setupRequest: (req: autocannon.Request) => ({ ...req, body: body(bodies++) }),
        }
      : {}),
    ...(check
      ? {
          onResponse: (status: number, responseBody: string) => {
            if (status >= 200 && status < 300 && !check(responseBody, status)) failedChecks++;
          },
        }
      : {}),
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        method: options.method ?? 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        ...(typeof body === 'string' ? { body } : {}),
        connections: options.connections,
        ...(options.amount ? { amount: options.amount } : { duration: options.durationSeconds ?? 10 }),
        timeout: options.timeoutSeconds ?? 30,
        requests: [request],
      },
      (error: unknown, done: autocannon.Result) => {
        clearTimeout(guard);
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve(done);
      },
    );
    // A run with `amount` has no duration: never let it hang past a generous deadline.
    const guard = setTimeout(
      () => instance.stop(),
      (options.amount ? 600 : (options.durationSeconds ?? 10) + 60) * 1000,
    );
  });
  const ok = result['2xx'] - failedChecks;
  const figures: LoadResult = {
    throughput: ok / result.duration,
    ok,
    durationSeconds: result.duration,
    latency: {
      mean: result.latency.mean,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    failedChecks,
    bodies,
  };
  if ((options.strict ?? true) && (result.errors || result.non2xx || failedChecks)) {
    throw new Error(
      `load on ${options.url} failed: ${result.errors} errors (${result.timeouts} timeouts), ` +
        `${result.non2xx} non-2xx, ${failedChecks} bodies failed the check, of ${result.requests.sent} sent`,
    );
  }
  return figures;
}

/** A GraphQL response body without `errors` (for `check`). */
export const graphqlOk = (body: string) => !body.includes('"errors"');

/**
 * Runs every contender once per round, the order rotating by one each round (so each is first as often as
 * the others, and a noisy neighbour hits them alike); returns every round's figure and the medians.
 */
export async function rotate<K extends string>(
  rounds: number,
  runners: Record<K, () => Promise<number>>,
): Promise<{ medians: Record<K, number>; rounds: Record<K, number[]> }> {
  const names = Object.keys(runners) as K[];
  const figures = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length]!;
      figures[name].push(await runners[name]());
    }
  }
  const medians = Object.fromEntries(names.map((name) => [name, median(figures[name])])) as Record<K, number>;
  return { medians, rounds: figures };
}
