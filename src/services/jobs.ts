// Failed background jobs, for an organization's admins. Jobs are not tenant rows: each payload carries
// the `organizationId` it belongs to (a convention of every job), and only those of the organization asked
// about are listed or retried.
import type { Actor } from '../auth/actor.js';
import { type FailedJob, type JobQueue, type QueueName, queueNames } from '../jobs/queue.js';
import { badInput } from './errors.js';

/**
 * How many of a queue's most recent failures are looked through for the organization's. Older failures
 * of a busy queue are neither listed nor retried from here.
 */
export const FAILED_JOBS_SCAN = 1000;
const MAX_PAGE = 100;
const DEFAULT_PAGE = 20;

export interface JobsDeps {
  jobs: JobQueue;
}

const organizationOf = (data: unknown): unknown =>
  typeof data === 'object' && data !== null && 'organizationId' in data
    ? (data as { organizationId: unknown }).organizationId
    : undefined;

/** The organization's failed jobs, newest first (OWNER or ADMIN). */
export async function listFailedJobs(
  deps: JobsDeps,
  actor: Actor,
  input: { organizationId: string; queue?: QueueName | null; first?: number | null },
): Promise<FailedJob[]> {
  actor.assertCan(input.organizationId, 'appServices:manage');
  const first = input.first ?? DEFAULT_PAGE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) {
    throw badInput(`first must be between 1 and ${MAX_PAGE}.`);
  }
  const queues = input.queue ? [input.queue] : queueNames;
  const lists = await Promise.all(queues.map((queue) => deps.jobs.failed(queue, FAILED_JOBS_SCAN)));
  return lists
    .flat()
    .filter((job) => organizationOf(job.data) === input.organizationId)
    .sort((a, b) => (b.failedAt?.getTime() ?? 0) - (a.failedAt?.getTime() ?? 0))
    .slice(0, first);
}

/**
 * Puts one of the organization's failed jobs back in its queue (OWNER or ADMIN). False when there is no
 * such failed job in that organization, so the answer never tells whether another tenant's job exists.
 */
export async function retryFailedJob(
  deps: JobsDeps,
  actor: Actor,
  input: { organizationId: string; queue: QueueName; jobId: string },
): Promise<boolean> {
  actor.assertCan(input.organizationId, 'appServices:manage');
  if (input.jobId.length === 0 || input.jobId.length > 200)
    throw badInput('jobId must be 1 to 200 characters.');
  const failed = await deps.jobs.failed(input.queue, FAILED_JOBS_SCAN);
  const job = failed.find((candidate) => candidate.id === input.jobId);
  if (!job || organizationOf(job.data) !== input.organizationId) return false;
  return deps.jobs.retry(input.queue, input.jobId);
}
