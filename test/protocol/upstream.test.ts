// The wire toward the upstream: the classification of every frame, in each direction, and
// whether a command targets this kiosk.
import { describe, expect, it } from 'vitest';
import { classifyPageFrame, classifyUpstream, MAX_ARGS_BYTES, targetsKiosk, type Command } from '../../protocol/upstream.ts';

const down = (value: unknown) => classifyUpstream(typeof value === 'string' ? value : JSON.stringify(value));
const up = (text: string, allowUp: readonly string[] = ['ui.ping']) => classifyPageFrame(text, new Set(allowUp));
const command = (verdict: ReturnType<typeof down>): Command => {
  if (verdict.kind !== 'command') throw new Error(`not a command: ${JSON.stringify(verdict)}`);
  return verdict.command;
};

describe('kiosk.reset (upstream → kiosk), as the first round fixed it', () => {
  it('is the command reset, for each target form, keeping the reason', () => {
    expect(command(down({ type: 'kiosk.reset', id: 'r-42', target: 'all' }))).toEqual({ id: 'r-42', name: 'reset', args: {}, target: 'all', when: 'now', via: 'kiosk.reset' });
    expect(command(down({ type: 'kiosk.reset', id: 'r:1.a_b-c', target: { kiosks: ['lobby-1'] } }))).toMatchObject({ target: { kiosks: ['lobby-1'] } });
    expect(command(down({ type: 'kiosk.reset', id: 'r-2', target: { groups: ['floor-2'] }, reason: 'new menu' }))).toMatchObject({
      target: { groups: ['floor-2'] },
      reason: 'new menu',
    });
  });

  it('ignores fields added since (it stays as it was)', () => {
    expect(command(down({ type: 'kiosk.reset', id: 'r-3', target: 'all', sentBy: 'alice' }))).toMatchObject({ id: 'r-3' });
  });

  it('turns the legacy resets into a reset of everyone without an id', () => {
    for (const text of ['reset', ' reset\n', '{"type":"reset"}', '{"type":"reset","id":"ignored","target":{"kiosks":["x"]}}']) {
      expect(command(down(text))).toEqual({ id: null, name: 'reset', args: {}, target: 'all', when: 'now', via: 'legacy' });
    }
  });

  it.each([
    ['a missing target', { type: 'kiosk.reset', id: 'r-1' }],
    ['an unknown target word', { type: 'kiosk.reset', id: 'r-1', target: 'everyone' }],
    ['an empty kiosk list', { type: 'kiosk.reset', id: 'r-1', target: { kiosks: [] } }],
    ['kiosks and groups at once', { type: 'kiosk.reset', id: 'r-1', target: { kiosks: ['a'], groups: ['b'] } }],
    ['a bad kiosk id in the target', { type: 'kiosk.reset', id: 'r-1', target: { kiosks: ['a b'] } }],
    ['a reason too long', { type: 'kiosk.reset', id: 'r-1', target: 'all', reason: 'x'.repeat(501) }],
  ])('refuses a kiosk.reset with %s, keeping its id for the failed ack', (_what, frame) => {
    expect(down(frame)).toMatchObject({ kind: 'refused', id: 'r-1', command: 'reset', reason: expect.stringMatching(/^malformed: /) as string });
  });

  it.each([
    ['a missing id', { type: 'kiosk.reset', target: 'all' }],
    ['an id with spaces', { type: 'kiosk.reset', id: 'r 1', target: 'all' }],
    ['an id too long', { type: 'kiosk.reset', id: 'r'.repeat(129), target: 'all' }],
    ['a numeric id', { type: 'kiosk.reset', id: 42, target: 'all' }],
  ])('drops a kiosk.reset with %s: there is no id to answer', (_what, frame) => {
    expect(down(frame)).toEqual({ kind: 'drop', reason: 'bad-command' });
  });
});

describe('kiosk.command (upstream → kiosk)', () => {
  const base = { type: 'kiosk.command', id: 'c-42', target: { kiosks: ['lobby-1'] } };

  it('reads every command of the brief, with defaults for args and when', () => {
    expect(command(down({ ...base, command: 'screenshot' }))).toEqual({
      id: 'c-42',
      name: 'screenshot',
      args: { maxWidth: 1280 },
      target: { kiosks: ['lobby-1'] },
      when: 'now',
      via: 'kiosk.command',
    });
    for (const name of ['reset', 'home', 'clear-session', 'restart']) expect(command(down({ ...base, command: name }))).toMatchObject({ name, args: {} });
    expect(command(down({ ...base, command: 'display', args: { power: 'off' } }))).toMatchObject({ args: { power: 'off' } });
    expect(command(down({ ...base, command: 'screenshot', args: { maxWidth: 640 } }))).toMatchObject({ args: { maxWidth: 640 } });
  });

  it('reads when, deadline and expiresAt as epoch milliseconds', () => {
    const parsed = command(down({ ...base, command: 'home', when: 'idle', deadline: '2026-12-02T10:00:00Z', expiresAt: '2026-12-02T10:30:00+01:00' }));
    expect(parsed).toMatchObject({ when: 'idle', deadline: Date.UTC(2026, 11, 2, 10), expiresAt: Date.UTC(2026, 11, 2, 9, 30) });
  });

  it.each([
    ['an unknown command', { ...base, command: 'self-destruct' }, 'unknown-command'],
    ['args a command does not take', { ...base, command: 'home', args: { force: true } }, 'bad-args: args.force: unknown field'],
    ['display without power', { ...base, command: 'display' }, 'bad-args: args.power: missing'],
    ['display with another power', { ...base, command: 'display', args: { power: 'dim' } }, 'bad-args: args.power: invalid'],
    ['a maxWidth that is no width', { ...base, command: 'screenshot', args: { maxWidth: 'wide' } }, 'bad-args: args.maxWidth: wrong type'],
    ['huge args', { ...base, command: 'home', args: { blob: 'x'.repeat(MAX_ARGS_BYTES) } }, 'args-too-large'],
    ['an expiresAt that is not a date', { ...base, command: 'home', expiresAt: 'tomorrow' }, 'malformed: expiresAt: invalid'],
    ['a deadline that is a number', { ...base, command: 'home', deadline: 1_700_000_000 }, 'malformed: deadline: wrong type'],
    ['an unknown field', { ...base, command: 'home', priority: 'high' }, 'malformed: priority: unknown field'],
    ['a when that is neither', { ...base, command: 'home', when: 'later' }, 'malformed: when: invalid'],
    ['args that are a list', { ...base, command: 'home', args: [] }, 'malformed: args: wrong type'],
    ['a missing target', { type: 'kiosk.command', id: 'c-42', command: 'home' }, 'malformed: target: missing'],
  ])('refuses %s with a reason, keeping the id and command name', (_what, frame, reason) => {
    expect(down(frame)).toMatchObject({ kind: 'refused', id: 'c-42', reason });
  });

  it('names no value of the upstream in a reason', () => {
    const verdict = down({ ...base, command: 'home', args: { '<script>': 1 } });
    expect(verdict).toMatchObject({ kind: 'refused' });
    if (verdict.kind === 'refused') expect(verdict.reason.length).toBeLessThan(200);
  });

  it('keeps a reason short however many and however long the unknown fields are', () => {
    const extra = Object.fromEntries(Array.from({ length: 1_500 }, (_, i) => [`field-${i}-${'k'.repeat(40)}`, 1]));
    const verdict = down({ ...base, command: 'home', ...extra });
    expect(verdict).toMatchObject({ kind: 'refused', id: 'c-42' });
    if (verdict.kind !== 'refused') return;
    expect(verdict.reason).toMatch(/^malformed: field-0-k+….*\+1497: unknown field$/);
    expect(verdict.reason.length).toBeLessThan(200);
  });
});

describe('everything else from the upstream', () => {
  it.each(['not json', '', '[1,2]', 'null', '42', '"reset"', '{"type":', 'resetx', 're set'])('drops %j as not-json', (text) => {
    expect(down(text)).toEqual({ kind: 'drop', reason: 'not-json' });
  });

  it('drops local.* from the upstream as reserved: it cannot speak for the shell', () => {
    expect(down({ type: 'local.reload' })).toEqual({ kind: 'drop', reason: 'reserved-type' });
    expect(down({ type: 'local.hello' })).toEqual({ kind: 'drop', reason: 'reserved-type' });
  });

  it('forwards anything else unchanged, as the same text', () => {
    for (const text of ['{"type":"events.changed","ids":[1]}', '{ "a" : 1 }', '{"type":"Kiosk.Reset"}', '{"type":"localx"}', '{"type":7}']) {
      expect(down(text)).toEqual({ kind: 'forward', text });
    }
  });
});

describe('classifyPageFrame (page → upstream)', () => {
  it('forwards a type in allowUp as the JSON it checked, naming the type', () => {
    expect(up('{"type":"ui.ping", "n": 1}')).toEqual({ kind: 'forward', text: '{"type":"ui.ping","n":1}', type: 'ui.ping' });
  });

  it('forwards what it checked when a key repeats, so the upstream cannot read another type', () => {
    // JSON.parse keeps the last "type"; a parser that kept the first would see kiosk.ack.
    expect(up('{"type":"kiosk.ack","type":"ui.ping"}')).toEqual({ kind: 'forward', text: '{"type":"ui.ping"}', type: 'ui.ping' });
  });

  it('drops types not in allowUp, types that are not strings and frames without a type', () => {
    for (const text of ['{"type":"ui.other"}', '{"type":"UI.PING"}', '{"type":"ui.ping "}', '{"type":1}', '{"type":null}', '{"data":"x"}', '{"type":["ui.ping"]}']) {
      expect(up(text), text).toEqual({ kind: 'drop', reason: 'not-allowed' });
    }
  });

  it('drops kiosk.* even if a caller put it in allowUp without validation', () => {
    const allow = ['kiosk.ack', 'kiosk.hello', 'kiosk.status', 'kiosk.screenshot'];
    for (const type of allow) expect(up(JSON.stringify({ type }), allow)).toEqual({ kind: 'drop', reason: 'not-allowed' });
  });

  it('hands local.* to the shell, whatever allowUp says', () => {
    expect(up('{"type":"local.shown","home":false}', ['local.shown'])).toEqual({ kind: 'local', message: { type: 'local.shown', home: false } });
  });

  it('drops non-JSON frames', () => {
    for (const text of ['ui.ping', '[{"type":"ui.ping"}]', 'null', '']) expect(up(text)).toEqual({ kind: 'drop', reason: 'not-json' });
  });
});

describe('targetsKiosk', () => {
  const groups = ['lobby', 'floor-1'];

  it('targets every kiosk with "all"', () => {
    expect(targetsKiosk('all', 'lobby-1', groups)).toBe(true);
    expect(targetsKiosk('all', 'other', [])).toBe(true);
  });

  it('targets a kiosk named in the list, and only it', () => {
    expect(targetsKiosk({ kiosks: ['a', 'lobby-1'] }, 'lobby-1', groups)).toBe(true);
    expect(targetsKiosk({ kiosks: ['a', 'lobby-10'] }, 'lobby-1', groups)).toBe(false);
    expect(targetsKiosk({ kiosks: ['LOBBY-1'] }, 'lobby-1', groups)).toBe(false);
  });

  it('targets a kiosk in any of the groups, and no kiosk outside them', () => {
    expect(targetsKiosk({ groups: ['floor-2', 'floor-1'] }, 'lobby-1', groups)).toBe(true);
    expect(targetsKiosk({ groups: ['floor-2'] }, 'lobby-1', groups)).toBe(false);
    expect(targetsKiosk({ groups: ['lobby'] }, 'lobby-1', [])).toBe(false);
    expect(targetsKiosk({ groups: ['lobby-1'] }, 'lobby-1', groups)).toBe(false);
  });
});
