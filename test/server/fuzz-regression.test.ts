// Whatever arrives on the port — random bytes, broken HTTP, huge or endless headers,
// garbage after an upgrade, junk frames from a page — the kiosk does not crash, nothing
// reaches an upstream, and afterwards the guards still refuse and the page still works.
// Deterministic: every random input comes from a seeded PRNG.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handshakeStatus, httpRequest, Inbox, openPageSocket, pageHeaders, rawExchange, waitClose, waitOpen } from '../support/clients.ts';
import { startTestKiosk, type TestKiosk } from '../support/kiosk.ts';
import { waitFor } from '../support/wait.ts';
import { Rng } from '../support/rng.ts';

function prng(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}

function randomBytes(random: () => number, length: number): Buffer {
  return Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
}

function randomText(random: () => number, length: number): string {
  // Printable ASCII, a few structural characters, and some non-ASCII.
  const alphabet = 'abcXYZ019 {}[]":,\\\'\n\t/%.-_äö€😀';
  return Array.from({ length }, () => [...alphabet][Math.floor(random() * [...alphabet].length)]).join('');
}

let kiosk: TestKiosk;
let host: string;

beforeAll(async () => {
  kiosk = await startTestKiosk({ relay: { allowUp: ['ui.ping'] } });
  host = `127.0.0.1:${kiosk.server.port}`;
  await kiosk.upstreamWs.waitFor(() => kiosk.upstreamWs.connections.length === 1, 10_000, 'uplink');
});
afterAll(() => kiosk.close());

function upstreamCounts() {
  return { api: kiosk.upstreamApi.requests.length, apiTcp: kiosk.upstreamApi.tcpConnections, ws: kiosk.upstreamWs.tcpConnections };
}

function upgradeRequest(): string {
  return (
    `GET /ws HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n` +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: ${kiosk.server.origin}\r\nSec-WebSocket-Protocol: kiosk.v1, kiosk-key.${kiosk.server.key}\r\n\r\n`
  );
}

/** Completes a real upgrade on a raw socket, then writes `garbage`; resolves when the server has closed it. */
function garbageAfterUpgrade(garbage: Buffer): Promise<{ upgraded: boolean; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(kiosk.server.port, '127.0.0.1');
    let upgraded = false;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ upgraded, closedByServer: false });
    }, 10_000);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      if (!upgraded && chunk.toString('latin1').startsWith('HTTP/1.1 101')) {
        upgraded = true;
        socket.write(garbage);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ upgraded, closedByServer: true });
    });
    socket.on('end', () => socket.end());
    socket.write(upgradeRequest());
  });
}

describe('random and malformed input on the port', () => {
  it('survives 80 blobs of random bytes, answering each with a 400 or a close', async () => {
    const random = prng(0x5eed0001);
    const before = { ...upstreamCounts(), bad: kiosk.server.status().badRequests };
    const blobs = Array.from({ length: 80 }, () => randomBytes(random, 1 + Math.floor(random() * 4096)));
    const replies = await Promise.all(blobs.map((blob) => rawExchange(kiosk.server.port, blob, 3000)));
    for (const reply of replies) expect(reply === '' || /^HTTP\/1\.1 4\d\d /.test(reply)).toBe(true);
    expect(replies.filter((reply) => reply.startsWith('HTTP/1.1 400 ')).length).toBeGreaterThan(40);
    expect(kiosk.server.status().badRequests).toBeGreaterThan(before.bad);
    expect(upstreamCounts()).toMatchObject({ api: before.api, apiTcp: before.apiTcp, ws: before.ws });
  });

  it.each([
    ['a bad method token', 'G@T / HTTP/1.1\r\nHost: HOST\r\n\r\n'],
    ['an unknown HTTP version', 'GET / HTTP/9.9\r\nHost: HOST\r\n\r\n'],
    ['no spaces in the request line', 'GET/HTTP/1.1\r\nHost: HOST\r\n\r\n'],
    ['a header without a colon', 'GET / HTTP/1.1\r\nHost: HOST\r\nNoColonHere\r\n\r\n'],
    ['a space before the colon', 'GET / HTTP/1.1\r\nHost : HOST\r\n\r\n'],
    ['a NUL in a header value', 'GET / HTTP/1.1\r\nHost: HOST\r\nX-A: a\u0000b\r\n\r\n'],
    ['a non-token header name', 'GET / HTTP/1.1\r\nHost: HOST\r\nX(A): b\r\n\r\n'],
    ['Content-Length and Transfer-Encoding together (smuggling)', 'POST /api/events/ HTTP/1.1\r\nHost: HOST\r\nOrigin: ORIGIN\r\nX-Kiosk-Key: KEY\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /api/smuggled/ HTTP/1.1\r\nHost: HOST\r\n\r\n'],
    ['two different Content-Lengths', 'POST /api/events/ HTTP/1.1\r\nHost: HOST\r\nOrigin: ORIGIN\r\nX-Kiosk-Key: KEY\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab'],
    ['a negative Content-Length', 'POST /api/events/ HTTP/1.1\r\nHost: HOST\r\nOrigin: ORIGIN\r\nX-Kiosk-Key: KEY\r\nContent-Length: -1\r\n\r\n'],
    ['an obsolete folded header', 'GET /api/events/ HTTP/1.1\r\nHost: HOST\r\nX-Kiosk-Key: KEY\r\nX-Fold: a\r\n b\r\n\r\n'],
  ])('answers %s with a 4xx and reaches no upstream', async (_what, template) => {
    const before = upstreamCounts();
    const bytes = template.replaceAll('HOST', host).replaceAll('ORIGIN', kiosk.server.origin).replaceAll('KEY', kiosk.server.key);
    const reply = await rawExchange(kiosk.server.port, bytes, 3000);
    expect(reply).toMatch(/^HTTP\/1\.1 4\d\d /);
    expect(reply).not.toMatch(/HTTP\/1\.1 200 /);
    expect(kiosk.upstreamApi.requests.some((r) => r.url.includes('smuggled'))).toBe(false);
    expect(upstreamCounts()).toEqual(before);
  });

  it('answers a keyed request with a broken chunked body with 400; the upstream never gets a whole request', async () => {
    const before = upstreamCounts();
    const reply = await rawExchange(
      kiosk.server.port,
      `POST /api/events/ HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${kiosk.server.origin}\r\nX-Kiosk-Key: ${kiosk.server.key}\r\n` +
        'Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n',
      3000,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
    // The headers were valid, so the proxy had begun the upstream request; the body error
    // aborts it before the upstream has a whole request to act on. A later good request is
    // the barrier: once it is recorded, the aborted one would have been too.
    expect((await httpRequest(kiosk.server.port, { path: '/api/barrier/', headers: pageHeaders(kiosk.server) })).status).toBe(200);
    expect(kiosk.upstreamApi.requests.slice(before.api).map((r) => r.url)).toEqual(['/api/barrier/']);
  });

  it('answers an oversized header with 431', async () => {
    const reply = await rawExchange(kiosk.server.port, `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(reply).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('answers an oversized request line with 431', async () => {
    const reply = await rawExchange(kiosk.server.port, `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    expect(reply).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('answers a flood of small headers past the limit with 431', async () => {
    const flood = Array.from({ length: 3000 }, (_, i) => `X-${i}: v`).join('\r\n');
    const reply = await rawExchange(kiosk.server.port, `GET /healthz HTTP/1.1\r\nHost: ${host}\r\n${flood}\r\n\r\n`);
    expect(reply).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('still guards a request whose header flood stays under the limit', async () => {
    const before = upstreamCounts();
    const flood = Array.from({ length: 500 }, (_, i) => `X-${i}: v`).join('\r\n');
    // The key comes after 500 headers: still read, still checked (wrong here).
    const reply = await rawExchange(kiosk.server.port, `GET /api/events/ HTTP/1.1\r\nHost: ${host}\r\n${flood}\r\nX-Kiosk-Key: wrong\r\nConnection: close\r\n\r\n`);
    expect(reply).toMatch(/^HTTP\/1\.1 401 /);
    expect(upstreamCounts()).toEqual(before);
  });

  it('closes the connection after garbage following a WebSocket upgrade, 20 times over', async () => {
    const random = prng(0x5eed0002);
    const before = upstreamCounts();
    const garbage = Array.from({ length: 20 }, (_, i) =>
      i === 0
        ? Buffer.from([0x82, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]) // a frame claiming 2^64-1 bytes
        : i === 1
          ? Buffer.from([0x81, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f]) // an unmasked client frame
          : randomBytes(random, 1 + Math.floor(random() * 512)),
    );
    const outcomes = await Promise.all(garbage.map((bytes) => garbageAfterUpgrade(bytes)));
    for (const outcome of outcomes) expect(outcome).toEqual({ upgraded: true, closedByServer: true });
    await waitFor(() => kiosk.server.status().pages.connected === 0, { what: 'the fuzzed pages gone' });
    expect(upstreamCounts().ws).toBe(before.ws);
  });
});

describe('junk frames from a page', () => {
  it('drops random binary and non-JSON text frames, sending none of them upstream', async () => {
    const random = prng(0x5eed0003);
    const connection = kiosk.upstreamWs.connections[0]!;
    const sentBefore = connection.received.length;
    const before = kiosk.server.status().relay.up;
    const page = openPageSocket(kiosk.server);
    const inbox = new Inbox(page);
    await waitOpen(page);
    await inbox.next((m) => m.type === 'local.hello');
    for (let i = 0; i < 100; i++) page.send(randomBytes(random, 1 + Math.floor(random() * 1024)), { binary: true });
    for (let i = 0; i < 100; i++) page.send(`x${randomText(random, Math.floor(random() * 300))}`);
    // A JSON frame with a random type that is not allowed, and a last allowed one as a barrier.
    for (let i = 0; i < 20; i++) page.send(JSON.stringify({ type: randomText(random, 8), data: randomText(random, 20) }));
    page.send(JSON.stringify({ type: 'ui.ping', last: true }));
    await kiosk.upstreamWs.waitFor(() => connection.received.length > sentBefore, 5000, 'the barrier');

    expect(connection.received.slice(sentBefore)).toEqual([JSON.stringify({ type: 'ui.ping', last: true })]);
    const after = kiosk.server.status().relay.up;
    expect(after.dropped.binary - before.dropped.binary).toBe(100);
    expect(after.dropped['not-json'] - before.dropped['not-json']).toBe(100);
    expect(after.dropped['not-allowed'] - before.dropped['not-allowed']).toBe(20);
    expect(page.readyState).toBe(page.OPEN);
    page.close();
    await waitClose(page);
  });

  it('closes a page that sends a text frame of invalid UTF-8 with 1007, and nothing goes upstream', async () => {
    const connection = kiosk.upstreamWs.connections[0]!;
    const sentBefore = connection.received.length;
    const page = openPageSocket(kiosk.server);
    await waitOpen(page);
    page.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect((await waitClose(page)).code).toBe(1007);
    expect(connection.received.length).toBe(sentBefore);
  });
});

describe('afterwards', () => {
  it('the guards still refuse', async () => {
    const before = upstreamCounts();
    expect(await handshakeStatus(openPageSocket(kiosk.server, { origin: 'https://evil.example' }))).toBe(403);
    expect(await handshakeStatus(openPageSocket(kiosk.server, { key: 'wrong' }))).toBe(401);
    expect(await handshakeStatus(openPageSocket(kiosk.server, { host: 'evil.example' }))).toBe(403);
    expect((await httpRequest(kiosk.server.port, { path: '/api/events/', headers: { host } })).status).toBe(401);
    expect((await httpRequest(kiosk.server.port, { path: '/api/events/', headers: pageHeaders(kiosk.server, { host: 'evil.example' }) })).status).toBe(403);
    expect(
      (await httpRequest(kiosk.server.port, { path: '/api/events/', method: 'POST', headers: pageHeaders(kiosk.server, { origin: 'https://evil.example' }), body: '{}' })).status,
    ).toBe(403);
    expect(upstreamCounts()).toEqual(before);
  });

  it('a legitimate page still works both ways, and the API still answers', async () => {
    const connection = kiosk.upstreamWs.connections[0]!;
    expect(kiosk.upstreamWs.connections).toHaveLength(1);
    const page = openPageSocket(kiosk.server);
    const inbox = new Inbox(page);
    await waitOpen(page);
    await inbox.next((m) => m.type === 'local.hello');
    page.send(JSON.stringify({ type: 'ui.ping', after: 'fuzz' }));
    await kiosk.upstreamWs.waitFor(() => connection.received.includes(JSON.stringify({ type: 'ui.ping', after: 'fuzz' })), 5000, 'the ping');
    kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'still.alive' }));
    await inbox.next((m) => m.type === 'still.alive');
    const api = await httpRequest(kiosk.server.port, { path: '/api/events/', headers: pageHeaders(kiosk.server) });
    expect(api.status).toBe(200);
    expect((await httpRequest(kiosk.server.port, { path: '/healthz', headers: { host } })).body).toBe('{"ok":true}');
    page.close();
    await waitClose(page);
  });
});
