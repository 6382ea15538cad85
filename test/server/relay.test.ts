// The WebSocket relay: the kiosk page's connections on one side, the one uplink on the
// other. What crosses in each direction, what is turned into events, what is dropped and
// counted, and how both legs are kept alive or cut off.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import type { KioskToUpstream, Target } from '../../protocol/upstream.ts';
import type { RelayStats } from '../../server/relay.ts';
import type { RendererHubStats } from '../../server/renderer-hub.ts';
import { credentialOf } from '../../core/secret-forms.ts';
import type { UplinkState } from '../../protocol/page.ts';
import { httpRequest, Inbox, openPageSocket, pageHeaders, waitClose, waitOpen } from '../support/clients.ts';
import { startTestKiosk, type TestKiosk } from '../support/kiosk.ts';
import { WsUpstream, type UpstreamConnection } from '../support/upstream-ws.ts';
import { waitFor } from '../support/wait.ts';

interface Status {
  relay: RelayStats;
  pages: RendererHubStats;
  uplink: { state: UplinkState; connects: number; disconnects: number };
}

interface Page {
  ws: WebSocket;
  inbox: Inbox;
  /** Every frame as it arrived: text as is, binary as '<binary>'. */
  raw: string[];
}

const ALLOWED_UP = ['ui.ping', 'ui.note'];

let kiosk: TestKiosk;
const opened: WebSocket[] = [];
let markers = 0;

beforeAll(async () => {
  kiosk = await startTestKiosk({ relay: { allowUp: ALLOWED_UP } });
  await uplinkOpen(kiosk, 1);
});
afterEach(async () => {
  const open = opened.splice(0);
  for (const ws of open) ws.terminate();
  await Promise.all(open.map((ws) => waitClose(ws)));
});
afterAll(() => kiosk.close());

/** Resolves once the upstream has `count` connections and the latest has said hello. */
async function uplinkOpen(target: TestKiosk, count: number): Promise<UpstreamConnection> {
  await target.upstreamWs.waitFor(
    () => target.upstreamWs.connections.length >= count && (target.upstreamWs.connections.at(-1)?.received.length ?? 0) > 0,
    10_000,
    `uplink connection #${count}`,
  );
  const latest = target.upstreamWs.connections.at(-1);
  if (latest === undefined) throw new Error('no uplink connection');
  return latest;
}

async function openPage(target: TestKiosk = kiosk): Promise<Page> {
  const ws = openPageSocket(target.server);
  opened.push(ws);
  const inbox = new Inbox(ws);
  const raw: string[] = [];
  ws.on('message', (data: Buffer, isBinary) => raw.push(isBinary ? '<binary>' : data.toString('utf8')));
  await waitOpen(ws);
  await inbox.next((m) => m.type === 'local.hello');
  return { ws, inbox, raw };
}

async function status(target: TestKiosk = kiosk): Promise<Status> {
  const response = await httpRequest(target.server.port, { path: '/status', headers: pageHeaders(target.server) });
  expect(response.status).toBe(200);
  return JSON.parse(response.body) as Status;
}

/** A frame that is always forwarded: sent after others, its arrival proves they were handled. */
function marker(): string {
  markers++;
  return JSON.stringify({ type: 'test.marker', n: markers });
}

/** Sends a marker from the upstream and waits for `page` to receive it. */
async function downstreamBarrier(page: Page, target: TestKiosk = kiosk): Promise<void> {
  const text = marker();
  target.upstreamWs.broadcast(text);
  await waitFor(() => page.raw.includes(text), { what: `marker ${text} at the page` });
}

function parsed(connection: UpstreamConnection): Record<string, unknown>[] {
  return connection.received.map((text) => JSON.parse(text) as Record<string, unknown>);
}

interface Reset {
  id: string | null;
  target: Target;
  reason?: string;
}

/** The resets the relay hands the kiosk side from now on, as id, target and reason. */
function resetsOf(target: TestKiosk): Reset[] {
  const resets: Reset[] = [];
  target.server.relay.upstream.on('command', (incoming) => {
    if (incoming.kind !== 'command' || incoming.command.name !== 'reset') return;
    const { id, target: to, reason } = incoming.command;
    resets.push(reason === undefined ? { id, target: to } : { id, target: to, reason });
  });
  return resets;
}

describe('the uplink', () => {
  it('sends kiosk.hello first, with id, groups and version, carrying the token header', () => {
    const first = kiosk.upstreamWs.connections[0];
    expect(first).toBeDefined();
    expect(parsed(first!)[0]).toEqual({ type: 'kiosk.hello', kiosk: 'lobby-1', groups: ['lobby', 'floor-1'], version: '0.0.0-test' });
    expect(first!.headers.authorization).toBe(kiosk.wsToken);
  });

  it('sends kiosk.hello first on every new connection, even when a page is eager to send', async () => {
    const own = await startTestKiosk({ relay: { allowUp: ALLOWED_UP } });
    try {
      await uplinkOpen(own, 1);
      const page = await openPage(own);
      // The page sends as soon as it hears the uplink is back: still after the hello.
      page.ws.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString('utf8')) as { type?: string; state?: string };
        if (message.type === 'local.uplink' && message.state === 'open') page.ws.send(JSON.stringify({ type: 'ui.ping', eager: true }));
      });
      for (let round = 2; round <= 4; round++) {
        await own.upstreamWs.restart();
        const connection = await uplinkOpen(own, round);
        await own.upstreamWs.waitFor(() => connection.received.length >= 2, 5000, 'the eager ping');
        expect(parsed(connection)[0]).toEqual({ type: 'kiosk.hello', kiosk: 'lobby-1', groups: ['lobby', 'floor-1'], version: '0.0.0-test' });
        expect(parsed(connection)[1]).toEqual({ type: 'ui.ping', eager: true });
      }
      expect(own.upstreamWs.connections.map((c) => parsed(c).filter((m) => m.type === 'kiosk.hello').length)).toEqual([1, 1, 1, 1]);
    } finally {
      await own.close();
    }
  });

  it('stays up with no page attached: resets still arrive, frames are still received and the shell can send', async () => {
    const connection = await uplinkOpen(kiosk, 1);
    const connectionsBefore = kiosk.upstreamWs.tcpConnections;
    await waitFor(async () => (await status()).pages.connected === 0, { what: 'no page attached' });
    const before = await status();
    const resets = resetsOf(kiosk);

    kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'events.changed' }));
    kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'kiosk.reset', id: 'r-no-page', target: 'all' }));
    await waitFor(() => resets.length === 1, { what: 'the reset with no page attached' });
    expect(resets[0]).toEqual({ id: 'r-no-page', target: 'all' });

    expect(kiosk.server.relay.upstream.send({ type: 'kiosk.status', kiosk: 'lobby-1' } as unknown as KioskToUpstream)).toBe(true);
    await kiosk.upstreamWs.waitFor(() => connection.received.some((t) => t.includes('"kiosk.status"')), 5000, 'kiosk.status');

    const after = await status();
    expect(after.relay.down.received - before.relay.down.received).toBe(2);
    expect(after.relay.down.forwarded - before.relay.down.forwarded).toBe(1);
    expect(after.relay.down.commands - before.relay.down.commands).toBe(1);
    expect(after.uplink.state).toBe('open');
    expect(kiosk.upstreamWs.tcpConnections).toBe(connectionsBefore);
  });

  it('is not reconnected when the page reloads (close and reconnect)', async () => {
    const connection = await uplinkOpen(kiosk, 1);
    const before = { tcp: kiosk.upstreamWs.tcpConnections, handshakes: kiosk.upstreamWs.handshakes.length };
    for (let reload = 0; reload < 3; reload++) {
      const page = await openPage();
      page.ws.send(JSON.stringify({ type: 'ui.ping', reload }));
      await kiosk.upstreamWs.waitFor(() => connection.received.includes(JSON.stringify({ type: 'ui.ping', reload })), 5000, 'ping');
      page.ws.close(1001);
      await waitClose(page.ws);
    }
    expect(kiosk.upstreamWs.tcpConnections).toBe(before.tcp);
    expect(kiosk.upstreamWs.handshakes.length).toBe(before.handshakes);
    expect(kiosk.upstreamWs.clients.size).toBe(1);
  });
});

describe('upstream → page', () => {
  it('forwards JSON frames to the page byte for byte', async () => {
    const page = await openPage();
    const frames = [
      '{"type":"events.changed","ids":[1,2,3]}',
      '{ "type" : "spaced" ,\n "nested": {"a": [true, null, 1.50]} }',
      '{"type":"unicode","text":"Hyvää päivää ✓ 🏛","escaped":"\\u00e4\\n"}',
      '{"no-type":1}',
    ];
    for (const frame of frames) kiosk.upstreamWs.broadcast(frame);
    await downstreamBarrier(page);
    expect(page.raw.filter((text) => !text.includes('"local.') && !text.includes('test.marker'))).toEqual(frames);
  });

  it('turns kiosk.reset and the legacy resets into reset commands and never hands them to the page', async () => {
    const page = await openPage();
    const resets = resetsOf(kiosk);
    const before = await status();
    kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'kiosk.reset', id: 'r-42', target: 'all' }));
    kiosk.upstreamWs.broadcast('reset');
    kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'reset' }));
    kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'kiosk.reset', id: 'r-43', target: { groups: ['floor-2'] }, reason: 'new content' }));
    kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'kiosk.reset', id: 'r-44', target: { kiosks: ['lobby-1'] } }));
    await downstreamBarrier(page);
    expect(resets).toEqual([
      { id: 'r-42', target: 'all' },
      { id: null, target: 'all' },
      { id: null, target: 'all' },
      { id: 'r-43', target: { groups: ['floor-2'] }, reason: 'new content' },
      { id: 'r-44', target: { kiosks: ['lobby-1'] } },
    ]);
    expect(page.raw.filter((text) => /reset/.test(text))).toEqual([]);
    const after = await status();
    expect(after.relay.down.commands - before.relay.down.commands).toBe(5);
    expect(after.relay.down.forwarded - before.relay.down.forwarded).toBe(1);
  });

  it('refuses malformed resets that have an id (to be answered "failed"), drops the rest, and counts them all', async () => {
    const page = await openPage();
    const resets = resetsOf(kiosk);
    const refused: { id: string }[] = [];
    kiosk.server.relay.upstream.on('command', (incoming) => incoming.kind === 'refused' && refused.push({ id: incoming.id }));
    const before = await status();
    const badResets = [
      { type: 'kiosk.reset', id: 'has spaces', target: 'all' },
      { type: 'kiosk.reset', id: 'r-1', target: 'everyone' },
      { type: 'kiosk.reset', id: 'r-1', target: { kiosks: [] } },
      { type: 'kiosk.reset', id: 'r-1', target: { kiosks: ['a'], groups: ['b'] } },
      { type: 'kiosk.reset', target: 'all' },
      { type: 'kiosk.reset', id: 'r-1', target: 'all', reason: 'x'.repeat(501) },
    ];
    for (const reset of badResets) kiosk.upstreamWs.broadcast(JSON.stringify(reset));
    kiosk.upstreamWs.broadcast(Buffer.from('{"type":"events.changed"}'), { binary: true });
    kiosk.upstreamWs.broadcast(Buffer.from([0, 1, 2, 255]), { binary: true });
    for (const text of ['not json', '[1,2,3]', 'null', '"reset"', '{"type":"trunc']) kiosk.upstreamWs.broadcast(text);
    kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'local.reload' }));
    kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'local.hello', kioskId: 'forged' }));
    await downstreamBarrier(page);

    expect(resets).toEqual([]);
    expect(refused.map((r) => r.id)).toEqual(['r-1', 'r-1', 'r-1', 'r-1']);
    const reachedPage = page.raw.filter((text) => !text.includes('test.marker'));
    expect(reachedPage).toEqual([page.raw[0]]); // only the shell's own local.hello
    expect(page.inbox.ofType('local.hello')).toHaveLength(1);
    expect(page.inbox.ofType('local.reload')).toHaveLength(0);

    const after = await status();
    const dropped = (reason: keyof RelayStats['down']['dropped']) => after.relay.down.dropped[reason] - before.relay.down.dropped[reason];
    expect(dropped('bad-command')).toBe(2);
    expect(after.relay.down.refused - before.relay.down.refused).toBe(4);
    expect(dropped('binary')).toBe(2);
    expect(dropped('not-json')).toBe(5);
    expect(dropped('reserved-type')).toBe(2);
    expect(after.relay.down.forwarded - before.relay.down.forwarded).toBe(1);
  });

  it('drops and counts a frame that contains the uplink token, whole or just its credential', async () => {
    const page = await openPage();
    const before = await status();
    const credential = kiosk.wsToken.split(' ')[1] ?? '';
    kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'debug.echo', headers: { authorization: kiosk.wsToken } }));
    kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'debug.echo', value: `prefix${credential}suffix` }));
    await downstreamBarrier(page);
    expect(page.raw.join('\n')).not.toContain(credential);
    expect(page.raw.filter((text) => text.includes('debug.echo'))).toEqual([]);
    const after = await status();
    expect(after.relay.down.dropped['contains-secret'] - before.relay.down.dropped['contains-secret']).toBe(2);
  });

  it('keeps delivering after a reset handler throws (the handler runs in the socket\'s receive loop)', async () => {
    const page = await openPage();
    const throwing = () => {
      throw new Error('handler bug');
    };
    kiosk.server.relay.upstream.on('command', throwing);
    try {
      kiosk.upstreamWs.broadcast('reset');
      kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'after.reset', n: 1 }));
      await page.inbox.next((m) => m.type === 'after.reset');
      expect(kiosk.log.text).toContain('a relay event handler failed');
    } finally {
      kiosk.server.relay.upstream.off('command', throwing);
    }
  });

  it('drops a frame that carries the API token too', async () => {
    const page = await openPage();
    const before = await status();
    kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'debug.echo', value: credentialOf(kiosk.apiToken) }));
    await downstreamBarrier(page);
    expect(page.inbox.ofType('debug.echo')).toEqual([]);
    const after = await status();
    expect(after.relay.down.dropped['contains-secret'] - before.relay.down.dropped['contains-secret']).toBe(1);
  });

  it('drops a frame that carries the uplink token JSON-escaped (a token with quotes or a backslash)', async () => {
    const token = `Signature keyId="kiosk",sig="${randomBytes(16).toString('hex')}\\x"`;
    const quoted = await startTestKiosk({}, { ws: await new WsUpstream({ token }).start() });
    try {
      await uplinkOpen(quoted, 1);
      const page = await openPage(quoted);
      // An upstream that echoes the handshake headers as JSON escapes the quotes.
      const echo = JSON.stringify({ type: 'debug.echo', headers: quoted.upstreamWs.connections[0]?.headers });
      expect(echo).not.toContain(credentialOf(token));
      quoted.upstreamWs.broadcast(echo);
      await downstreamBarrier(page, quoted);
      expect(page.inbox.ofType('debug.echo')).toEqual([]);
      expect(JSON.stringify(page.inbox.messages)).not.toContain(credentialOf(token));
      expect((await status(quoted)).relay.down.dropped['contains-secret']).toBe(1);
    } finally {
      await quoted.close();
    }
  });
});

describe('page → upstream', () => {
  it('forwards only types in relay.allowUp; everything else is dropped and counted', async () => {
    const connection = await uplinkOpen(kiosk, 1);
    const page = await openPage();
    const locals: unknown[] = [];
    kiosk.server.relay.pages.on('message', (message) => locals.push(message));
    const before = await status();
    const start = connection.received.length;

    const refused = [
      { type: 'ui.secret', data: 'not allowed' },
      { type: 'kiosk.ack', id: 'r-1', kiosk: 'lobby-1', status: 'reloaded', ms: 1 },
      { type: 'kiosk.hello', kiosk: 'forged', groups: [], version: '0' },
      { type: 'kiosk.status', kiosk: 'forged' },
      { data: 'no type' },
      { type: 42 },
      { type: 'UI.PING' },
    ];
    for (const message of refused) page.ws.send(JSON.stringify(message));
    page.ws.send('not json');
    page.ws.send('[{"type":"ui.ping"}]');
    page.ws.send(Buffer.from(JSON.stringify({ type: 'ui.ping' })), { binary: true });
    page.ws.send(JSON.stringify({ type: 'local.shown', home: false }));
    page.ws.send(JSON.stringify({ type: 'local.forged' }));
    page.ws.send(JSON.stringify({ type: 'local.shown', home: 'yes' }));
    // Allowed, and sent last: once it is upstream, everything before it was handled.
    const allowed = JSON.stringify({ type: 'ui.ping', n: 1 });
    const allowedToo = JSON.stringify({ type: 'ui.note', text: 'hello' });
    page.ws.send(allowed);
    page.ws.send(allowedToo);
    await kiosk.upstreamWs.waitFor(() => connection.received.includes(allowedToo), 5000, 'the allowed frames');

    expect(connection.received.slice(start)).toEqual([allowed, allowedToo]);
    expect(locals).toEqual([{ type: 'local.shown', home: false }]);
    const after = await status();
    const dropped = (reason: keyof RelayStats['up']['dropped']) => after.relay.up.dropped[reason] - before.relay.up.dropped[reason];
    expect(dropped('not-allowed')).toBe(refused.length);
    expect(dropped('not-json')).toBe(2);
    expect(dropped('binary')).toBe(1);
    expect(dropped('bad-local')).toBe(2);
    expect(after.relay.up.forwarded - before.relay.up.forwarded).toBe(2);
    expect(after.relay.up.local - before.relay.up.local).toBe(1);
  });

  it('closes a page that sends a 1 MiB frame with 1009 and keeps serving another page', async () => {
    const connection = await uplinkOpen(kiosk, 1);
    const bystander = await openPage();
    const offender = await openPage();
    const before = await status();
    offender.ws.send(JSON.stringify({ type: 'ui.ping', pad: 'x'.repeat(1024 * 1024) }));
    expect((await waitClose(offender.ws)).code).toBe(1009);

    await downstreamBarrier(bystander);
    const ping = JSON.stringify({ type: 'ui.ping', from: 'bystander' });
    bystander.ws.send(ping);
    await kiosk.upstreamWs.waitFor(() => connection.received.includes(ping), 5000, 'the bystander ping');
    expect(connection.received.some((text) => text.length > 65536)).toBe(false);
    const after = await status();
    expect(after.pages.closedOversize - before.pages.closedOversize).toBe(1);
    expect(after.pages.connected).toBe(before.pages.connected - 1);
  });
});

describe('the shell\'s local messages', () => {
  it('greets every page with local.hello first', async () => {
    const page = await openPage();
    expect(page.inbox.messages[0]).toMatchObject({
      type: 'local.hello',
      protocol: 1,
      kioskId: 'lobby-1',
      version: '0.0.0-test',
      uplink: 'open',
      settings: { idleReturnHomeSeconds: 120, hideCursor: false },
    });
  });

  it('tells the page when the uplink goes down and comes back, and greets a page with the current state', async () => {
    const own = await startTestKiosk({ upstream: { ws: { reconnectBaseMs: 200, reconnectCapMs: 400 } } });
    try {
      await uplinkOpen(own, 1);
      const page = await openPage(own);
      await own.upstreamWs.kill();
      await page.inbox.next((m) => m.type === 'local.uplink' && m.state === 'waiting');
      const whileDown = await openPage(own);
      expect(whileDown.inbox.messages[0]).toMatchObject({ type: 'local.hello' });
      expect(whileDown.inbox.messages[0]?.uplink).not.toBe('open');

      await own.upstreamWs.start();
      await page.inbox.next((m) => m.type === 'local.uplink' && m.state === 'open', 10_000);
      await whileDown.inbox.next((m) => m.type === 'local.uplink' && m.state === 'open', 10_000);
      const states = page.inbox.ofType('local.uplink').map((m) => m.state);
      expect(states[0]).toBe('waiting');
      expect(states.at(-1)).toBe('open');
      expect(states.every((state) => ['waiting', 'connecting', 'open'].includes(String(state)))).toBe(true);
    } finally {
      await own.close();
    }
  });
});

describe('liveness', () => {
  it('drops a silent upstream within twice heartbeatSeconds and reconnects', async () => {
    const heartbeatSeconds = 2;
    const own = await startTestKiosk({ upstream: { ws: { heartbeatSeconds } } });
    try {
      const silent = await uplinkOpen(own, 1);
      const states: { state: UplinkState; at: number }[] = [];
      own.server.relay.upstream.on('state', (state) => states.push({ state, at: Date.now() }));
      const pausedAt = Date.now();
      own.upstreamWs.pauseAll();

      const fresh = await uplinkOpen(own, 2);
      expect(fresh).not.toBe(silent);
      expect(parsed(fresh)[0]).toMatchObject({ type: 'kiosk.hello' });
      const dropped = states.find((s) => s.state !== 'open');
      expect(dropped).toBeDefined();
      // The last pong came at most one interval before the pause, so the drop is due at
      // most two intervals after it; the extra 1.5 s only absorbs timer lateness on a busy
      // machine (a missed deadline would show up as a whole extra interval or never).
      expect(dropped!.at - pausedAt).toBeLessThan(heartbeatSeconds * 2000 + 1500);
      const closed = own.log.lines.map((line) => JSON.parse(line) as { msg: string; reason?: string }).filter((l) => l.msg === 'uplink closed');
      expect(closed.map((l) => l.reason)).toEqual(['heartbeat-timeout']);
    } finally {
      await own.close();
    }
  });

  it('slows the upstream down for a page that reads slowly, instead of closing it or dropping frames', async () => {
    const maxBufferedBytes = 256 * 1024;
    const own = await startTestKiosk({ relay: { maxBufferedBytes } });
    try {
      await uplinkOpen(own, 1);
      const slow = await openPage(own);
      // The page reads in fits: it starts paused (so the relay surely backs up), then reads
      // and pauses by turns every 400 ms.
      slow.ws.pause();
      let reading = false;
      const fits = setInterval(() => {
        reading = !reading;
        if (reading) slow.ws.resume();
        else slow.ws.pause();
      }, 400);
      const pad = 'x'.repeat(16_000);
      const total = 300; // ~4.8 MB: many times what the relay may hold for the page (256 KB)
      for (let n = 1; n <= total; n++) own.upstreamWs.broadcast(JSON.stringify({ type: 'bulk', n, pad }));
      try {
        await waitFor(() => slow.raw.filter((text) => text.startsWith('{"type":"bulk"')).length === total, {
          timeoutMs: 20_000,
          what: 'every frame at the slow page',
        });
      } finally {
        clearInterval(fits);
        slow.ws.resume();
      }
      const numbers = slow.raw.filter((text) => text.startsWith('{"type":"bulk"')).map((text) => (JSON.parse(text) as { n: number }).n);
      expect(numbers).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(slow.ws.readyState).toBe(slow.ws.OPEN);
      const after = await status(own);
      expect(after.pages.closedSlow).toBe(0);
      // The upstream was really held back: the relay paused its uplink at least once.
      expect(after.relay.down.paused).toBeGreaterThan(0);
    } finally {
      await own.close();
    }
  });

  it('closes a page that stopped reading once its backlog passes relay.maxBufferedBytes, leaving another page alone', async () => {
    const maxBufferedBytes = 64 * 1024;
    const own = await startTestKiosk({ relay: { maxBufferedBytes } });
    try {
      await uplinkOpen(own, 1);
      const reader = await openPage(own);
      const stalled = await openPage(own);
      stalled.ws.pause();

      // ~60 KB frames, in batches the reading page has to receive before the next: the
      // stalled page's kernel buffers fill first, then its backlog in the relay grows.
      const pad = 'x'.repeat(60_000);
      let sent = 0;
      const bulkAtReader = () => reader.raw.filter((text) => text.startsWith('{"type":"bulk"')).length;
      for (let batch = 0; batch < 400; batch++) {
        for (let i = 0; i < 8; i++) own.upstreamWs.broadcast(JSON.stringify({ type: 'bulk', n: ++sent, pad }));
        await waitFor(() => bulkAtReader() === sent, { what: `frame ${sent} at the reading page` });
        if (own.server.status().pages.closedSlow > 0) break;
      }
      expect(own.server.status().pages.closedSlow).toBe(1);
      stalled.ws.resume();
      expect((await waitClose(stalled.ws)).code).toBe(1006);

      await downstreamBarrier(reader, own);
      expect(reader.ws.readyState).toBe(reader.ws.OPEN);
      expect(bulkAtReader()).toBe(sent);
      const after = await status(own);
      expect(after.pages.connected).toBe(1);
      expect(after.pages.closedSlow).toBe(1);
    } finally {
      await own.close();
    }
  });
});
