// /api/* → the API upstream: what crosses (an allow-list, the token as configured), what
// comes back (an allow-list, scrubbed of the token), how upstream failures reach the page,
// and which paths never leave the kiosk.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialOf } from '../../core/secret-forms.ts';
import { httpRequest, pageHeaders, rawExchange, type HttpResult } from '../support/clients.ts';
import { startTestKiosk, type TestKiosk } from '../support/kiosk.ts';
import { ApiUpstream } from '../support/upstream-api.ts';

interface ApiStatus {
  api: { requests: number; failures: number; lastOkAt: string | null; offlineCache: { enabled: boolean; entries: number } };
}

let kiosk: TestKiosk;

beforeAll(async () => {
  kiosk = await startTestKiosk();
});
afterAll(() => kiosk.close());

function get(path: string, extra: Record<string, string> = {}, target: TestKiosk = kiosk): Promise<HttpResult> {
  return httpRequest(target.server.port, { path, headers: pageHeaders(target.server, extra) });
}

async function status(target: TestKiosk = kiosk): Promise<ApiStatus> {
  const response = await get('/status', {}, target);
  expect(response.status).toBe(200);
  return JSON.parse(response.body) as ApiStatus;
}

function lastUpstreamRequest(target: TestKiosk = kiosk) {
  const last = target.upstreamApi.requests.at(-1);
  if (last === undefined) throw new Error('the API upstream received nothing');
  return last;
}

/**
 * A GET that reports how it ended rather than failing when it is cut: `complete` is true
 * only for a response that arrived whole; `status` is 0 when the connection dropped
 * before any response head.
 */
function getOutcome(path: string): Promise<{ status: number; body: string; complete: boolean }> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port: kiosk.server.port, path, headers: pageHeaders(kiosk.server), agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        const done = () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), complete: res.complete });
        res.on('end', done);
        res.on('error', done);
        res.on('aborted', done);
      },
    );
    req.on('error', () => resolve({ status: 0, body: '', complete: false }));
    req.end();
  });
}

describe('the token', () => {
  it('reaches the API upstream exactly as configured', async () => {
    const response = await get('/api/events/');
    expect(response.status).toBe(200);
    expect(lastUpstreamRequest().headers.authorization).toBe(kiosk.apiToken);
  });

  it('overrides an Authorization header the page sent', async () => {
    await get('/api/events/', { authorization: 'Token forged-by-the-page' });
    expect(lastUpstreamRequest().headers.authorization).toBe(kiosk.apiToken);
    expect(lastUpstreamRequest().headers.authorization).not.toContain('forged');
  });

  it('goes in a custom tokenHeader and overrides a page-sent header of that name too', async () => {
    const custom = await startTestKiosk({ upstream: { api: { tokenHeader: 'X-Api-Key' } } });
    try {
      const response = await get('/api/events/', { 'x-api-key': 'forged-by-the-page', authorization: 'Token forged' }, custom);
      expect(response.status).toBe(200);
      const headers = lastUpstreamRequest(custom).headers;
      expect(headers['x-api-key']).toBe(custom.apiToken);
      expect(headers.authorization).toBeUndefined();
    } finally {
      await custom.close();
    }
  });
});

describe('request headers', () => {
  it('forwards only the allow-list; cookies, the key, origin, referer, forwarding and encoding headers stay behind', async () => {
    const response = await httpRequest(kiosk.server.port, {
      path: '/api/events/?page=1',
      method: 'POST',
      headers: pageHeaders(kiosk.server, {
        origin: kiosk.server.origin,
        referer: `${kiosk.server.origin}/#key=${kiosk.server.key}`,
        cookie: 'sessionid=from-the-page',
        'x-forwarded-for': '203.0.113.9',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'https',
        forwarded: 'for=203.0.113.9',
        'x-real-ip': '203.0.113.9',
        'accept-encoding': 'gzip, br',
        'x-random-header': 'random',
        'proxy-authorization': 'Basic Zm9vOmJhcg==',
        'user-agent': 'page-agent',
        'x-kiosk-id': 'forged-kiosk',
        accept: 'application/json',
        'accept-language': 'fi',
        'content-type': 'application/json',
        'if-none-match': '"v1"',
      }),
      body: '{"x":1}',
    });
    expect(response.status).toBe(200);
    const sent = lastUpstreamRequest();
    expect(sent.url).toBe('/api/events/?page=1');
    expect(sent.body).toBe('{"x":1}');
    expect(sent.headers).toMatchObject({
      accept: 'application/json',
      'accept-language': 'fi',
      'content-type': 'application/json',
      'if-none-match': '"v1"',
      'content-length': '7',
      host: `127.0.0.1:${kiosk.upstreamApi.port}`,
      authorization: kiosk.apiToken,
      'user-agent': 'kiosk-shell/0.0.0-test',
      'x-kiosk-id': 'lobby-1',
    });
    const allowed = ['accept', 'accept-language', 'content-type', 'content-length', 'if-none-match', 'host', 'connection', 'authorization', 'user-agent', 'x-kiosk-id'];
    expect(Object.keys(sent.headers).filter((name) => !allowed.includes(name))).toEqual([]);
    expect(JSON.stringify(sent.headers)).not.toContain(kiosk.server.key);
  });
});

describe('odd requests', () => {
  it('refuses Expect: 100-continue (the proxy library would skip the header filter), reaching no upstream', async () => {
    const before = kiosk.upstreamApi.requests.length;
    const reply = await rawExchange(
      kiosk.server.port,
      `POST /api/events/ HTTP/1.1\r\nHost: 127.0.0.1:${kiosk.server.port}\r\nOrigin: ${kiosk.server.origin}\r\n` +
        `X-Kiosk-Key: ${kiosk.server.key}\r\nCookie: s=1\r\nExpect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 417 /);
    expect(kiosk.upstreamApi.requests.length).toBe(before);
  });

  it('passes a 304 through even when it names gzip for its missing body', async () => {
    const response = await get('/api/not-modified-gzip/', { 'if-none-match': '"v1"' });
    expect(response.status).toBe(304);
    expect(response.headers.etag).toBe('"v1"');
  });
});

describe('upstream failures', () => {
  it('answers 502 upstream-unreachable when the API upstream is down', async () => {
    const dead = await new ApiUpstream().start();
    await dead.stop();
    const down = await startTestKiosk({}, { api: dead });
    try {
      const response = await get('/api/events/', {}, down);
      expect(response.status).toBe(502);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(response.body)).toEqual({ error: 'upstream-unreachable', code: 'ECONNREFUSED' });
      expect(response.body).not.toContain(String(dead.port));
    } finally {
      await down.close();
    }
  });

  it('answers 504 upstream-timeout when the API upstream does not answer within api.timeoutSeconds', async () => {
    const response = await get('/api/slow/');
    expect(response.status).toBe(504);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'upstream-timeout' });
  });

  it('cuts the page\'s response short when the upstream dies mid-response, and keeps serving', async () => {
    const cut = await getOutcome('/api/die/');
    // The upstream had sent a 200 head and part of a body. The page sees its request fail
    // (before the head, or partway through the body); it never sees a response that
    // pretends to be complete.
    expect(cut.complete).toBe(false);
    expect([0, 200]).toContain(cut.status);
    expect(kiosk.upstreamApi.requests.at(-1)?.url).toBe('/api/die/');
    // Same server, next request: served normally.
    const next = await get('/api/events/');
    expect(next.status).toBe(200);
    expect(JSON.parse(next.body)).toMatchObject({ ok: true });
  });

  it('passes an upstream 500 through as it is', async () => {
    const response = await get('/api/boom/');
    expect(response.status).toBe(500);
    expect(JSON.parse(response.body)).toEqual({ detail: 'server error' });
  });
});

describe('responses', () => {
  it('scrub the token from a body that echoes it', async () => {
    const response = await get('/api/echo-headers/');
    expect(response.status).toBe(200);
    expect(kiosk.upstreamApi.requests.at(-1)?.headers.authorization).toBe(kiosk.apiToken);
    expect(response.body).not.toContain(credentialOf(kiosk.apiToken));
    expect(response.body).toContain('[redacted]');
    expect(JSON.stringify(response.headers)).not.toContain(credentialOf(kiosk.apiToken));
    expect(response.headers['x-echo-auth']).toBeUndefined();
  });

  it('scrub the uplink\'s token too, should the API ever hand it back', async () => {
    const response = await httpRequest(kiosk.server.port, {
      path: '/api/echo-body/',
      method: 'POST',
      headers: pageHeaders(kiosk.server, { origin: kiosk.server.origin, 'content-type': 'text/plain' }),
      body: `before ${kiosk.wsToken} after`,
    });
    expect(kiosk.upstreamApi.requests.at(-1)?.body).toContain(credentialOf(kiosk.wsToken));
    expect(response.body).toBe('before Token [redacted] after');
  });

  it('scrub the token from a gzip body that echoes it, handing the page plain JSON', async () => {
    const response = await get('/api/gzip-echo/');
    expect(response.status).toBe(200);
    expect(response.headers['content-encoding']).toBeUndefined();
    const echoed = JSON.parse(response.body) as Record<string, string>;
    expect(echoed.authorization).toBe('Token [redacted]');
    expect(response.body).not.toContain(credentialOf(kiosk.apiToken));
  });

  it('scrub a token that JSON escapes (quotes, backslash) from a JSON body that echoes it', async () => {
    const token = `Signature keyId="kiosk",sig="${randomBytes(16).toString('hex')}\\x"`;
    const quoted = await startTestKiosk({ upstream: { api: { token } } });
    try {
      for (const path of ['/api/echo-headers/', '/api/gzip-echo/']) {
        const response = await get(path, {}, quoted);
        expect(lastUpstreamRequest(quoted).headers.authorization).toBe(token);
        const echoed = JSON.parse(response.body) as Record<string, string>;
        expect(echoed.authorization).not.toContain(credentialOf(token));
        expect(response.body).not.toContain(credentialOf(token));
        expect(response.body).not.toContain(JSON.stringify(credentialOf(token)).slice(1, -1));
      }
    } finally {
      await quoted.close();
    }
  });

  it('scrub a base64 token (with / and +) as PHP and .NET write it into JSON', async () => {
    const credential = `${randomBytes(12).toString('base64')}/+${randomBytes(12).toString('base64')}`;
    const slashed = await startTestKiosk({ upstream: { api: { token: `Token ${credential}` } } });
    try {
      const php = credential.replaceAll('/', '\\/'); // json_encode escapes slashes
      const dotnet = credential.replaceAll('+', '\\u002B'); // System.Text.Json escapes +
      const response = await httpRequest(slashed.server.port, {
        path: '/api/echo-body/',
        method: 'POST',
        headers: pageHeaders(slashed.server, { origin: slashed.server.origin, 'content-type': 'application/json' }),
        body: JSON.stringify({ php: 'x' }).replace('x', php) + JSON.stringify({ dotnet: 'x' }).replace('x', dotnet),
      });
      expect(slashed.upstreamApi.requests.at(-1)?.body).toContain(php);
      expect(response.body).toBe('{"php":"[redacted]"}{"dotnet":"[redacted]"}');
    } finally {
      await slashed.close();
    }
  });

  it('never carry Set-Cookie, Access-Control-Allow-Origin or WWW-Authenticate to the page', async () => {
    const response = await get('/api/cookies/');
    expect(response.status).toBe(200);
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(response.headers['content-type']).toMatch(/^application\/json/);
  });

  it('keep the allow-listed headers such as Cache-Control', async () => {
    const response = await get('/api/events/');
    expect(response.headers['cache-control']).toBe('max-age=5');
  });

  it('rewrite a redirect within the API to /api/...', async () => {
    const response = await get('/api/redirect/');
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/api/events/?page=2');
  });

  it('drop a redirect that leads anywhere else', async () => {
    const response = await get('/api/redirect-away/');
    expect(response.status).toBe(302);
    expect(response.headers.location).toBeUndefined();
    expect(JSON.stringify(response)).not.toContain('evil.example');
  });
});

describe('path confinement', () => {
  it.each([
    '/api/../x',
    '/api/../../etc/passwd',
    '/api/%2e%2e/x',
    '/api/%2E%2E/x',
    '/api/.%2e/x',
    '/api/./events/',
    '/api/events/%2e',
    '/api/a%2fb',
    '/api/a%2Fb',
    '/api/..%2fx',
    '/api/a\\b',
    '/api/%5c..%5cx',
    '/api/a%00b',
    '/api/%E0%A4%A',
  ])('refuses %s with 400 and the upstream records nothing', async (path) => {
    const before = { requests: kiosk.upstreamApi.requests.length, tcp: kiosk.upstreamApi.tcpConnections };
    const reply = await rawExchange(
      kiosk.server.port,
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${kiosk.server.port}\r\nX-Kiosk-Key: ${kiosk.server.key}\r\nConnection: close\r\n\r\n`,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
    expect(kiosk.upstreamApi.requests.length).toBe(before.requests);
    expect(kiosk.upstreamApi.tcpConnections).toBe(before.tcp);
  });

  it('lets an ordinary nested path with a query through', async () => {
    const response = await get('/api/offices/3/rooms/?q=a%2Fb');
    expect(response.status).toBe(200);
    expect(lastUpstreamRequest().url).toBe('/api/offices/3/rooms/?q=a%2Fb');
  });
});

describe('/status', () => {
  it('counts API requests, failures and the last good answer', async () => {
    const fresh = await startTestKiosk();
    try {
      const initial = await status(fresh);
      expect(initial.api).toMatchObject({ requests: 0, failures: 0, lastOkAt: null });
      // No state folder given: nothing kept, nothing counted (test/server/offline-cache.test.ts).
      expect(initial.api.offlineCache).toMatchObject({ enabled: false, entries: 0 });

      const startedAt = Date.now();
      expect((await get('/api/events/', {}, fresh)).status).toBe(200);
      const afterOk = await status(fresh);
      expect(afterOk.api.requests).toBe(1);
      expect(afterOk.api.failures).toBe(0);
      expect(afterOk.api.lastOkAt).not.toBeNull();
      expect(Date.parse(afterOk.api.lastOkAt ?? '')).toBeGreaterThanOrEqual(startedAt - 1000);

      // A 500 is an answer, but not a good one; a timeout is a failure.
      expect((await get('/api/boom/', {}, fresh)).status).toBe(500);
      expect((await get('/api/slow/', {}, fresh)).status).toBe(504);
      const afterFailures = await status(fresh);
      expect(afterFailures.api.requests).toBe(3);
      expect(afterFailures.api.failures).toBe(1);
      expect(afterFailures.api.lastOkAt).toBe(afterOk.api.lastOkAt);

      // Refused and confined requests never reach the proxy and are not counted as API requests.
      await httpRequest(fresh.server.port, { path: '/api/events/', headers: { host: `127.0.0.1:${fresh.server.port}` } });
      await get('/api/%2e%2e/x', {}, fresh);
      expect((await status(fresh)).api.requests).toBe(3);
    } finally {
      await fresh.close();
    }
  });
});
