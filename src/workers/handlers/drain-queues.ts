import { drainAllQueues } from '../../services/routing-queue.js';
import type { JobHandlerFor } from '../handler.js';

/** Agents whose shift starts become eligible by the clock: queued conversations go to them. */
export const drainQueues: JobHandlerFor<'drainQueues'> = async (deps) => ({
  assigned: await drainAllQueues(deps),
});
