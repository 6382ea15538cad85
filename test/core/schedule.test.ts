// The schedule engine over the wall clock: day patterns, windows across midnight, DST in
// both directions (America/Los_Angeles 2026: clocks go 02:00 → 03:00 on 8 March and
// 02:00 → 01:00 on 1 November), and the config's checks on a schedule, by key path.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/load.ts';
import { ConfigError } from '../../core/errors.ts';
import {
  coveredMinutes,
  displayOffAt,
  localTime,
  MINUTES_PER_WEEK,
  nextLocalMinute,
  nextTransitions,
  parseDays,
  parseTime,
  windowIntervals,
  type DisplaySchedule,
} from '../../core/schedule.ts';

const LA = 'America/Los_Angeles';

function schedule(zone: string, windows: [string, string, string][]): DisplaySchedule {
  return {
    zone,
    intervals: windows.flatMap(([days, from, to]) => windowIntervals(parseDays(days) as number[], parseTime(from) as number, parseTime(to) as number)),
  };
}

const at = (iso: string) => Date.parse(iso);

describe('day patterns and times', () => {
  it.each([
    ['mon-fri', [0, 1, 2, 3, 4]],
    ['sat,sun', [5, 6]],
    ['Mon, wed-fri', [0, 2, 3, 4]],
    ['fri-mon', [0, 4, 5, 6]],
    ['daily', [0, 1, 2, 3, 4, 5, 6]],
    ['sun', [6]],
  ])('reads %j', (text, days) => {
    expect(parseDays(text)).toEqual(days);
  });

  it.each(['funday', 'mon-', 'mon-tue-wed', '', 'monday'])('refuses %j with a reason', (text) => {
    expect(typeof parseDays(text)).toBe('string');
  });

  it('reads HH:MM from 00:00 to 24:00 and nothing else', () => {
    expect(parseTime('00:00')).toBe(0);
    expect(parseTime('07:30')).toBe(450);
    expect(parseTime('24:00')).toBe(1440);
    for (const bad of ['7:00', '24:01', '12:60', '1200', 'noon']) expect(typeof parseTime(bad)).toBe('string');
  });
});

describe('display-off windows', () => {
  const weeknights = schedule('UTC', [['mon-fri', '19:00', '07:00']]);

  it('are off from "from" on the listed days until "to", crossing midnight into the next day', () => {
    // 2026-12-04 is a Friday.
    expect(displayOffAt(weeknights, at('2026-12-04T18:59:00Z'))).toBe(false);
    expect(displayOffAt(weeknights, at('2026-12-04T19:00:00Z'))).toBe(true);
    expect(displayOffAt(weeknights, at('2026-12-05T06:59:00Z'))).toBe(true); // Saturday morning: Friday's window
    expect(displayOffAt(weeknights, at('2026-12-05T07:00:00Z'))).toBe(false);
    expect(displayOffAt(weeknights, at('2026-12-06T23:00:00Z'))).toBe(false); // Sunday night: not listed
    expect(displayOffAt(weeknights, at('2026-12-07T06:00:00Z'))).toBe(false); // Monday morning: Sunday's night
  });

  it('wrap from Sunday into Monday', () => {
    const sundayNight = schedule('UTC', [['sun', '22:00', '06:00']]);
    expect(displayOffAt(sundayNight, at('2026-12-06T23:00:00Z'))).toBe(true);
    expect(displayOffAt(sundayNight, at('2026-12-07T05:59:00Z'))).toBe(true);
    expect(displayOffAt(sundayNight, at('2026-12-07T06:00:00Z'))).toBe(false);
  });

  it('cover the whole day from 00:00 to 24:00', () => {
    const weekend = schedule('UTC', [['sat,sun', '00:00', '24:00']]);
    expect(displayOffAt(weekend, at('2026-12-05T00:00:00Z'))).toBe(true);
    expect(displayOffAt(weekend, at('2026-12-06T23:59:00Z'))).toBe(true);
    expect(displayOffAt(weekend, at('2026-12-07T00:00:00Z'))).toBe(false);
  });

  it('are read on the local wall clock', () => {
    const la = schedule(LA, [['mon-fri', '19:00', '07:00']]);
    // Friday 19:00 in Los Angeles (PST, UTC-8) is Saturday 03:00 UTC.
    expect(displayOffAt(la, at('2026-12-05T02:59:00Z'))).toBe(false);
    expect(displayOffAt(la, at('2026-12-05T03:00:00Z'))).toBe(true);
  });

  it('last an hour longer on the night clocks go back, and an hour shorter when they go forward', () => {
    const nightly = schedule(LA, [['daily', '19:00', '07:00']]);
    const [off, on] = nextTransitions(nightly, at('2026-10-31T12:00:00-07:00'), 2);
    expect(off).toEqual({ at: at('2026-10-31T19:00:00-07:00'), what: 'display off' });
    expect(on).toEqual({ at: at('2026-11-01T07:00:00-08:00'), what: 'display on' });
    expect((on!.at - off!.at) / 3_600_000).toBe(13);
    const [springOff, springOn] = nextTransitions(nightly, at('2026-03-07T12:00:00-08:00'), 2);
    expect((springOn!.at - springOff!.at) / 3_600_000).toBe(11);
  });

  it('that start in the hour clocks skip begin when it ends; in the repeated hour they hold both times', () => {
    const skipped = schedule(LA, [['sun', '02:30', '04:00']]);
    expect(displayOffAt(skipped, at('2026-03-08T01:59:00-08:00'))).toBe(false);
    expect(displayOffAt(skipped, at('2026-03-08T03:00:00-07:00'))).toBe(true);
    const repeated = schedule(LA, [['sun', '01:15', '01:45']]);
    expect(displayOffAt(repeated, at('2026-11-01T01:30:00-07:00'))).toBe(true);
    expect(displayOffAt(repeated, at('2026-11-01T01:30:00-08:00'))).toBe(true);
    expect(displayOffAt(repeated, at('2026-11-01T01:50:00-08:00'))).toBe(false);
  });

  it('lists the next transitions in order', () => {
    // Monday noon UTC.
    const transitions = nextTransitions(weeknights, at('2026-11-30T12:00:00Z'), 4);
    expect(transitions.map((t) => [new Date(t.at).toISOString(), t.what])).toEqual([
      ['2026-11-30T19:00:00.000Z', 'display off'],
      ['2026-12-01T07:00:00.000Z', 'display on'],
      ['2026-12-01T19:00:00.000Z', 'display off'],
      ['2026-12-02T07:00:00.000Z', 'display on'],
    ]);
  });

  it('count the minutes of the week they cover, overlaps once', () => {
    expect(coveredMinutes(windowIntervals([0, 1, 2, 3, 4, 5, 6], 0, 1440))).toBe(MINUTES_PER_WEEK);
    expect(coveredMinutes([...windowIntervals([0], 0, 600), ...windowIntervals([0], 300, 900)])).toBe(900);
    expect(coveredMinutes(windowIntervals([6], 1380, 60))).toBe(120);
  });
});

describe('the restart window', () => {
  it('opens at the local minute, and just after the gap when clocks skip it', () => {
    expect(nextLocalMinute('UTC', 210, at('2026-12-02T00:00:00Z'))).toBe(at('2026-12-02T03:30:00Z'));
    expect(nextLocalMinute('UTC', 210, at('2026-12-02T03:31:00Z'))).toBe(at('2026-12-03T03:30:00Z'));
    expect(nextLocalMinute(LA, 150, at('2026-03-08T00:00:00-08:00'))).toBe(at('2026-03-08T03:00:00-07:00'));
    expect(nextLocalMinute(LA, 90, at('2026-11-01T00:00:00-07:00'))).toBe(at('2026-11-01T01:30:00-07:00'));
  });

  it('sees the local date and weekday of an instant', () => {
    expect(localTime(at('2026-12-05T03:00:00Z'), LA)).toMatchObject({ date: '2026-12-04', weekday: 4, minute: 19 * 60 });
  });
});

describe('a schedule in the config', () => {
  const base = {
    kioskId: 'k-1',
    upstream: { ws: { url: 'wss://x.example/ws/', token: 'Token abcdefghijklmnop' }, api: { url: 'https://x.example/api/', token: 'Token abcdefghijklmnop' } },
  };
  const problems = (schedule: unknown): string[] => {
    try {
      loadConfig({ env: {}, cli: { ...base, schedule } });
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return [...error.problems];
      throw error;
    }
  };

  it('takes the brief\'s example', () => {
    expect(
      problems({
        timezone: LA,
        displayOff: [
          { days: 'mon-fri', from: '19:00', to: '07:00' },
          { days: 'sat,sun', from: '00:00', to: '24:00' },
        ],
        restart: { at: '03:30', jitterMinutes: 20 },
        wakeOnTouchMinutes: 5,
      }),
    ).toEqual([]);
  });

  it('names each problem by its key path', () => {
    expect(
      problems({
        timezone: 'Mars/Olympus_Mons',
        displayOff: [
          { days: 'funday', from: '19:00', to: '07:00' },
          { days: 'mon', from: '25:00', to: '07:00' },
          { days: 'tue', from: '08:00', to: '08:00' },
        ],
        restart: { at: 'midnight' },
      })
        .map((p) => p.split(':')[0])
        .sort(),
    ).toEqual(['schedule.displayOff[0].days', 'schedule.displayOff[1].from', 'schedule.displayOff[2].to', 'schedule.restart.at', 'schedule.timezone']);
    expect(problems({ displayOff: [{ days: 'tue', from: '08:00', to: '08:00' }] })).toEqual([
      'schedule.displayOff[0].to: must differ from "from" (for a whole day write "00:00" to "24:00")',
    ]);
  });

  it('takes windows that overlap (their union is off), but refuses one that adds nothing to another', () => {
    expect(
      problems({
        displayOff: [
          { days: 'mon-fri', from: '19:00', to: '07:00' },
          { days: 'sat', from: '06:00', to: '09:00' },
        ],
      }),
    ).toEqual([]);
    expect(
      problems({
        displayOff: [
          { days: 'daily', from: '19:00', to: '07:00' },
          { days: 'tue', from: '20:00', to: '23:00' },
          { days: 'mon-fri', from: '12:00', to: '13:00' },
          { days: 'mon-fri', from: '12:00', to: '13:00' },
        ],
      }),
    ).toEqual([
      'schedule.displayOff[1]: lies wholly inside displayOff[0], so it changes nothing; remove it or correct its days and times',
      'schedule.displayOff[3]: lies wholly inside displayOff[2], so it changes nothing; remove it or correct its days and times',
    ]);
  });

  it('refuses a schedule that keeps the display off all week, unless it says so', () => {
    const allWeek = [
      { days: 'mon-fri', from: '07:00', to: '19:00' },
      { days: 'mon-fri', from: '19:00', to: '07:00' },
      { days: 'sat,sun', from: '07:00', to: '19:00' },
      { days: 'sat,sun', from: '19:00', to: '07:00' },
    ];
    expect(problems({ displayOff: allWeek })).toEqual(['schedule.displayOff: keeps the display off all week; if that is meant, set schedule.allowAlwaysOff to true']);
    expect(problems({ displayOff: allWeek, allowAlwaysOff: true })).toEqual([]);
  });
});
