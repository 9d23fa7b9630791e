// Live revocation: when a session ends, a key is revoked or a member loses a role, every api process
// hears it at once through the pub/sub (one topic for all), and the live subscriptions opened with those
// credentials re-check them immediately instead of at their next event.
import type { Logger } from '../kernel/logger.js';
import type { TopicBus } from './topic-bus.js';

export type CredentialChange =
  | { kind: 'session'; sessionId: string }
  | { kind: 'apiKey'; apiKeyId: string }
  /** The user's membership of the organization changed (removed, or another role). */
  | { kind: 'member'; userId: string; organizationId: string };

export const CREDENTIAL_CHANGES_TOPIC = 'credentials:changed';

/** Who a live subscription acts as, in the terms of CredentialChange. */
export interface CredentialIdentity {
  sessionId?: string | null;
  apiKeyId?: string | null;
  userId?: string | null;
}

function keysOf(change: CredentialChange): string[] {
  if (change.kind === 'session') return [`session:${change.sessionId}`];
  if (change.kind === 'apiKey') return [`apiKey:${change.apiKeyId}`];
  return [`user:${change.userId}`];
}

/** The subscriptions of one process, by the credentials they act with. */
export class CredentialWatch {
  private readonly watchers = new Map<string, Set<() => void>>();
  private readonly anyChange = new Set<() => void>();
  private stopListening: (() => Promise<unknown>) | undefined;

  constructor(
    private readonly bus: TopicBus,
    private readonly logger: Logger,
  ) {}

  /** Listens to the topic (once per process); resolves when the listener is registered. */
  async start(): Promise<void> {
    if (this.stopListening) return;
    const events = await this.bus.listen<CredentialChange>(CREDENTIAL_CHANGES_TOPIC);
    this.stopListening = () => events.return?.() ?? Promise.resolve();
    void (async () => {
      for await (const change of events) this.notify(change);
    })().catch((error: unknown) => this.logger.warn({ err: error }, 'credential changes stopped'));
  }

  async stop(): Promise<void> {
    await this.stopListening?.();
    this.stopListening = undefined;
  }

  /** Calls onChange whenever the identity's credentials change; returns the function that stops watching. */
  watch(identity: CredentialIdentity, onChange: () => void): () => void {
    const keys = [
      identity.sessionId ? `session:${identity.sessionId}` : null,
      identity.apiKeyId ? `apiKey:${identity.apiKeyId}` : null,
      identity.userId ? `user:${identity.userId}` : null,
    ].filter((key): key is string => key !== null);
    for (const key of keys) {
      const set = this.watchers.get(key) ?? new Set();
      set.add(onChange);
      this.watchers.set(key, set);
    }
    return () => {
      for (const key of keys) {
        const set = this.watchers.get(key);
        set?.delete(onChange);
        if (set?.size === 0) this.watchers.delete(key);
      }
    };
  }

  /** Calls onChange on every credential change, whoever it concerns (caches of credentials forget). */
  onAnyChange(onChange: () => void): () => void {
    this.anyChange.add(onChange);
    return () => this.anyChange.delete(onChange);
  }

  /** How many subscriptions watch any credentials (for tests and metrics). */
  get size(): number {
    let count = 0;
    for (const set of this.watchers.values()) count += set.size;
    return count;
  }

  private notify(change: CredentialChange): void {
    for (const onChange of this.anyChange) onChange();
    for (const key of keysOf(change)) {
      for (const onChange of [...(this.watchers.get(key) ?? [])]) onChange();
    }
  }
}
