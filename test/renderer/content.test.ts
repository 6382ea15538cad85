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
      floor: '',
      room: '',
      url: null,
      floorPlan: null,
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
    expect(parseOffice(office)).toEqual({ ...office, openingHours: null, services: [], keywords: [], url: null, informationDesk: false, floorPlan: null });
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

describe('the fields a detail view and search need', () => {
  it('reads services and keywords from lists or comma- and line-separated text, bounded and without repeats', () => {
    const parsed = parseOffice({ ...office, services: ['Marriage licences', 'Marriage licences', 42, ''], keywords: 'marriage, wedding\nget married;  ' });
    expect(parsed?.services).toEqual(['Marriage licences']);
    expect(parsed?.keywords).toEqual(['marriage', 'wedding', 'get married']);
    expect(parseOffice({ ...office, keywords: Array.from({ length: 100 }, (_, i) => `k${i}`) })?.keywords).toHaveLength(40);
  });

  it('keeps only web links for the QR code', () => {
    expect(parseOffice({ ...office, url: 'https://cityhall.example.org/clerk' })?.url).toBe('https://cityhall.example.org/clerk');
    for (const url of ['javascript:alert(1)', 'data:text/html,x', 'https://user:pw@example.org/', 'not a url', 42, 'https://example.org/' + 'x'.repeat(600)]) {
      expect(parseOffice({ ...office, url })?.url).toBeNull();
    }
  });

  it('reads hours as data when the API sends them so, and refuses data that is not hours', () => {
    expect(parseOffice({ ...office, opening_hours: [{ days: [1, 2, 3, 4, 5], opens: '08:00', closes: '16:00' }] })?.openingHours).toEqual([{ days: [1, 2, 3, 4, 5], opens: 480, closes: 960 }]);
    expect(parseOffice({ ...office, opening_hours: [{ days: [6], opens: '09:00', closes: '24:00' }] })?.openingHours).toEqual([{ days: [6], opens: 540, closes: 1440 }]);
    for (const bad of [[], 'Mon–Fri', [{ days: [7], opens: '08:00', closes: '16:00' }], [{ days: [1], opens: '16:00', closes: '08:00' }], [{ days: [1], opens: '8am', closes: '16:00' }], [{ days: [1], opens: '08:00', closes: '24:30' }]]) {
      expect(parseOffice({ ...office, opening_hours: bad })?.openingHours).toBeNull();
    }
    // Text alone stays text: "By appointment" shows as written.
    expect(parseOffice({ ...office, hours: 'By appointment' })).toMatchObject({ hours: 'By appointment', openingHours: null });
  });

  it('reads a floor plan, clipping areas to the plan and dropping broken ones', () => {
    const plan = parseOffice({ ...office, floor_plan: { width: 10, height: 10, areas: [{ x: 1, y: 1, w: 20, h: 2, label: '168', target: true }, { x: 'a' }, { x: 0, y: 0, w: 0, h: 1 }], here: { x: 5, y: 9 } } })?.floorPlan;
    expect(plan).toEqual({ width: 10, height: 10, areas: [{ x: 1, y: 1, w: 9, h: 2, label: '168', target: true }], here: { x: 5, y: 9 } });
    expect(parseOffice({ ...office, floor_plan: { width: 10, height: 10, areas: [] } })?.floorPlan).toBeNull();
  });

  it('keeps a huge description whole up to a generous cap, as text', () => {
    const long = 'Public comment access code 2661 000 1234 ## '.repeat(50);
    expect(parseOffice({ ...office, description: long })?.description).toBe(long.trim());
    expect(parseOffice({ ...office, description: 'x'.repeat(20_000) })?.description.length).toBe(5_000);
  });
});
