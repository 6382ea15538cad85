import { describe, expect, it } from 'vitest';
import { addDays, dayKey, daysBetween, formatsFor } from '../../renderer/src/lib/format.ts';
import type { OpeningRule } from '../../renderer/src/lib/hours.ts';

const TZ = 'America/Los_Angeles';
const at = (iso: string) => Date.parse(iso);
// ICU may use narrow no-break or thin spaces around times and dashes.
const plain = (text: string) => text.replace(/[\u202F\u2009\u00A0]/g, ' ');
const en = formatsFor('en-US', TZ);
const WEEKDAYS_8_TO_4: OpeningRule[] = [{ days: [1, 2, 3, 4, 5], opens: 480, closes: 960 }];

describe('format (English)', () => {
  it('splits the clock into time and period', () => {
    expect(en.clockParts(at('2025-11-28T22:05:00Z'))).toEqual({ time: '2:05', period: 'PM', periodFirst: false });
    expect(en.clockParts(at('2025-11-28T08:00:00Z'))).toEqual({ time: '12:00', period: 'AM', periodFirst: false });
  });

  it('writes the long date in the kiosk zone', () => {
    expect(en.longDate(at('2025-11-29T06:30:00Z'))).toBe('Friday, November 28');
  });

  it('formats time ranges within a day, across days and without an end', () => {
    expect(plain(en.timeRange(at('2025-11-28T22:00:00Z'), at('2025-11-29T01:00:00Z')))).toBe('2:00 – 5:00 PM');
    expect(plain(en.timeRange(at('2025-11-28T17:30:00Z'), at('2025-11-28T20:00:00Z')))).toBe('9:30 AM – 12:00 PM');
    expect(plain(en.timeRange(at('2025-11-28T22:00:00Z'), null))).toBe('2:00 PM');
    expect(plain(en.timeRange(at('2025-11-28T22:00:00Z'), at('2025-11-29T18:00:00Z')))).toBe('Fri 2:00 PM – Sat 10:00 AM');
    expect(plain(en.timeRange(at('2025-11-28T22:00:00Z'), at('2025-12-10T18:00:00Z')))).toBe('Nov 28, 2:00 PM – Dec 10, 10:00 AM');
  });

  it('gives the two ends of a range separately for the cards', () => {
    const parts = en.timeRangeParts(at('2025-11-28T17:30:00Z'), at('2025-11-28T20:00:00Z'));
    expect({ start: plain(parts.start), end: plain(parts.end ?? '') }).toEqual({ start: '9:30 AM', end: '12:00 PM' });
    expect(en.timeRangeParts(at('2025-11-28T17:30:00Z'), null).end).toBeNull();
  });

  it('computes calendar days in the kiosk zone, safely across DST changes', () => {
    expect(dayKey(at('2025-11-29T06:30:00Z'), TZ)).toBe('2025-11-28');
    expect(dayKey(at('2025-11-29T06:30:00Z'), 'UTC')).toBe('2025-11-29');
    expect(addDays('2025-03-08', 1)).toBe('2025-03-09');
    expect(addDays('2025-03-09', 1)).toBe('2025-03-10');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(daysBetween('2025-11-01', '2025-11-03')).toBe(2);
    expect(daysBetween('2025-03-08', '2025-03-10')).toBe(2);
  });

  it('labels days relative to today', () => {
    expect(en.dayHeading('2025-11-28', '2025-11-28')).toEqual({ label: 'Today', date: 'Friday, November 28' });
    expect(en.dayHeading('2025-11-29', '2025-11-28')).toEqual({ label: 'Tomorrow', date: 'Saturday, November 29' });
    expect(en.dayHeading('2025-12-02', '2025-11-28')).toEqual({ label: 'Tuesday', date: 'December 2' });
  });

  it('writes opening hours in the same 12-hour style as the clock', () => {
    expect(en.openingHours([{ days: [1, 2, 3, 4, 5], opens: 480, closes: 1020 }]).map(plain)).toEqual(['Mon–Fri 8:00 AM – 5:00 PM']);
    const split: OpeningRule[] = [
      { days: [1, 2, 3, 4, 5], opens: 480, closes: 720 },
      { days: [4], opens: 840, closes: 1080 },
    ];
    expect(en.openingHours(split).map(plain)).toEqual(['Mon–Fri 8:00 AM – 12:00 PM', 'Thu 2:00 – 6:00 PM']);
    // Two days in a row stay a list; three or more are a range; Sunday comes last in the week.
    expect(en.openingHours([{ days: [0, 2, 3], opens: 540, closes: 720 }]).map(plain)).toEqual(['Tue, Wed, Sun 9:00 AM – 12:00 PM']);
    expect(en.openingHours([{ days: [6, 0], opens: 600, closes: 840 }]).map(plain)).toEqual(['Sat, Sun 10:00 AM – 2:00 PM']);
  });

  it('says how old something is', () => {
    const now = at('2025-11-28T12:00:00Z');
    expect(en.ago(now - 12 * 60_000, now)).toBe('12 minutes ago');
    expect(en.ago(now - 10_000, now)).toBe('1 minute ago');
    expect(en.ago(now - 3 * 3_600_000, now)).toBe('3 hours ago');
  });
});

describe('format in the other languages', () => {
  const es = formatsFor('es-US', TZ);
  const zh = formatsFor('zh-Hant', TZ);
  const fil = formatsFor('fil-PH', TZ);
  const afternoon = at('2025-11-28T22:05:00Z');

  it('writes the clock and dates in each language', () => {
    expect(plain(es.timeOfDay(afternoon))).toBe('2:05 p.m.');
    expect(es.longDate(afternoon)).toBe('viernes, 28 de noviembre');
    expect(zh.clockParts(afternoon)).toEqual({ time: '2:05', period: '下午', periodFirst: true });
    expect(zh.longDate(afternoon)).toBe('11月28日星期五');
    expect(plain(fil.timeOfDay(afternoon))).toBe('2:05 PM');
    expect(fil.longDate(afternoon)).toBe('Biyernes, Nobyembre 28');
  });

  it('says today and tomorrow in each language, capitalised as a heading', () => {
    expect(es.dayHeading('2025-11-28', '2025-11-28').label).toBe('Hoy');
    expect(es.dayHeading('2025-11-29', '2025-11-28').label).toBe('Mañana');
    expect(es.dayHeading('2025-12-02', '2025-11-28').label).toBe('Martes');
    expect(zh.dayHeading('2025-11-29', '2025-11-28').label).toBe('明天');
  });

  it('writes opening hours with the language\'s own day names', () => {
    const rules = WEEKDAYS_8_TO_4;
    expect(es.openingHours(rules).map(plain)).toEqual(['lun–vie 8:00 a.m. – 4:00 p.m.']);
    expect(zh.openingHours(rules)[0]).toMatch(/^週一–週五 上午8:00\s*[至–-]\s*下午4:00$/);
  });
});
