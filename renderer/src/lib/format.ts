// Dates, times and opening hours for people standing in the lobby, in the language they
// chose, via Intl only (no date library). The kiosk's wall clock and time zone are the
// building's; tests pass a zone explicitly. Day keys ("YYYY-MM-DD") are the same in every
// language, so grouping never depends on the words.
import type { OpeningRule } from './hours.ts';

const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, options: Intl.DateTimeFormatOptions, timeZone: string | undefined): Intl.DateTimeFormat {
  const id = JSON.stringify([locale, options, timeZone ?? '']);
  let existing = cache.get(id);
  if (existing === undefined) {
    existing = new Intl.DateTimeFormat(locale, timeZone === undefined ? options : { ...options, timeZone });
    cache.set(id, existing);
  }
  return existing;
}

const TIME: Intl.DateTimeFormatOptions = { hour: 'numeric', minute: '2-digit' };
const LONG_DATE: Intl.DateTimeFormatOptions = { weekday: 'long', month: 'long', day: 'numeric' };

export interface Formats {
  readonly locale: string;
  /** "2:05" and "PM" apart, so the clock can set them in different sizes; `periodFirst` for "下午2:05". */
  clockParts(ms: number): { time: string; period: string; periodFirst: boolean };
  /** "Thursday, November 28" */
  longDate(ms: number): string;
  timeOfDay(ms: number): string;
  /** "Nov 28, 2:05 PM": an instant that may not be today. */
  dateTime(ms: number): string;
  /**
   * The two ends of an event's time, each readable alone: "9:30 AM" and "12:00 PM" within a
   * day; "Fri 2:00 PM" and "Sat 10:00 AM" across days; "Nov 28, 2:00 PM" and "Dec 10, 10:00
   * AM" across weeks. `end` is null when there is none.
   */
  timeRangeParts(startMs: number, endMs: number | null): { start: string; end: string | null };
  /** One line: "2:00 – 5:00 PM" within a day, "Fri 2:00 PM – Sat 10:00 AM" across days, "2:00 PM" with no end. */
  timeRange(startMs: number, endMs: number | null): string;
  /** A day's heading relative to today: { label: "Tomorrow", date: "Friday, November 29" }. */
  dayHeading(key: string, todayKey: string): { label: string; date: string };
  /** "12 minutes ago", "3 hours ago", "2 days ago" (at least a minute). */
  ago(ms: number, now: number): string;
  /** One line per rule: "Mon–Fri 8:00 AM – 4:00 PM". */
  openingHours(rules: readonly OpeningRule[]): string[];
  /** The name of a day, 0 = Sunday … 6 = Saturday, short ("Mon") or long ("Monday"). */
  weekday(day: number, width: 'short' | 'long'): string;
}

const formatsCache = new Map<string, Formats>();

/** Formats for `locale` (an Intl locale such as "es-US") in `timeZone` (the kiosk's own by default). */
export function formatsFor(locale: string, timeZone?: string): Formats {
  const id = `${locale}|${timeZone ?? ''}`;
  let formats = formatsCache.get(id);
  if (formats === undefined) {
    formats = createFormats(locale, timeZone);
    formatsCache.set(id, formats);
  }
  return formats;
}

function capitalise(text: string, locale: string): string {
  return text.length === 0 ? text : text.charAt(0).toLocaleUpperCase(locale) + text.slice(1);
}

/** A Sunday at UTC noon, plus `day` days: a fixed date to ask Intl for a weekday's name. */
function weekdayDate(day: number): number {
  return Date.UTC(2024, 0, 7 + day, 12);
}

/** Minutes after midnight as an instant on a fixed UTC day, for formatting a time of day. */
function minutesDate(minutes: number): number {
  return Date.UTC(2024, 0, 1, 0, minutes);
}

function createFormats(locale: string, timeZone: string | undefined): Formats {
  const time = formatter(locale, TIME, timeZone);
  const timeOfDay = (ms: number) => time.format(ms);
  const sameDayRange = (startMs: number, endMs: number) => time.formatRange(startMs, endMs);
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });

  const formats: Formats = {
    locale,
    clockParts(ms) {
      let text = '';
      let period = '';
      let periodFirst = false;
      for (const part of time.formatToParts(ms)) {
        if (part.type === 'dayPeriod') {
          period = part.value;
          periodFirst = text.trim() === '';
        } else text += part.value;
      }
      return { time: text.trim(), period: period.trim(), periodFirst };
    },
    longDate: (ms) => formatter(locale, LONG_DATE, timeZone).format(ms),
    timeOfDay,
    dateTime: (ms) => formatter(locale, { month: 'short', day: 'numeric', ...TIME }, timeZone).format(ms),
    timeRangeParts(startMs, endMs) {
      const start = timeOfDay(startMs);
      if (endMs === null || endMs <= startMs) return { start, end: null };
      const startDay = dayKey(startMs, timeZone);
      const endDay = dayKey(endMs, timeZone);
      if (startDay === endDay) return { start, end: timeOfDay(endMs) };
      const week = daysBetween(startDay, endDay) < 7;
      const day = formatter(locale, week ? { weekday: 'short' } : { month: 'short', day: 'numeric' }, timeZone);
      const separator = week ? ' ' : ', ';
      return { start: `${day.format(startMs)}${separator}${start}`, end: `${day.format(endMs)}${separator}${timeOfDay(endMs)}` };
    },
    timeRange(startMs, endMs) {
      const { start, end } = formats.timeRangeParts(startMs, endMs);
      if (end === null) return start;
      if (endMs !== null && dayKey(startMs, timeZone) === dayKey(endMs, timeZone)) return sameDayRange(startMs, endMs);
      return `${start} – ${end}`;
    },
    dayHeading(key, todayKey) {
      const noon = keyToUtcNoon(key);
      const date = formatter(locale, LONG_DATE, 'UTC').format(noon);
      const offset = daysBetween(todayKey, key);
      if (offset === 0 || offset === 1) return { label: capitalise(relative.format(offset, 'day'), locale), date };
      return {
        label: capitalise(formatter(locale, { weekday: 'long' }, 'UTC').format(noon), locale),
        date: formatter(locale, { month: 'long', day: 'numeric' }, 'UTC').format(noon),
      };
    },
    ago(ms, now) {
      const minutes = Math.max(1, Math.floor((now - ms) / 60_000));
      if (minutes < 60) return relative.format(-minutes, 'minute');
      const hours = Math.floor(minutes / 60);
      if (hours < 24) return relative.format(-hours, 'hour');
      return relative.format(-Math.floor(hours / 24), 'day');
    },
    openingHours(rules) {
      const utcTime = formatter(locale, TIME, 'UTC');
      return rules.map((rule) => {
        const times = utcTime.formatRange(minutesDate(rule.opens), minutesDate(rule.closes));
        const days = dayRuns(rule.days)
          .map(([first, last]) => (first === last ? formats.weekday(first, 'short') : `${formats.weekday(first, 'short')}–${formats.weekday(last, 'short')}`))
          .join(', ');
        return days === '' ? times : `${days} ${times}`;
      });
    },
    weekday: (day, width) => formatter(locale, { weekday: width }, 'UTC').format(weekdayDate(day)),
  };
  return formats;
}

/** Days in the week's order from Monday, as runs of consecutive days: [1,2,3,5] → [[1,3],[5,5]]. */
function dayRuns(days: readonly number[]): [number, number][] {
  const order = [1, 2, 3, 4, 5, 6, 0];
  const present = order.filter((day) => days.includes(day));
  const runs: [number, number][] = [];
  for (const day of present) {
    const last = runs[runs.length - 1];
    // A run needs three days to read as one ("Mon–Wed"); two stay a list ("Tue, Wed").
    if (last !== undefined && order.indexOf(day) === order.indexOf(last[1]) + 1) last[1] = day;
    else runs.push([day, day]);
  }
  return runs.flatMap(([first, last]) =>
    order.indexOf(last) - order.indexOf(first) === 1 ? ([[first, first], [last, last]] as [number, number][]) : [[first, last] as [number, number]],
  );
}

const keyFormatter = new Map<string, Intl.DateTimeFormat>();

/** The calendar day of an instant in the kiosk's zone, as "YYYY-MM-DD". */
export function dayKey(ms: number, timeZone?: string): string {
  let fmt = keyFormatter.get(timeZone ?? '');
  if (fmt === undefined) {
    fmt = formatter('en-US', { year: 'numeric', month: '2-digit', day: '2-digit' }, timeZone);
    keyFormatter.set(timeZone ?? '', fmt);
  }
  let year = '';
  let month = '';
  let day = '';
  for (const part of fmt.formatToParts(ms)) {
    if (part.type === 'year') year = part.value;
    else if (part.type === 'month') month = part.value;
    else if (part.type === 'day') day = part.value;
  }
  return `${year.padStart(4, '0')}-${month}-${day}`;
}

function keyToUtcNoon(key: string): number {
  const [year = 1970, month = 1, day = 1] = key.split('-').map(Number);
  return Date.UTC(year, month - 1, day, 12);
}

/** Calendar arithmetic on day keys (no 24-hour steps, which DST days break). */
export function addDays(key: string, days: number): string {
  return new Date(keyToUtcNoon(key) + days * 86_400_000).toISOString().slice(0, 10);
}

export function daysBetween(fromKey: string, toKey: string): number {
  return Math.round((keyToUtcNoon(toKey) - keyToUtcNoon(fromKey)) / 86_400_000);
}
