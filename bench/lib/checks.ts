// After a fuzz round: do the guards still refuse, and does a legitimate page still work?
// Each check is one request or one handshake against the running relay.
import { request } from 'node:http';
import WebSocket from 'ws';

export interface Target {
  port: number;
  key: string;
  origin: string;
}

interface HttpAnswer {
  status: number;
  body: string;
}

export function rawHttp(port: number, options: { path: string; method?: string; headers?: Record<string, string>; body?: string }): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: options.path, method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The HTTP status of a WebSocket handshake (101 when accepted). */
export function handshake(target: Target, options: { host?: string; origin?: string | null; protocols?: string[] }): Promise<number> {
  const protocols = options.protocols ?? ['kiosk.v1', `kiosk-key.${target.key}`];
  const origin = options.origin === undefined ? target.origin : options.origin;
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${target.port}/ws`, protocols, {
      perMessageDeflate: false,
      ...(origin === null ? {} : { origin }),
      ...(options.host === undefined ? {} : { headers: { host: options.host } }),
      handshakeTimeout: 5000,
    });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => {
      resolve(101);
      ws.terminate();
    });
    ws.once('error', () => resolve(0));
  });
}

/** Every guard refuses what it must; returns the checks that failed. */
export async function guardChecks(target: Target): Promise<string[]> {
  const host = `127.0.0.1:${target.port}`;
  const failures: string[] = [];
  const expect = async (what: string, wanted: number, got: Promise<number>) => {
    const status = await got.catch(() => -1);
    if (status !== wanted) failures.push(`${what}: ${status}, expected ${wanted}`);
  };
  const http = (path: string, headers: Record<string, string>, method = 'GET') => rawHttp(target.port, { path, method, headers, ...(method === 'POST' ? { body: '{}' } : {}) }).then((r) => r.status);
  await expect('API with a foreign Host', 403, http('/api/events/', { host: `evil.example:${target.port}`, 'x-kiosk-key': target.key }));
  await expect('API without the key', 401, http('/api/events/', { host }));
  await expect('API with a wrong key', 401, http('/api/events/', { host, 'x-kiosk-key': 'A'.repeat(target.key.length) }));
  await expect('API POST from a foreign Origin', 403, http('/api/x/', { host, origin: 'http://evil.example', 'x-kiosk-key': target.key, 'content-type': 'application/json' }, 'POST'));
  await expect('/status with a wrong key', 401, http('/status', { host, 'x-kiosk-key': `${target.key.slice(0, -1)}x` }));
  await expect('/ws with a foreign Host', 403, handshake(target, { host: `evil.example:${target.port}` }));
  await expect('/ws from a foreign Origin', 403, handshake(target, { origin: 'http://evil.example' }));
  await expect('/ws without an Origin', 403, handshake(target, { origin: null }));
  await expect('/ws with a wrong key', 401, handshake(target, { protocols: ['kiosk.v1', `kiosk-key.${'B'.repeat(target.key.length)}`] }));
  await expect('/ws without the key', 401, handshake(target, { protocols: ['kiosk.v1'] }));
  return failures;
}

/** A legitimate page still gets content, its hello, and a round trip through the uplink. */
export async function legitChecks(target: Target): Promise<string[]> {
  const host = `127.0.0.1:${target.port}`;
  const failures: string[] = [];
  const health = await rawHttp(target.port, { path: '/healthz', headers: { host } }).catch(() => ({ status: -1, body: '' }));
  if (health.status !== 200) failures.push(`/healthz: ${health.status}`);
  const events = await rawHttp(target.port, { path: '/api/events/', headers: { host, 'x-kiosk-key': target.key } }).catch(() => ({ status: -1, body: '' }));
  if (events.status !== 200 || !events.body.startsWith('[')) failures.push(`/api/events/: ${events.status}`);
  const roundTrip = await new Promise<string | null>((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${target.port}/ws`, ['kiosk.v1', `kiosk-key.${target.key}`], { origin: target.origin, perMessageDeflate: false });
    const timer = setTimeout(() => {
      ws.terminate();
      resolve('no hello and round trip within 10 s');
    }, 10_000);
    let pinging: NodeJS.Timeout | undefined;
    ws.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      // Ping until the uplink is back (it may still be reconnecting after the fuzz).
      if (text.includes('"type":"local.hello"')) {
        const ping = () => ws.send('{"type":"bench.ping","seq":424242,"pad":""}');
        ping();
        pinging = setInterval(ping, 250);
      }
      if (text.startsWith('{"type":"bench.pong","seq":424242')) {
        clearTimeout(timer);
        clearInterval(pinging);
        ws.close();
        resolve(null);
      }
    });
    ws.on('error', (error) => {
      clearTimeout(timer);
      clearInterval(pinging);
      resolve(`page socket error: ${error.message}`);
    });
  });
  if (roundTrip !== null) failures.push(`page round trip: ${roundTrip}`);
  return failures;
}
