import type { Context } from '../graphql/context.js';
import type { FailedJob, JobQueue } from '../jobs/queue.js';
import * as jobs from '../services/jobs.js';
import { builder } from './builder.js';
import { decodeIdOf } from '../kernel/global-id.js';

/** The job queue of the app; every resolver reaches it through here. */
export function jobQueueOf(ctx: Context): JobQueue {
  return ctx.deps.jobs;
}

export const JobQueueNameEnum = builder.enumType('JobQueueName', {
  description: 'The background job queues.',
  values: {
    CLASSIFICATION: { value: 'classification', description: 'Escalation detection on new messages.' },
    NOTIFICATIONS: { value: 'notifications', description: 'Alerts by dashboard, email, WhatsApp, webhook.' },
    SENTIMENT: { value: 'sentiment', description: 'The hourly sentiment analysis.' },
    METRICS: { value: 'metrics', description: 'Monitoring rollups.' },
    ROUTING: {
      value: 'routing',
      description: 'Assigning queued conversations to agents whose shift starts.',
    },
    EXPORTS: { value: 'exports', description: 'CSV exports, and the purge of expired ones.' },
  } as const,
});

const FailedJobRef = builder.objectRef<FailedJob>('FailedJob').implement({
  description: 'A background job that used up its tries: a dead letter, kept until it is retried and done.',
  fields: (t) => ({
    jobId: t.exposeString('id', { description: 'The job id within its queue, for retryJob.' }),
    queue: t.field({ type: JobQueueNameEnum, resolve: (job) => job.queue }),
    name: t.exposeString('name'),
    data: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The job payload: ids, not copies of rows.',
      resolve: (job) => job.data ?? null,
    }),
    attemptsMade: t.exposeInt('attemptsMade'),
    failedReason: t.exposeString('failedReason', { description: 'The error of the last attempt.' }),
    failedAt: t.expose('failedAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.queryField('failedJobs', (t) =>
  t.field({
    type: [FailedJobRef],
    description:
      "The organization's background jobs that used up their tries (dead letters), newest first (OWNER or " +
      'ADMIN). The reconciler also retries them by itself, at growing intervals.',
    authScopes: { user: true },
    args: {
      organizationId: t.arg.id(),
      queue: t.arg({ type: JobQueueNameEnum, required: false, description: 'One queue; all when omitted.' }),
      first: t.arg.int({ required: false, description: 'At most 100 (default 20).' }),
    },
    resolve: (_root, args, ctx) =>
      jobs.listFailedJobs({ prisma: ctx.db.prisma, jobs: jobQueueOf(ctx) }, ctx.actor, {
        organizationId: decodeIdOf('Organization', args.organizationId),
        queue: args.queue,
        first: args.first,
      }),
  }),
);

const RetryJobInput = builder.inputType('RetryJobInput', {
  fields: (t) => ({
    organizationId: t.id(),
    queue: t.field({ type: JobQueueNameEnum }),
    jobId: t.string({ description: 'FailedJob.jobId' }),
  }),
});

builder.mutationField('retryJob', (t) =>
  t.field({
    type: 'Boolean',
    description:
      "Puts one of the organization's failed jobs back in its queue with all its attempts (OWNER or ADMIN). " +
      'False when the organization has no such failed job.',
    authScopes: { user: true },
    args: { input: t.arg({ type: RetryJobInput }) },
    resolve: (_root, { input }, ctx) =>
      jobs.retryFailedJob({ prisma: ctx.db.prisma, jobs: jobQueueOf(ctx) }, ctx.actor, {
        organizationId: decodeIdOf('Organization', input.organizationId),
        queue: input.queue,
        jobId: input.jobId,
      }),
  }),
);
