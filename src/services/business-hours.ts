// Business hours of a team or an app service: weekly hours in a time zone, and holidays (whole local days
// closed). Outside them a handoff does not assign: the conversation waits in the queue (and the customer
// may get the app service's out-of-office message, once per conversation) until the hours open and the
// minutely drain routes it.
import { z } from 'zod';
import { isWithinWorkingHours, localClock, weekDays, workingHoursSchema } from './routing.js';
import { timezoneSchema } from './validation.js';
import { badInput } from '../kernel/errors.js';

const minutesOf = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** The minutes of the week [from, to) an interval covers (one past midnight runs into the next day). */
function weekMinutes(day: number, [start, end]: [string, string]): [number, number] {
  const from = day * 1440 + minutesOf(start);
  const to = day * 1440 + (minutesOf(end) > minutesOf(start) ? minutesOf(end) : 1440 + minutesOf(end));
  return [from, to];
}

const isoDay = z.iso.date();

export const businessHoursSchema = z
  .strictObject({
    timezone: timezoneSchema,
    /** e.g. { "mon": [["09:00","18:00"]], "fri": [["09:00","13:00"]] }; days left out are closed. */
    weekly: workingHoursSchema,
    /** Local dates closed all day, e.g. "2026-12-25". */
    holidays: z.array(isoDay).max(366).default([]),
  })
  .superRefine((hours, ctx) => {
    const spans = weekDays.flatMap((day, index) =>
      (hours.weekly[day] ?? []).map((interval) => ({ day, span: weekMinutes(index, interval) })),
    );
    spans.sort((a, b) => a.span[0] - b.span[0]);
    for (let i = 1; i < spans.length; i += 1) {
      if (spans[i]!.span[0] < spans[i - 1]!.span[1]) {
        ctx.addIssue({ code: 'custom', message: `hours overlap on ${spans[i]!.day}`, path: ['weekly'] });
        return;
      }
    }
    // The last interval of sunday may run past midnight into monday.
    const last = spans.at(-1);
    if (last && spans.length > 1 && last.span[1] > 7 * 1440 && last.span[1] - 7 * 1440 > spans[0]!.span[0]) {
      ctx.addIssue({ code: 'custom', message: 'hours overlap on mon', path: ['weekly'] });
    }
  });
export type BusinessHours = z.infer<typeof businessHoursSchema>;

/** Stored hours, or null (always open) when there are none; unreadable ones mean closed, not open. */
export function storedBusinessHours(value: unknown): BusinessHours | null | 'unreadable' {
  if (value === null || value === undefined) return null;
  const parsed = businessHoursSchema.safeParse(value);
  return parsed.success ? parsed.data : 'unreadable';
}

const dates = new Map<string, Intl.DateTimeFormat>();

/** The local date (YYYY-MM-DD) of an instant in a time zone. */
function localDate(timezone: string, now: Date): string {
  let format = dates.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dates.set(timezone, format);
  }
  return format.format(now);
}

/** Whether the hours (stored JSON) are open at `now`: none set is always open. */
export function isOpen(value: unknown, now: Date): boolean {
  const hours = storedBusinessHours(value);
  if (hours === null) return true;
  if (hours === 'unreadable') return false;
  if (!localClock(hours.timezone, now)) return false;
  if (hours.holidays.includes(localDate(hours.timezone, now))) return false;
  return isWithinWorkingHours(hours.weekly, hours.timezone, now);
}

/** Hours as given (GraphQL input), validated; BAD_USER_INPUT with the first problem otherwise. */
export function parseBusinessHours(given: unknown): BusinessHours {
  const parsed = businessHoursSchema.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length ? `${issue.path.join('.')}: ` : '';
    throw badInput(`Invalid business hours: ${field}${issue.message}.`);
  }
  return parsed.data;
}
