import { type JobHandler, type JobQueue, type QueueName, queueNames } from './queue.js';

export interface WorkerOptions {
  /** Jobs run at once per queue: one number for all, or per queue (missing ones run one at a time). */
  concurrency: number | Partial<Record<QueueName, number>>;
}

/**
 * Starts consuming every queue that has a handler, in this process (ROLE=all or ROLE=worker).
 * Returns the queues started, for the start-up log. Stop them with queue.close().
 */
export function startWorkers(
  queue: JobQueue,
  handlers: Partial<Record<QueueName, JobHandler>>,
  options: WorkerOptions,
): QueueName[] {
  const started: QueueName[] = [];
  for (const name of queueNames) {
    const handler = handlers[name];
    if (!handler) continue;
    const concurrency =
      typeof options.concurrency === 'number' ? options.concurrency : (options.concurrency[name] ?? 1);
    queue.work(name, handler, { concurrency });
    started.push(name);
  }
  return started;
}
