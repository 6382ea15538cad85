import { describe, expect, it } from 'vitest';
import { announcementText } from '../../renderer/src/lib/announcements.ts';
import { parseUpstreamMessage } from '../../renderer/src/lib/upstream-messages.ts';

const parse = (value: Record<string, unknown>) => parseUpstreamMessage(value);

describe('parseUpstreamMessage', () => {
  it('reads content.updated and announcements', () => {
    expect(parse({ type: 'content.updated', extra: 1 })).toEqual({ type: 'content.updated' });
    expect(parse({ type: 'announcement', text: 'Closed at 3', level: 'urgent' })).toEqual({
      type: 'announcement',
      announcement: { id: 'unnamed:urgent', text: { en: 'Closed at 3' }, level: 'urgent', startsAt: null, endsAt: null },
    });
    expect(parse({ type: 'announcement', text: 'Hello', level: 'shouting' })).toMatchObject({ announcement: { level: 'info' } });
    expect(parse({ type: 'announcement.withdrawn', id: 'a-7' })).toEqual({ type: 'announcement.withdrawn', id: 'a-7' });
    expect(parse({ type: 'announcement.withdrawn' })).toBeNull();
    expect(parse({ type: 'announcement', text: '   ' })).toBeNull();
    expect(parse({ type: 'announcement', text: { html: '<b>' } })).toBeNull();
  });

  it('ignores everything else', () => {
    for (const message of [{ type: 'kiosk.reset', id: 'r' }, { type: 'weather' }, { type: 7 }, {}]) expect(parse(message)).toBeNull();
  });
});

describe('announcementText', () => {
  it('flattens to one bounded line of plain text', () => {
    expect(announcementText('  Line one\n\tline two  ')).toBe('Line one line two');
    expect(announcementText('a\u202Eb')).toBe('a b');
    const long = announcementText('word '.repeat(200)) ?? '';
    expect(long.length).toBeLessThanOrEqual(400);
    expect(long.endsWith('…')).toBe(true);
  });
});
