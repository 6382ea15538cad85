// A site's own UI (ui.dir) served at / like the bundled one: the same Host check, CSP and
// caching, nothing from outside its folder (no traversal, no symlink out of it), and the
// page SDK at /kiosk-shell/ for every UI. A missing folder is a config error by key path.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/load.ts';
import { ConfigError } from '../../core/errors.ts';
import { httpRequest, rawExchange } from '../support/clients.ts';
import { startTestKiosk, type TestKiosk } from '../support/kiosk.ts';

let kiosk: TestKiosk;
let site: string;
let outside: string;

beforeAll(async () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'kiosk-ui-dir-'));
  site = path.join(base, 'site');
  outside = path.join(base, 'private');
  mkdirSync(path.join(site, 'assets'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(site, 'index.html'), '<!doctype html><title>Site</title><script type="module" src="/app.js"></script>');
  writeFileSync(path.join(site, 'app.js'), 'export {};');
  writeFileSync(path.join(site, 'assets', 'app-1a2b.js'), 'export {};');
  writeFileSync(path.join(site, '.env'), 'SECRET=1');
  writeFileSync(path.join(outside, 'secret.txt'), 'not for the page');
  symlinkSync(path.join(outside, 'secret.txt'), path.join(site, 'leak.txt'));
  symlinkSync(outside, path.join(site, 'elsewhere'));
  writeFileSync(path.join(outside, 'secret.html'), '<p>not for the page</p>');
  mkdirSync(path.join(site, 'linked'));
  symlinkSync(path.join(outside, 'secret.html'), path.join(site, 'linked', 'index.html'));
  symlinkSync(path.join(site, '.env'), path.join(site, 'env.txt'));
  mkdirSync(path.join(site, '.hidden'));
  writeFileSync(path.join(site, '.hidden', 'note.txt'), 'SECRET=2');
  symlinkSync(path.join(site, 'app.js'), path.join(site, '.alias.js'));
  mkdirSync(path.join(site, 'docs'));
  writeFileSync(path.join(site, 'docs', 'index.html'), '<title>Docs</title>');
  symlinkSync(path.join(site, 'app.js'), path.join(site, 'same.js'));
  kiosk = await startTestKiosk({}, {}, { rendererDir: site });
});
afterAll(() => kiosk.close());

const get = (requestPath: string) => httpRequest(kiosk.server.port, { path: requestPath, headers: { host: `127.0.0.1:${kiosk.server.port}` } });

describe('ui.dir', () => {
  it('serves the site\'s index.html at / with the kiosk\'s CSP, revalidated each time', async () => {
    const response = await get('/');
    expect(response.status).toBe(200);
    expect(response.body).toContain('<title>Site</title>');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['cache-control']).toBe('no-cache');
    expect((await get('/assets/app-1a2b.js')).headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('refuses a foreign Host like the bundled UI', async () => {
    expect((await httpRequest(kiosk.server.port, { path: '/', headers: { host: 'evil.example' } })).status).toBe(403);
  });

  it('serves nothing from outside its folder: no traversal, no symlink out of it, no dotfiles', async () => {
    const refused = [
      '/leak.txt',
      '/elsewhere/secret.txt',
      '/.env',
      '/..%2fprivate%2fsecret.txt',
      '/%2e%2e/private/secret.txt',
      // A directory whose index.html is a link out of the folder, asked for as a directory.
      '/linked/',
      '/linked/index.html',
      // A dotfile under another name, a dot folder, a normal file under a dot name.
      '/env.txt',
      '/.hidden/note.txt',
      '/%2ehidden/note.txt',
      '/.alias.js',
      '/app.js%00.html',
    ];
    for (const requestPath of refused) {
      const response = await get(requestPath);
      expect(response.status, requestPath).toBeGreaterThanOrEqual(400);
      expect(response.body, requestPath).not.toContain('not for the page');
      expect(response.body, requestPath).not.toContain('SECRET');
    }
    const raw = await rawExchange(kiosk.server.port, `GET /../private/secret.txt HTTP/1.1\r\nHost: 127.0.0.1:${kiosk.server.port}\r\nConnection: close\r\n\r\n`);
    expect(raw).not.toContain('not for the page');
  });

  it('follows a link that stays inside the folder, and serves a folder\'s own index.html', async () => {
    expect((await get('/same.js')).status).toBe(200);
    const docs = await get('/docs/');
    expect(docs.status).toBe(200);
    expect(docs.body).toContain('<title>Docs</title>');
    expect((await httpRequest(kiosk.server.port, { method: 'HEAD', path: '/app.js', headers: { host: `127.0.0.1:${kiosk.server.port}` } })).status).toBe(200);
  });

  it('serves the page SDK and its types to any UI, as JavaScript, behind the Host check', async () => {
    const sdk = await get('/kiosk-shell/sdk.js');
    expect(sdk.status).toBe(200);
    expect(sdk.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(sdk.body).toContain('kiosk-key.');
    expect((await get('/kiosk-shell/sdk.d.ts')).body).toContain('export declare function connect(');
    expect((await get('/kiosk-shell/../package.json')).status).toBeGreaterThanOrEqual(400);
    expect((await get('/kiosk-shell/other.js')).status).toBe(404);
    expect((await httpRequest(kiosk.server.port, { path: '/kiosk-shell/sdk.js', headers: { host: 'evil.example' } })).status).toBe(403);
  });
});

describe('ui.dir in the config', () => {
  const base = { kioskId: 'k-1', upstream: { ws: { url: 'ws://127.0.0.1:1/ws/', token: 'Token abcdefghijklmnop' }, api: { url: 'http://127.0.0.1:1/api/', token: 'Token abcdefghijklmnop' } } };
  const problems = (ui: unknown) => {
    try {
      return { config: loadConfig({ env: {}, cli: { ...base, ui } }).config, problems: [] };
    } catch (error) {
      if (error instanceof ConfigError) return { config: undefined, problems: [...error.problems] };
      throw error;
    }
  };

  it('is refused by key path when the folder or its index.html is missing', () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'kiosk-ui-empty-'));
    expect(problems({ dir: path.join(empty, 'nope') }).problems).toEqual([expect.stringMatching(/^ui\.dir: .*nope: no such file/) as string]);
    expect(problems({ dir: empty }).problems).toEqual([`ui.dir: ${empty} has no index.html at its root (point ui.dir at the build output, e.g. dist/)`]);
    writeFileSync(path.join(empty, 'index.html'), '');
    expect(problems({ dir: empty }).config?.ui.dir).toBe(empty);
  });
});
