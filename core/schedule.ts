// The display and restart schedule, in wall-clock terms of one timezone: display-off
// windows by day of week (crossing midnight allowed), a daily restart window. Pure and
// clock-free: every question takes an instant, so DST changes in both directions, windows
// across midnight and every day pattern are tested without waiting for them.
//
// Windows are read on the "week of wall-clock minutes" (Monday 00:00 = 0 … Sunday 24:00 =
// 10080): a time that a DST change skips simply never happens (the state at 03:00 is what
// follows), and one it repeats is what it is both times. Shared by the config (validation)
// and the kiosk (the running schedule).

export const MINUTES_PER_DAY = 1440;
export const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;
const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const TIME = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;

export interface WindowSpec {
  days: string;
  from: string;
  to: string;
}

/** [start, end) in week minutes; end may pass MINUTES_PER_WEEK (it wraps to Monday). */
export type Interval = readonly [number, number];

/** Days as written: "mon-fri", "sat,sun", "daily", "mon,wed-fri". Monday is 0. */
export function parseDays(text: string): number[] | string {
  const spec = text.trim().toLowerCase();
  if (spec === 'daily' || spec === 'every day') return [0, 1, 2, 3, 4, 5, 6];
  const days = new Set<number>();
  for (const part of spec.split(',')) {
    const range = part.trim().split('-').map((name) => DAY_NAMES.indexOf(name.trim() as (typeof DAY_NAMES)[number]));
    if (range.length > 2 || range.some((day) => day < 0)) return `"${part.trim()}" is not a day or a range of days (mon … sun, e.g. "mon-fri" or "sat,sun")`;
    const [first = 0, last = first] = range;
    // A range may wrap the week: "fri-mon".
    for (let day = first; ; day = (day + 1) % 7) {
      days.add(day);
      if (day === last) break;
    }
  }
  return [...days].sort((a, b) => a - b);
}

/** "HH:MM" (00:00 … 24:00) as minutes of the day, or a reason it is not one. */
export function parseTime(text: string): number | string {
  const match = TIME.exec(text);
  if (match === null) return `"${text}" is not a time of day as HH:MM (00:00 to 24:00)`;
  return match[1] === undefined ? MINUTES_PER_DAY : Number(match[1]) * 60 + Number(match[2]);
}

/** A window's intervals on the week, one per day it starts on. */
export function windowIntervals(days: readonly number[], from: number, to: number): Interval[] {
  const length = to > from ? to - from : MINUTES_PER_DAY - from + to;
  return days.map((day) => [day * MINUTES_PER_DAY + from, day * MINUTES_PER_DAY + from + length] as const);
}

/** Is `minute` (0 … MINUTES_PER_WEEK) inside the interval, counting its wrap to Monday? */
export function inInterval(minute: number, [start, end]: Interval): boolean {
  return (minute >= start && minute < end) || (end > MINUTES_PER_WEEK && minute < end - MINUTES_PER_WEEK);
}

/** How many minutes of the week the intervals cover together. */
export function coveredMinutes(intervals: readonly Interval[]): number {
  const flat: [number, number][] = [];
  for (const [start, end] of intervals) {
    if (end <= MINUTES_PER_WEEK) flat.push([start, end]);
    else flat.push([start, MINUTES_PER_WEEK], [0, end - MINUTES_PER_WEEK]);
  }
  flat.sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let reach = 0;
  for (const [start, end] of flat) {
    if (end <= reach) continue;
    covered += end - Math.max(start, reach);
    reach = end;
  }
  return covered;
}

/** Do two intervals share a minute? */
export function overlaps(a: Interval, b: Interval): boolean {
  const pieces = (i: Interval): Interval[] => (i[1] <= MINUTES_PER_WEEK ? [i] : [[i[0], MINUTES_PER_WEEK], [0, i[1] - MINUTES_PER_WEEK]]);
  return pieces(a).some(([s1, e1]) => pieces(b).some(([s2, e2]) => s1 < e2 && s2 < e1));
}

/** Is `zone` an IANA timezone this machine's Node knows? */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Wall-clock facts of an instant in a timezone. */
export interface LocalTime {
  /** YYYY-MM-DD, the local date. */
  date: string;
  /** Monday 0 … Sunday 6. */
  weekday: number;
  /** Minutes since local midnight. */
  minute: number;
  /** Minutes since local Monday 00:00. */
  weekMinute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

export function localTime(at: number, zone: string): LocalTime {
  let format = formatters.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(zone, format);
  }
  const parts: Record<string, string> = {};
  for (const { type, value } of format.formatToParts(at)) parts[type] = value;
  const weekday = DAY_NAMES.indexOf((parts.weekday ?? 'Mon').toLowerCase() as (typeof DAY_NAMES)[number]);
  const minute = Number(parts.hour) * 60 + Number(parts.minute);
  return { date: `${parts.year}-${parts.month}-${parts.day}`, weekday, minute, weekMinute: weekday * MINUTES_PER_DAY + minute };
}

export interface DisplaySchedule {
  zone: string;
  intervals: readonly Interval[];
}

/** Is the display meant to be off at `at`? */
export function displayOffAt(schedule: DisplaySchedule, at: number): boolean {
  const { weekMinute } = localTime(at, schedule.zone);
  return schedule.intervals.some((interval) => inInterval(weekMinute, interval));
}

export interface Transition {
  at: number;
  what: 'display off' | 'display on';
}

/**
 * The next display transitions after `from`, within `horizonMs`, found by walking forward
 * minute by minute in coarse steps and narrowing down each change to the minute (a DST
 * change is just another instant where the state may change).
 */
export function nextTransitions(schedule: DisplaySchedule, from: number, count: number, horizonMs = 8 * 86_400_000): Transition[] {
  const found: Transition[] = [];
  const STEP = 15 * 60_000;
  let at = Math.floor(from / 60_000) * 60_000;
  let state = displayOffAt(schedule, at);
  const end = from + horizonMs;
  while (at < end && found.length < count) {
    const next = at + STEP;
    const nextState = displayOffAt(schedule, next);
    if (nextState === state) {
      at = next;
      continue;
    }
    // The change is somewhere in (at, next]: find its minute.
    let low = at;
    let high = next;
    while (high - low > 60_000) {
      const mid = low + Math.floor((high - low) / 120_000) * 60_000;
      if (displayOffAt(schedule, mid) === state) low = mid;
      else high = mid;
    }
    found.push({ at: high, what: nextState ? 'display off' : 'display on' });
    state = nextState;
    at = high;
  }
  return found;
}

/** When the next restart window [at, at + length] opens after `from`, on the wall clock (a DST gap moves it to the gap's end). */
export function nextLocalMinute(zone: string, minute: number, from: number): number {
  let at = Math.ceil(from / 60_000) * 60_000;
  let previous = localTime(at - 60_000, zone);
  for (let i = 0; i < 2 * MINUTES_PER_DAY; i++, at += 60_000) {
    const now = localTime(at, zone);
    // Reached the minute, or jumped over it (a DST gap) on the same date.
    if (now.minute === minute || (now.date === previous.date && previous.minute < minute && now.minute > minute)) return at;
    previous = now;
  }
  return Number.NaN;
}
