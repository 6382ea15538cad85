import { describe, expect, it } from 'vitest';
import { parseShellToPage } from '../../protocol/page.ts';
import { announcementText } from '../../renderer/src/lib/announcements.ts';
import { parseShellMessage } from '../../renderer/src/lib/shell-messages.ts';

const parse = (value: unknown) => parseShellMessage(JSON.stringify(value));

describe('parseShellMessage', () => {
  it('reads the shell\'s own messages as protocol/ does', () => {
    const hello = { type: 'local.hello', protocol: 1, kioskId: 'lobby-1', version: '0.1.0', uplink: 'open', settings: { idleReturnHomeSeconds: 90, hideCursor: true } };
    expect(parse(hello)).toEqual(parseShellToPage(JSON.stringify(hello)));
    expect(parse({ type: 'local.home', id: 'c-1' })).toEqual({ type: 'local.home', id: 'c-1' });
    expect(parse({ type: 'local.uplink', state: 'exploded' })).toBeNull();
  });

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
    for (const data of ['reset', '[]', 'null', '"x"', '{', JSON.stringify({ type: 'kiosk.reset', id: 'r' }), JSON.stringify({ type: 'weather' })]) {
      expect(parseShellMessage(data)).toBeNull();
    }
    expect(parseShellMessage(new ArrayBuffer(4))).toBeNull();
    expect(parseShellMessage('x'.repeat(70_000))).toBeNull();
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
