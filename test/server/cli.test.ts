// The command line as IT staff and supervisors use it: `serve` prints one ready line and
// stops cleanly on SIGTERM; `check-config` lists every problem by key path, no secret;
// usage errors exit 2.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { credentialOf } from '../../core/secret-forms.ts';
import { httpRequest, Inbox, waitClose, waitOpen } from '../support/clients.ts';
import { cleanEnv, runCli, spawnCli, type CliProcess } from '../support/cli.ts';
import { newToken } from '../support/kiosk.ts';
import { ApiUpstream } from '../support/upstream-api.ts';
import { WsUpstream } from '../support/upstream-ws.ts';

const READY = /^\{"event":"ready","url":"http:\/\/127\.0\.0\.1:(\d+)\/#key=([A-Za-z0-9_-]+)"\}$/;

let dir: string;
let env: NodeJS.ProcessEnv;
const scratchDirs: string[] = [];
let wsToken: string;
let apiToken: string;
let upstreamWs: WsUpstream;
let upstreamApi: ApiUpstream;
const running: CliProcess[] = [];

beforeAll(async () => {
  wsToken = newToken('ws');
  apiToken = newToken('api');
  upstreamWs = await new WsUpstream({ token: wsToken }).start();
  upstreamApi = await new ApiUpstream().start();
});
afterAll(async () => {
  await upstreamWs.kill();
  await upstreamApi.stop();
  for (const scratch of scratchDirs) rmSync(scratch, { recursive: true, force: true });
});
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kiosk-cli-'));
  env = envFor(dir);
});
afterEach(async () => {
  for (const cli of running.splice(0)) {
    if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
    await cli.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder of its own, for tests that run concurrently (removed after the file). */
function scratch(): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'kiosk-cli-'));
  scratchDirs.push(folder);
  return folder;
}

/** No KIOSK_* from this machine; state and log files inside `folder`. */
function envFor(folder: string): NodeJS.ProcessEnv {
  return cleanEnv({ KIOSK_STATE_DIR: path.join(folder, 'state'), KIOSK_LOG_DIR: path.join(folder, 'logs') });
}

/** A config file for the fixture upstreams: the ws token in a private token file, the API token inline. */
function writeConfig(overrides: Record<string, unknown> = {}, tokenFileMode = 0o600, where = dir): string {
  const tokenFile = path.join(where, 'ws.token');
  writeFileSync(tokenFile, `${wsToken}\n`);
  chmodSync(tokenFile, tokenFileMode);
  const file = path.join(where, 'kiosk.json');
  writeFileSync(
    file,
    JSON.stringify({
      kioskId: 'cli-kiosk',
      groups: ['lobby'],
      upstream: {
        ws: { url: upstreamWs.url, tokenFile: 'ws.token', heartbeatSeconds: 1, reconnectBaseMs: 50, reconnectCapMs: 200 },
        api: { url: upstreamApi.url, token: apiToken, timeoutSeconds: 2 },
      },
      ...overrides,
    }),
  );
  return file;
}

function serve(args: readonly string[]): CliProcess {
  const cli = spawnCli(['serve', ...args], env);
  running.push(cli);
  return cli;
}

function expectNoSecret(text: string): void {
  for (const secret of [wsToken, apiToken]) {
    expect(text).not.toContain(secret);
    expect(text).not.toContain(credentialOf(secret));
  }
}

describe('serve', () => {
  it('prints exactly one ready line, logs JSON on stderr, and on SIGTERM exits within 2 s closing page and uplink with 1001', async () => {
    const connectionsBefore = upstreamWs.connections.length;
    const cli = serve(['--config', writeConfig()]);
    const line = await cli.firstLine();
    const match = READY.exec(line);
    expect(match, `ready line: ${line}`).not.toBeNull();
    const port = Number(match![1]);
    const key = match![2]!;
    expect(Buffer.from(key, 'base64url').length).toBeGreaterThanOrEqual(16); // at least 128 bits

    // The uplink is up with the token from the token file, and says hello.
    await upstreamWs.waitFor(() => upstreamWs.connections.length > connectionsBefore && (upstreamWs.connections.at(-1)?.received.length ?? 0) > 0, 15_000, 'the CLI uplink');
    const uplink = upstreamWs.connections.at(-1)!;
    expect(uplink.headers.authorization).toBe(wsToken);
    expect(JSON.parse(uplink.received[0]!)).toMatchObject({ type: 'kiosk.hello', kiosk: 'cli-kiosk', groups: ['lobby'] });

    // The page the URL describes works: the key from the fragment opens /ws and /api.
    const page = new WebSocket(`ws://127.0.0.1:${port}/ws`, ['kiosk.v1', `kiosk-key.${key}`], { origin: `http://127.0.0.1:${port}` });
    const inbox = new Inbox(page);
    await waitOpen(page);
    await inbox.next((m) => m.type === 'local.hello');
    const api = await httpRequest(port, { path: '/api/events/', headers: { host: `127.0.0.1:${port}`, 'x-kiosk-key': key } });
    expect(api.status).toBe(200);
    expect(upstreamApi.requests.at(-1)?.headers.authorization).toBe(apiToken);

    const pageClosed = waitClose(page);
    const signalledAt = Date.now();
    cli.child.kill('SIGTERM');
    const exit = await cli.exited;
    const tookMs = Date.now() - signalledAt;
    // Exit code 0 (not death by the signal) shows the handler ran; 2 s is the contract.
    expect(exit).toEqual({ code: 0, signal: null });
    expect(tookMs).toBeLessThan(2000);
    expect((await pageClosed).code).toBe(1001);
    await upstreamWs.waitFor(() => uplink.closeCode !== undefined, 5000, 'the uplink close at the upstream');
    expect(uplink.closeCode).toBe(1001);

    expect(cli.stdout).toBe(`${line}\n`);
    const logLines = cli.stderr.split('\n').filter((l) => l !== '');
    expect(logLines.length).toBeGreaterThan(1);
    for (const logLine of logLines) {
      const entry = JSON.parse(logLine) as { level?: unknown; msg?: unknown; time?: unknown };
      expect(typeof entry.level).toBe('string');
      expect(typeof entry.msg).toBe('string');
    }
    expect(cli.stderr).toContain('"msg":"kiosk-shell starting"');
    expect(cli.stderr).toContain('"msg":"kiosk-shell ready"');
    expect(cli.stderr).toContain('"msg":"stopping"');
    expectNoSecret(cli.stdout + cli.stderr);
    expect(cli.stderr).not.toContain(key);
  });

  it('refuses a broken config with exit 2, the problems on stderr and nothing on stdout', async () => {
    const file = writeConfig({ kioskId: 'not valid!', relay: { allowUp: ['kiosk.ack'] } });
    const cli = serve(['--config', file]);
    expect((await cli.exited).code).toBe(2);
    expect(cli.stdout).toBe('');
    expect(cli.stderr).toContain('  kioskId: ');
    expect(cli.stderr).toContain('  relay.allowUp[0]: ');
    expectNoSecret(cli.stderr);
  });

  // Also shows that --port is honoured: the failure names the port given.
  it('fails with a non-zero exit, naming the port, when the port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const cli = serve(['--config', writeConfig(), '--port', String(taken)]);
      const exit = await cli.exited;
      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      expect(cli.stdout).toBe('');
      expect(cli.stderr).toContain(`port ${taken} on 127.0.0.1 is in use`);
      expectNoSecret(cli.stderr);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});

describe('the kiosk (run) with the Chromium shell', () => {
  it('exits 1, naming the port, when the port is taken, rather than exiting 0 with nothing running', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const cli = spawnCli(['--shell', 'chromium', '--headless', '--config', writeConfig({ server: { port: taken } })], env);
      running.push(cli);
      const exit = await cli.exited;
      expect(exit.code).toBe(1);
      expect(cli.stdout).toBe('');
      expect(cli.stderr).toContain(`kiosk-shell: port ${taken} on 127.0.0.1 is in use`);
      expectNoSecret(cli.stderr);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});

// Each check-config and usage test has its own folder, so they can run side by side.
describe.concurrent('check-config', () => {
  it('exits 2 listing every problem by key path on stderr, with no secret', async () => {
    const where = scratch();
    const env = envFor(where);
    const file = writeConfig(
      {
        kioskId: 'not valid!',
        server: { port: 99999 },
        relay: { allowUp: ['local.x'], maxPayloadBytes: 1 },
        sever: {},
        upstream: {
          ws: { url: upstreamWs.url, token: `${wsToken}\r\nX-Injected: 1`, tokenHeader: 'Host' },
          api: { url: `http://user:${credentialOf(apiToken)}@127.0.0.1/api/`, token: apiToken },
        },
      },
      0o600,
      where,
    );
    const { code, stdout, stderr } = await runCli(['check-config', '--config', file], env);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const problems = stderr.split('\n').filter((line) => line.startsWith('  ')).map((line) => line.trim().split(': ')[0]);
    expect(problems.sort()).toEqual(
      ['kioskId', 'server.port', 'relay.allowUp[0]', 'relay.maxPayloadBytes', 'sever', 'upstream.ws.token', 'upstream.ws.tokenHeader', 'upstream.api.url'].sort(),
    );
    expect(stderr).toContain('sever: unknown key; did you mean "server"?');
    expectNoSecret(stderr);
    expect(stderr).not.toContain('X-Injected');
  });

  it('exits 2 for an invalid JSON file holding a token, without quoting it', async () => {
    const where = scratch();
    const env = envFor(where);
    const file = path.join(where, 'broken.json');
    writeFileSync(file, `{"kioskId": "k", "upstream": {"ws": {"token": ${wsToken}}}}`);
    const { code, stdout, stderr } = await runCli(['check-config', '--config', file], env);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`config file ${file}: not valid JSON`);
    expectNoSecret(stderr);
  });

  it('exits 0 on a valid file, printing the effective config with tokens as "[redacted]"', async () => {
    const where = scratch();
    const env = envFor(where);
    const file = writeConfig({}, 0o600, where);
    const { code, stdout, stderr } = await runCli(['check-config', '--config', file], env);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as {
      file: string;
      demo: boolean;
      config: { kioskId: string; relay: { maxPayloadBytes: number }; upstream: { ws: { token: string; tokenFile: string }; api: { token: string } } };
    };
    expect(report.file).toBe(file);
    expect(report.demo).toBe(false);
    expect(report.config.kioskId).toBe('cli-kiosk');
    expect(report.config.relay.maxPayloadBytes).toBe(65536);
    expect(report.config.upstream.ws.token).toBe('[redacted]');
    expect(report.config.upstream.ws.tokenFile).toBe('ws.token');
    expect(report.config.upstream.api.token).toBe('[redacted]');
    expectNoSecret(stdout + stderr);
    expect(stderr).toBe('');
  });

  it('says what the schedule does next, on the schedule\'s own clock', async () => {
    const where = scratch();
    const env = envFor(where);
    const file = writeConfig(
      { schedule: { timezone: 'Pacific/Kiritimati', displayOff: [{ days: 'daily', from: '19:00', to: '07:00' }], restart: { at: '03:30', jitterMinutes: 20 } } },
      0o600,
      where,
    );
    const { code, stdout } = await runCli(['check-config', '--config', file], env);
    expect(code).toBe(0);
    const { next } = JSON.parse(stdout) as { next: string };
    expect(next).toMatch(/^display (off|on) [A-Z][a-z]{2} (19|07):00, (on|off) [A-Z][a-z]{2} (07|19):00, restart [A-Z][a-z]{2} 03:30–03:50$/);
  });

  it('warns on stderr about a token file its group can read, still exiting 0', async () => {
    const where = scratch();
    const env = envFor(where);
    const file = writeConfig({}, 0o640, where);
    const { code, stdout, stderr } = await runCli(['check-config', '--config', file], env);
    expect(code).toBe(0);
    const tokenFile = path.join(where, 'ws.token');
    expect(stderr).toBe(`warning: upstream.ws.tokenFile: ${tokenFile} can be read by its group; run: chmod 600 '${tokenFile}'\n`);
    expectNoSecret(stdout + stderr);
  });

  it('refuses a token file other users can read, with exit 2 and the exact chmod', async () => {
    const where = scratch();
    const env = envFor(where);
    const file = writeConfig({}, 0o644, where);
    const { code, stdout, stderr } = await runCli(['check-config', '--config', file], env);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const tokenFile = path.join(where, 'ws.token');
    expect(stderr).toContain(`upstream.ws.tokenFile: ${tokenFile} can be read or written by other users; run: chmod 600 '${tokenFile}'`);
    expectNoSecret(stdout + stderr);
  });

  it('reads the file KIOSK_CONFIG names', async () => {
    const where = scratch();
    const env = envFor(where);
    const file = writeConfig({}, 0o600, where);
    const { code, stdout } = await runCli(['check-config'], { ...env, KIOSK_CONFIG: file });
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { file: string }).file).toBe(file);
  });
});

describe.concurrent('usage errors', () => {
  it.each([
    ['an unknown command', ['launch-missiles']],
    ['an unknown option', ['check-config', '--no-such-option']],
    ['a port out of range', ['serve', '--port', '70000']],
  ])('exit 2 for %s, printing nothing on stdout', async (_what, args) => {
    const { code, stdout, stderr } = await runCli(args, envFor(scratch()));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/error/i);
  });

  it('--version exits 0 with the version', async () => {
    const { code, stdout } = await runCli(['--version'], envFor(scratch()));
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
