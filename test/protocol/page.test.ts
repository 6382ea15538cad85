// The wire between shell and page: what the page reads from the shell, what the shell
// reads from the page; anything malformed is nothing.
import { describe, expect, it } from 'vitest';
import { parsePageToShell, parseShellToPage } from '../../protocol/page.ts';

const fromShell = (value: unknown) => parseShellToPage(JSON.stringify(value));

describe('parseShellToPage', () => {
  it('reads local.hello with its settings, bounded', () => {
    expect(fromShell({ type: 'local.hello', protocol: 1, kioskId: 'lobby-1', version: '0.2.0', uplink: 'open', settings: { idleReturnHomeSeconds: 90, hideCursor: true } })).toEqual({
      type: 'local.hello',
      protocol: 1,
      kioskId: 'lobby-1',
      version: '0.2.0',
      uplink: 'open',
      settings: { idleReturnHomeSeconds: 90, hideCursor: true },
    });
    expect(fromShell({ type: 'local.hello', settings: { idleReturnHomeSeconds: -5, hideCursor: 'yes' } })).toMatchObject({
      uplink: 'connecting',
      protocol: 0,
      settings: { idleReturnHomeSeconds: 120, hideCursor: false },
    });
    expect(fromShell({ type: 'local.hello', settings: { idleReturnHomeSeconds: 1e9 } })).toMatchObject({ settings: { idleReturnHomeSeconds: 86_400 } });
    expect(fromShell({ type: 'local.hello', kioskId: 'x'.repeat(500) })).toMatchObject({ kioskId: 'x'.repeat(100) });
  });

  it('reads the shell\'s requests, and only well-formed ones', () => {
    expect(fromShell({ type: 'local.uplink', state: 'waiting' })).toEqual({ type: 'local.uplink', state: 'waiting' });
    expect(fromShell({ type: 'local.uplink', state: 'exploded' })).toBeNull();
    expect(fromShell({ type: 'local.reload', extra: 1 })).toEqual({ type: 'local.reload' });
    expect(fromShell({ type: 'local.home', id: 'c-1' })).toEqual({ type: 'local.home', id: 'c-1' });
    expect(fromShell({ type: 'local.home' })).toBeNull();
    expect(fromShell({ type: 'local.clear-session', id: 'c 1' })).toBeNull();
    expect(fromShell({ type: 'local.display', power: 'off' })).toEqual({ type: 'local.display', power: 'off' });
    expect(fromShell({ type: 'local.display', power: 'dim' })).toBeNull();
  });

  it('is null for anything that is not the shell\'s', () => {
    for (const data of ['reset', '[]', 'null', '{', JSON.stringify({ type: 'content.updated' }), JSON.stringify({ type: 'local.unknown' })]) {
      expect(parseShellToPage(data)).toBeNull();
    }
    expect(parseShellToPage(new ArrayBuffer(4))).toBeNull();
    expect(parseShellToPage(JSON.stringify({ type: 'local.reload', pad: 'x'.repeat(70_000) }))).toBeNull();
  });
});

describe('parsePageToShell', () => {
  it('reads every page message, with defaults', () => {
    expect(parsePageToShell({ type: 'local.shown', home: false })).toEqual({ type: 'local.shown', home: false });
    expect(parsePageToShell({ type: 'local.shown' })).toEqual({ type: 'local.shown', home: true });
    expect(parsePageToShell({ type: 'local.heartbeat', shown: false })).toEqual({ type: 'local.heartbeat', shown: false });
    expect(parsePageToShell({ type: 'local.in-use', inUse: true })).toEqual({ type: 'local.in-use', inUse: true });
    expect(parsePageToShell({ type: 'local.activity' })).toEqual({ type: 'local.activity' });
    expect(parsePageToShell({ type: 'local.done', id: 'c-9' })).toEqual({ type: 'local.done', id: 'c-9' });
  });

  it('is null for the malformed and the unknown', () => {
    for (const message of [{ type: 'local.shown', home: 'yes' }, { type: 'local.heartbeat', shown: 1 }, { type: 'local.in-use', inUse: 'yes' }, { type: 'local.done' }, { type: 'local.done', id: 7 }, { type: 'local.reload' }, { type: 'local.hello' }]) {
      expect(parsePageToShell(message)).toBeNull();
    }
  });
});
