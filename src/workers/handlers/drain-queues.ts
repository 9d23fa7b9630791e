import { autoResolveIdle } from '../../services/auto-resolve.js';
import { drainAllQueues } from '../../services/routing-queue.js';
import type { JobHandlerFor } from '../handler.js';

/** Agents whose shift starts become eligible by the clock: queued conversations go to them. */
export const drainQueues: JobHandlerFor<'drainQueues'> = async (deps) => ({
  assigned: await drainAllQueues(deps),
});

/** Idle conversations of app services with autoResolveMinutes are resolved. */
export const autoResolve: JobHandlerFor<'autoResolve'> = async (deps) => ({
  resolved: await autoResolveIdle(deps),
});
