// The relay's offline content cache (server/offline-cache.ts), through the real server and
// a real upstream on random ports: a good content GET is kept on disk and served, marked
// stale, when the upstream fails; what is never kept; the bounds; corrupt files; a restart;
// copies of another kiosk or upstream; and no token in any file, whatever the upstream echoes.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STALE_SINCE_HEADER } from '../../protocol/page.ts';
import { createLogger } from '../../core/logger.ts';
import { Secrets } from '../../core/secret-forms.ts';
import { MIB, OfflineCache, type OfflineCacheStats } from '../../server/offline-cache.ts';
import { httpRequest, pageHeaders, type HttpResult } from '../support/clients.ts';
import { LogCapture, newToken, startTestKiosk, type TestKiosk, type TestKioskOptions } from '../support/kiosk.ts';
import { echoesOf, recoverable } from '../support/secret-echoes.ts';
import { ApiUpstream } from '../support/upstream-api.ts';
import { waitFor } from '../support/wait.ts';

let dir: string;
let upstream: ApiUpstream;
const kiosks: TestKiosk[] = [];

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-offline-cache-'));
  upstream = await new ApiUpstream().start();
});

afterEach(async () => {
  for (const kiosk of kiosks.splice(0)) await kiosk.close();
  await upstream.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A kiosk on `upstream` whose offline copies live in `dir`. */
async function start(overrides: Record<string, unknown> = {}, options: TestKioskOptions = {}, api: ApiUpstream = upstream): Promise<TestKiosk> {
  const kiosk = await startTestKiosk(overrides, { api }, { offlineCacheDir: dir, ...options });
  kiosks.push(kiosk);
  return kiosk;
}

/** The kiosk stops (its server only) and a new one starts on the same state folder, as after a restart. */
async function restart(kiosk: TestKiosk, overrides: Record<string, unknown> = {}, api: ApiUpstream = upstream): Promise<TestKiosk> {
  await kiosk.server.close();
  return start(overrides, {}, api);
}

function get(kiosk: TestKiosk, url: string, extra: Record<string, string> = {}, method = 'GET'): Promise<HttpResult> {
  const headers = pageHeaders(kiosk.server, method === 'GET' || method === 'HEAD' ? extra : { origin: kiosk.server.origin, ...extra });
  return httpRequest(kiosk.server.port, { path: url, method, headers });
}

function cacheStats(kiosk: TestKiosk): OfflineCacheStats {
  return kiosk.server.status().api.offlineCache;
}

/** A good answer reaches the page; resolves once its copy is on disk. */
async function fetchAndKeep(kiosk: TestKiosk, url: string, extra: Record<string, string> = {}): Promise<HttpResult> {
  const before = cacheStats(kiosk).stored;
  const response = await get(kiosk, url, extra);
  expect(response.status).toBe(200);
  expect(response.headers[STALE_SINCE_HEADER]).toBeUndefined();
  await waitFor(() => cacheStats(kiosk).stored > before, { what: `a kept copy of ${url}` });
  return response;
}

/** The request fails at the upstream and the page gets the relay's failure, not a kept copy. */
async function expectNoCopy(kiosk: TestKiosk, url: string, extra: Record<string, string> = {}): Promise<void> {
  const response = await get(kiosk, url, extra);
  expect(response.status, url).toBe(502);
  expect(JSON.parse(response.body)).toEqual({ error: 'upstream-unreachable', code: 'ECONNREFUSED' });
  expect(response.headers[STALE_SINCE_HEADER]).toBeUndefined();
}

function cacheFiles(): string[] {
  return readdirSync(path.join(dir)).map((name) => path.join(dir, name));
}

describe('a content GET', () => {
  it('is kept after a 200 and, with the upstream stopped, served as it was, marked stale since its fetch', async () => {
    const kiosk = await start();
    const before = Date.now();
    const fresh = await fetchAndKeep(kiosk, '/api/content/events/?lang=es');
    const after = Date.now();
    await upstream.stop();

    const kept = await get(kiosk, '/api/content/events/?lang=es');
    expect(kept.status).toBe(200);
    expect(kept.body).toBe(fresh.body);
    expect(kept.headers['content-type']).toBe('application/json');
    expect(kept.headers['content-language']).toBe('es');
    const since = Date.parse(String(kept.headers[STALE_SINCE_HEADER]));
    expect(new Date(since).toISOString()).toBe(kept.headers[STALE_SINCE_HEADER]);
    expect(since).toBeGreaterThanOrEqual(before - 5);
    expect(since).toBeLessThanOrEqual(after + 5);
    // Never stored or revalidated by the browser; the page's own security headers still on.
    expect(kept.headers['cache-control']).toBe('no-store');
    expect(kept.headers.etag).toBeUndefined();
    expect(kept.headers['x-frame-options']).toBe('DENY');

    const status = kiosk.server.status().api;
    expect(status.failures).toBe(1);
    expect(status.offlineCache).toMatchObject({ enabled: true, entries: 1, stored: 1, staleServes: 1, misses: 0, corrupt: 0 });
    expect(status.offlineCache.lastStaleServe?.fetchedAt).toBe(kept.headers[STALE_SINCE_HEADER]);
    // Staff see what happened in the log, the public only the "not current" mark.
    expect(kiosk.log.text).toContain('served the kept copy');
  });

  it('is kept per query: each language its own copy, a language never fetched is a miss', async () => {
    const kiosk = await start();
    const en = await fetchAndKeep(kiosk, '/api/content/events/?lang=en');
    const es = await fetchAndKeep(kiosk, '/api/content/events/?lang=es');
    const zh = await fetchAndKeep(kiosk, '/api/content/offices/?lang=zh-Hant');
    expect(en.body).not.toBe(es.body);
    await upstream.stop();

    expect((await get(kiosk, '/api/content/events/?lang=en')).body).toBe(en.body);
    expect((await get(kiosk, '/api/content/events/?lang=es')).body).toBe(es.body);
    expect((await get(kiosk, '/api/content/offices/?lang=zh-Hant')).body).toBe(zh.body);
    expect(JSON.parse((await get(kiosk, '/api/content/events/?lang=es')).body)).toMatchObject({ query: { lang: 'es' } });
    await expectNoCopy(kiosk, '/api/content/events/?lang=fil');
    // What a request asked for (a visitor's search, say) is not spelled out on the disk.
    for (const file of cacheFiles()) expect(readFileSync(file, 'latin1')).not.toContain('?lang=');
    await expectNoCopy(kiosk, '/api/content/events/');
    expect(cacheStats(kiosk)).toMatchObject({ entries: 3, staleServes: 4, misses: 2 });
  });

  it('is served from its copy for every way the upstream fails: refused, reset, timeout, 5xx; a 5xx with no copy passes through', async () => {
    const kiosk = await start();
    const fresh = await fetchAndKeep(kiosk, '/api/content/events/?lang=en');
    const modes = ['reset', 'hang', { status: 503 }, { status: 500 }, { status: 502 }] as const;
    for (const mode of modes) {
      upstream.contentMode = mode;
      const kept = await get(kiosk, '/api/content/events/?lang=en');
      expect(kept.status, JSON.stringify(mode)).toBe(200);
      expect(kept.body).toBe(fresh.body);
      expect(kept.headers[STALE_SINCE_HEADER]).toBeDefined();
    }
    upstream.contentMode = { status: 503 };
    const passed = await get(kiosk, '/api/content/never-kept/');
    expect(passed.status).toBe(503);
    expect(JSON.parse(passed.body)).toMatchObject({ path: '/api/content/never-kept/' });
    expect(cacheStats(kiosk)).toMatchObject({ staleServes: modes.length, misses: 1 });
  });

  it('gets a fresh copy with each good answer: the stale mark dates from the latest', async () => {
    const kiosk = await start();
    await fetchAndKeep(kiosk, '/api/content/events/');
    upstream.revision = 2;
    const second = await fetchAndKeep(kiosk, '/api/content/events/');
    upstream.contentMode = { status: 503 };
    const kept = await get(kiosk, '/api/content/events/');
    expect(kept.body).toBe(second.body);
    expect(JSON.parse(kept.body)).toMatchObject({ revision: 2 });
    expect(cacheStats(kiosk)).toMatchObject({ entries: 1, stored: 2 });
  });
});

describe('what is never kept', () => {
  it('anything but a GET (POST, HEAD): a failure after one finds no copy', async () => {
    const kiosk = await start();
    expect((await get(kiosk, '/api/content/form/', {}, 'POST')).status).toBe(200);
    expect((await get(kiosk, '/api/content/head/', {}, 'HEAD')).status).toBe(200);
    await upstream.stop();
    expect((await get(kiosk, '/api/content/form/', {}, 'POST')).status).toBe(502);
    await expectNoCopy(kiosk, '/api/content/form/');
    await expectNoCopy(kiosk, '/api/content/head/');
    expect(cacheStats(kiosk)).toMatchObject({ stored: 0, entries: 0 });
    expect(cacheFiles()).toEqual([]);
  });

  it('an answer that is not a 200 (203, 404, 304, 500), and one cut short', async () => {
    const kiosk = await start();
    expect((await get(kiosk, '/api/content/x/?status=404')).status).toBe(404);
    expect((await get(kiosk, '/api/content/x/?status=203')).status).toBe(203);
    expect((await get(kiosk, '/api/not-modified-gzip/', { 'if-none-match': '"v1"' })).status).toBe(304);
    expect((await get(kiosk, '/api/content/x/?status=500')).status).toBe(500);
    // The upstream sends a 200 head and half a body, then drops the connection.
    await get(kiosk, '/api/die/').catch(() => undefined);
    await upstream.stop();
    for (const url of ['/api/content/x/?status=404', '/api/content/x/?status=203', '/api/not-modified-gzip/', '/api/content/x/?status=500', '/api/die/']) {
      await expectNoCopy(kiosk, url);
    }
    expect(cacheStats(kiosk).stored).toBe(0);
  });

  it('an answer the upstream marks no-store, no-cache or must-revalidate, or Vary: *, or a request sent with no-store; private is kept', async () => {
    const kiosk = await start();
    const refused = ['cc=no-store', 'cc=max-age%3D60%2C%20No-Store', 'cc=no-cache', 'cc=max-age%3D0%2C%20must-revalidate', 'vary=*', 'vary=Accept%2C%20*'];
    for (const query of refused) expect((await get(kiosk, `/api/content/x/?${query}`)).status).toBe(200);
    expect((await get(kiosk, '/api/content/asked/', { 'cache-control': 'no-store' })).status).toBe(200);
    await fetchAndKeep(kiosk, '/api/content/x/?cc=private%2C%20max-age%3D300');
    await fetchAndKeep(kiosk, '/api/content/x/?cc=max-age%3D0');
    await upstream.stop();
    for (const query of refused) await expectNoCopy(kiosk, `/api/content/x/?${query}`);
    await expectNoCopy(kiosk, '/api/content/asked/');
    expect((await get(kiosk, '/api/content/x/?cc=private%2C%20max-age%3D300')).status).toBe(200);
    expect((await get(kiosk, '/api/content/x/?cc=max-age%3D0')).status).toBe(200);
    expect(cacheStats(kiosk).notKept).toEqual({ 'cache-control': 5, vary: 2, secret: 0, 'too-large': 0 });
  });

  it('an answer for other values of the headers the upstream varies on', async () => {
    const kiosk = await start();
    await fetchAndKeep(kiosk, '/api/content/x/?vary=Accept', { accept: 'application/json' });
    await upstream.stop();
    expect((await get(kiosk, '/api/content/x/?vary=Accept', { accept: 'application/json' })).status).toBe(200);
    await expectNoCopy(kiosk, '/api/content/x/?vary=Accept', { accept: 'text/html' });
    await expectNoCopy(kiosk, '/api/content/x/?vary=Accept');
  });
});

describe('validators', () => {
  it('a conditional request during an outage gets the whole kept body as a 200, never a 304, and no validator to revalidate with', async () => {
    const kiosk = await start();
    const fresh = await fetchAndKeep(kiosk, '/api/content/x/?etag=%22v7%22');
    expect(fresh.headers.etag).toBe('"v7"');
    await upstream.stop();
    const kept = await get(kiosk, '/api/content/x/?etag=%22v7%22', { 'if-none-match': '"v7"', 'if-modified-since': new Date().toUTCString() });
    expect(kept.status).toBe(200);
    expect(kept.body).toBe(fresh.body);
    expect(kept.headers[STALE_SINCE_HEADER]).toBeDefined();
    expect(kept.headers.etag).toBeUndefined();
    expect(kept.headers['last-modified']).toBeUndefined();
    expect(kept.headers['cache-control']).toBe('no-store');
  });
});

describe('bounds', () => {
  it('keeps at most the entry count, the oldest copy going first', async () => {
    const kiosk = await start({}, { offlineCacheEntries: 3 });
    for (const name of ['a', 'b', 'c', 'd']) await fetchAndKeep(kiosk, `/api/content/${name}/`);
    expect(cacheStats(kiosk)).toMatchObject({ entries: 3, evictions: 1, maxEntries: 3 });
    expect(cacheFiles()).toHaveLength(3);
    // Refreshing b makes a (gone) and c the oldest: e evicts c.
    await fetchAndKeep(kiosk, '/api/content/b/');
    await fetchAndKeep(kiosk, '/api/content/e/');
    await upstream.stop();
    await expectNoCopy(kiosk, '/api/content/a/');
    await expectNoCopy(kiosk, '/api/content/c/');
    for (const name of ['b', 'd', 'e']) expect((await get(kiosk, `/api/content/${name}/`)).status).toBe(200);
    expect(cacheStats(kiosk)).toMatchObject({ entries: 3, evictions: 2 });
  });

  it('keeps at most offlineCacheMB on disk, the oldest going first; an answer larger than all of it is not kept', async () => {
    // 16 KiB: room for three 5 KB answers, not four.
    const kiosk = await start({ upstream: { api: { offlineCacheMB: 1 / 64 } } });
    for (const name of ['a', 'b', 'c', 'd']) await fetchAndKeep(kiosk, `/api/content/${name}/?pad=5000`);
    const stats = cacheStats(kiosk);
    expect(stats).toMatchObject({ entries: 3, evictions: 1, maxBytes: 16384 });
    expect(stats.bytes).toBeLessThanOrEqual(16384);
    expect(cacheFiles().reduce((sum, file) => sum + statSync(file).size, 0)).toBe(stats.bytes);

    expect((await get(kiosk, '/api/content/huge/?pad=20000')).status).toBe(200);
    expect(cacheStats(kiosk).notKept['too-large']).toBe(1);
    await upstream.stop();
    await expectNoCopy(kiosk, '/api/content/a/?pad=5000');
    await expectNoCopy(kiosk, '/api/content/huge/?pad=20000');
    for (const name of ['b', 'c', 'd']) expect((await get(kiosk, `/api/content/${name}/?pad=5000`)).status).toBe(200);
  });

  it('keeps nothing with offlineCacheMB 0', async () => {
    const kiosk = await start({ upstream: { api: { offlineCacheMB: 0 } } });
    expect((await get(kiosk, '/api/content/x/')).status).toBe(200);
    await upstream.stop();
    await expectNoCopy(kiosk, '/api/content/x/');
    expect(cacheStats(kiosk)).toMatchObject({ enabled: false, stored: 0, misses: 0 });
    expect(cacheFiles()).toEqual([]);
  });
});

describe('on disk', () => {
  it('is private to the user and written whole (no temp file left behind)', async () => {
    const kiosk = await start();
    await fetchAndKeep(kiosk, '/api/content/x/');
    await fetchAndKeep(kiosk, '/api/content/x/');
    const files = cacheFiles();
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/[0-9a-f]{64}\.kept$/);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(files[0]!).mode & 0o777).toBe(0o600);
  });

  const damages: [string, (bytes: Buffer) => Buffer][] = [
    ['a body byte changed', (b) => Buffer.from(b.map((byte, i) => (i === b.length - 3 ? byte ^ 1 : byte)))],
    ['truncated', (b) => b.subarray(0, b.length - 10)],
    ['cut to its header line', (b) => b.subarray(0, b.indexOf(0x0a) + 1)],
    ['empty', () => Buffer.alloc(0)],
    ['a byte appended', (b) => Buffer.concat([b, Buffer.from('x')])],
    ['its scope changed in the header line', (b) => Buffer.from(b.toString('latin1').replace(/ ([0-9a-f])/, (_m, c: string) => ` ${c === '0' ? '1' : '0'}`), 'latin1')],
    ['its meta changed to name another request', (b) => Buffer.from(b.toString('latin1').replace(/"key":"([0-9a-f])/, (_m, c: string) => `"key":"${c === '0' ? '1' : '0'}`), 'latin1')],
    ['garbage', (b) => Buffer.from(b.map((_byte, i) => (i * 37) % 256))],
  ];

  it.each(damages)('discards a file %s (counted), answers as if there were none, and the next good answer rewrites it', async (_name, damage) => {
    const kiosk = await start();
    const fresh = await fetchAndKeep(kiosk, '/api/content/x/');
    const [file] = cacheFiles();
    writeFileSync(file!, damage(readFileSync(file!)));
    await upstream.stop();

    await expectNoCopy(kiosk, '/api/content/x/');
    expect(cacheStats(kiosk)).toMatchObject({ corrupt: 1, entries: 0, staleServes: 0 });
    expect(cacheFiles()).toEqual([]);
    expect(kiosk.log.text).toContain('did not check out');

    await upstream.start();
    await fetchAndKeep(kiosk, '/api/content/x/');
    await upstream.stop();
    const kept = await get(kiosk, '/api/content/x/');
    expect(kept.status).toBe(200);
    expect(kept.body).toBe(fresh.body);
  });

  it('discards damaged files found at start, keeps the good ones, and ignores files it does not own', async () => {
    const first = await start();
    await fetchAndKeep(first, '/api/content/good/');
    await fetchAndKeep(first, '/api/content/bad/');
    await first.server.close();
    const bad = cacheFiles().find((file) => readFileSync(file, 'latin1').includes('/api/content/bad/'))!;
    writeFileSync(bad, readFileSync(bad).subarray(0, 50));
    const stranger = path.join(dir, 'README.txt');
    writeFileSync(stranger, 'not a kept answer');
    const leftover = path.join(dir, `${'a'.repeat(64)}.123.0badc0de.tmp`);
    writeFileSync(leftover, 'half a write');
    await upstream.stop();

    const second = await start();
    await expectNoCopy(second, '/api/content/bad/');
    expect((await get(second, '/api/content/good/')).status).toBe(200);
    expect(cacheStats(second)).toMatchObject({ corrupt: 1, entries: 1 });
    const left = cacheFiles();
    expect(left.filter((file) => file.endsWith('.kept'))).toHaveLength(1);
    expect(left).toContain(stranger);
    expect(left).not.toContain(leftover);
  });

  it('never serves a whole, intact copy under another request\'s file name', async () => {
    const kiosk = await start();
    const x = await fetchAndKeep(kiosk, '/api/content/x/');
    const before = new Set(cacheFiles());
    await fetchAndKeep(kiosk, '/api/content/y/');
    const fileOfX = [...before][0]!;
    const fileOfY = cacheFiles().find((file) => !before.has(file))!;
    writeFileSync(fileOfY, readFileSync(fileOfX));
    await upstream.stop();
    await expectNoCopy(kiosk, '/api/content/y/');
    expect(cacheStats(kiosk).corrupt).toBe(1);
    expect((await get(kiosk, '/api/content/x/')).body).toBe(x.body);
  });

  it('never stops the API when the folder cannot be used', async () => {
    const blocked = path.join(dir, 'a-file');
    writeFileSync(blocked, '');
    const kiosk = await startTestKiosk({}, { api: upstream }, { offlineCacheDir: path.join(blocked, 'api-cache') });
    kiosks.push(kiosk);
    expect((await get(kiosk, '/api/content/x/')).status).toBe(200);
    await waitFor(() => cacheStats(kiosk).writeErrors === 1, { what: 'the failed write' });
    expect((await get(kiosk, '/api/content/x/')).status).toBe(200);
  });
});

describe('across restarts', () => {
  it('a new server on the same state folder serves the copies the last one kept', async () => {
    const first = await start();
    const en = await fetchAndKeep(first, '/api/content/events/?lang=en');
    const es = await fetchAndKeep(first, '/api/content/events/?lang=es');
    await upstream.stop();
    const second = await restart(first);
    const kept = await get(second, '/api/content/events/?lang=es');
    expect(kept.status).toBe(200);
    expect(kept.body).toBe(es.body);
    expect((await get(second, '/api/content/events/?lang=en')).body).toBe(en.body);
    expect(cacheStats(second)).toMatchObject({ entries: 2, staleServes: 2, stored: 0 });
  });

  it('a copy kept for another kiosk id or another upstream URL is never served (and is deleted)', async () => {
    const first = await start();
    await fetchAndKeep(first, '/api/content/events/');
    await upstream.stop();
    const otherKiosk = await restart(first, { kioskId: 'lobby-2' });
    await expectNoCopy(otherKiosk, '/api/content/events/');
    expect(cacheFiles()).toEqual([]);

    await upstream.start();
    await fetchAndKeep(otherKiosk, '/api/content/events/');
    await otherKiosk.server.close();
    const elsewhere = await new ApiUpstream().start();
    await elsewhere.stop();
    const otherUpstream = await start({ kioskId: 'lobby-2' }, {}, elsewhere);
    await expectNoCopy(otherUpstream, '/api/content/events/');
    expect(cacheStats(otherUpstream)).toMatchObject({ entries: 0, corrupt: 0 });
  });
});

describe('secrets', () => {
  it('no form of the token ever reaches a cache file, and an answer the scrubber had to touch is never kept', async () => {
    const kiosk = await start();
    const touched: string[] = ['/api/echo-headers/', '/api/gzip-echo/'];
    const forms = echoesOf(kiosk.apiToken).length;
    for (let form = 0; form < forms; form++) {
      for (const where of ['json', 'html', 'header', 'disposition']) touched.push(`/api/echo-form/?form=${form}&in=${where}`);
    }
    for (const url of touched) expect((await get(kiosk, url)).status, url).toBe(200);
    // And some answers that are kept, next to them.
    await fetchAndKeep(kiosk, '/api/content/events/?lang=en');
    await fetchAndKeep(kiosk, '/api/content/x/?vary=Accept-Language%2C%20Authorization', { 'accept-language': 'es' });
    expect(cacheStats(kiosk)).toMatchObject({ stored: 2, entries: 2 });
    expect(cacheStats(kiosk).notKept.secret).toBe(touched.length);

    for (const file of cacheFiles()) {
      const text = readFileSync(file, 'latin1');
      for (const secret of [kiosk.apiToken, kiosk.wsToken]) expect(recoverable(text, secret), file).toBe(false);
      expect(text).not.toContain(kiosk.server.key);
      expect(text).not.toContain('[redacted]');
    }
    await upstream.stop();
    for (const url of touched.slice(0, 6)) await expectNoCopy(kiosk, url);
  });
});

describe('the last look before the disk', () => {
  it('writes nothing that holds a form of a secret, even when nothing upstream of it caught one', async () => {
    const token = newToken('api');
    const cache = new OfflineCache({
      dir,
      maxBytes: MIB,
      kioskId: 'lobby-1',
      upstreamUrl: upstream.url,
      secrets: new Secrets([token]),
      logger: createLogger({ destination: new LogCapture() }),
    });
    const plan = cache.plan('GET', '/content/x/', {}, 200, { 'content-type': 'application/json' });
    expect(plan).toBeDefined();
    const echo = echoesOf(token).find((e) => e.name === 'base64 of the credential')!.text;
    cache.keep(plan!, { headers: { 'content-type': 'application/json' }, body: Buffer.from(`{"x":"${echo}"}`), fetchedAt: new Date(), redacted: false });
    cache.keep(plan!, { headers: { 'content-type': 'application/json', 'content-language': encodeURIComponent(token) }, body: Buffer.from('{}'), fetchedAt: new Date(), redacted: false });
    await cache.close();
    expect(cache.stats).toMatchObject({ stored: 0, entries: 0, notKept: { secret: 2 } });
    expect(cacheFiles()).toEqual([]);
  });
});
