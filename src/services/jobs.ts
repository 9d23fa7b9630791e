// Failed background jobs, for an organization's admins. A job that used up its tries is a dead letter in
// the outbox (status DEAD, see jobs/settlement.ts): that survives a Redis restart, which the queue's own
// failed list does not. Jobs are not tenant rows: each payload carries the `organizationId` it belongs to
// (a convention of every job), and only those of the organization asked about are listed or retried.
import type { Actor } from '../auth/actor.js';
import { type FailedJob, type QueueName, queueNames } from '../jobs/queue.js';
import { badInput } from '../kernel/errors.js';
import { jobOfRow } from '../jobs/outbox.js';
import type { ServiceDeps } from './deps.js';

const MAX_PAGE = 100;
const DEFAULT_PAGE = 20;

type JobsDeps = Pick<ServiceDeps, 'prisma' | 'jobs'>;

const isQueueName = (value: string): value is QueueName => (queueNames as readonly string[]).includes(value);

/** The organization's dead-lettered jobs, newest first (OWNER or ADMIN). */
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
  const rows = await deps.prisma.outboxJob.findMany({
    where: {
      status: 'DEAD',
      payload: { path: ['organizationId'], equals: input.organizationId },
      ...(input.queue ? { queue: input.queue } : {}),
    },
    orderBy: [{ deadAt: 'desc' }, { id: 'asc' }],
    take: first,
  });
  return rows.flatMap((row) =>
    isQueueName(row.queue)
      ? [
          {
            id: row.id,
            queue: row.queue,
            name: row.name,
            data: row.payload,
            attemptsMade: row.attemptsMade,
            failedReason: row.lastError ?? '',
            failedAt: row.deadAt,
          },
        ]
      : [],
  );
}

/**
 * Puts one of the organization's dead-lettered jobs back in its queue with all its tries (OWNER or ADMIN).
 * False when there is no such job in that organization, so the answer never tells whether another
 * tenant's job exists.
 */
export async function retryFailedJob(
  deps: JobsDeps,
  actor: Actor,
  input: { organizationId: string; queue: QueueName; jobId: string },
): Promise<boolean> {
  actor.assertCan(input.organizationId, 'appServices:manage');
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(input.jobId)) {
    // Dead letters are outbox rows: their ids are UUIDs.
    return false;
  }
  const row = await deps.prisma.outboxJob.findFirst({
    where: {
      id: input.jobId,
      queue: input.queue,
      status: 'DEAD',
      payload: { path: ['organizationId'], equals: input.organizationId },
    },
  });
  if (!row) return false;
  await deps.jobs.requeue(jobOfRow({ ...row, queue: input.queue }));
  const { count } = await deps.prisma.outboxJob.updateMany({
    where: { id: row.id, status: 'DEAD' },
    data: { status: 'ENQUEUED', enqueuedAt: new Date(), checkedAt: null, revivals: { increment: 1 } },
  });
  return count === 1;
}
