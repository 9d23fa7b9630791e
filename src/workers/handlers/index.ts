import type { JobHandlers } from '../handler.js';
import { analyseSentiment } from './analyse-sentiment.js';
import { classify } from './classify.js';
import { deliver } from './deliver.js';
import { buildExport, purgeExports } from './exports.js';
import { autoResolve, drainQueues } from './drain-queues.js';
import { checkBotReply, checkSlas, handoffTimeouts } from './handoff.js';
import { rollupMetrics } from './rollup-metrics.js';

/** Every kind of the job catalogue (src/jobs/catalogue.ts) and the function that runs it. */
export const jobHandlers: JobHandlers = {
  classify,
  deliver,
  rollupMetrics,
  analyseSentiment,
  drainQueues,
  autoResolve,
  checkBotReply,
  handoffTimeouts,
  checkSlas,
  buildExport,
  purgeExports,
};
