// Connection admission (server/admission.ts): a local process without the key cannot lock
// the page out by holding connections open. F1 of the red team's review: with 512 slots
// shared by everyone and slowloris sockets reopened as soon as dropped, the page's /api
// calls and new /ws connections succeeded 1 time in 34, its reload 0 in 10, and idle
// sockets were held 25–30 s. The attack here runs in its own process
// (test/support/slowloris.ts); the page works through it from this one.
import { Agent, request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { HEAD_CHECK_INTERVAL_MS, HEAD_TIMEOUT_MS } from '../../server/admission.ts';
import { handshakeStatus, Inbox, openFds, openPageSocket, rawExchange, waitOpen } from '../support/clients.ts';
import { startTestKiosk, type TestKiosk } from '../support/kiosk.ts';
import { spawnSlowloris, workAsPage, type PageOutcome, type PageResults } from '../support/slowloris.ts';
import { waitFor } from '../support/wait.ts';

/** See test/server/resilience.test.ts: libuv opens a few descriptors lazily. */
const FD_TOLERANCE = 2;

let kiosk: TestKiosk | undefined;
afterEach(async () => {
  await kiosk?.close();
  kiosk = undefined;
});

function expectMostSucceed(results: PageResults, minimumAttempts: number): void {
  for (const [what, outcome] of Object.entries(results) as [string, PageOutcome][]) {
    const summary = `${what}: ${outcome.ok} of ${outcome.attempts}, failures ${JSON.stringify(outcome.failures)}`;
    expect(outcome.attempts, summary).toBeGreaterThanOrEqual(minimumAttempts);
    expect(outcome.ok / outcome.attempts, summary).toBeGreaterThanOrEqual(0.99);
  }
}

async function fdsBackTo(baseline: number): Promise<number> {
  await waitFor(() => Math.abs(openFds() - baseline) <= FD_TOLERANCE, { timeoutMs: 15_000, what: 'fds back to the baseline' }).catch(() => undefined);
  return openFds();
}

describe('700 key-less slowloris sockets, reopened as soon as dropped', () => {
  it('leave the page at least 99 % of its /api calls, new /ws connections and reloads, and the fds back at the baseline', async () => {
    const k = (kiosk = await startTestKiosk());
    // One round first, so that what is opened lazily is part of the baseline.
    await workAsPage(k.server, { durationMs: 300 });
    const baseline = openFds();

    // 12 s: the head deadline drops and the attacker reopens each socket three times over.
    const attack = spawnSlowloris({ port: k.server.port, sockets: 700, seconds: 12 });
    await attack.up;
    await waitFor(() => k.server.status().connections.unproven >= 650, { timeoutMs: 10_000, what: 'the server holding the attack' });
    const results = await workAsPage(k.server, { durationMs: 8000 });
    const stats = await attack.done;

    expect(stats.peakOpen).toBeGreaterThanOrEqual(690);
    expect(stats.connects).toBeGreaterThan(1400);
    // The issue measured 1 in 34; the page must not notice the attack.
    expectMostSucceed(results, 30);
    const fds = await fdsBackTo(baseline);
    expect(fds).toBeGreaterThanOrEqual(baseline - FD_TOLERANCE);
    expect(fds).toBeLessThanOrEqual(baseline + FD_TOLERANCE);
  }, 60_000);
});

describe('more key-less sockets than the budget', () => {
  it('evicts the oldest unproven ones, never holds more than the budget, and the page still gets in', async () => {
    const k = (kiosk = await startTestKiosk({}, {}, { admission: { unproven: 64, proven: 16 } }));
    const attack = spawnSlowloris({ port: k.server.port, sockets: 300, seconds: 7 });
    await attack.up;
    let most = 0;
    const sampler = setInterval(() => (most = Math.max(most, k.server.status().connections.unproven)), 5);
    const results = await workAsPage(k.server, { durationMs: 5000 });
    clearInterval(sampler);
    await attack.done;
    expectMostSucceed(results, 15);
    expect(k.server.status().connections.evicted).toBeGreaterThan(300);
    // The new connection is admitted before the oldest goes: one over, for that moment.
    expect(most).toBeLessThanOrEqual(65);
  }, 30_000);

  it('never evicts a proven connection: an open /ws and a keep-alive socket that carried the key', async () => {
    const k = (kiosk = await startTestKiosk({}, {}, { admission: { unproven: 8, proven: 4 } }));
    const page = openPageSocket(k.server);
    const inbox = new Inbox(page);
    await waitOpen(page);
    await inbox.next((m) => m.type === 'local.hello');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const keyed = () =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: k.server.port, path: '/api/events/', agent, headers: { host: `127.0.0.1:${k.server.port}`, 'x-kiosk-key': k.server.key } }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
        });
        req.on('error', reject);
        req.end();
      });
    expect(await keyed()).toEqual({ status: 200, reused: false });
    expect(k.server.status().connections.proven).toBe(2);

    const attack = spawnSlowloris({ port: k.server.port, sockets: 100, seconds: 3 });
    await attack.up;
    await waitFor(() => k.server.status().connections.evicted > 100, { what: 'evictions' });
    await attack.done;

    // The same keep-alive socket, and the page's socket still delivering.
    expect(await keyed()).toEqual({ status: 200, reused: true });
    k.upstreamWs.broadcast(JSON.stringify({ type: 'after.attack' }));
    await inbox.next((m) => m.type === 'after.attack');
    agent.destroy();
    page.close();
  }, 30_000);
});

describe('the proven limit', () => {
  it('refuses an upgrade beyond it with 503, and closes a keyed request\'s connection after serving it', async () => {
    const k = (kiosk = await startTestKiosk({}, {}, { admission: { unproven: 64, proven: 2 } }));
    const pages = [openPageSocket(k.server), openPageSocket(k.server)];
    await Promise.all(pages.map(waitOpen));
    expect(await handshakeStatus(openPageSocket(k.server))).toBe(503);
    const agent = new Agent({ keepAlive: true });
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: k.server.port, path: '/api/events/', agent, headers: { host: `127.0.0.1:${k.server.port}`, 'x-kiosk-key': k.server.key } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, connection: res.headers.connection }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(headers).toEqual({ status: 200, connection: 'close' });
    expect(k.server.status().connections.overProvenLimit).toBe(2);
    for (const page of pages) page.close();
    agent.destroy();
  });
});

describe('the deadline for a request head', () => {
  it(`closes an idle socket, half a request head and half an upgrade head within ${(HEAD_TIMEOUT_MS + HEAD_CHECK_INTERVAL_MS) / 1000} s (was 25–30 s), answering 408`, async () => {
    const k = (kiosk = await startTestKiosk());
    const { port } = k.server;
    const host = `127.0.0.1:${port}`;
    const timed = async (chunks: string[]) => {
      const started = performance.now();
      // The exchange ends when the server closes; the 20 s ceiling only stops a broken test.
      const reply = await rawExchange(port, chunks.map((c) => Buffer.from(c)), 20_000);
      return { ms: performance.now() - started, reply };
    };
    const outcomes = await Promise.all([
      timed([]),
      timed([`GET /api/events/ HTTP/1.1\r\nHost: ${host}\r\n`]),
      timed([`GET /ws HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n`]),
    ]);
    for (const { ms, reply } of outcomes) {
      expect(reply).toMatch(/^HTTP\/1\.1 408 /);
      expect(ms).toBeGreaterThanOrEqual(HEAD_TIMEOUT_MS - 100);
      // Generous for a busy machine, and far below the 25–30 s it was.
      expect(ms).toBeLessThan(HEAD_TIMEOUT_MS + HEAD_CHECK_INTERVAL_MS + 2500);
    }
  });
});
