// Defence 7: the tokens never reach the page, a response or a log line; the launch key
// never reaches a log line. Everything the relay can do is exercised once, every byte the
// clients received and every log line is kept, and then searched.
//
// The kiosks here run with the logger's last-resort scrubbing OFF (it is not told the
// secrets), so a clean log proves that no code path puts a secret in a line at all.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { credentialOf } from '../../core/secret-forms.ts';
import type { KioskToUpstream } from '../../protocol/upstream.ts';
import { httpRequest, Inbox, openPageSocket, pageHeaders, rawExchange, waitOpen, type PageSocketOptions } from '../support/clients.ts';
import { newToken, startTestKiosk, type TestKiosk } from '../support/kiosk.ts';
import { WsUpstream } from '../support/upstream-ws.ts';
import { waitFor } from '../support/wait.ts';

let kiosk: TestKiosk;
/** A second kiosk whose uplink token the upstream does not accept. */
let refused: TestKiosk;
let strictUpstream: WsUpstream;
/** Every status line, header and body the clients received, and every frame and close reason. */
const received: string[] = [];

beforeAll(async () => {
  kiosk = await startTestKiosk({ relay: { allowUp: ['ui.ping'] } }, {}, { scrubLogs: false });
  strictUpstream = await new WsUpstream({ token: newToken('other') }).start();
  refused = await startTestKiosk({ upstream: { ws: { url: strictUpstream.url } } }, {}, { scrubLogs: false });
  await kiosk.upstreamWs.waitFor(() => kiosk.upstreamWs.connections.length === 1, 10_000, 'uplink');
  await exerciseEverything();
}, 60_000);
afterAll(async () => {
  await kiosk.close();
  await refused.close();
  await strictUpstream.kill();
});

function keep(result: { status: number; headers: unknown; body: string }): typeof result {
  received.push(`${result.status} ${JSON.stringify(result.headers)}\n${result.body}`);
  return result;
}

async function http(path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return keep(await httpRequest(kiosk.server.port, { path, headers: pageHeaders(kiosk.server), ...options }));
}

/** A request whose response may be cut short; keeps whatever arrived. */
function httpCut(path: string): Promise<void> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port: kiosk.server.port, path, headers: pageHeaders(kiosk.server), agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      const done = () => {
        keep({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        resolve();
      };
      res.on('end', done);
      res.on('error', done);
    });
    req.on('error', () => resolve());
    req.end();
  });
}

async function raw(bytes: string): Promise<string> {
  const reply = await rawExchange(kiosk.server.port, bytes);
  received.push(reply);
  return reply;
}

/** Opens a page socket and records its handshake answer, frames and close, accepted or refused. */
function recordedSocket(options: PageSocketOptions = {}): { ws: WebSocket; inbox: Inbox; done: Promise<void> } {
  const ws = openPageSocket(kiosk.server, options);
  const inbox = new Inbox(ws);
  ws.on('upgrade', (res) => received.push(`101 ${JSON.stringify(res.headers)}`));
  ws.on('message', (data: Buffer) => received.push(data.toString('utf8')));
  ws.on('unexpected-response', (_req, res) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => received.push(`${res.statusCode} ${JSON.stringify(res.headers)}\n${Buffer.concat(chunks).toString('utf8')}`));
    ws.terminate();
  });
  ws.on('error', () => undefined);
  const done = new Promise<void>((resolve) =>
    ws.once('close', (code, reason) => {
      received.push(`close ${code} ${reason.toString()}`);
      resolve();
    }),
  );
  return { ws, inbox, done };
}

async function exerciseEverything(): Promise<void> {
  const { server } = kiosk;
  const host = `127.0.0.1:${server.port}`;

  // The UI and the public routes.
  for (const path of ['/', '/index.html', '/assets/app.js', '/healthz', '/status', '/nothing-here', '/ws', '/%E0%A4%A']) await http(path);
  await http('/', { method: 'HEAD' });

  // The API: good calls, misbehaving routes, confinement, and what the page tries to smuggle.
  await http('/api/events/', { headers: pageHeaders(server, { authorization: 'Token from-the-page', cookie: 'a=b' }) });
  await http('/api/events/', { method: 'POST', headers: pageHeaders(server, { origin: server.origin, 'content-type': 'application/json' }), body: '{"a":1}' });
  for (const path of ['/api/echo-headers/', '/api/gzip-echo/', '/api/cookies/', '/api/redirect/', '/api/redirect-away/', '/api/boom/', '/api/slow/']) {
    await http(path);
  }
  await httpCut('/api/die/');
  await http('/api/%2e%2e/x');
  await kiosk.upstreamApi.stop();
  expect((await http('/api/events/')).status).toBe(502);
  await kiosk.upstreamApi.start();

  // Every refusal.
  await http('/api/events/', { headers: pageHeaders(server, { host: 'evil.example' }) });
  await http('/api/events/', { headers: pageHeaders(server, { origin: 'https://evil.example' }) });
  await http('/api/events/', { method: 'POST', headers: pageHeaders(server), body: '{}' });
  await http('/api/events/', { headers: { host } });
  await http('/api/events/', { headers: pageHeaders(server, { 'x-kiosk-key': 'wrong' }) });
  await http('/status', { headers: { host } });
  await raw('GARBAGE\r\n\r\n');
  await raw(`GET / HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  for (const options of [{ origin: 'https://evil.example' }, { key: 'wrong' }, { key: null }, { protocols: ['kiosk-key.x'] }, { path: '/elsewhere' }, { host: 'evil.example' }]) {
    const socket = recordedSocket(options);
    await socket.done;
  }

  // WebSocket traffic both ways, an uplink outage, an oversized frame.
  const page = recordedSocket();
  await waitOpen(page.ws);
  await page.inbox.next((m) => m.type === 'local.hello');
  const upstream = kiosk.upstreamWs;
  const connection = upstream.connections[0]!;
  upstream.broadcast(JSON.stringify({ type: 'events.changed' }));
  upstream.broadcast(JSON.stringify({ type: 'debug.echo', headers: connection.headers }));
  upstream.broadcast(JSON.stringify({ type: 'kiosk.reset', id: 'r-1', target: 'all' }));
  upstream.broadcast('reset');
  upstream.broadcast('not json');
  upstream.broadcast(Buffer.from([1, 2, 3]), { binary: true });
  upstream.broadcast(JSON.stringify({ type: 'kiosk.reset', id: 'bad id', target: 'all' }));
  upstream.broadcast(JSON.stringify({ type: 'local.reload' }));
  upstream.broadcast(JSON.stringify({ type: 'marker.1' }));
  await page.inbox.next((m) => m.type === 'marker.1');
  page.ws.send(JSON.stringify({ type: 'ui.ping' }));
  page.ws.send(JSON.stringify({ type: 'ui.secret' }));
  page.ws.send('not json');
  page.ws.send(JSON.stringify({ type: 'local.shown', home: true }));
  await upstream.waitFor(() => connection.received.some((t) => t.includes('ui.ping')), 5000, 'ui.ping');
  kiosk.server.relay.upstream.send({ type: 'kiosk.status', kiosk: 'lobby-1' } as unknown as KioskToUpstream);

  await upstream.restart();
  await upstream.waitFor(() => upstream.connections.length === 2 && (upstream.connections[1]?.received.length ?? 0) > 0, 10_000, 'uplink back');
  await page.inbox.next((m) => m.type === 'local.uplink' && m.state === 'open', 10_000);

  const oversize = recordedSocket();
  await waitOpen(oversize.ws);
  oversize.ws.send('x'.repeat(1024 * 1024));
  await oversize.done;
  page.ws.close();
  await page.done;

  // The other kiosk's uplink is refused by its upstream (wrong token), over and over.
  await waitFor(() => strictUpstream.refusedHandshakes.length >= 2, { what: 'the refused uplink, twice' });
  await waitFor(() => refused.log.text.includes('uplink refused by the upstream'), { what: 'the refused kiosk\'s log line' });
  keep(await httpRequest(refused.server.port, { path: '/status', headers: pageHeaders(refused.server) }));
}

function secretsOf(target: TestKiosk): string[] {
  return [target.wsToken, credentialOf(target.wsToken), target.apiToken, credentialOf(target.apiToken)];
}

describe('after exercising everything', () => {
  it('really exercised the relay: the upstreams got the tokens and the echoes were scrubbed', () => {
    expect(kiosk.upstreamApi.requests.some((r) => r.headers.authorization === kiosk.apiToken)).toBe(true);
    expect(kiosk.upstreamWs.connections[0]?.headers.authorization).toBe(kiosk.wsToken);
    expect(received.length).toBeGreaterThan(40);
    expect(received.some((text) => text.includes('Token [redacted]'))).toBe(true);
    const statuses = new Set(received.map((text) => Number(text.slice(0, 3))).concat(received.map((text) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]))));
    for (const status of [200, 302, 400, 401, 403, 404, 426, 431, 500, 502, 504]) expect(statuses).toContain(status);
    expect(received.some((text) => text.startsWith('close 1009'))).toBe(true);
  });

  it('no response header, body, frame or close reason holds either token or its credential', () => {
    for (const secret of secretsOf(kiosk)) {
      const hits = received.filter((text) => text.includes(secret));
      expect(hits).toEqual([]);
    }
  });

  it('no response hands back the launch key', () => {
    expect(received.filter((text) => text.includes(kiosk.server.key))).toEqual([]);
  });

  it('no log line holds either token, its credential or the launch key, even with log scrubbing off', () => {
    const lines = kiosk.log.lines;
    for (const word of ['request refused by the guard', 'API upstream failed', 'uplink closed', 'uplink open', 'kiosk page connection error']) {
      expect(lines.some((line) => line.includes(word))).toBe(true);
    }
    for (const secret of [...secretsOf(kiosk), kiosk.server.key]) {
      expect(lines.filter((line) => line.includes(secret))).toEqual([]);
    }
  });

  it('no log line of a kiosk whose uplink is refused holds a secret, and /status names the HTTP status', () => {
    expect(refused.log.text).toContain('uplink refused by the upstream');
    expect(refused.server.status().uplink.lastError).toBe('HTTP 401');
    for (const secret of [...secretsOf(refused), refused.server.key]) {
      expect(refused.log.lines.filter((line) => line.includes(secret))).toEqual([]);
    }
  });
});
