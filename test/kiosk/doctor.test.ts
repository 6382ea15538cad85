// kiosk-shell doctor against real test upstreams: all green when they are up and accept
// the token; the right line red when the token is wrong, an upstream is down, or the
// token file is world-readable.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor, type CheckResult } from '../../kiosk/doctor.ts';
import { newToken } from '../support/kiosk.ts';
import { ApiUpstream } from '../support/upstream-api.ts';
import { WsUpstream } from '../support/upstream-ws.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const token = newToken('doctor');
let ws: WsUpstream;
let api: ApiUpstream;
let dir: string;

beforeAll(async () => {
  ws = await new WsUpstream({ token }).start();
  api = await new ApiUpstream().start();
  dir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-doctor-'));
});
afterAll(async () => {
  await ws.kill();
  await api.stop();
});

function configFile(options: { wsToken?: string; wsUrl?: string; mode?: number } = {}): string {
  const name = `c-${Math.random().toString(36).slice(2)}`;
  const tokenFile = path.join(dir, `${name}.token`);
  writeFileSync(tokenFile, `${options.wsToken ?? token}\n`);
  chmodSync(tokenFile, options.mode ?? 0o600);
  const file = path.join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      kioskId: 'lobby-1',
      upstream: { ws: { url: options.wsUrl ?? ws.url, tokenFile }, api: { url: api.url, tokenFile } },
    }),
  );
  return file;
}

const withDisplay = { PATH: process.env.PATH, DISPLAY: ':0' };
const byName = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.name, r]));

describe('kiosk-shell doctor', () => {
  it('is all green when the config is valid and the upstreams accept the token', async () => {
    const results = await runDoctor({ configPath: configFile(), shell: 'chromium', env: withDisplay });
    expect(results.map((r) => [r.name, r.ok])).toEqual([
      ['config', true],
      ['token files', true],
      ['ui', true],
      ['upstream WebSocket', true],
      ['upstream API', true],
      ['shell', true],
      ['display', true],
    ]);
    expect(byName(results)['upstream WebSocket']?.detail).toContain('101');
    expect(byName(results).ui?.detail).toBe('the bundled City Hall UI');
  });

  it('turns the WebSocket line red, with a hint, when the upstream refuses the token', async () => {
    const results = byName(await runDoctor({ configPath: configFile({ wsToken: newToken('wrong') }), shell: 'chromium', env: withDisplay }));
    expect(results['upstream WebSocket']).toMatchObject({ ok: false, detail: expect.stringContaining('HTTP 401') as string });
    expect(results['upstream WebSocket']?.hint).toMatch(/refused the token/);
    expect(results['upstream API']?.ok).toBe(true);
    expect(results.config?.ok).toBe(true);
  });

  it('turns the WebSocket line red when the upstream is down', async () => {
    const down = await new WsUpstream({ token }).start();
    const url = down.url;
    await down.kill();
    const results = byName(await runDoctor({ configPath: configFile({ wsUrl: url }), shell: 'chromium', env: withDisplay }));
    expect(results['upstream WebSocket']).toMatchObject({ ok: false, detail: expect.stringContaining('connection refused') as string });
  });

  it('turns the token-file line red for a world-readable token file, naming the chmod', async () => {
    const results = byName(await runDoctor({ configPath: configFile({ mode: 0o644 }), shell: 'chromium', env: withDisplay }));
    expect(results['token files']).toMatchObject({ ok: false, detail: expect.stringContaining('chmod 600') as string });
    expect(results.config?.ok).toBe(true);
  });

  it('reports a missing display and a missing Electron binary', async () => {
    const results = byName(await runDoctor({ configPath: configFile(), shell: 'electron', env: { PATH: process.env.PATH } }));
    expect(results.display?.ok).toBe(false);
    expect(results.shell).toMatchObject({ ok: false, detail: 'the Electron binary is not installed' });
  });

  it('prints one line per check and exits 1 from the command line when anything fails; never a token', async () => {
    const file = configFile({ wsToken: newToken('bad') });
    const run = promisify(execFile)(process.execPath, [path.join(ROOT, 'kiosk/cli.ts'), 'doctor', '--config', file, '--shell', 'chromium'], {
      env: withDisplay,
    });
    const failure = (await run.catch((error: unknown) => error)) as { code: number; stdout: string };
    expect(failure.code).toBe(1);
    expect(failure.stdout).toMatch(/^PASS {2}config/m);
    expect(failure.stdout).toMatch(/^FAIL {2}upstream WebSocket/m);
    expect(failure.stdout).not.toContain(token.split(' ')[1]);
    expect(failure.stdout).toMatch(/^ +hint: the upstream refused the token/m);
  });
});
