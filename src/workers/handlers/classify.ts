import { processClassification } from '../../services/classification.js';
import type { JobHandlerFor } from '../handler.js';

/** Classifies one customer message; idempotent (a message is classified once however often this runs). */
export const classify: JobHandlerFor<'classify'> = (deps, { messageId }) =>
  processClassification(deps, { messageId });
