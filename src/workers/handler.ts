import type { JobKindName, JobPayload } from '../jobs/catalogue.js';
import type { ServiceDeps } from '../services/deps.js';

/** A job's body: a plain function of the workers' deps and the payload its catalogue schema has parsed. */
export type JobHandlerFor<K extends JobKindName> = (
  deps: ServiceDeps,
  payload: JobPayload<K>,
) => Promise<unknown>;

/** One handler per kind of the catalogue: a kind without one does not compile. */
export type JobHandlers = { [K in JobKindName]: JobHandlerFor<K> };
