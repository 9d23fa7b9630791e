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

const offsets = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at an instant, in ms. */
function offsetMs(timezone: string, instant: number): number {
  let format = offsets.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    offsets.set(timezone, format);
  }
  const part = (parts: Intl.DateTimeFormatPart[], type: string) =>
    Number(parts.find((p) => p.type === type)?.value);
  const parts = format.formatToParts(new Date(instant));
  const local = Date.UTC(
    part(parts, 'year'),
    part(parts, 'month') - 1,
    part(parts, 'day'),
    part(parts, 'hour'),
    part(parts, 'minute'),
    part(parts, 'second'),
  );
  return local - Math.floor(instant / 1000) * 1000;
}

/** The instant of a local day (as days since the epoch) and minute of that day in the zone. */
function zonedInstant(timezone: string, day: number, minutes: number): number {
  const guess = day * 86_400_000 + minutes * 60_000;
  const first = guess - offsetMs(timezone, guess);
  const second = guess - offsetMs(timezone, first);
  return second;
}

/** The instant a local calendar day (YYYY-MM-DD) starts in the zone: the reports' day boundaries. */
export function startOfLocalDay(timezone: string, date: string): Date {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(zonedInstant(timezone, Date.UTC(year, month - 1, day) / 86_400_000, 0));
}

/** The open intervals [from, to) (ms) of the hours from the local day before `from`, over `days` days, in order. */
function openIntervals(hours: BusinessHours, from: number, days: number): [number, number][] {
  const firstDay = Math.floor((from + offsetMs(hours.timezone, from)) / 86_400_000) - 1;
  const intervals: [number, number][] = [];
  for (let day = firstDay; day <= firstDay + days; day += 1) {
    const date = new Date(day * 86_400_000).toISOString().slice(0, 10);
    if (hours.holidays.includes(date)) continue;
    const weekday = weekDays[(new Date(day * 86_400_000).getUTCDay() + 6) % 7]!;
    for (const [start, end] of hours.weekly[weekday] ?? []) {
      const overnight = minutesOf(end) <= minutesOf(start);
      intervals.push([
        zonedInstant(hours.timezone, day, minutesOf(start)),
        zonedInstant(hours.timezone, overnight ? day + 1 : day, minutesOf(end)),
      ]);
    }
  }
  return intervals.sort((a, b) => a[0] - b[0]);
}

/**
 * When `seconds` of open time have passed since `start` (wall-clock time without hours); null when the hours
 * do not hold that much within 62 days.
 */
export function businessDeadline(value: unknown, start: Date, seconds: number): Date | null {
  const hours = storedBusinessHours(value);
  if (hours === null) return new Date(start.getTime() + seconds * 1000);
  if (hours === 'unreadable') return null;
  let remaining = seconds * 1000;
  for (const [from, to] of openIntervals(hours, start.getTime(), 62)) {
    const begin = Math.max(from, start.getTime());
    if (to <= begin) continue;
    if (to - begin >= remaining) return new Date(begin + remaining);
    remaining -= to - begin;
  }
  return null;
}
