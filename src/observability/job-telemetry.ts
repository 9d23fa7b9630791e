import type { JobHandler } from '../jobs/queue.js';
import type { Metrics } from './metrics.js';
import { SpanKind, withSpan } from './tracing.js';

/**
 * Surrounds a queue's handler with a span per run (continuing the trace of the work that queued the job,
 * when it carried one) and the job-duration metric by outcome.
 */
export function instrumentJobs(handler: JobHandler, metrics: Metrics | undefined): JobHandler {
  return (name, data, job) =>
    withSpan(
      `job ${job.queue}/${name}`,
      {
        'messaging.system': 'job-queue',
        'messaging.destination.name': job.queue,
        'messaging.message.id': job.id,
        'job.attempt': job.attemptsMade + 1,
      },
      async () => {
        const started = performance.now();
        const seconds = () => (performance.now() - started) / 1000;
        try {
          const result = await handler(name, data, job);
          metrics?.job(job.queue, name, 'completed', seconds());
          return result;
        } catch (error) {
          metrics?.job(job.queue, name, 'failed', seconds());
          throw error;
        }
      },
      { kind: SpanKind.CONSUMER, parent: job.traceParent },
    );
}
