import { buildExport as build } from '../../services/export-build.js';
import { purgeExpiredExports } from '../../services/exports.js';
import type { JobHandlerFor } from '../handler.js';

/** Writes one export's CSV; a retry rewrites it from the start under its next attempt. */
export const buildExport: JobHandlerFor<'buildExport'> = (deps, { exportId }) => build(deps, { exportId });

/** Expired exports lose their chunks. */
export const purgeExports: JobHandlerFor<'purgeExports'> = async (deps) => ({
  expired: await purgeExpiredExports(deps),
});
