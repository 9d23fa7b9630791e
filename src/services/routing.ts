// Agent routing, the rules: who may take a conversation and who takes it. Pure functions over
// plain candidates; routing-assignment.ts loads the candidates and writes assignments, routing-queue.ts
// routes a conversation or queues it, and drains the queue.
import { z } from 'zod';
import type { Channel, ConversationStatus } from '../generated/prisma/enums.js';

// --- Working hours -----------------------------------------------------------------------------------------

export const weekDays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type WeekDay = (typeof weekDays)[number];

const clockTime = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time such as 09:30');
/**
 * [start, end) in the agent's local time. An end before the start runs past midnight into the next
 * day (["22:00","02:00"] on mon covers mon 22:00 to tue 02:00); "24:00" may end a day.
 */
const interval = z
  .tuple([clockTime, clockTime])
  .refine(([start]) => start !== '24:00', 'an interval cannot start at 24:00')
  .refine(([start, end]) => start !== end, 'an interval must not be empty');
const dayIntervals = z.array(interval).max(10).optional();

/**
 * Weekly working hours, e.g. `{ "mon": [["09:00","17:00"]], "sat": [["10:00","14:00"]] }`. Days left
 * out are days off; `{}` means never (and null on the agent means always).
 */
export const workingHoursSchema = z.strictObject({
  mon: dayIntervals,
  tue: dayIntervals,
  wed: dayIntervals,
  thu: dayIntervals,
  fri: dayIntervals,
  sat: dayIntervals,
  sun: dayIntervals,
});
export type WorkingHours = z.infer<typeof workingHoursSchema>;

const minutesOf = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

const clocks = new Map<string, Intl.DateTimeFormat | null>();

/** The weekday (0 = mon) and minute of the day of an instant in a time zone; null for an unknown zone. */
export function localClock(timezone: string, now: Date): { day: number; minutes: number } | null {
  let clock = clocks.get(timezone);
  if (clock === undefined) {
    try {
      clock = new Intl.DateTimeFormat('en-US', {
        timeZone: timezone,
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
    } catch {
      clock = null;
    }
    clocks.set(timezone, clock);
  }
  if (!clock) return null;
  const parts = clock.formatToParts(now);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const day = weekDays.indexOf(part('weekday').toLowerCase() as WeekDay);
  if (day < 0) return null;
  return { day, minutes: Number(part('hour')) * 60 + Number(part('minute')) };
}

/**
 * Whether `now` falls in the agent's working hours, read in their IANA time zone. null hours = always;
 * an unknown time zone with hours set = never (we cannot tell, so we do not route to them).
 */
export function isWithinWorkingHours(hours: WorkingHours | null, timezone: string, now: Date): boolean {
  if (!hours) return true;
  const local = localClock(timezone, now);
  if (!local) return false;
  const today = hours[weekDays[local.day]!] ?? [];
  const yesterday = hours[weekDays[(local.day + 6) % 7]!] ?? [];
  for (const [start, end] of today) {
    const from = minutesOf(start);
    const to = minutesOf(end);
    if (from < to ? local.minutes >= from && local.minutes < to : local.minutes >= from) return true;
  }
  // Yesterday's intervals that ran past midnight.
  for (const [start, end] of yesterday) {
    if (minutesOf(start) > minutesOf(end) && local.minutes < minutesOf(end)) return true;
  }
  return false;
}

// --- Eligibility and choice (pure) -------------------------------------------------------------------------

/** Conversations that count against an agent's capacity. */
export const ACTIVE_STATUSES: ConversationStatus[] = ['ASSIGNED', 'PENDING'];

export interface RoutingCandidate {
  id: string;
  available: boolean;
  channels: Channel[];
  topics: string[];
  languages: string[];
  maxConcurrent: number;
  workingHours: WorkingHours | null;
  timezone: string;
  lastAssignedAt: Date | null;
  /** Conversations assigned to the agent with status ASSIGNED or PENDING. */
  activeCount: number;
  /** The teams the agent is in. */
  teamIds: string[];
}

export interface RoutingNeed {
  /** The channel of the conversation's app service. */
  channel: Channel;
  /** The conversation's labels, matched against the agents' topics. */
  labels: string[];
  /** The conversation's language (e.g. "en", "ar-AE"), null when not detected. */
  language: string | null;
  /** The team it is routed within; null: any agent of the organization. */
  teamId: string | null;
  /** Whether its team's and app service's business hours are open now (absent: open). */
  open?: boolean;
}

export type IneligibilityReason =
  | 'closed'
  | 'team'
  | 'unavailable'
  | 'outside working hours'
  | 'channel'
  | 'topic'
  | 'language'
  | 'at capacity';

/** "ar-AE", "AR" and "ar_EG" are all Arabic: languages compare by their primary subtag, in any case. */
const primaryLanguage = (tag: string) => tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';

/**
 * Why the candidate cannot take the conversation now, or null when they can. The rules, in order:
 * - `closed`: outside its team's or app service's business hours nobody takes it (it waits in the queue);
 * - `team`: a conversation routed within a team goes to that team's members only;
 * - `unavailable`: the agent's own switch is off (also set when their membership ends);
 * - `outside working hours`: see isWithinWorkingHours;
 * - `channel`: an empty channel list serves every channel, otherwise it must list the conversation's;
 * - `topic`: an empty topic list serves every topic; a conversation without labels fits every agent;
 *   otherwise one topic must equal one label (ignoring case);
 * - `language`: an empty language list serves every language; an unknown conversation language fits
 *   every agent; otherwise one language must share the conversation's primary subtag ("en" serves "en-GB");
 * - `at capacity`: active conversations (ASSIGNED or PENDING) must stay under maxConcurrent.
 */
export function ineligibilityReason(
  candidate: RoutingCandidate,
  need: RoutingNeed,
  now: Date,
): IneligibilityReason | null {
  if (need.open === false) return 'closed';
  if (need.teamId && !candidate.teamIds.includes(need.teamId)) return 'team';
  if (!candidate.available) return 'unavailable';
  if (!isWithinWorkingHours(candidate.workingHours, candidate.timezone, now)) return 'outside working hours';
  if (candidate.channels.length > 0 && !candidate.channels.includes(need.channel)) return 'channel';
  if (candidate.topics.length > 0 && need.labels.length > 0) {
    const labels = new Set(need.labels.map((label) => label.trim().toLowerCase()));
    if (!candidate.topics.some((topic) => labels.has(topic.trim().toLowerCase()))) return 'topic';
  }
  if (candidate.languages.length > 0 && need.language?.trim()) {
    const wanted = primaryLanguage(need.language);
    if (!candidate.languages.some((language) => primaryLanguage(language) === wanted)) return 'language';
  }
  if (candidate.activeCount >= candidate.maxConcurrent) return 'at capacity';
  return null;
}

/** Least loaded first; then longest idle (never assigned before anyone, then oldest lastAssignedAt); then id. */
export function compareCandidates(a: RoutingCandidate, b: RoutingCandidate): number {
  if (a.activeCount !== b.activeCount) return a.activeCount - b.activeCount;
  const idleA = a.lastAssignedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  const idleB = b.lastAssignedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  if (idleA !== idleB) return idleA < idleB ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The eligible candidate who should take the conversation, or null when nobody can. */
export function pickAgent(
  candidates: readonly RoutingCandidate[],
  need: RoutingNeed,
  now: Date,
): RoutingCandidate | null {
  let best: RoutingCandidate | null = null;
  for (const candidate of candidates) {
    if (ineligibilityReason(candidate, need, now) !== null) continue;
    if (!best || compareCandidates(candidate, best) < 0) best = candidate;
  }
  return best;
}

/** Whether the candidate could take some conversation now (available, in hours, a free slot). */
export function hasFreeSlot(candidate: RoutingCandidate, now: Date): boolean {
  return (
    candidate.available &&
    candidate.activeCount < candidate.maxConcurrent &&
    isWithinWorkingHours(candidate.workingHours, candidate.timezone, now)
  );
}
