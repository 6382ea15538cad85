// Which events to show and how to group them. An event without an end is taken to last
// an hour: long enough to still be listed while it runs, short enough to drop off after.
import type { KioskEvent } from './content.ts';
import { dayKey } from './format.ts';

const ASSUMED_DURATION_MS = 60 * 60_000;
/** The events screen lists at most this many; a lobby screen is not an archive. */
export const MAX_LISTED_EVENTS = 60;

export function endOf(event: KioskEvent): number {
  return event.endsAt ?? event.startsAt + ASSUMED_DURATION_MS;
}

export function isOngoing(event: KioskEvent, now: number): boolean {
  return event.startsAt <= now && now < endOf(event);
}

/** Events not yet over, soonest first. */
export function upcomingEvents(events: readonly KioskEvent[], now: number): KioskEvent[] {
  return events
    .filter((event) => endOf(event) > now)
    .sort((a, b) => a.startsAt - b.startsAt || a.title.localeCompare(b.title, 'en'));
}

/** Today's events still to come or under way, soonest first. */
export function todaysEvents(events: readonly KioskEvent[], now: number, timeZone?: string): KioskEvent[] {
  const today = dayKey(now, timeZone);
  return upcomingEvents(events, now).filter((event) => event.startsAt <= now || dayKey(event.startsAt, timeZone) === today);
}

/** Below this many events left today, the home screen also shows what comes after. */
export const FEW_TODAY = 3;

/**
 * What the home screen lists: today's events still to come or under way (up to `todayLimit`)
 * and, when today has fewer than FEW_TODAY left, the next ones after today (up to
 * `comingUpLimit`), so that a visitor in the late afternoon still sees what is on this week.
 */
export function homeEvents(
  events: readonly KioskEvent[],
  now: number,
  { todayLimit, comingUpLimit, timeZone }: { todayLimit: number; comingUpLimit: number; timeZone?: string },
): { today: KioskEvent[]; comingUp: KioskEvent[] } {
  const today = todaysEvents(events, now, timeZone);
  if (today.length >= FEW_TODAY) return { today: today.slice(0, todayLimit), comingUp: [] };
  const listed = new Set(today);
  const comingUp = upcomingEvents(events, now)
    .filter((event) => !listed.has(event))
    .slice(0, comingUpLimit);
  return { today: today.slice(0, todayLimit), comingUp };
}

export interface DayGroup {
  key: string;
  events: KioskEvent[];
}

/** Upcoming events by day; something that began earlier and still runs is listed under today. */
export function groupByDay(events: readonly KioskEvent[], now: number, timeZone?: string, limit = MAX_LISTED_EVENTS): DayGroup[] {
  const today = dayKey(now, timeZone);
  const groups: DayGroup[] = [];
  for (const event of upcomingEvents(events, now).slice(0, limit)) {
    const start = dayKey(event.startsAt, timeZone);
    const key = start < today ? today : start;
    const last = groups[groups.length - 1];
    if (last !== undefined && last.key === key) last.events.push(event);
    else groups.push({ key, events: [event] });
  }
  return groups;
}
