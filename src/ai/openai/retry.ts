import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';

/**
 * Around the OpenAI client's own retries (408/409/429/5xx and connection errors, with backoff and
 * Retry-After): a cap on how long a Retry-After is waited for, and a short reason for the fallback once the
 * client has given up.
 */

const retryAfterMs = (headers: Headers): number | undefined => {
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (!Number.isNaN(ms)) return ms;
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (!Number.isNaN(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : date - Date.now();
};

/**
 * The client waits as long as Retry-After says, however long; a worker must not sit for an hour on one
 * message, so a longer pause turns into a non-retryable error and the local classifier answers.
 */
export function cappedRetryAfterFetch(maxMs: number): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const wait = response.ok ? undefined : retryAfterMs(response.headers);
    if (wait === undefined || wait <= maxMs) return response;
    const headers = new Headers(response.headers);
    headers.set('x-should-retry', 'false');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}

/** A short reason for the fallback, from what the client threw after its retries. */
export function failureReason(error: unknown): string {
  if (error instanceof APIUserAbortError) return 'deadline';
  if (error instanceof APIConnectionTimeoutError) return 'timeout';
  if (error instanceof APIConnectionError) return 'connection error';
  if (error instanceof APIError && error.status !== undefined) {
    if (error.status === 429) return 'rate limited (429)';
    if (error.status >= 500) return `server error (${error.status})`;
    return `request refused (${error.status})`;
  }
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}
