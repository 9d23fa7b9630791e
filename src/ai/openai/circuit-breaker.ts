export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * Consecutive failures open the breaker; while open no request is sent. After the cooldown one trial request
 * goes through (half-open): success closes it, failure opens it for another cooldown.
 */
export class CircuitBreaker {
  private state: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;

  constructor(
    private readonly failureThreshold: number,
    private readonly cooldownMs: number,
    private readonly now: () => number,
  ) {}

  get current(): BreakerState {
    return this.state;
  }

  /** Whether a request may go out now; the call that moves open → half-open is the trial. */
  allow(): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'half-open') return false;
    if (this.now() - this.openedAt < this.cooldownMs) return false;
    this.state = 'half-open';
    return true;
  }

  success(): void {
    this.state = 'closed';
    this.failures = 0;
  }

  failure(): void {
    this.failures += 1;
    if (this.state === 'half-open' || this.failures >= this.failureThreshold) {
      this.state = 'open';
      this.openedAt = this.now();
    }
  }
}
