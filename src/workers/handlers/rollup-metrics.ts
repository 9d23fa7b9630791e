import { nowOf } from '../../kernel/clock.js';
import { rollupMetrics as rollup } from '../../services/metrics-rollup.js';
import type { JobHandlerFor } from '../handler.js';

/** The hourly monitoring rollup (growth figures); re-running at the same hour adds nothing. */
export const rollupMetrics: JobHandlerFor<'rollupMetrics'> = (deps) =>
  rollup(deps.prisma, { now: nowOf(deps) });
