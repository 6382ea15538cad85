// The running schedule on a clock the test turns: the display follows its windows, the
// daily restart comes once per night inside its window, a clock set back does not repeat
// it, a clock jumped over it does not skip it, and a DST gap moves it, not drops it.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../core/logger.ts';
import { describeNext, Scheduler } from '../../kiosk/scheduler.ts';
import { LogCapture } from '../support/kiosk.ts';

type Schedule = ConstructorParameters<typeof Scheduler>[0]['schedule'];

function schedule(overrides: Partial<Schedule> = {}): Schedule {
  return { timezone: 'UTC', displayOff: [], allowAlwaysOff: false, wakeOnTouchMinutes: 5, ...overrides };
}

function scheduler(s: Schedule, start: string, options: { stateFile?: string; random?: number } = {}) {
  let now = Date.parse(start);
  const display: boolean[] = [];
  const restarts: { id: string; deadline: number }[] = [];
  const sched = new Scheduler({
    schedule: s,
    display: { scheduled: (off) => Promise.resolve(void display.push(off)) },
    restart: (request) => restarts.push(request),
    logger: createLogger({ destination: new LogCapture() }),
    stateFile: options.stateFile,
    now: () => now,
    random: () => options.random ?? 0,
  });
  const at = (iso: string) => {
    now = Date.parse(iso);
    sched.tick();
  };
  // The first tick, as start() does.
  sched.tick();
  return { sched, display, restarts, at };
}

describe('the display schedule, running', () => {
  it('switches the display at each window\'s start and end', () => {
    const { display, at } = scheduler(schedule({ displayOff: [{ days: 'mon-fri', from: '19:00', to: '07:00' }] }), '2026-11-30T18:00:00Z');
    at('2026-11-30T18:59:30Z');
    at('2026-11-30T19:00:10Z');
    at('2026-12-01T06:59:50Z');
    at('2026-12-01T07:00:05Z');
    expect(display).toEqual([false, false, true, true, false]);
  });
});

describe('the daily restart', () => {
  const nightly = schedule({ restart: { at: '03:30', jitterMinutes: 20 } });

  it('comes once inside its window, at the chosen minute, with the window\'s end as its deadline', () => {
    const { restarts, at } = scheduler(nightly, '2026-12-02T03:00:00Z', { random: 0.5 });
    at('2026-12-02T03:29:00Z');
    at('2026-12-02T03:35:00Z');
    expect(restarts).toEqual([]);
    at('2026-12-02T03:40:20Z');
    at('2026-12-02T03:41:00Z');
    at('2026-12-02T03:50:00Z');
    expect(restarts).toEqual([{ id: 'schedule-restart-2026-12-02', deadline: Date.parse('2026-12-02T03:51:00Z') }]);
    at('2026-12-03T03:45:00Z');
    expect(restarts.map((r) => r.id)).toEqual(['schedule-restart-2026-12-02', 'schedule-restart-2026-12-03']);
  });

  it('does not come twice when the clock is set back into the window, nor in the process it restarted', () => {
    const stateFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'kiosk-schedule-')), 'schedule.json');
    const first = scheduler(nightly, '2026-12-02T03:20:00Z', { stateFile });
    first.at('2026-12-02T03:31:00Z');
    expect(first.restarts).toHaveLength(1);
    first.at('2026-12-02T03:25:00Z');
    first.at('2026-12-02T03:32:00Z');
    expect(first.restarts).toHaveLength(1);
    // The restart took the process with it; the new one starts inside the same window.
    const second = scheduler(nightly, '2026-12-02T03:33:00Z', { stateFile });
    second.at('2026-12-02T03:34:00Z');
    expect(second.restarts).toEqual([]);
  });

  it('counts a process that starts inside the window as that night\'s restart', () => {
    const { restarts, at } = scheduler(nightly, '2026-12-02T03:35:00Z');
    at('2026-12-02T03:45:00Z');
    expect(restarts).toEqual([]);
    at('2026-12-03T03:25:00Z');
    at('2026-12-03T03:50:00Z');
    expect(restarts).toHaveLength(1);
  });

  it('is not skipped when the clock jumps over the whole window: it comes at once', () => {
    const { restarts, at } = scheduler(nightly, '2026-12-02T03:10:00Z');
    at('2026-12-02T04:30:00Z');
    expect(restarts).toEqual([{ id: 'schedule-restart-2026-12-02', deadline: Date.parse('2026-12-02T04:30:00Z') }]);
  });

  it('is skipped for a night the kiosk was not running, and comes the next one', () => {
    const { restarts, at } = scheduler(nightly, '2026-12-02T05:00:00Z');
    at('2026-12-02T06:00:00Z');
    expect(restarts).toEqual([]);
    at('2026-12-03T03:30:00Z');
    expect(restarts).toHaveLength(1);
  });

  it('comes just after a DST gap that swallowed its minute, and once in a repeated hour', () => {
    const la = schedule({ timezone: 'America/Los_Angeles', restart: { at: '02:30', jitterMinutes: 0 } });
    const spring = scheduler(la, '2026-03-08T01:50:00-08:00');
    spring.at('2026-03-08T01:59:00-08:00');
    spring.at('2026-03-08T03:00:30-07:00');
    expect(spring.restarts.map((r) => r.id)).toEqual(['schedule-restart-2026-03-08']);

    const fall = scheduler(schedule({ timezone: 'America/Los_Angeles', restart: { at: '01:30', jitterMinutes: 10 } }), '2026-11-01T01:00:00-07:00');
    fall.at('2026-11-01T01:35:00-07:00');
    expect(fall.restarts).toHaveLength(1);
    fall.at('2026-11-01T01:35:00-08:00');
    expect(fall.restarts).toHaveLength(1);
  });
});

describe('the next transitions, in words', () => {
  it('names the display changes and the restart window on the schedule\'s clock', () => {
    const s = schedule({
      timezone: 'America/Los_Angeles',
      displayOff: [{ days: 'mon-fri', from: '19:00', to: '07:00' }],
      restart: { at: '03:30', jitterMinutes: 20 },
    });
    // Monday 30 November 2026, 12:00 in Los Angeles.
    expect(describeNext(s, Date.parse('2026-11-30T12:00:00-08:00'))).toBe('display off Mon 19:00, on Tue 07:00, restart Tue 03:30–03:50');
    expect(describeNext(schedule(), Date.now())).toBe('no display schedule and no daily restart');
  });
});
