import type { Logger } from './logger.js';

/** Distinct (event, address) pairs logged one by one per window; beyond that only the summary counts them. */
const MAX_LINES_PER_WINDOW = 100;

/**
 * Refused requests (bad credentials, rate limits) are the caller's doing: logged at info, the first of each
 * kind from each address once per window, and under a flood one warn line per window with the counts,
 * instead of a line per request. (Also used for failures that repeat during an outage, keyed by what
 * failed rather than by address.)
 */
export class FailureLog {
  private readonly counts = new Map<string, { event: string; address: string; count: number }>();
  private logged = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly windowMs = 60_000,
    private readonly messages = { first: 'request refused', summary: 'requests refused in the last window' },
  ) {}

  note(event: string, address: string, details: Record<string, unknown> = {}): void {
    const key = `${event}\u0000${address}`;
    const entry = this.counts.get(key);
    if (entry) {
      entry.count += 1;
    } else {
      this.counts.set(key, { event, address, count: 1 });
      if (this.logged < MAX_LINES_PER_WINDOW) {
        this.logged += 1;
        this.logger.info({ event, address, ...details }, this.messages.first);
      }
    }
    this.timer ??= setTimeout(() => this.flush(), this.windowMs).unref();
  }

  /** Writes the window's summary (when anything went unlogged) and starts a new window. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const byEvent = new Map<
      string,
      { count: number; addresses: number; top: { address: string; count: number }[] }
    >();
    for (const { event, address, count } of this.counts.values()) {
      const summary = byEvent.get(event) ?? { count: 0, addresses: 0, top: [] };
      summary.count += count;
      summary.addresses += 1;
      summary.top.push({ address, count });
      byEvent.set(event, summary);
    }
    for (const [event, summary] of byEvent) {
      if (summary.count === summary.addresses) continue; // every one was logged already
      summary.top.sort((a, b) => b.count - a.count);
      this.logger.warn(
        {
          event,
          count: summary.count,
          addresses: summary.addresses,
          top: summary.top.slice(0, 5),
          windowMs: this.windowMs,
        },
        this.messages.summary,
      );
    }
    this.counts.clear();
    this.logged = 0;
  }
}
