// Cancelling a request's SQL in Postgres when the request is abandoned (the client went away, or the
// request ran past its time limit). Without it a statement keeps a Postgres core busy after nobody waits
// for its answer. Each HTTP request runs in a QueryScope (AsyncLocalStorage); the pool's clients note
// which scope each running statement belongs to, and cancelling a scope sends Postgres a CancelRequest
// for each of them over a separate socket (the protocol's own cancel: no pool slot, no authentication).
import { AsyncLocalStorage } from 'node:async_hooks';
import { connect } from 'node:net';
import pg from 'pg';

const scopes = new AsyncLocalStorage<QueryScope>();

/** Where to send cancel requests: the server of the pool. */
export interface CancelTarget {
  host: string;
  port: number;
}

interface RunningStatement {
  cancel(): void;
}

export class QueryScope {
  private readonly running = new Set<RunningStatement>();
  private open = true;
  cancelled = false;

  /** The request's id (x-request-id): in its log lines, its response and its errors. */
  constructor(readonly requestId?: string) {}

  /** Runs fn with its statements in this scope. */
  run<T>(fn: () => T): T {
    return scopes.run(this, fn);
  }

  track(statement: RunningStatement): boolean {
    if (!this.open) return false;
    this.running.add(statement);
    return true;
  }

  untrack(statement: RunningStatement): void {
    this.running.delete(statement);
  }

  /** How many statements of this scope are running now. */
  get runningStatements(): number {
    return this.running.size;
  }

  /** Cancels every statement of the scope that is running now; later ones are not started in it. */
  cancel(): void {
    this.cancelled = true;
    this.open = false;
    for (const statement of this.running) statement.cancel();
    this.running.clear();
  }

  /** The request is answered: nothing of it is cancelled any more. */
  close(): void {
    this.open = false;
    this.running.clear();
  }
}

/** The id of the request being served, if any (for log lines and error extensions). */
export function currentRequestId(): string | undefined {
  return scopes.getStore()?.requestId;
}

/** Runs fn outside any request's scope: background work started by a request must outlive it. */
export function outsideQueryScope<T>(fn: () => T): T {
  return scopes.exit(fn);
}

/** The client class for a pool whose server is `target` (pg's Pool constructs clients from its options alone). */
export function cancellableClientFor(target: CancelTarget): typeof pg.Client {
  return class CancellableClient extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      super(config);
      trackStatements(this, target);
    }
  };
}

/** Notes each statement the client runs in the scope it was sent from, so the scope can cancel it. */
function trackStatements(client: pg.Client, target: CancelTarget): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const cancel = () => {
    const { processID, secretKey } = client as unknown as {
      processID: number | null;
      secretKey: number | null;
    };
    if (processID !== null && secretKey !== null) sendCancelRequest(target, processID, secretKey);
  };
  // pg's query() has many overloads; only the promise form (the one the Prisma adapter uses) is tracked.
  Object.assign(client, {
    query: (...args: unknown[]) => {
      const scope = scopes.getStore();
      const result = query(...args);
      if (scope && isPromise(result)) {
        const running = { cancel };
        if (scope.track(running)) {
          void result.then(
            () => scope.untrack(running),
            () => scope.untrack(running),
          );
        }
      }
      return result;
    },
  });
}

/** The CancelRequest message: length 16, code 80877102, then the backend's process id and secret key. */
function sendCancelRequest(target: CancelTarget, processId: number, secretKey: number): void {
  const packet = Buffer.alloc(16);
  packet.writeInt32BE(16, 0);
  packet.writeInt32BE(80877102, 4);
  packet.writeInt32BE(processId, 8);
  packet.writeInt32BE(secretKey, 12);
  const socket = target.host.startsWith('/')
    ? connect(`${target.host}/.s.PGSQL.${target.port}`)
    : connect(target.port, target.host);
  socket.setTimeout(5000, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('connect', () => socket.end(packet));
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** Where the pool of a connection string connects, for its cancel requests. */
export function cancelTargetOf(connectionString: string): CancelTarget {
  const url = new URL(connectionString);
  const socketDir = url.searchParams.get('host');
  return {
    host: socketDir ?? (url.hostname.replace(/^\[|\]$/g, '') || 'localhost'),
    port: Number(url.port || 5432),
  };
}
