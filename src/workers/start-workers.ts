import { jobCatalogue, kindOf, type JobKindName } from '../jobs/catalogue.js';
import type { JobHandler, JobQueue, QueueName } from '../jobs/queue.js';
import { startWorkers, type WorkerOptions } from '../jobs/runner.js';
import type { ServiceDeps } from '../services/deps.js';
import type { JobHandlers } from './handler.js';
import { jobHandlers } from './handlers/index.js';

/** A job whose queue and name no kind of the catalogue has (queued by another version). */
export class UnknownJobError extends Error {
  constructor(queue: QueueName, name: string) {
    super(`No job kind ${queue}/${name} in the catalogue.`);
    this.name = 'UnknownJobError';
  }
}

/**
 * Wires the catalogue to the queue: each queue's worker finds the kind by the job's name, parses the payload
 * with the kind's schema (a malformed payload fails the job rather than reaching the service) and runs the
 * kind's handler with the workers' deps. `wrap` surrounds every queue's handler (the outbox settlement).
 */
export function startJobWorkers(
  jobs: JobQueue,
  deps: ServiceDeps,
  options: WorkerOptions & { wrap?: (handler: JobHandler) => JobHandler; handlers?: JobHandlers },
): QueueName[] {
  const handlers = options.handlers ?? jobHandlers;
  const wrap = options.wrap ?? ((handler: JobHandler) => handler);
  const byQueue: Partial<Record<QueueName, JobHandler>> = {};
  for (const kind of Object.keys(jobCatalogue) as JobKindName[]) {
    const { queue } = jobCatalogue[kind];
    byQueue[queue] ??= wrap(async (name, data) => {
      const found = kindOf(queue, name);
      if (!found) throw new UnknownJobError(queue, name);
      return run(handlers, found, deps, data);
    });
  }
  return startWorkers(jobs, byQueue, options);
}

function run<K extends JobKindName>(handlers: JobHandlers, kind: K, deps: ServiceDeps, data: unknown) {
  const handler: JobHandlers[K] = handlers[kind];
  return handler(deps, jobCatalogue[kind].payload.parse(data) as Parameters<JobHandlers[K]>[1]);
}
