import type { BusinessHours } from '../services/business-hours.js';
import { parseBusinessHours, storedBusinessHours } from '../services/business-hours.js';
import { builder } from './builder.js';

/** Weekly hours in a time zone, with holidays; outside them handoffs queue (and routing waits). */
export const BusinessHoursRef = builder.objectRef<BusinessHours>('BusinessHours').implement({
  fields: (t) => ({
    timezone: t.exposeString('timezone'),
    weekly: t.field({
      type: 'JSON',
      description:
        'e.g. { "mon": [["09:00","18:00"]], "fri": [["09:00","13:00"]] }; days left out are closed.',
      resolve: (hours) => hours.weekly,
    }),
    holidays: t.exposeStringList('holidays', { description: 'Local dates closed all day (YYYY-MM-DD).' }),
  }),
});

export const BusinessHoursInput = builder.inputType('BusinessHoursInput', {
  description:
    'Intervals are [start, end) local times; an end before the start runs past midnight. Overlapping ' +
    'intervals, unknown days or time zones are refused.',
  fields: (t) => ({
    timezone: t.string(),
    weekly: t.field({ type: 'JSON' }),
    holidays: t.stringList({ required: false }),
  }),
});

/** An input's hours validated; null clears, undefined leaves as is. */
export function hoursOf(
  input: { timezone: string; weekly?: unknown; holidays?: string[] | null } | null | undefined,
): BusinessHours | null | undefined {
  if (input === undefined) return undefined;
  if (input === null) return null;
  return parseBusinessHours({ ...input, holidays: input.holidays ?? [] });
}

/** Stored hours for output; unreadable ones are shown as none. */
export const hoursField = (value: unknown): BusinessHours | null => {
  const hours = storedBusinessHours(value);
  return hours === 'unreadable' ? null : hours;
};
