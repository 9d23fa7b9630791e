import { badInput } from '../kernel/errors.js';

/** The longest range a report reads (monitoring, sentiment): one report must stay one cheap query. */
export const MAX_RANGE_DAYS = 366;
const DAY_MS = 86_400_000;

/** Rejects ranges that are empty, reversed or longer than a (leap) year: BAD_USER_INPUT. */
export function assertRange(from: Date, to: Date): void {
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()))
    throw badInput('from and to must be dates.');
  if (from >= to) throw badInput('from must be before to.', { from, to });
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS)
    throw badInput(`The range may not exceed ${MAX_RANGE_DAYS} days.`, { from, to });
}
