// Business hours on their own: open by weekly hours in their time zone, closed on holidays, overnight
// intervals, and what is refused (overlaps, unknown zones, bad dates).
import { describe, expect, it } from 'vitest';
import { businessDeadline, isOpen, parseBusinessHours } from '../src/services/business-hours.js';

// Monday 15 January 2024.
const at = (iso: string) => new Date(iso);

describe('business hours', () => {
  const dubai = parseBusinessHours({
    timezone: 'Asia/Dubai',
    weekly: { mon: [['09:00', '18:00']], fri: [['22:00', '02:00']] },
    holidays: ['2024-01-22'],
  });

  it('is open inside the weekly hours, read in its own time zone', () => {
    expect(isOpen(dubai, at('2024-01-15T05:00:00Z'))).toBe(true); // 09:00 in Dubai
    expect(isOpen(dubai, at('2024-01-15T04:59:00Z'))).toBe(false); // 08:59
    expect(isOpen(dubai, at('2024-01-15T14:00:00Z'))).toBe(false); // 18:00, the end is excluded
    expect(isOpen(dubai, at('2024-01-16T06:00:00Z'))).toBe(false); // tuesday: closed
  });

  it('runs an interval past midnight, and closes on holidays', () => {
    expect(isOpen(dubai, at('2024-01-19T19:00:00Z'))).toBe(true); // friday 23:00
    expect(isOpen(dubai, at('2024-01-19T21:30:00Z'))).toBe(true); // saturday 01:30
    expect(isOpen(dubai, at('2024-01-19T22:00:00Z'))).toBe(false); // saturday 02:00
    expect(isOpen(dubai, at('2024-01-22T06:00:00Z'))).toBe(false); // a monday, but a holiday
  });

  it('is always open without hours, and never with unreadable ones', () => {
    expect(isOpen(null, at('2024-01-16T06:00:00Z'))).toBe(true);
    expect(isOpen({ timezone: 'Nowhere/Land', weekly: {} }, at('2024-01-16T06:00:00Z'))).toBe(false);
  });

  it('refuses overlaps, unknown zones and bad dates', () => {
    expect(() =>
      parseBusinessHours({
        timezone: 'UTC',
        weekly: {
          mon: [
            ['09:00', '12:00'],
            ['11:00', '14:00'],
          ],
        },
      }),
    ).toThrow(/overlap on mon/);
    expect(() =>
      parseBusinessHours({
        timezone: 'UTC',
        weekly: { sun: [['22:00', '03:00']], mon: [['02:00', '05:00']] },
      }),
    ).toThrow(/overlap/);
    expect(() => parseBusinessHours({ timezone: 'Mars/Olympus', weekly: {} })).toThrow(/timezone/);
    expect(() => parseBusinessHours({ timezone: 'UTC', weekly: { someday: [] } })).toThrow(
      /BAD_USER_INPUT|weekly/,
    );
    expect(() => parseBusinessHours({ timezone: 'UTC', weekly: {}, holidays: ['25/12/2026'] })).toThrow(
      /holidays/,
    );
    expect(
      parseBusinessHours({
        timezone: 'UTC',
        weekly: {
          mon: [
            ['09:00', '12:00'],
            ['13:00', '17:00'],
          ],
        },
      }).holidays,
    ).toEqual([]);
  });
});

describe('business deadlines', () => {
  const paris = {
    timezone: 'Europe/Paris',
    weekly: { mon: [['09:00', '12:00']], tue: [['09:00', '12:00']] },
    holidays: [],
  };

  it('counts only open time, in the zone, across days', () => {
    // Monday 15 January 2024, 10:00 in Paris (09:00 UTC): one hour left on monday, then tuesday from 09:00.
    expect(businessDeadline(paris, at('2024-01-15T09:00:00Z'), 1800)?.toISOString()).toBe(
      '2024-01-15T09:30:00.000Z',
    );
    expect(businessDeadline(paris, at('2024-01-15T09:00:00Z'), 2.5 * 3600)?.toISOString()).toBe(
      '2024-01-16T08:30:00.000Z',
    );
    // Started on sunday: the clock starts at monday 09:00.
    expect(businessDeadline(paris, at('2024-01-14T12:00:00Z'), 600)?.toISOString()).toBe(
      '2024-01-15T08:10:00.000Z',
    );
  });

  it('is wall-clock time without hours, and follows daylight saving time', () => {
    expect(businessDeadline(null, at('2024-01-15T09:00:00Z'), 60)?.toISOString()).toBe(
      '2024-01-15T09:01:00.000Z',
    );
    // Monday 1 April 2024 is summer time in Paris (UTC+2): 09:00 local is 07:00 UTC.
    expect(businessDeadline(paris, at('2024-03-31T12:00:00Z'), 60)?.toISOString()).toBe(
      '2024-04-01T07:01:00.000Z',
    );
  });
});
