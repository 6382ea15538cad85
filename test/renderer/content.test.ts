import { describe, expect, it } from 'vitest';
import { parseEvent, parseList, parseOffice } from '../../renderer/src/lib/content.ts';

const event = { id: 7, title: 'Planning Commission', starts_at: '2025-11-28T13:00:00-08:00', ends_at: '2025-11-28T15:00:00-08:00', location: 'Room 400', description: 'Agenda.' };
const office = { id: 'clerk', name: 'County Clerk', floor: '1', room: '168', hours: 'Mon–Fri', phone: '(415) 554-4950', description: 'Licences.' };

describe('parseEvent', () => {
  it('reads a well-formed event', () => {
    expect(parseEvent(event)).toEqual({
      id: '7',
      title: 'Planning Commission',
      startsAt: Date.parse('2025-11-28T21:00:00Z'),
      endsAt: Date.parse('2025-11-28T23:00:00Z'),
      location: 'Room 400',
      description: 'Agenda.',
    });
  });

  it('accepts a null or missing end, and missing optional text', () => {
    expect(parseEvent({ ...event, ends_at: null })?.endsAt).toBeNull();
    const { ends_at: _e, location: _l, description: _d, ...bare } = event;
    expect(parseEvent(bare)).toMatchObject({ endsAt: null, location: '', description: '' });
  });

  it('drops an end that is not after the start', () => {
    expect(parseEvent({ ...event, ends_at: '2025-11-28T12:00:00-08:00' })?.endsAt).toBeNull();
  });

  it('skips malformed events', () => {
    for (const bad of [
      null,
      'event',
      [event],
      { ...event, id: undefined },
      { ...event, id: { nested: 1 } },
      { ...event, title: '' },
      { ...event, title: 42 },
      { ...event, starts_at: 'tomorrow' },
      { ...event, starts_at: '1' },
      { ...event, ends_at: 'later' },
      { ...event, location: ['a'] },
    ]) {
      expect(parseEvent(bad)).toBeNull();
    }
  });

  it('caps runaway text and strips control and bidi-override characters', () => {
    const parsed = parseEvent({ ...event, title: `A\u202Eevil\u0007${'x'.repeat(500)}` });
    expect(parsed?.title.length).toBeLessThanOrEqual(200);
    expect(parsed?.title).not.toContain('\u202E');
    expect(parsed?.title).not.toContain('\u0007');
  });

  it('keeps markup as plain text (it is rendered as text, never parsed)', () => {
    expect(parseEvent({ ...event, title: '<img src=x onerror=alert(1)>' })?.title).toBe('<img src=x onerror=alert(1)>');
  });
});

describe('parseOffice', () => {
  it('reads a well-formed office, and numbers for floor and room', () => {
    expect(parseOffice(office)).toEqual({ ...office });
    expect(parseOffice({ ...office, floor: 2, room: 200 })).toMatchObject({ floor: '2', room: '200' });
  });

  it('skips offices without an id or a name, or with junk fields', () => {
    expect(parseOffice({ ...office, name: '  ' })).toBeNull();
    expect(parseOffice({ ...office, id: null })).toBeNull();
    expect(parseOffice({ ...office, hours: { open: 9 } })).toBeNull();
  });
});

describe('parseList', () => {
  it('skips malformed items and duplicate ids, and refuses a non-list', () => {
    const list = parseList([event, { junk: true }, event, { ...event, id: 8 }], parseEvent);
    expect(list?.map((e) => e.id)).toEqual(['7', '8']);
    expect(parseList({ results: [event] }, parseEvent)).toBeNull();
    expect(parseList(null, parseEvent)).toBeNull();
  });

  it('bounds the number of items', () => {
    const many = Array.from({ length: 2_000 }, (_, i) => ({ ...office, id: i }));
    expect(parseList(many, parseOffice)?.length).toBe(500);
  });
});
