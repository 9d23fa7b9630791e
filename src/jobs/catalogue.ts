// The job catalogue: every kind of background job, with its queue and name, the zod schema of its payload,
// its retry policy, how its id is chosen, and (for clock-driven jobs) its schedule. Services queue jobs
// through `outboxJob` (typed by the schema); the workers (src/workers/) give each kind its handler and
// parse every payload with its schema before the handler sees it. docs/architecture.md lists them.
import { z } from 'zod';
import {
  DEFAULT_ATTEMPTS,
  DEFAULT_BACKOFF_MS,
  type OutboxJobInput,
  type QueueName,
  type Schedule,
} from './queue.js';

/** How often a job is tried and how long it waits between tries (waits double, capped at MAX_BACKOFF_MS). */
export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** The wait before the first retry. */
  backoffMs: number;
}

/** Enough tries (about 10 minutes) to ride out a restart of Postgres or Redis; then DEAD, revived later. */
const DEFAULT_RETRY: RetryPolicy = { attempts: DEFAULT_ATTEMPTS, backoffMs: DEFAULT_BACKOFF_MS };

/**
 * How a job gets its id, which the queue uses to refuse a duplicate:
 * - `outbox row`: queued through the transactional outbox; the id is the outbox row's, so relaying a row
 *   twice adds the job once;
 * - `schedule`: added by the queue's repeatable schedule (one per name), keyed by the schedule and its time.
 */
type JobIdentity = 'outbox row' | 'schedule';

interface JobKind {
  queue: QueueName;
  name: string;
  /** By convention a job carries the `organizationId` it is about (failedJobs filters on it) and ids, never rows. */
  payload: z.ZodType;
  retry: RetryPolicy;
  id: JobIdentity;
  /** Cron pattern (UTC) of a clock-driven job; `config` when SENTIMENT_CRON and such decide it. */
  schedule?: string;
}

const ofOrganization = { organizationId: z.uuid() };
/**
 * An export's tries: a failure is more likely a bug than a restart, and the requester waits for it; the
 * last failed try marks the export FAILED (src/services/export-build.ts), retryJob can run it again.
 */
export const EXPORT_ATTEMPTS = 5;
/** A scheduled job carries nothing: it works out what is due from the database. */
const nothing = z.object({});

export const jobCatalogue = {
  /** Classifies one customer message (escalations, events, priority) and plans its notifications. */
  classify: {
    queue: 'classification',
    name: 'classify',
    payload: z.object({ messageId: z.uuid(), ...ofOrganization }),
    retry: DEFAULT_RETRY,
    id: 'outbox row',
  },
  /** Sends one notification delivery (email, WhatsApp, webhook), at most once per outcome. */
  deliver: {
    queue: 'notifications',
    name: 'deliver',
    payload: z.object({ deliveryId: z.uuid(), ...ofOrganization }),
    retry: DEFAULT_RETRY,
    id: 'outbox row',
  },
  /** The hourly monitoring rollup, at :05 once the hour's data has landed. */
  rollupMetrics: {
    queue: 'metrics',
    name: 'hourly-rollup',
    payload: nothing,
    retry: DEFAULT_RETRY,
    id: 'schedule',
    schedule: '5 * * * *',
  },
  /** Catches up every closed hour of sentiment still missing in the look-back (SENTIMENT_CRON). */
  analyseSentiment: {
    queue: 'sentiment',
    name: 'hourly',
    payload: nothing,
    retry: DEFAULT_RETRY,
    id: 'schedule',
    schedule: 'config',
  },
  /** Gives queued conversations to agents whose shift has started (eligibility changes with the clock). */
  drainQueues: {
    queue: 'routing',
    name: 'drain-queues',
    payload: nothing,
    retry: DEFAULT_RETRY,
    id: 'schedule',
    schedule: '* * * * *',
  },
  /** Resolves idle conversations of the app services that ask for it (autoResolveMinutes). */
  autoResolve: {
    queue: 'routing',
    name: 'auto-resolve',
    payload: nothing,
    retry: DEFAULT_RETRY,
    id: 'schedule',
    schedule: '* * * * *',
  },
  /** SLA warnings and breaches now due, every 5 seconds (six-field cron). */
  checkSlas: {
    queue: 'routing',
    name: 'sla-check',
    payload: nothing,
    retry: { attempts: 1, backoffMs: DEFAULT_BACKOFF_MS },
    id: 'schedule',
    schedule: '*/5 * * * * *',
  },
  /** The CONFIDENCE handoff rules, for a bot reply that reported a confidence or reads as a fallback. */
  checkBotReply: {
    queue: 'routing',
    name: 'check-bot-reply',
    payload: z.object({ messageId: z.uuid(), ...ofOrganization }),
    retry: DEFAULT_RETRY,
    id: 'outbox row',
  },
  /** The TIMEOUT handoff rules: customers waiting past a limit, every 5 seconds (six-field cron). */
  handoffTimeouts: {
    queue: 'routing',
    name: 'handoff-timeouts',
    payload: nothing,
    retry: { attempts: 1, backoffMs: DEFAULT_BACKOFF_MS },
    id: 'schedule',
    schedule: '*/5 * * * * *',
  },
  /** Writes one CSV export into export_chunks in keyset-paged batches; a retry rewrites it from the start. */
  buildExport: {
    queue: 'exports',
    name: 'build',
    payload: z.object({ exportId: z.uuid(), ...ofOrganization }),
    retry: { attempts: EXPORT_ATTEMPTS, backoffMs: DEFAULT_BACKOFF_MS },
    id: 'outbox row',
  },
  /** Expired exports: their chunks deleted, their status EXPIRED. */
  purgeExports: {
    queue: 'exports',
    name: 'purge-expired',
    payload: nothing,
    retry: DEFAULT_RETRY,
    id: 'schedule',
    schedule: '* * * * *',
  },
} as const satisfies Record<string, JobKind>;

export type JobKindName = keyof typeof jobCatalogue;
export type JobPayload<K extends JobKindName> = z.infer<(typeof jobCatalogue)[K]['payload']>;

/** A job of that kind for enqueueInTransaction: the payload is checked by its type here and by its schema when run. */
export function outboxJob<K extends JobKindName>(
  kind: K,
  payload: JobPayload<K>,
  options: Pick<OutboxJobInput, 'availableAt' | 'key'> = {},
): OutboxJobInput {
  const { queue, name } = jobCatalogue[kind];
  return { queue, name, payload, ...options };
}

/** The kind a queued job belongs to, from its queue and name; undefined for one this version does not know. */
export function kindOf(queue: string, name: string): JobKindName | undefined {
  return (Object.keys(jobCatalogue) as JobKindName[]).find(
    (kind) => jobCatalogue[kind].queue === queue && jobCatalogue[kind].name === name,
  );
}

/** The retry policy of a queued job (the default for one the catalogue does not know). */
export function retryPolicyOf(queue: string, name: string): RetryPolicy {
  const kind = kindOf(queue, name);
  return kind ? jobCatalogue[kind].retry : DEFAULT_RETRY;
}

/** The clock-driven jobs as the reconciler registers them; `configured` gives the crons the config decides. */
export function jobSchedules(configured: Record<ConfiguredScheduleKind, string>): Schedule[] {
  return (Object.keys(jobCatalogue) as JobKindName[]).flatMap((kind) => {
    const { queue, name, schedule } = jobCatalogue[kind] as JobKind;
    if (!schedule) return [];
    const cron = schedule === 'config' ? configured[kind as ConfiguredScheduleKind] : schedule;
    return [{ queue, name, cron }];
  });
}

/** The kinds whose schedule comes from the configuration. */
type ConfiguredScheduleKind = {
  [K in JobKindName]: (typeof jobCatalogue)[K] extends { schedule: 'config' } ? K : never;
}[JobKindName];
