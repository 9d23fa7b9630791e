import { catchUpSentiment } from '../../services/sentiment-run.js';
import type { JobHandlerFor } from '../handler.js';

/** Catches up every closed hour of the look-back still missing, so a lost run loses nothing. */
export const analyseSentiment: JobHandlerFor<'analyseSentiment'> = async (deps) =>
  (await catchUpSentiment(deps)).map((window) => ({
    windowEnd: window.windowEnd,
    analysed: window.analysed,
    modelCalls: window.modelCalls,
    skipped: window.skipped,
    failed: window.failed.length,
  }));
