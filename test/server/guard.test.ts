// Each guard refuses on its own, on /ws and on /api, and nothing reaches the upstreams.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handshakeStatus, httpRequest, openPageSocket, pageHeaders, rawExchange, waitClose } from '../support/clients.ts';
import { startTestKiosk, type TestKiosk } from '../support/kiosk.ts';

let kiosk: TestKiosk;
let wsConnectionsBefore: number;

beforeAll(async () => {
  kiosk = await startTestKiosk();
  await kiosk.upstreamWs.waitFor(() => kiosk.upstreamWs.clients.size === 1, 5000, 'uplink');
  wsConnectionsBefore = kiosk.upstreamWs.tcpConnections;
});
afterAll(() => kiosk.close());

describe('the /ws upgrade', () => {
  it('is accepted from the kiosk page: right Host, Origin and key, kiosk.v1 selected', async () => {
    const ws = openPageSocket(kiosk.server);
    expect(await handshakeStatus(ws)).toBe(101);
    expect(ws.protocol).toBe('kiosk.v1');
    ws.close();
    await waitClose(ws);
  });

  it.each([
    ['a foreign Host (DNS rebinding)', { host: `evil.example:${0}` }, 403],
    ['the right host on the wrong port', { host: '127.0.0.1:1' }, 403],
    ['a foreign Origin (cross-site WebSocket hijacking)', { origin: 'https://evil.example' }, 403],
    ['the localhost origin (not the page\'s own)', { origin: 'http://localhost:1' }, 403],
    ['no Origin at all', { origin: null }, 403],
    ['a null Origin', { origin: 'null' }, 403],
    ['no key', { key: null }, 401],
    ['a wrong key', { key: 'A'.repeat(43) }, 401],
    ['an empty key', { key: '' }, 401],
    ['no kiosk.v1 subprotocol', { protocols: ['kiosk-key.x'] }, 403],
  ] as const)('refuses %s', async (_what, options, status) => {
    const before = kiosk.upstreamWs.tcpConnections;
    const ws = openPageSocket(kiosk.server, { ...options });
    expect(await handshakeStatus(ws)).toBe(status);
    expect(kiosk.upstreamWs.tcpConnections).toBe(before);
  });

  it('refuses an empty Host', async () => {
    const before = kiosk.upstreamWs.tcpConnections;
    const reply = await rawExchange(
      kiosk.server.port,
      'GET /ws HTTP/1.1\r\nHost: \r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: ${kiosk.server.origin}\r\n` +
        `Sec-WebSocket-Protocol: kiosk.v1, kiosk-key.${kiosk.server.key}\r\n\r\n`,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 403 /);
    expect(kiosk.upstreamWs.tcpConnections).toBe(before);
  });

  it('refuses two keys offered at once, even when one is right', async () => {
    const ws = openPageSocket(kiosk.server, { protocols: ['kiosk.v1', 'kiosk-key.wrong', `kiosk-key.${kiosk.server.key}`] });
    expect(await handshakeStatus(ws)).toBe(401);
  });

  it('accepts the localhost Host with the page origin', async () => {
    const ws = openPageSocket(kiosk.server, { host: `localhost:${kiosk.server.port}` });
    expect(await handshakeStatus(ws)).toBe(101);
    ws.close();
  });

  it('refuses upgrades on other paths after the guard, with 404', async () => {
    const ws = openPageSocket(kiosk.server, { path: '/api/ws' });
    expect(await handshakeStatus(ws)).toBe(404);
  });

  it('never opened another upstream connection for any refused page', () => {
    // The one uplink was opened before these tests; refusals add none.
    expect(kiosk.upstreamWs.tcpConnections).toBe(wsConnectionsBefore);
    expect(kiosk.upstreamWs.refusedHandshakes).toHaveLength(0);
  });
});

describe('/api', () => {
  const path = '/api/events/';

  it('passes the kiosk page through', async () => {
    const result = await httpRequest(kiosk.server.port, { path, headers: pageHeaders(kiosk.server) });
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ ok: true, path: '/api/events/' });
  });

  it.each([
    ['a foreign Host', { host: 'evil.example' }, 'GET', 403],
    ['a foreign Origin on GET', { origin: 'https://evil.example' }, 'GET', 403],
    ['no Origin on POST (CSRF without the header)', {}, 'POST', 403],
    ['a foreign Origin on POST (CSRF)', { origin: 'https://evil.example' }, 'POST', 403],
    ['no key', { 'x-kiosk-key': '' }, 'GET', 401],
    ['a wrong key', { 'x-kiosk-key': 'wrong' }, 'GET', 401],
  ] as const)('refuses %s', async (_what, headers, method, status) => {
    const before = { requests: kiosk.upstreamApi.requests.length, tcp: kiosk.upstreamApi.tcpConnections };
    const result = await httpRequest(kiosk.server.port, {
      path,
      method,
      headers: { ...pageHeaders(kiosk.server), ...headers },
      body: method === 'POST' ? '{}' : undefined,
    });
    expect(result.status).toBe(status);
    expect(kiosk.upstreamApi.requests.length).toBe(before.requests);
    expect(kiosk.upstreamApi.tcpConnections).toBe(before.tcp);
  });

  it('accepts a POST with the page origin and key', async () => {
    const result = await httpRequest(kiosk.server.port, {
      path,
      method: 'POST',
      headers: pageHeaders(kiosk.server, { origin: kiosk.server.origin, 'content-type': 'application/json' }),
      body: '{"a":1}',
    });
    expect(result.status).toBe(200);
    expect(kiosk.upstreamApi.requests.at(-1)?.body).toBe('{"a":1}');
  });

  it('refuses an empty Host', async () => {
    const before = kiosk.upstreamApi.requests.length;
    const reply = await rawExchange(kiosk.server.port, `GET ${path} HTTP/1.1\r\nHost: \r\nX-Kiosk-Key: ${kiosk.server.key}\r\n\r\n`);
    expect(reply).toMatch(/^HTTP\/1\.1 403 /);
    expect(kiosk.upstreamApi.requests.length).toBe(before);
  });

  it('refuses an absolute-form target (GET http://other/...), even with the right Host and key', async () => {
    const before = kiosk.upstreamApi.requests.length;
    const reply = await rawExchange(
      kiosk.server.port,
      `GET http://evil.example/api/x HTTP/1.1\r\nHost: 127.0.0.1:${kiosk.server.port}\r\nX-Kiosk-Key: ${kiosk.server.key}\r\nConnection: close\r\n\r\n`,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 403 /);
    expect(kiosk.upstreamApi.requests.length).toBe(before);
  });

  it('refuses two Host headers, even when the first is right', async () => {
    const before = kiosk.upstreamApi.requests.length;
    const reply = await rawExchange(
      kiosk.server.port,
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${kiosk.server.port}\r\nHost: evil.example\r\nX-Kiosk-Key: ${kiosk.server.key}\r\nConnection: close\r\n\r\n`,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 (400|403) /);
    expect(kiosk.upstreamApi.requests.length).toBe(before);
  });

  it('refuses a request with no Host header at all (HTTP/1.0)', async () => {
    const before = kiosk.upstreamApi.requests.length;
    const reply = await rawExchange(kiosk.server.port, `GET ${path} HTTP/1.0\r\nX-Kiosk-Key: ${kiosk.server.key}\r\n\r\n`);
    expect(reply).toMatch(/^HTTP\/1\.[01] 403/);
    expect(kiosk.upstreamApi.requests.length).toBe(before);
  });
});

describe('/status and public routes', () => {
  it('/status needs the key', async () => {
    const headers = { host: `127.0.0.1:${kiosk.server.port}` };
    expect((await httpRequest(kiosk.server.port, { path: '/status', headers })).status).toBe(401);
    expect((await httpRequest(kiosk.server.port, { path: '/status', headers: pageHeaders(kiosk.server) })).status).toBe(200);
  });

  it('/healthz and the UI need only the Host', async () => {
    const good = { host: `localhost:${kiosk.server.port}` };
    expect((await httpRequest(kiosk.server.port, { path: '/healthz', headers: good })).body).toBe('{"ok":true}');
    expect((await httpRequest(kiosk.server.port, { path: '/', headers: good })).status).toBe(200);
    const rebound = { host: `evil.example:${kiosk.server.port}` };
    expect((await httpRequest(kiosk.server.port, { path: '/healthz', headers: rebound })).status).toBe(403);
    expect((await httpRequest(kiosk.server.port, { path: '/', headers: rebound })).status).toBe(403);
  });

  it('logs a refusal with the path as requested, /api prefix included', () => {
    expect(kiosk.log.text).toMatch(/"path":"\/api\/events\/"[^\n]*"msg":"request refused by the guard"/);
  });

  it('counts every refusal by reason', async () => {
    const response = await httpRequest(kiosk.server.port, { path: '/status', headers: pageHeaders(kiosk.server) });
    const status = JSON.parse(response.body) as { refused: Record<string, number> };
    expect(status.refused.host).toBeGreaterThanOrEqual(7);
    expect(status.refused.origin).toBeGreaterThanOrEqual(4);
    expect(status.refused['key-wrong']).toBeGreaterThanOrEqual(3);
  });
});

describe('guard edges', () => {
  function upstreamCounts() {
    return { api: kiosk.upstreamApi.requests.length, apiTcp: kiosk.upstreamApi.tcpConnections, ws: kiosk.upstreamWs.tcpConnections };
  }

  it.each(['DELETE', 'PUT', 'PATCH', 'OPTIONS'])('treats %s as state-changing: refused without the page Origin', async (method) => {
    const before = upstreamCounts();
    const without = await httpRequest(kiosk.server.port, { path: '/api/events/', method, headers: pageHeaders(kiosk.server) });
    expect(without.status).toBe(403);
    const foreign = await httpRequest(kiosk.server.port, { path: '/api/events/', method, headers: pageHeaders(kiosk.server, { origin: 'https://evil.example' }) });
    expect(foreign.status).toBe(403);
    expect(upstreamCounts()).toEqual(before);
    const own = await httpRequest(kiosk.server.port, { path: '/api/events/', method, headers: pageHeaders(kiosk.server, { origin: kiosk.server.origin }) });
    expect(own.status).toBe(200);
  });

  it.each([
    ['a prefix of the key', (key: string) => key.slice(0, -1)],
    ['the key with one more character', (key: string) => `${key}A`],
    ['the key in another case', (key: string) => (key.toUpperCase() === key ? key.toLowerCase() : key.toUpperCase())],
    ['the key twice, as a list', (key: string) => `${key}, ${key}`],
    ['a very long key', (key: string) => key.repeat(20)],
  ])('refuses %s on /api and /ws', async (_what, variant) => {
    const before = upstreamCounts();
    const wrong = variant(kiosk.server.key);
    expect((await httpRequest(kiosk.server.port, { path: '/api/events/', headers: pageHeaders(kiosk.server, { 'x-kiosk-key': wrong }) })).status).toBe(401);
    if (!wrong.includes(',')) expect(await handshakeStatus(openPageSocket(kiosk.server, { key: wrong }))).toBe(401);
    expect(upstreamCounts()).toEqual(before);
  });

  it('does not take the key from the query string, on /api or /ws', async () => {
    const headers = { host: `127.0.0.1:${kiosk.server.port}` };
    expect((await httpRequest(kiosk.server.port, { path: `/api/events/?key=${kiosk.server.key}`, headers })).status).toBe(401);
    expect(await handshakeStatus(openPageSocket(kiosk.server, { key: null, path: `/ws?key=${kiosk.server.key}` }))).toBe(401);
  });

  it('refuses a repeated key or Origin header, even when one copy is right', async () => {
    const before = upstreamCounts();
    const port = kiosk.server.port;
    const twoKeys = await rawExchange(port, `GET /api/events/ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Kiosk-Key: wrong\r\nX-Kiosk-Key: ${kiosk.server.key}\r\n\r\n`);
    expect(twoKeys).toMatch(/^HTTP\/1\.1 401 /);
    const twoOrigins = await rawExchange(
      port,
      `POST /api/events/ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: https://evil.example\r\nOrigin: ${kiosk.server.origin}\r\n` +
        `X-Kiosk-Key: ${kiosk.server.key}\r\nContent-Length: 2\r\n\r\n{}`,
    );
    expect(twoOrigins).toMatch(/^HTTP\/1\.1 403 /);
    expect(upstreamCounts()).toEqual(before);
  });

  it('checks the Host header, not an absolute request target, and proxies only to the configured upstream', async () => {
    const port = kiosk.server.port;
    const before = upstreamCounts();
    const rebound = await rawExchange(port, `GET http://127.0.0.1:${port}/api/events/ HTTP/1.1\r\nHost: evil.example\r\nX-Kiosk-Key: ${kiosk.server.key}\r\n\r\n`);
    expect(rebound).toMatch(/^HTTP\/1\.1 403 /);
    expect(upstreamCounts()).toEqual(before);

    const elsewhere = await rawExchange(
      port,
      `GET http://evil.example/api/events/ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Kiosk-Key: ${kiosk.server.key}\r\nConnection: close\r\n\r\n`,
    );
    // Whatever the answer, nothing went anywhere but the configured API, at a path below it.
    if (/^HTTP\/1\.1 200 /.test(elsewhere)) {
      expect(kiosk.upstreamApi.requests.at(-1)?.url).toMatch(/^\/api\//);
      expect(kiosk.upstreamApi.requests.at(-1)?.headers.host).toBe(`127.0.0.1:${kiosk.upstreamApi.port}`);
    } else {
      expect(elsewhere).toMatch(/^HTTP\/1\.1 4\d\d /);
      expect(upstreamCounts()).toEqual(before);
    }
  });

  it('never echoes the key subprotocol back in the handshake', async () => {
    const ws = openPageSocket(kiosk.server);
    const offered = new Promise<string | string[] | undefined>((resolve) => ws.once('upgrade', (res) => resolve(res.headers['sec-websocket-protocol'])));
    expect(await handshakeStatus(ws)).toBe(101);
    expect(await offered).toBe('kiosk.v1');
    ws.close();
    await waitClose(ws);
  });
});
