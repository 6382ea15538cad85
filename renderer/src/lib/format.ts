// Dates and times for people standing in the lobby, via Intl only (no date library). The
// kiosk's wall clock and time zone are the building's; tests pass a zone explicitly.

export const LOCALE = 'en-US';

const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(options: Intl.DateTimeFormatOptions, timeZone: string | undefined): Intl.DateTimeFormat {
  const id = JSON.stringify([options, timeZone ?? '']);
  let existing = cache.get(id);
  if (existing === undefined) {
    existing = new Intl.DateTimeFormat(LOCALE, timeZone === undefined ? options : { ...options, timeZone });
    cache.set(id, existing);
  }
  return existing;
}

const TIME: Intl.DateTimeFormatOptions = { hour: 'numeric', minute: '2-digit' };

/** "2:05" and "PM", apart so the clock can set them in different sizes. */
export function clockParts(ms: number, timeZone?: string): { time: string; period: string } {
  let time = '';
  let period = '';
  for (const part of formatter(TIME, timeZone).formatToParts(ms)) {
    if (part.type === 'dayPeriod') period = part.value;
    else time += part.value;
  }
  return { time: time.trim(), period };
}

/** "Thursday, November 28" */
export function longDate(ms: number, timeZone?: string): string {
  return formatter({ weekday: 'long', month: 'long', day: 'numeric' }, timeZone).format(ms);
}

export function timeOfDay(ms: number, timeZone?: string): string {
  return formatter(TIME, timeZone).format(ms);
}

/**
 * The two ends of an event's time, each readable alone: "9:30 AM" and "12:00 PM" within a
 * day; "Fri 2:00 PM" and "Sat 10:00 AM" across days; "Nov 28, 2:00 PM" and "Dec 10, 10:00
 * AM" across weeks. `end` is null when there is none.
 */
export function timeRangeParts(startMs: number, endMs: number | null, timeZone?: string): { start: string; end: string | null } {
  const start = timeOfDay(startMs, timeZone);
  if (endMs === null || endMs <= startMs) return { start, end: null };
  const startDay = dayKey(startMs, timeZone);
  const endDay = dayKey(endMs, timeZone);
  if (startDay === endDay) return { start, end: timeOfDay(endMs, timeZone) };
  const week = daysBetween(startDay, endDay) < 7;
  const day = formatter(week ? { weekday: 'short' } : { month: 'short', day: 'numeric' }, timeZone);
  const separator = week ? ' ' : ', ';
  return { start: `${day.format(startMs)}${separator}${start}`, end: `${day.format(endMs)}${separator}${timeOfDay(endMs, timeZone)}` };
}

/** One line: "2:00 – 5:00 PM" within a day, "Fri 2:00 PM – Sat 10:00 AM" across days, "2:00 PM" with no end. */
export function timeRange(startMs: number, endMs: number | null, timeZone?: string): string {
  const { start, end } = timeRangeParts(startMs, endMs, timeZone);
  if (end === null) return start;
  if (endMs !== null && dayKey(startMs, timeZone) === dayKey(endMs, timeZone)) return formatter(TIME, timeZone).formatRange(startMs, endMs);
  return `${start} – ${end}`;
}

/** The calendar day of an instant in the kiosk's zone, as "YYYY-MM-DD". */
export function dayKey(ms: number, timeZone?: string): string {
  let year = '';
  let month = '';
  let day = '';
  for (const part of formatter({ year: 'numeric', month: '2-digit', day: '2-digit' }, timeZone).formatToParts(ms)) {
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

/** A day's heading relative to today: { label: "Tomorrow", date: "Friday, November 29" }. */
export function dayHeading(key: string, todayKey: string): { label: string; date: string } {
  const noon = keyToUtcNoon(key);
  const date = formatter({ weekday: 'long', month: 'long', day: 'numeric' }, 'UTC').format(noon);
  const offset = daysBetween(todayKey, key);
  if (offset === 0) return { label: 'Today', date };
  if (offset === 1) return { label: 'Tomorrow', date };
  return { label: formatter({ weekday: 'long' }, 'UTC').format(noon), date: formatter({ month: 'long', day: 'numeric' }, 'UTC').format(noon) };
}
