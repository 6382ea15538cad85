import { describe, expect, it } from 'vitest';
import { AnnouncementBoard, type AnnouncementItem, announcementTextFor, parseAnnouncement, parseAnnouncementList } from '../../renderer/src/lib/announcements.ts';

const T0 = Date.parse('2025-11-28T10:00:00Z');
const item = (id: string, patch: Partial<AnnouncementItem> = {}): AnnouncementItem => ({ id, level: 'info', text: { en: id }, startsAt: null, endsAt: null, ...patch });

describe('parseAnnouncement', () => {
  it('reads the frame: id, level, text per language, start and end', () => {
    expect(parseAnnouncement({ type: 'announcement', id: 'a-7', level: 'urgent', text: { en: 'Fire drill', es: 'Simulacro', 'zh-hant': '演習', 'es-US': 'Simulacro (US)', html: '<b>' }, startsAt: '2025-11-28T10:00:00Z', endsAt: '2025-11-28T11:00:00Z' })).toEqual({
      id: 'a-7',
      level: 'urgent',
      text: { en: 'Fire drill', es: 'Simulacro (US)', 'zh-Hant': '演習' },
      startsAt: T0,
      endsAt: T0 + 3_600_000,
    });
  });

  it('refuses what it cannot read rather than guess', () => {
    expect(parseAnnouncement({ id: 'x', text: '' })).toBeNull();
    expect(parseAnnouncement({ id: 'x', text: { html: '<b>' } })).toBeNull();
    expect(parseAnnouncement({ id: 'x', text: 'Hi', endsAt: 'tomorrow' })).toBeNull();
    expect(parseAnnouncementList({ not: 'a list' })).toBeNull();
    expect(parseAnnouncementList([{ id: 'a', text: 'x' }, { id: 'a', text: 'y' }, 7])).toHaveLength(1);
  });

  it('speaks the visitor\'s language, else English, else what there is', () => {
    const a = item('a', { text: { en: 'Closed', es: 'Cerrado' } });
    expect(announcementTextFor(a, 'es')).toBe('Cerrado');
    expect(announcementTextFor(a, 'fil')).toBe('Closed');
    expect(announcementTextFor(item('b', { text: { es: 'Solo español' } }), 'zh-Hant')).toBe('Solo español');
  });
});

describe('AnnouncementBoard', () => {
  it('shows urgent ones first, newest first, and only between start and end', () => {
    const board = new AnnouncementBoard();
    board.receive(item('old-info'));
    board.receive(item('urgent', { level: 'urgent' }));
    board.receive(item('new-info'));
    board.receive(item('later', { startsAt: T0 + 60_000 }));
    board.receive(item('over', { endsAt: T0 }));
    expect(board.active(T0).map((a) => a.id)).toEqual(['urgent', 'new-info', 'old-info']);
    expect(board.nextChange(T0)).toBe(T0 + 60_000);
    expect(board.active(T0 + 60_000).map((a) => a.id)).toContain('later');
  });

  it('never ends one on a timer of its own: only a withdrawal, the API dropping it, or its endsAt', () => {
    const board = new AnnouncementBoard();
    board.receive(item('fire', { level: 'urgent' }));
    expect(board.active(T0 + 24 * 3_600_000).map((a) => a.id)).toEqual(['fire']);
    board.withdraw('fire');
    expect(board.active(T0)).toEqual([]);
  });

  it('takes the API\'s list as its whole current set, and a kept copy does not bring back a withdrawn one', () => {
    const board = new AnnouncementBoard();
    board.setFromApi([item('a'), item('b')]);
    board.receive(item('ws-only'));
    board.setFromApi([item('b')]);
    expect(board.active(T0).map((a) => a.id).sort()).toEqual(['b', 'ws-only']);
    board.withdraw('b');
    board.setFromApi([item('b')]); // e.g. the relay's kept copy from before the withdrawal
    expect(board.active(T0).map((a) => a.id)).toEqual(['ws-only']);
    board.setFromApi([]);
    board.setFromApi([item('b')]); // gone from the API, then back: a new announcement with that id
    expect(board.active(T0).map((a) => a.id).sort()).toEqual(['b', 'ws-only']);
  });

  it('an older upstream\'s frames without an id replace each other, per level', () => {
    const board = new AnnouncementBoard();
    board.receive(parseAnnouncement({ text: 'First' })!);
    board.receive(parseAnnouncement({ text: 'Second' })!);
    expect(board.active(T0).map((a) => a.text.en)).toEqual(['Second']);
  });
});
