import { describe, expect, it } from 'vitest';
import type { KioskEvent } from '../../renderer/src/lib/content.ts';
import { FEW_TODAY, groupByDay, homeEvents, isOngoing, todaysEvents, upcomingEvents } from '../../renderer/src/lib/schedule.ts';

const TZ = 'UTC';
const H = 3_600_000;
const NOW = Date.parse('2025-11-28T12:00:00Z');
let id = 0;
const ev = (startOffsetH: number, endOffsetH: number | null, title = `e${++id}`): KioskEvent => ({
  id: String(++id),
  title,
  startsAt: NOW + startOffsetH * H,
  endsAt: endOffsetH === null ? null : NOW + endOffsetH * H,
  location: '',
  description: '',
  floor: '',
  room: '',
  url: null,
  floorPlan: null,
});

describe('schedule', () => {
  const past = ev(-3, -1, 'past');
  const running = ev(-1, 1, 'running');
  const noEndJustStarted = ev(-0.5, null, 'no end, started');
  const noEndLongAgo = ev(-2, null, 'no end, over');
  const later = ev(3, 4, 'later today');
  const tomorrow = ev(24, 25, 'tomorrow');
  const multiDay = ev(-30, 2, 'since yesterday');
  const all = [tomorrow, later, past, running, noEndJustStarted, noEndLongAgo, multiDay];

  it('drops what is over; an event without an end lasts an hour', () => {
    const titles = upcomingEvents(all, NOW).map((e) => e.title);
    expect(titles).toEqual(['since yesterday', 'running', 'no end, started', 'later today', 'tomorrow']);
    expect(isOngoing(running, NOW)).toBe(true);
    expect(isOngoing(later, NOW)).toBe(false);
  });

  it("today's events include what is under way", () => {
    expect(todaysEvents(all, NOW, TZ).map((e) => e.title)).toEqual(['since yesterday', 'running', 'no end, started', 'later today']);
  });

  it('groups by day, listing a running multi-day event under today', () => {
    const groups = groupByDay(all, NOW, TZ);
    expect(groups.map((g) => [g.key, g.events.length])).toEqual([
      ['2025-11-28', 4],
      ['2025-11-29', 1],
    ]);
  });

  it('lists a bounded number of events', () => {
    const many = Array.from({ length: 200 }, (_, i) => ev(i, i + 0.5));
    expect(groupByDay(many, NOW, TZ).reduce((n, g) => n + g.events.length, 0)).toBe(60);
  });

  it('home: with few events left today, also what comes after today, never twice', () => {
    const titles = (list: KioskEvent[]) => list.map((e) => e.title);
    const few = [ev(-1, 1, 'now'), ev(30, 31, 'day after'), ev(24, 25, 'tomorrow'), ev(-3, -2, 'over')];
    const home = homeEvents(few, NOW, { todayLimit: 6, comingUpLimit: 4, timeZone: TZ });
    expect(titles(home.today)).toEqual(['now']);
    expect(titles(home.comingUp)).toEqual(['tomorrow', 'day after']);
    expect(titles(homeEvents(few, NOW, { todayLimit: 6, comingUpLimit: 1, timeZone: TZ }).comingUp)).toEqual(['tomorrow']);
  });

  it('home: a full day lists only today, up to its limit', () => {
    const busy = [...Array.from({ length: FEW_TODAY + 5 }, (_, i) => ev(0.1 * i + 0.1, 0.1 * i + 0.5)), ev(24, 25, 'tomorrow')];
    const home = homeEvents(busy, NOW, { todayLimit: 6, comingUpLimit: 4, timeZone: TZ });
    expect(home.today).toHaveLength(6);
    expect(home.comingUp).toEqual([]);
  });

  it('home: nothing left today, the next ones', () => {
    const home = homeEvents([ev(-3, -2), ev(24, 25, 'tomorrow')], NOW, { todayLimit: 6, comingUpLimit: 4, timeZone: TZ });
    expect(home.today).toEqual([]);
    expect(home.comingUp.map((e) => e.title)).toEqual(['tomorrow']);
  });
});
