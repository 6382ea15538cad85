// Stopping `kiosk-shell serve` (the built bin/kiosk-shell.js, as supervisors run it):
//   - SIGTERM the instant the ready line is read is a clean stop (exit 0): the handlers are
//     installed before the line is printed (they used to be installed just after, so a
//     supervisor quick enough killed it by the signal's default action);
//   - the log file holds every line written before the signal (a flood of 16,000 resets
//     then SIGTERM used to leave 18 of about 10,000 lines in it).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, REPO_ROOT } from '../support/cli.ts';
import { newToken } from '../support/kiosk.ts';
import { ApiUpstream } from '../support/upstream-api.ts';
import { WsUpstream } from '../support/upstream-ws.ts';

const BIN = path.join(REPO_ROOT, 'bin', 'kiosk-shell.js');

const wsToken = newToken('ws');
let ws: WsUpstream;
let api: ApiUpstream;
beforeAll(async () => {
  ws = await new WsUpstream({ token: wsToken }).start();
  api = await new ApiUpstream().start();
});
afterAll(async () => {
  await ws.kill();
  await api.stop();
});

/** A config file for one kiosk on the fixture upstreams, with its own state and log folders. */
function kioskConfig(kioskId = 'stop-1'): { file: string; logDir: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-stop-'));
  const logDir = path.join(dir, 'logs');
  const file = path.join(dir, 'kiosk.json');
  const config = {
    kioskId,
    stateDir: path.join(dir, 'state'),
    log: { dir: logDir, maxFileMB: 100 },
    upstream: { ws: { url: ws.url, token: wsToken }, api: { url: api.url, token: newToken('api') } },
  };
  writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
  return { file, logDir };
}

interface Served {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
}

function serve(configFile: string, onReady: (child: ChildProcess) => void): Served {
  const child = spawn(process.execPath, [BIN, 'serve', '--config', configFile], { cwd: os.tmpdir(), env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let ready = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (!ready && stdout.includes('\n')) {
      ready = true;
      onReady(child);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, atMs: performance.now() })),
  );
  return { child, stderr: () => stderr, exited };
}

describe('SIGTERM the instant the ready line is read', () => {
  it('stops serve with exit code 0, 200 times in a row', async () => {
    const runs = 200;
    // Two cores: four at a time keeps the machine busy (where the race showed) without
    // making each start-up crawl.
    const concurrency = 4;
    const outcomes: { code: number | null; signal: NodeJS.Signals | null; stopMs: number; stderr: string }[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < runs) {
          next++;
          const { file } = kioskConfig();
          let signalledAt = 0;
          const served = serve(file, (child) => {
            signalledAt = performance.now();
            child.kill('SIGTERM');
          });
          const { code, signal, atMs } = await served.exited;
          outcomes.push({ code, signal, stopMs: signalledAt === 0 ? NaN : atMs - signalledAt, stderr: served.stderr() });
        }
      }),
    );
    const unclean = outcomes.filter((o) => o.code !== 0 || o.signal !== null || Number.isNaN(o.stopMs));
    expect(unclean.map((o) => ({ code: o.code, signal: o.signal, stderr: o.stderr.slice(-500) }))).toEqual([]);
    expect(outcomes).toHaveLength(runs);
    for (const { stderr } of outcomes) expect(stderr).toContain('"msg":"stopping"');
    // The stop itself is bounded by its 1.8 s deadline; this only catches a hang.
    expect(Math.max(...outcomes.map((o) => o.stopMs))).toBeLessThan(5000);
  }, 120_000);
});

describe('16,000 resets, then SIGTERM', () => {
  it('leaves every log line written before the signal in the log file', async () => {
    const { file, logDir } = kioskConfig('stop-flood');
    let ready!: () => void;
    const isReady = new Promise<void>((resolve) => (ready = resolve));
    const served = serve(file, () => ready());
    await isReady;
    const ours = () => ws.connections.find((c) => c.received.some((text) => text.includes('"stop-flood"')));
    await ws.waitFor(() => ours() !== undefined, 10_000, 'the kiosk\'s hello');
    const uplink = ours()!;

    // Resets for other kiosks: each is logged ("command answered", ignored / not-targeted) and nothing else happens.
    const resets = 16_000;
    for (let i = 0; i < resets; i++) uplink.ws.send(JSON.stringify({ type: 'kiosk.reset', id: `flood-${i}`, target: { kiosks: ['elsewhere'] } }));
    const ignored = () => served.stderr().split('\n').filter((line) => line.includes('"msg":"command answered"')).length;
    const deadline = performance.now() + 60_000;
    while (ignored() < resets && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ignored()).toBe(resets);
    // Every line is on stderr (written synchronously) the moment it is logged; now stop.
    served.child.kill('SIGTERM');
    const { code } = await served.exited;
    expect(code).toBe(0);

    const written = served.stderr().trim().split('\n');
    const stoppingAt = written.findIndex((line) => line.includes('"msg":"stopping"'));
    expect(stoppingAt).toBeGreaterThan(resets);
    const inFile = readdirSync(logDir)
      .filter((name) => name.endsWith('.log'))
      .flatMap((name) => readFileSync(path.join(logDir, name), 'utf8').trim().split('\n'));
    const fileLines = new Set(inFile);
    const missing = written.slice(0, stoppingAt + 1).filter((line) => !fileLines.has(line));
    expect(missing.length, `missing from the file, e.g. ${missing.slice(0, 3).join('\n')}`).toBe(0);
    // And in the order they were written.
    expect(inFile.slice(0, stoppingAt + 1)).toEqual(written.slice(0, stoppingAt + 1));
  }, 120_000);
});
