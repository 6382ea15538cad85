import { describe, expect, it } from 'vitest';
import { addDays, clockParts, dayHeading, dayKey, daysBetween, longDate, timeRange, timeRangeParts } from '../../renderer/src/lib/format.ts';

const TZ = 'America/Los_Angeles';
const at = (iso: string) => Date.parse(iso);
// ICU may use narrow no-break or thin spaces around times and dashes.
const plain = (text: string) => text.replace(/[\u202F\u2009\u00A0]/g, ' ');

describe('format', () => {
  it('splits the clock into time and period', () => {
    expect(clockParts(at('2025-11-28T22:05:00Z'), TZ)).toEqual({ time: '2:05', period: 'PM' });
    expect(clockParts(at('2025-11-28T08:00:00Z'), TZ)).toEqual({ time: '12:00', period: 'AM' });
  });

  it('writes the long date in the kiosk zone', () => {
    expect(longDate(at('2025-11-29T06:30:00Z'), TZ)).toBe('Friday, November 28');
  });

  it('formats time ranges within a day, across days and without an end', () => {
    expect(plain(timeRange(at('2025-11-28T22:00:00Z'), at('2025-11-29T01:00:00Z'), TZ))).toBe('2:00 – 5:00 PM');
    expect(plain(timeRange(at('2025-11-28T17:30:00Z'), at('2025-11-28T20:00:00Z'), TZ))).toBe('9:30 AM – 12:00 PM');
    expect(plain(timeRange(at('2025-11-28T22:00:00Z'), null, TZ))).toBe('2:00 PM');
    expect(plain(timeRange(at('2025-11-28T22:00:00Z'), at('2025-11-29T18:00:00Z'), TZ))).toBe('Fri 2:00 PM – Sat 10:00 AM');
    expect(plain(timeRange(at('2025-11-28T22:00:00Z'), at('2025-12-10T18:00:00Z'), TZ))).toBe('Nov 28, 2:00 PM – Dec 10, 10:00 AM');
  });

  it('gives the two ends of a range separately for the cards', () => {
    const parts = timeRangeParts(at('2025-11-28T17:30:00Z'), at('2025-11-28T20:00:00Z'), TZ);
    expect({ start: plain(parts.start), end: plain(parts.end ?? '') }).toEqual({ start: '9:30 AM', end: '12:00 PM' });
    expect(timeRangeParts(at('2025-11-28T17:30:00Z'), null, TZ).end).toBeNull();
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
    expect(dayHeading('2025-11-28', '2025-11-28')).toEqual({ label: 'Today', date: 'Friday, November 28' });
    expect(dayHeading('2025-11-29', '2025-11-28')).toEqual({ label: 'Tomorrow', date: 'Saturday, November 29' });
    expect(dayHeading('2025-12-02', '2025-11-28')).toEqual({ label: 'Tuesday', date: 'December 2' });
  });
});
