// What may cross the relay: the classification of every frame, in each direction, and
// whether a reset targets this kiosk.
import { describe, expect, it } from 'vitest';
import { classifyDownstream, classifyUpstreamBound, targetsKiosk } from '../../server/messages.ts';

const down = (text: string, isBinary = false) => classifyDownstream(Buffer.from(text), isBinary);
const up = (text: string, allowUp: readonly string[] = ['ui.ping'], isBinary = false) =>
  classifyUpstreamBound(Buffer.from(text), isBinary, new Set(allowUp));

describe('classifyDownstream (upstream → kiosk)', () => {
  it('turns a kiosk.reset into a reset, for each target form, keeping the reason', () => {
    expect(down('{"type":"kiosk.reset","id":"r-42","target":"all"}')).toEqual({ kind: 'reset', reset: { id: 'r-42', target: 'all' } });
    expect(down('{"type":"kiosk.reset","id":"r:1.a_b-c","target":{"kiosks":["lobby-1"]}}')).toEqual({
      kind: 'reset',
      reset: { id: 'r:1.a_b-c', target: { kiosks: ['lobby-1'] } },
    });
    expect(down('{"type":"kiosk.reset","id":"r-2","target":{"groups":["floor-2"]},"reason":"new menu"}')).toEqual({
      kind: 'reset',
      reset: { id: 'r-2', target: { groups: ['floor-2'] }, reason: 'new menu' },
    });
  });

  it('turns the legacy resets into a reset of everyone without an id', () => {
    const legacy = { kind: 'reset', reset: { id: null, target: 'all' } };
    expect(down('reset')).toEqual(legacy);
    expect(down(' reset\n')).toEqual(legacy);
    expect(down('{"type":"reset"}')).toEqual(legacy);
    expect(down('{"type":"reset","id":"ignored","target":{"kiosks":["x"]}}')).toEqual(legacy);
  });

  it.each([
    ['a missing id', '{"type":"kiosk.reset","target":"all"}'],
    ['an id with spaces', '{"type":"kiosk.reset","id":"r 1","target":"all"}'],
    ['an id too long', `{"type":"kiosk.reset","id":"${'r'.repeat(129)}","target":"all"}`],
    ['a numeric id', '{"type":"kiosk.reset","id":42,"target":"all"}'],
    ['a missing target', '{"type":"kiosk.reset","id":"r-1"}'],
    ['an unknown target word', '{"type":"kiosk.reset","id":"r-1","target":"everyone"}'],
    ['an empty kiosk list', '{"type":"kiosk.reset","id":"r-1","target":{"kiosks":[]}}'],
    ['kiosks and groups at once', '{"type":"kiosk.reset","id":"r-1","target":{"kiosks":["a"],"groups":["b"]}}'],
    ['a bad kiosk id in the target', '{"type":"kiosk.reset","id":"r-1","target":{"kiosks":["a b"]}}'],
    ['a reason too long', `{"type":"kiosk.reset","id":"r-1","target":"all","reason":"${'x'.repeat(501)}"}`],
  ])('drops a kiosk.reset with %s as bad-reset', (_what, text) => {
    expect(down(text)).toEqual({ kind: 'drop', reason: 'bad-reset' });
  });

  it('drops binary frames, even ones holding a reset', () => {
    expect(down('reset', true)).toEqual({ kind: 'drop', reason: 'binary' });
    expect(down('{"type":"kiosk.reset","id":"r","target":"all"}', true)).toEqual({ kind: 'drop', reason: 'binary' });
  });

  it.each(['not json', '', '[1,2]', 'null', '42', '"reset"', '{"type":', 'resetx', 're set'])('drops %j as not-json', (text) => {
    expect(down(text)).toEqual({ kind: 'drop', reason: 'not-json' });
  });

  it('drops local.* from the upstream as reserved: it cannot speak for the shell', () => {
    expect(down('{"type":"local.reload","resetId":null}')).toEqual({ kind: 'drop', reason: 'reserved-type' });
    expect(down('{"type":"local.hello"}')).toEqual({ kind: 'drop', reason: 'reserved-type' });
  });

  it('forwards anything else unchanged, as the same text', () => {
    for (const text of ['{"type":"events.changed","ids":[1]}', '{ "a" : 1 }', '{"type":"Kiosk.Reset"}', '{"type":"localx"}', '{"type":7}']) {
      expect(down(text)).toEqual({ kind: 'forward', text });
    }
  });
});

describe('classifyUpstreamBound (page → upstream)', () => {
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
    const allow = ['kiosk.ack', 'kiosk.hello', 'kiosk.status'];
    for (const type of allow) expect(up(JSON.stringify({ type }), allow)).toEqual({ kind: 'drop', reason: 'not-allowed' });
  });

  it('hands the shell its own local.* messages, with defaults', () => {
    expect(up('{"type":"local.shown","home":false}')).toEqual({ kind: 'local', message: { type: 'local.shown', home: false } });
    expect(up('{"type":"local.shown"}')).toEqual({ kind: 'local', message: { type: 'local.shown', home: true } });
    expect(up('{"type":"local.heartbeat","shown":false}')).toEqual({ kind: 'local', message: { type: 'local.heartbeat', shown: false } });
  });

  it('drops unknown or malformed local.* as bad-local, even if allowUp names it', () => {
    for (const text of ['{"type":"local.reload"}', '{"type":"local.shown","home":"yes"}', '{"type":"local.heartbeat","shown":1}']) {
      expect(up(text, ['local.reload'])).toEqual({ kind: 'drop', reason: 'bad-local' });
    }
  });

  it('drops binary and non-JSON frames', () => {
    expect(up('{"type":"ui.ping"}', ['ui.ping'], true)).toEqual({ kind: 'drop', reason: 'binary' });
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
