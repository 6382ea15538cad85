import { describe, expect, it } from 'vitest';
// The page SDK's line to the shell: subprotocols, heartbeats, reconnects, and the shell's
// messages kept apart from the upstream's.
import type { ShellToPage } from '../../protocol/page.ts';
import { ShellLink, type SocketLike, type SocketState, socketUrl } from '../../sdk/link.ts';
import { FakeTimers } from './fake-timers.ts';

class FakeSocket {
  readyState = 0;
  sent: unknown[] = [];
  closed = false;
  onopen: ((event: Event) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  readonly url: string;
  readonly protocols: string[];
  constructor(url: string, protocols: string[]) {
    this.url = url;
    this.protocols = protocols;
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.closed = true;
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  receive(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) } as MessageEvent);
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({} as CloseEvent);
  }
}

function setup({ shown = false } = {}) {
  const timers = new FakeTimers();
  const sockets: FakeSocket[] = [];
  const messages: ShellToPage[] = [];
  const upstream: Record<string, unknown>[] = [];
  const states: SocketState[] = [];
  const screen = { shown };
  const link = new ShellLink({
    url: socketUrl('127.0.0.1:4321'),
    key: 'the-key',
    timers,
    random: () => 0.999,
    createSocket: (url, protocols) => {
      const socket = new FakeSocket(url, protocols);
      sockets.push(socket);
      return socket as unknown as SocketLike;
    },
    isShown: () => screen.shown,
    onShell: (message) => messages.push(message),
    onUpstream: (message) => upstream.push(message),
    onSocketState: (state) => states.push(state),
  });
  const last = () => {
    const socket = sockets[sockets.length - 1];
    if (socket === undefined) throw new Error('no socket yet');
    return socket;
  };
  return { timers, sockets, messages, upstream, states, screen, link, last };
}

describe('ShellLink', () => {
  it('connects to /ws offering kiosk.v1 and the key as subprotocols', () => {
    const { link, last } = setup();
    link.start();
    expect(last().url).toBe('ws://127.0.0.1:4321/ws');
    expect(last().protocols).toEqual(['kiosk.v1', 'kiosk-key.the-key']);
    link.stop();
  });

  it('sends a heartbeat on open and every 5 s, with the current shown state', () => {
    const { link, last, timers, screen } = setup();
    link.start();
    last().open();
    expect(last().sent).toEqual([{ type: 'local.heartbeat', shown: false }]);
    screen.shown = true;
    timers.advance(5_000);
    timers.advance(5_000);
    expect(last().sent).toEqual([
      { type: 'local.heartbeat', shown: false },
      { type: 'local.heartbeat', shown: true },
      { type: 'local.heartbeat', shown: true },
    ]);
    link.stop();
  });

  it('sends local.shown once per page load, and only after the socket opens', () => {
    const { link, sockets, last, timers } = setup({ shown: true });
    link.start();
    link.contentShown(true);
    expect(last().sent).toEqual([]);
    last().open();
    expect(last().sent[0]).toEqual({ type: 'local.shown', home: true });
    link.contentShown(false);
    // A reconnect is the same page load: no second local.shown.
    last().drop();
    timers.advance(10_000);
    last().open();
    const shown = sockets.flatMap((socket) => socket.sent).filter((m) => (m as { type: string }).type === 'local.shown');
    expect(shown).toEqual([{ type: 'local.shown', home: true }]);
    link.stop();
  });

  it('sends a local.shown that was due while disconnected once the socket opens', () => {
    const { link, sockets, last, timers } = setup({ shown: true });
    link.start();
    last().drop();
    link.contentShown(false);
    timers.advance(10_000);
    last().open();
    expect(last().sent[0]).toEqual({ type: 'local.shown', home: false });
    expect(sockets).toHaveLength(2);
    link.stop();
  });

  it('never sends anything but local.shown and local.heartbeat', () => {
    const { link, last, timers } = setup({ shown: true });
    link.start();
    last().open();
    link.contentShown(false);
    last().receive({ type: 'local.hello', uplink: 'open', idleReturnHomeSeconds: 30 });
    last().receive({ type: 'announcement', text: 'hi' });
    timers.advance(60_000);
    for (const message of last().sent) expect(['local.shown', 'local.heartbeat']).toContain((message as { type: string }).type);
    link.stop();
  });

  it('says whether the kiosk is in use on each change, and again after each reconnect', () => {
    const { link, last, timers } = setup();
    const inUse = (socket: FakeSocket) => socket.sent.filter((m) => (m as { type: string }).type === 'local.in-use');
    link.inUse(false);
    link.start();
    last().open();
    expect(inUse(last())).toEqual([{ type: 'local.in-use', inUse: false }]);
    link.inUse(true);
    link.inUse(true);
    expect(inUse(last())).toEqual([{ type: 'local.in-use', inUse: false }, { type: 'local.in-use', inUse: true }]);
    last().drop();
    timers.advance(60_000);
    last().open();
    expect(inUse(last())).toEqual([{ type: 'local.in-use', inUse: true }]);
    link.stop();
  });

  it('hands the shell\'s messages and the upstream\'s apart, and ignores junk', () => {
    const { link, last, messages, upstream } = setup();
    link.start();
    last().open();
    last().receive({ type: 'content.updated' });
    last().receive({ type: 'local.home', id: 'c-1' });
    last().receive({ type: 'local.forged' });
    last().receive([1, 2]);
    last().onmessage?.({ data: 'not json' } as MessageEvent);
    expect(messages).toEqual([{ type: 'local.home', id: 'c-1' }]);
    expect(upstream).toEqual([{ type: 'content.updated' }, { type: 'local.forged' }]);
    link.stop();
  });

  it('sends the page\'s own frames up, only while open', () => {
    const { link, last } = setup();
    link.start();
    expect(link.sendUp({ type: 'survey.answer', choice: 2 })).toBe(false);
    last().open();
    expect(link.sendUp({ type: 'survey.answer', choice: 2 })).toBe(true);
    expect(last().sent).toContainEqual({ type: 'survey.answer', choice: 2 });
    link.stop();
  });

  it('reconnects with capped exponential backoff, and starts over after a hello', () => {
    const { link, sockets, last, timers, states } = setup();
    link.start();
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      last().drop();
      const delay = timers.nextDelay() ?? -1;
      delays.push(delay);
      timers.advance(delay);
    }
    expect(delays.slice(0, 4)).toEqual([499, 999, 1_998, 3_996]);
    expect(Math.max(...delays)).toBeLessThanOrEqual(10_000);
    expect(sockets).toHaveLength(9);
    expect(states[0]).toBe('connecting');
    expect(states).toContain('retrying');

    last().open();
    last().receive({ type: 'local.hello', uplink: 'open' });
    last().drop();
    expect(timers.nextDelay()).toBe(499);
    link.stop();
  });

  it('abandons an attempt that hangs while connecting', () => {
    const { link, sockets, timers } = setup();
    link.start();
    timers.advance(10_000);
    expect(sockets[0]?.closed).toBe(true);
    timers.advance(1_000);
    expect(sockets).toHaveLength(2);
    link.stop();
  });

  it('retries when the WebSocket constructor throws', () => {
    const timers = new FakeTimers();
    let attempts = 0;
    const link = new ShellLink({
      url: 'ws://x/ws',
      key: 'k',
      timers,
      createSocket: () => {
        attempts++;
        throw new SyntaxError('bad protocol');
      },
      isShown: () => false,
      onShell: () => undefined,
      onUpstream: () => undefined,
      onSocketState: () => undefined,
    });
    link.start();
    timers.advance(60_000);
    expect(attempts).toBeGreaterThan(3);
    link.stop();
  });

  it('stop() closes the socket and leaves no timer behind', () => {
    const { link, last, timers } = setup();
    link.start();
    last().open();
    link.stop();
    expect(last().closed).toBe(true);
    expect(timers.size).toBe(0);
  });
});
