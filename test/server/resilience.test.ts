// A kiosk runs for months: upstream outages and abandoned local connections must leave
// nothing behind (no descriptors, no listeners) and the server must keep serving.
//
// About the fd tolerance: the baseline is this whole process (the kiosk, the upstream
// fixtures and the test runner's own channel). libuv opens a few descriptors lazily (the
// thread pool's wake-up handle, a signal pipe) and a socket being torn down may still be
// counted for a moment, so "back to the baseline" allows ±2; a leak per cycle would show
// up as dozens or hundreds.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest, Inbox, openFds, openPageSocket, pageHeaders, waitClose, waitOpen } from '../support/clients.ts';
import { startTestKiosk, type TestKiosk } from '../support/kiosk.ts';
import type { UpstreamConnection } from '../support/upstream-ws.ts';
import { connectionCount, httpServerProbe, listenerTotal, waitFor } from '../support/wait.ts';

const FD_TOLERANCE = 2;

let kiosk: TestKiosk;

beforeAll(async () => {
  kiosk = await startTestKiosk({ upstream: { ws: { reconnectBaseMs: 50, reconnectCapMs: 100 } } });
  await uplinkOpen(1);
});
afterAll(() => kiosk.close());

async function uplinkOpen(count: number): Promise<UpstreamConnection> {
  const upstream = kiosk.upstreamWs;
  await upstream.waitFor(
    () => upstream.connections.length >= count && (upstream.connections.at(-1)?.received.length ?? 0) > 0,
    10_000,
    `uplink connection #${count}`,
  );
  return upstream.connections.at(-1)!;
}

/** Waits for the fd count to settle near `baseline`, then returns it (the caller asserts). */
async function settledFds(baseline: number): Promise<number> {
  await waitFor(() => Math.abs(openFds() - baseline) <= FD_TOLERANCE, { timeoutMs: 10_000, what: 'fds back to the baseline' }).catch(
    () => undefined,
  );
  return openFds();
}

function hellos(connection: UpstreamConnection): number {
  return connection.received.filter((text) => (JSON.parse(text) as { type?: string }).type === 'kiosk.hello').length;
}

describe('the upstream killed and restarted 50 times', () => {
  it('gets the uplink back every time, in the same server, with a hello each time and no fd or listener left behind', async () => {
    const upstream = kiosk.upstreamWs;
    const page = openPageSocket(kiosk.server);
    const inbox = new Inbox(page);
    await waitOpen(page);
    await inbox.next((m) => m.type === 'local.hello');

    const baseline = {
      fds: openFds(),
      process: listenerTotal(process),
      upstream: listenerTotal(kiosk.server.relay.upstream),
      pages: listenerTotal(kiosk.server.relay.pages),
    };
    const connectionsBefore = upstream.connections.length;
    expect(connectionsBefore).toBe(1);

    for (let round = 1; round <= 50; round++) {
      await upstream.restart();
      await uplinkOpen(1 + round);
    }

    expect(upstream.connections).toHaveLength(51);
    expect(upstream.connections.map(hellos)).toEqual(Array.from({ length: 51 }, () => 1));
    expect(upstream.connections.every((c) => (JSON.parse(c.received[0] ?? '{}') as { type?: string }).type === 'kiosk.hello')).toBe(true);
    expect(upstream.clients.size).toBe(1);
    const uplink = kiosk.server.status().uplink;
    expect(uplink).toMatchObject({ state: 'open', connects: 51, disconnects: 50 });

    // The page stayed connected through all of it and is still served by the last uplink.
    expect(page.readyState).toBe(page.OPEN);
    upstream.broadcast(JSON.stringify({ type: 'after.restarts' }));
    await inbox.next((m) => m.type === 'after.restarts');
    expect(inbox.ofType('local.uplink').at(-1)?.state).toBe('open');

    const fds = await settledFds(baseline.fds);
    expect(fds).toBeGreaterThanOrEqual(baseline.fds - FD_TOLERANCE);
    expect(fds).toBeLessThanOrEqual(baseline.fds + FD_TOLERANCE);
    expect(listenerTotal(process)).toBe(baseline.process);
    expect(listenerTotal(kiosk.server.relay.upstream)).toBe(baseline.upstream);
    expect(listenerTotal(kiosk.server.relay.pages)).toBe(baseline.pages);

    expect((await httpRequest(kiosk.server.port, { path: '/api/events/', headers: pageHeaders(kiosk.server) })).status).toBe(200);
    page.close();
    await waitClose(page);
  }, 50_000);
});

describe('1,000 abandoned local connections', () => {
  type Kind = (port: number) => Promise<void>;

  const upgradeRequest = (port: number, key: string) =>
    `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n` +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://127.0.0.1:${port}\r\n` +
    `Sec-WebSocket-Protocol: kiosk.v1, kiosk-key.${key}\r\n\r\n`;

  /** Runs `act` on a fresh connection and resolves once the socket is fully closed. */
  function cycle(port: number, act: (socket: Socket) => void): Promise<void> {
    return new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.once('close', () => resolve());
      socket.once('connect', () => act(socket));
    });
  }

  const kinds = (key: string): Kind[] => [
    // Connect and go away.
    (port) => cycle(port, (socket) => socket.destroy()),
    // Half a request line and headers, then gone.
    (port) => cycle(port, (socket) => socket.write(`GET /api/events/ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Kio`, () => socket.destroy())),
    // Half a body of a proxied POST, then gone.
    (port) =>
      cycle(port, (socket) =>
        socket.write(
          `POST /api/events/ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\nX-Kiosk-Key: ${key}\r\n` +
            'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
          () => socket.destroy(),
        ),
      ),
    // A proxied request whose upstream never answers, abandoned while it waits.
    (port) =>
      cycle(port, (socket) =>
        socket.write(`GET /api/slow/ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Kiosk-Key: ${key}\r\n\r\n`, () => setImmediate(() => socket.destroy())),
      ),
    // A valid upgrade, abandoned before the answer.
    (port) => cycle(port, (socket) => socket.write(upgradeRequest(port, key), () => socket.destroy())),
    // A valid upgrade, abandoned right after the 101 without a close frame.
    (port) =>
      cycle(port, (socket) => {
        socket.once('data', () => socket.destroy());
        socket.write(upgradeRequest(port, key));
      }),
    // A refused upgrade, abandoned before the refusal.
    (port) => cycle(port, (socket) => socket.write(upgradeRequest(port, 'wrong-key'), () => socket.destroy())),
    // Half an upgrade request.
    (port) => cycle(port, (socket) => socket.write(upgradeRequest(port, key).slice(0, 90), () => socket.destroy())),
  ];

  it('leave fds and listeners (http server, process) at the baseline, and the server still serves', async () => {
    const { port } = kiosk.server;
    const probe = httpServerProbe();
    await httpRequest(port, { path: '/healthz', headers: pageHeaders(kiosk.server) });
    const server = probe.serverOn(port);
    probe.stop();
    if (server === undefined) throw new Error('the kiosk\'s http server was not seen');

    const all = kinds(kiosk.server.key);
    const quiet = async () => {
      await waitFor(async () => (await connectionCount(server)) === 0 && kiosk.server.status().pages.connected === 0, {
        timeoutMs: 15_000,
        what: 'every local connection closed',
      });
    };
    // One of each first, so that whatever is set up lazily is in the baseline.
    for (const kind of all) await kind(port);
    await quiet();
    const baseline = { fds: openFds(), server: listenerTotal(server), process: listenerTotal(process) };
    const badRequestsBefore = kiosk.server.status().badRequests;
    const acceptedBefore = kiosk.server.status().pages.accepted;

    const total = 1000;
    const concurrency = 20;
    for (let start = 0; start < total; start += concurrency) {
      await Promise.all(Array.from({ length: concurrency }, (_, i) => all[(start + i) % all.length]!(port)));
    }
    await quiet();

    const status = kiosk.server.status();
    // The cycles really reached the server: half requests were counted, upgrades accepted.
    expect(status.badRequests).toBeGreaterThan(badRequestsBefore);
    expect(status.pages.accepted).toBeGreaterThan(acceptedBefore);
    const fds = await settledFds(baseline.fds);
    expect(fds).toBeGreaterThanOrEqual(baseline.fds - FD_TOLERANCE);
    expect(fds).toBeLessThanOrEqual(baseline.fds + FD_TOLERANCE);
    expect(listenerTotal(server)).toBe(baseline.server);
    expect(listenerTotal(process)).toBe(baseline.process);

    // Still serving: the UI, the API and a page socket.
    expect((await httpRequest(port, { path: '/healthz', headers: pageHeaders(kiosk.server) })).body).toBe('{"ok":true}');
    expect((await httpRequest(port, { path: '/api/events/', headers: pageHeaders(kiosk.server) })).status).toBe(200);
    const page = openPageSocket(kiosk.server);
    const inbox = new Inbox(page);
    await waitOpen(page);
    await inbox.next((m) => m.type === 'local.hello');
    page.close();
    await waitClose(page);
  }, 50_000);
});
