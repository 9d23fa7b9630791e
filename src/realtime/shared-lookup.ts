/**
 * One database lookup per event, shared by every subscriber that resolves it the same way: when an event
 * fans out to a thousand agents, the row is read once, not a thousand times. Entries live a few seconds,
 * long enough for one fan-out.
 */
export class SharedLookup {
  private readonly entries = new Map<string, { value: Promise<unknown>; expires: number }>();

  constructor(private readonly ttlMs = 10_000) {}

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return hit.value as Promise<T>;
    if (this.entries.size > 10_000) this.sweep(now);
    const value = load();
    this.entries.set(key, { value, expires: now + this.ttlMs });
    // A failed lookup is not kept: the next subscriber tries again.
    value.catch(() => this.entries.delete(key));
    return value;
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.entries) if (entry.expires <= now) this.entries.delete(key);
  }
}
