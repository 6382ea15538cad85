// The kiosk side against the real relay and a real upstream: commands and resets in, the
// shell told, acknowledgements and status out, and recovery through a shell. Under `serve`
// (the headless shell) the simulated page does what the shell asks of it; a test window
// shell stands in for Electron or Chromium where a window is needed.
import { EventEmitter } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import jpeg from 'jpeg-js';
import { HeadlessShell } from '../../kiosk/headless-shell.ts';
import { Kiosk } from '../../kiosk/kiosk.ts';
import type { Screenshot, Shell, ShellEvents } from '../../kiosk/shell.ts';
import type { DisplayPower } from '../../protocol/page.ts';
import type { PagesPort } from '../../server/relay.ts';
import { httpRequest, pageHeaders } from '../support/clients.ts';
import { startTestKiosk, type TestKiosk } from '../support/kiosk.ts';
import { SimulatedPage } from '../support/page-sim.ts';
import { echoesOf, recoverable } from '../support/secret-echoes.ts';
import { credentialOf } from '../../core/secret-forms.ts';
import { waitFor } from '../support/wait.ts';

/**
 * A window shell for tests: reloading or recreating it loads the simulated page again, as
 * a real window would. It stands in for Electron or Chromium, not for the kiosk.
 */
class TestWindowShell extends EventEmitter<ShellEvents> implements Shell {
  readonly kind = 'electron' as const;
  readonly calls: string[] = [];
  page: SimulatedPage | undefined;
  showOnLoad = true;
  readonly #pages: PagesPort;

  constructor(pages: PagesPort) {
    super();
    this.#pages = pages;
  }

  open(): Promise<void> {
    return Promise.resolve();
  }
  async reload(): Promise<void> {
    this.calls.push('reload');
    this.emit('loading');
    await this.page?.reload({ show: this.showOnLoad });
  }
  home(id: string): Promise<void> {
    this.calls.push('home');
    this.#pages.tell({ type: 'local.home', id });
    return Promise.resolve();
  }
  async clearSession(): Promise<void> {
    this.calls.push('clear-session');
    await this.reload();
  }
  screenshot(): Promise<Screenshot> {
    this.calls.push('screenshot');
    return Promise.resolve({ jpeg: Buffer.from([0xff, 0xd8, 0xff, 0xd9]), width: 2, height: 1, takenAt: new Date(0) });
  }
  setDisplay(power: DisplayPower): Promise<void> {
    this.calls.push(`display-${power}`);
    return Promise.resolve();
  }
  async recreate(): Promise<void> {
    this.calls.push('recreate');
    this.emit('loading');
    await this.page?.reload({ show: this.showOnLoad });
  }
  async relaunch(): Promise<void> {
    this.calls.push('relaunch');
    this.emit('loading');
    await this.page?.reload({ show: this.showOnLoad });
  }
  rendererState(): undefined {
    return undefined;
  }
  /** What the test says the renderer holds. */
  memoryMB: number | undefined;
  rendererMemoryMB(): Promise<number | undefined> {
    return Promise.resolve(this.memoryMB);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

let kiosk: TestKiosk;
let shellKiosk: Kiosk;
const pages: SimulatedPage[] = [];

interface SetUp {
  shell?: (pages: PagesPort) => Shell;
  /** false: the logger does not know the secrets (its last-resort scrubbing off). */
  scrubLogs?: boolean;
  /** The kiosk's clock (default the real one). */
  now?: () => number;
  overrides?: Record<string, unknown>;
  shownTimeoutMs?: number;
  homeTimeoutMs?: number;
  stateDir?: string;
}

/** "HH:MM" in UTC, `minutes` from now (on `clock`). */
function utcClock(minutes: number, clock = Date.now): string {
  const at = new Date(clock() + minutes * 60_000);
  return `${String(at.getUTCHours()).padStart(2, '0')}:${String(at.getUTCMinutes()).padStart(2, '0')}`;
}

async function setUp(options: SetUp = {}) {
  kiosk = await startTestKiosk({ reset: { minIntervalSeconds: 10 }, status: { intervalSeconds: 1 }, ...options.overrides }, {}, { scrubLogs: options.scrubLogs ?? true });
  await kiosk.upstreamWs.waitFor(() => kiosk.upstreamWs.messagesOfType('kiosk.hello').length === 1, 5000, 'hello');
  const shell = (options.shell ?? ((p) => new HeadlessShell(p)))(kiosk.server.relay.pages);
  shellKiosk = new Kiosk({
    relay: kiosk.server.relay,
    shell,
    config: kiosk.config,
    version: '0.0.0-test',
    logger: kiosk.logger,
    stateDir: options.stateDir,
    runner: { shownTimeoutMs: options.shownTimeoutMs ?? 5000, homeTimeoutMs: options.homeTimeoutMs ?? 1000 },
    watchdog: { connectGraceMs: 1500, heartbeatTimeoutMs: 1500 },
    scheduleTickMs: 200,
    recovery: { baseDelayMs: 50, capDelayMs: 200 },
    lastApiOkAt: () => kiosk.server.status().api.lastOkAt,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  shellKiosk.start();
  await shell.open();
  return shell;
}

async function page(options: { obey?: boolean } = {}) {
  const p = new SimulatedPage(kiosk.server, options);
  pages.push(p);
  await p.load();
  return p;
}

afterEach(async () => {
  shellKiosk.stop();
  for (const p of pages.splice(0)) p.close();
  await kiosk.close();
});

const acks = (id?: string) => kiosk.upstreamWs.messagesOfType('kiosk.ack').filter((a) => id === undefined || a.id === id);
const terminal = (id?: string) => acks(id).filter((a) => a.status !== 'accepted');
const send = (frame: unknown) => kiosk.upstreamWs.broadcast(typeof frame === 'string' ? frame : JSON.stringify(frame));
const command = (id: string, name: string, extra: Record<string, unknown> = {}) => send({ type: 'kiosk.command', id, command: name, target: { kiosks: ['lobby-1'] }, ...extra });
const ackFor = async (id: string, timeoutMs = 5000) => {
  await kiosk.upstreamWs.waitFor(() => terminal(id).length >= 1, timeoutMs, `the terminal ack of ${id}`);
  return terminal(id)[0] ?? {};
};

describe('resets under serve (no window: the page reloads itself)', () => {
  it('tells the page to reload and acknowledges once the reloaded page shows content', async () => {
    await setUp();
    const p = await page();
    send({ type: 'kiosk.reset', id: 'r-42', target: 'all' });
    expect(await ackFor('r-42')).toMatchObject({ type: 'kiosk.ack', id: 'r-42', kiosk: 'lobby-1', command: 'reset', status: 'reloaded', ms: expect.any(Number) as number });
    expect(p.loads).toBe(2);
  });

  it('reloads once for the same id sent twice, and answers the second with the stored ack', async () => {
    await setUp();
    const p = await page();
    const reset = { type: 'kiosk.reset', id: 'r-7', target: 'all' };
    send(reset);
    await ackFor('r-7');
    send(reset);
    await kiosk.upstreamWs.waitFor(() => terminal('r-7').length === 2, 5000, 'the stored ack again');
    expect(terminal('r-7')[1]).toEqual(terminal('r-7')[0]);
    expect(p.loads).toBe(2);
    expect(shellKiosk.stats.commands).toMatchObject({ received: 2, repeats: 1, reloaded: 1 });
  });

  it('reloads once for 20 resets in one second and answers the others "ignored" / "too-soon"', async () => {
    await setUp();
    const p = await page();
    for (let i = 0; i < 20; i++) {
      send({ type: 'kiosk.reset', id: `flood-${i}`, target: 'all' });
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    await kiosk.upstreamWs.waitFor(() => terminal().length === 20, 5000, '20 acks');
    expect(p.loads).toBe(2);
    expect(terminal().filter((a) => a.status === 'reloaded').map((a) => a.id)).toEqual(['flood-0']);
    expect(terminal().filter((a) => a.status === 'ignored' && a.reason === 'too-soon')).toHaveLength(19);
  });

  it('answers resets and commands for another kiosk or group "ignored" / "not-targeted", and does nothing', async () => {
    await setUp();
    const p = await page();
    send({ type: 'kiosk.reset', id: 'r-a', target: { kiosks: ['lobby-2'] } });
    send({ type: 'kiosk.reset', id: 'r-b', target: { groups: ['floor-9'] } });
    send({ type: 'kiosk.command', id: 'c-c', command: 'home', target: { kiosks: ['lobby-2'] } });
    await kiosk.upstreamWs.waitFor(() => terminal().length === 3, 5000, 'three acks');
    expect(terminal().map((a) => [a.id, a.status, a.reason])).toEqual([
      ['r-a', 'ignored', 'not-targeted'],
      ['r-b', 'ignored', 'not-targeted'],
      ['c-c', 'ignored', 'not-targeted'],
    ]);
    expect(p.loads).toBe(1);
    expect(p.homes).toBe(0);
  });

  it('logs the upstream\'s reason scrubbed of either token in any form, and cut to 200 characters (the logger\'s own scrubbing off)', async () => {
    await setUp({ scrubLogs: false, overrides: { reset: { minIntervalSeconds: 0 } } });
    await page();
    const reasons: { token: string; reason: string }[] = [];
    for (const token of [kiosk.wsToken, kiosk.apiToken]) {
      for (const echo of echoesOf(token)) reasons.push({ token, reason: `maintenance (${echo.name}): ${echo.text}`.slice(0, 500) });
      // A 500-character reason (the most the message allows) with the token across the 200-character cut.
      reasons.push({ token, reason: `${'.'.repeat(190)}${credentialOf(token)}${'.'.repeat(500)}`.slice(0, 500) });
    }
    for (const [i, { reason }] of reasons.entries()) {
      send({ type: 'kiosk.reset', id: `why-${i}`, target: 'all', reason });
      await kiosk.upstreamWs.waitFor(() => terminal().length === i + 1, 5000, `ack ${i}`);
    }
    const lines = kiosk.log.lines.filter((line) => line.includes('"msg":"command received"'));
    expect(lines).toHaveLength(reasons.length);
    for (const [i, line] of lines.entries()) {
      const { token } = reasons[i]!;
      expect(recoverable(line, token), line).toBe(false);
      expect(line, line).toContain('[redacted]');
      expect((JSON.parse(line) as { reason: string }).reason.length).toBeLessThanOrEqual(201);
    }
  });

  it('reloads for a legacy reset but has no id to acknowledge', async () => {
    await setUp();
    const p = await page();
    send('reset');
    await waitFor(() => shellKiosk.stats.commands.reloaded === 1);
    expect(p.loads).toBe(2);
    expect(acks()).toHaveLength(0);
  });

  it('answers "failed" / "not-shown" when the page does not come back in time', async () => {
    await setUp({ shownTimeoutMs: 500 });
    await page({ obey: false });
    send({ type: 'kiosk.reset', id: 'r-slow', target: 'all' });
    expect(await ackFor('r-slow')).toMatchObject({ status: 'failed', reason: 'not-shown' });
  });

  it('answers "ignored" / "no-window" when no page is attached at all, and a later reset is not "too soon"', async () => {
    await setUp();
    send({ type: 'kiosk.reset', id: 'r-nobody', target: 'all' });
    expect(await ackFor('r-nobody')).toMatchObject({ status: 'ignored', reason: 'no-window' });
    const p = await page();
    send({ type: 'kiosk.reset', id: 'r-somebody', target: 'all' });
    expect(await ackFor('r-somebody')).toMatchObject({ status: 'reloaded' });
    expect(p.loads).toBe(2);
  });

  it('remembers ids and their acks across a restart of the kiosk', async () => {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-journal-'));
    await setUp({ stateDir, overrides: { reset: { minIntervalSeconds: 0 } } });
    await page();
    send({ type: 'kiosk.reset', id: 'r-once', target: 'all' });
    const first = await ackFor('r-once');
    shellKiosk.stop();
    for (const p of pages.splice(0)) p.close();
    await kiosk.close();

    await setUp({ stateDir, overrides: { reset: { minIntervalSeconds: 0 } } });
    const p = await page();
    send({ type: 'kiosk.reset', id: 'r-once', target: 'all' });
    expect(await ackFor('r-once')).toEqual(first);
    expect(p.loads).toBe(1);
  });
});

describe('a lost ack heals', () => {
  it('keeps an ack made while the uplink is down, sends it after the hello, and answers a resend with it', async () => {
    await setUp({ overrides: { upstream: { ws: { reconnectBaseMs: 50, reconnectCapMs: 100 } } } });
    const p = await page({ obey: false });
    send({ type: 'kiosk.reset', id: 'r-lost', target: 'all' });
    await waitFor(() => shellKiosk.stats.commands.received === 1, { what: 'the reset received' });
    // The uplink goes down before the page is back: the ack cannot be sent now.
    await kiosk.upstreamWs.kill();
    await p.reload();
    await waitFor(() => shellKiosk.stats.commands.reloaded === 1, { what: 'the reload done' });
    expect(acks('r-lost')).toHaveLength(0);

    await kiosk.upstreamWs.start();
    await kiosk.upstreamWs.waitFor(() => terminal('r-lost').length === 1, 10_000, 'the kept ack');
    const connection = kiosk.upstreamWs.connections.at(-1);
    const types = (connection?.received ?? []).map((text) => (JSON.parse(text) as { type: string }).type);
    expect(types.slice(0, 2)).toEqual(['kiosk.hello', 'kiosk.ack']);
    expect(terminal('r-lost')[0]).toMatchObject({ status: 'reloaded' });

    // The backend never saw it (say) and sends the same id again: the stored ack, no reload.
    send({ type: 'kiosk.reset', id: 'r-lost', target: 'all' });
    await kiosk.upstreamWs.waitFor(() => terminal('r-lost').length === 2, 5000, 'the stored ack');
    expect(terminal('r-lost')[1]).toEqual(terminal('r-lost')[0]);
    expect(p.loads).toBe(2);
  });
});

describe('commands under serve', () => {
  it('home: the page goes home and says so; "done"', async () => {
    await setUp();
    const p = await page();
    command('c-home', 'home');
    expect(await ackFor('c-home')).toMatchObject({ command: 'home', status: 'done' });
    expect(p.homes).toBe(1);
    expect(p.loads).toBe(1);
  });

  it('home: a page that does not answer is reloaded home instead; still "done"', async () => {
    await setUp({ homeTimeoutMs: 300 });
    const p = await page({ obey: false });
    const done = ackFor('c-home-silent');
    command('c-home-silent', 'home');
    // The fallback reload is the shell's: the silent page is reloaded by the test's hand.
    await waitFor(() => kiosk.log.text.includes('home: the page did not answer'), { what: 'the fallback' });
    await p.reload();
    expect(await done).toMatchObject({ status: 'done' });
  });

  it('clear-session: the page wipes itself and reloads; "done" once it shows content', async () => {
    await setUp();
    const p = await page();
    command('c-clear', 'clear-session');
    expect(await ackFor('c-clear')).toMatchObject({ command: 'clear-session', status: 'done' });
    expect(p.clears).toBe(1);
    expect(p.loads).toBe(2);
  });

  it('restart: a new page; "done" once it shows content', async () => {
    await setUp();
    const p = await page();
    command('c-restart', 'restart');
    expect(await ackFor('c-restart')).toMatchObject({ command: 'restart', status: 'done' });
    expect(p.loads).toBe(2);
  });

  it('screenshot: "ignored" / "no-window" (no screen to capture), or "withheld" / "disabled" when switched off', async () => {
    await setUp();
    await page();
    command('c-shot', 'screenshot');
    expect(await ackFor('c-shot')).toMatchObject({ command: 'screenshot', status: 'ignored', reason: 'no-window' });
    expect(kiosk.upstreamWs.messagesOfType('kiosk.screenshot')).toHaveLength(0);
  });

  it('screenshot with screenshot.enabled false: "withheld" / "disabled", the shell never asked', async () => {
    const shell = await setUp({ shell: (p) => new TestWindowShell(p), overrides: { screenshot: { enabled: false } } });
    command('c-off', 'screenshot');
    expect(await ackFor('c-off')).toMatchObject({ status: 'withheld', reason: 'disabled' });
    expect((shell as TestWindowShell).calls).not.toContain('screenshot');
  });

  it('display off and on: the page is told, a page that connects later too, and kiosk.status says why it is dark', async () => {
    await setUp();
    const p = await page();
    command('c-dark', 'display', { args: { power: 'off' } });
    expect(await ackFor('c-dark')).toMatchObject({ command: 'display', status: 'done' });
    await waitFor(() => p.power === 'off', { what: 'the page told' });
    const late = await page();
    await waitFor(() => late.power === 'off', { what: 'the late page told' });
    await kiosk.upstreamWs.waitFor(() => kiosk.upstreamWs.messagesOfType('kiosk.status').some((s) => s.display === 'off-commanded'), 5000, 'status off-commanded');
    command('c-light', 'display', { args: { power: 'on' } });
    await ackFor('c-light');
    await waitFor(() => p.power === 'on' && late.power === 'on', { what: 'both pages told' });
  });

  it('display off: a touch wakes it for wakeOnTouchMinutes, then it is dark again', async () => {
    await setUp({ overrides: { schedule: { wakeOnTouchMinutes: 0.02 } } });
    const p = await page();
    command('c-dark', 'display', { args: { power: 'off' } });
    await ackFor('c-dark');
    p.send({ type: 'local.activity' });
    await waitFor(() => p.power === 'on', { what: 'woken' });
    expect(shellKiosk.stats.display).toBe('off-commanded');
    await waitFor(() => p.power === 'off', { timeoutMs: 5000, what: 'dark again after 1.2 s' });
  });
});

describe('commands that cannot run', () => {
  it('answers an unknown command "failed" / "unknown-command", malformed ones "failed" with the reason, and counts them', async () => {
    await setUp();
    const p = await page();
    command('c-what', 'self-destruct');
    command('c-bad-args', 'display', { args: { power: 'dim' } });
    command('c-bad-date', 'home', { expiresAt: 'tomorrow' });
    command('c-extra', 'home', { priority: 'high' });
    send({ type: 'kiosk.command', id: 'no spaces allowed', command: 'home', target: 'all' });
    await kiosk.upstreamWs.waitFor(() => terminal().length === 4, 5000, 'four acks');
    expect(terminal().map((a) => [a.id, a.status, a.reason])).toEqual([
      ['c-what', 'failed', 'unknown-command'],
      ['c-bad-args', 'failed', 'bad-args: args.power: invalid'],
      ['c-bad-date', 'failed', 'malformed: expiresAt: invalid'],
      ['c-extra', 'failed', 'malformed: priority: unknown field'],
    ]);
    expect(p.homes).toBe(0);
    const status = JSON.parse((await httpRequest(kiosk.server.port, { path: '/status', headers: pageHeaders(kiosk.server) })).body) as {
      relay: { down: { refused: number; dropped: { 'bad-command': number } } };
      kiosk: { commands: { refused: number; failed: number } };
    };
    expect(status.relay.down.refused).toBe(4);
    expect(status.relay.down.dropped['bad-command']).toBe(1);
  });

  it('answers an expired command "expired" and runs nothing', async () => {
    await setUp();
    const p = await page();
    command('c-late', 'home', { expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect(await ackFor('c-late')).toMatchObject({ status: 'expired' });
    expect(p.homes).toBe(0);
  });
});

describe('when: idle and screenshot privacy (input as the page reports it under serve)', () => {
  /** The page reports input every `everyMs`; resolves once the kiosk has heard the first. */
  const busy = async (p: SimulatedPage, everyMs = 250) => {
    p.send({ type: 'local.activity' });
    const timer = setInterval(() => p.send({ type: 'local.activity' }), everyMs);
    await waitFor(() => !shellKiosk.activity.quietFor(everyMs * 2), { what: 'input heard' });
    return () => clearInterval(timer);
  };

  it('waits while input arrives, says what it waits for at once, and runs once input stops', async () => {
    await setUp({ overrides: { idle: { returnHomeSeconds: 1 } } });
    const p = await page();
    const stop = await busy(p);
    command('c-idle', 'home', { when: 'idle' });
    await kiosk.upstreamWs.waitFor(() => acks('c-idle').length === 1, 5000, 'accepted');
    expect(acks('c-idle')[0]).toMatchObject({ status: 'accepted', waitingFor: 'idle' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(p.homes).toBe(0);
    const stoppedAt = Date.now();
    stop();
    expect(await ackFor('c-idle')).toMatchObject({ status: 'done' });
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(700);
    expect(p.homes).toBe(1);
  });

  it('waits while the page says a visitor is mid-task', async () => {
    await setUp({ overrides: { idle: { returnHomeSeconds: 1 } } });
    const p = await page();
    p.send({ type: 'local.in-use', inUse: true });
    await waitFor(() => shellKiosk.stats.inUse);
    command('c-idle', 'home', { when: 'idle' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(p.homes).toBe(0);
    p.send({ type: 'local.in-use', inUse: false });
    expect(await ackFor('c-idle')).toMatchObject({ status: 'done' });
  });

  it('runs at its deadline even if input continues', async () => {
    await setUp({ overrides: { idle: { returnHomeSeconds: 1 } } });
    const p = await page();
    const stop = await busy(p);
    try {
      command('c-deadline', 'home', { when: 'idle', deadline: new Date(Date.now() + 1500).toISOString() });
      expect(await ackFor('c-deadline')).toMatchObject({ status: 'done' });
      expect(p.homes).toBe(1);
    } finally {
      stop();
    }
  });

  it('expires while waiting: "expired", nothing run', async () => {
    await setUp({ overrides: { idle: { returnHomeSeconds: 1 } } });
    const p = await page();
    const stop = await busy(p);
    try {
      command('c-gone', 'home', { when: 'idle', expiresAt: new Date(Date.now() + 800).toISOString() });
      expect(await ackFor('c-gone')).toMatchObject({ status: 'expired' });
      expect(p.homes).toBe(0);
    } finally {
      stop();
    }
  });

  it('holds a screenshot while someone uses the screen, and withholds it "in-use" when it expires first', async () => {
    const shell = await setUp({ shell: (p) => new TestWindowShell(p), overrides: { screenshot: { privacySeconds: 1 } } });
    const p = await page();
    // A window shell sees input itself; the test shell reports it as Electron's would.
    shell.emit('input');
    const typing = setInterval(() => shell.emit('input'), 200);
    try {
      command('c-private', 'screenshot', { expiresAt: new Date(Date.now() + 1000).toISOString() });
      await kiosk.upstreamWs.waitFor(() => acks('c-private').length === 1, 5000, 'accepted');
      expect(acks('c-private')[0]).toMatchObject({ status: 'accepted', waitingFor: 'privacy' });
      expect(await ackFor('c-private')).toMatchObject({ status: 'withheld', reason: 'in-use' });
      expect((shell as TestWindowShell).calls).not.toContain('screenshot');
    } finally {
      clearInterval(typing);
    }
    // Once nobody has touched it for privacySeconds, a screenshot goes out, image first.
    command('c-public', 'screenshot');
    expect(await ackFor('c-public')).toMatchObject({ status: 'done' });
    const frames = kiosk.upstreamWs.received.map((text) => JSON.parse(text) as { type: string; id?: string });
    const image = frames.findIndex((f) => f.type === 'kiosk.screenshot' && f.id === 'c-public');
    const done = frames.findIndex((f) => f.type === 'kiosk.ack' && f.id === 'c-public' && (f as { status?: string }).status === 'done');
    expect(image).toBeGreaterThanOrEqual(0);
    expect(image).toBeLessThan(done);
    void p;
  });
});

describe('across a process that goes away (Electron relaunches itself for restart)', () => {
  /** A window shell whose relaunch takes the process with it: the promise never settles. */
  class DyingShell extends TestWindowShell {
    override relaunch(): Promise<void> {
      this.calls.push('relaunch');
      return new Promise(() => undefined);
    }
  }

  it('finishes a restart in the next process, once its page shows content: "done" with ms from the first receipt', async () => {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-restart-'));
    const dying = (await setUp({ stateDir, shell: (p) => new DyingShell(p) })) as DyingShell;
    command('c-restart', 'restart');
    await waitFor(() => dying.calls.includes('relaunch'), { what: 'the relaunch' });
    shellKiosk.stop();
    await kiosk.close();
    await new Promise((resolve) => setTimeout(resolve, 300));

    await setUp({ stateDir });
    expect(terminal('c-restart')).toEqual([]);
    await page();
    const ack = await ackFor('c-restart');
    expect(ack).toMatchObject({ command: 'restart', status: 'done' });
    // Received before the first process went away, at least 300 ms before the new one showed content.
    expect(ack.ms).toBeGreaterThanOrEqual(300);
  });

  it('answers a command cut short by the process going away "failed" / "interrupted"', async () => {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-interrupted-'));
    await setUp({ stateDir, overrides: { idle: { returnHomeSeconds: 60 } } });
    const p = await page();
    p.send({ type: 'local.in-use', inUse: true });
    await waitFor(() => shellKiosk.stats.inUse);
    command('c-waiting', 'home', { when: 'idle' });
    await kiosk.upstreamWs.waitFor(() => acks('c-waiting').length === 1, 5000, 'accepted');
    shellKiosk.stop();
    for (const old of pages.splice(0)) old.close();
    await kiosk.close();

    await setUp({ stateDir });
    expect(await ackFor('c-waiting')).toMatchObject({ status: 'failed', reason: 'interrupted' });
  });
});

describe('the schedule', () => {
  it('turns the display off in a window that holds now: the page told, kiosk.status "off-scheduled" with the next change', async () => {
    await setUp({ overrides: { schedule: { timezone: 'UTC', displayOff: [{ days: 'daily', from: utcClock(-1), to: utcClock(3) }] } } });
    const p = await page();
    await waitFor(() => p.power === 'off', { what: 'the page told' });
    await kiosk.upstreamWs.waitFor(() => kiosk.upstreamWs.messagesOfType('kiosk.status').some((s) => s.display === 'off-scheduled'), 5000, 'status off-scheduled');
    const status = kiosk.upstreamWs.messagesOfType('kiosk.status').find((s) => s.display === 'off-scheduled');
    expect(status?.schedule).toMatchObject({ timezone: 'UTC', nextDisplayOn: expect.stringMatching(/^\d{4}-/) as string });
  });

  it('restarts the shell once in a restart window that opens while it runs, when idle; no ack goes upstream for it', async () => {
    // The kiosk's clock runs 5 s before the next full minute, when the window opens.
    const offset = 55_000 - (Date.now() % 60_000);
    const clock = () => Date.now() + offset;
    const shell = (await setUp({
      shell: (p) => new TestWindowShell(p),
      now: clock,
      overrides: { idle: { returnHomeSeconds: 1 }, schedule: { timezone: 'UTC', restart: { at: utcClock(1, clock), jitterMinutes: 0 } } },
    })) as TestWindowShell;
    shell.page = await page({ obey: false });
    await waitFor(() => shell.calls.includes('relaunch'), { timeoutMs: 20_000, what: 'the scheduled restart' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(shell.calls.filter((c) => c === 'relaunch')).toHaveLength(1);
    expect(shellKiosk.stats.recovery.relaunches).toBe(1);
    expect(acks().filter((a) => String(a.id).startsWith('schedule-'))).toEqual([]);
    expect(kiosk.log.text).toContain('"reason":"scheduled restart"');
  });
});

describe('the renderer\'s memory', () => {
  it('above the limit: replaced at the next idle moment, not while someone uses the kiosk', async () => {
    const shell = (await setUp({
      shell: (p) => new TestWindowShell(p),
      overrides: { idle: { returnHomeSeconds: 1 }, recovery: { maxRendererMemoryMB: 100, memoryCheckSeconds: 1 } },
    })) as TestWindowShell;
    shell.page = await page({ obey: false });
    shell.memoryMB = 120;
    const typing = setInterval(() => shell.emit('input'), 200);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(shell.calls).not.toContain('recreate');
    clearInterval(typing);
    await waitFor(() => shell.calls.includes('recreate'), { timeoutMs: 5000, what: 'the renderer replaced' });
    expect(shellKiosk.stats.memory).toMatchObject({ rendererMB: 120, recycled: 1 });
  });

  it('above the hard ceiling: replaced at once, whoever is there', async () => {
    const shell = (await setUp({ shell: (p) => new TestWindowShell(p), overrides: { recovery: { maxRendererMemoryMB: 100, memoryCheckSeconds: 1 } } })) as TestWindowShell;
    shell.page = await page({ obey: false });
    shell.memoryMB = 151;
    const typing = setInterval(() => shell.emit('input'), 200);
    try {
      await waitFor(() => shell.calls.includes('recreate'), { timeoutMs: 5000, what: 'the renderer replaced' });
    } finally {
      clearInterval(typing);
    }
  });
});

describe('when the state folder cannot be written (a full or read-only disk)', () => {
  it('still runs commands, still recovers, and says so in the log once', async () => {
    const blocker = path.join(mkdtempSync(path.join(os.tmpdir(), 'kiosk-ro-')), 'not-a-folder');
    writeFileSync(blocker, '');
    let shell: TestWindowShell | undefined;
    await setUp({ shell: (p) => (shell = new TestWindowShell(p)), stateDir: path.join(blocker, 'state') });
    if (shell === undefined) throw new Error('no shell');
    const windowShell = shell;
    windowShell.page = await page({ obey: false });
    await waitFor(() => kiosk.server.status().relay.up.local >= 1);
    windowShell.emit('failure', 'crashed', 'test');
    await waitFor(() => windowShell.calls.length === 1);
    send({ type: 'kiosk.reset', id: 'r-ro', target: 'all' });
    expect(await ackFor('r-ro')).toMatchObject({ status: 'reloaded' });
    await waitFor(() => kiosk.log.text.includes('cannot save kiosk state (kept in memory only)'), { what: 'the warning' });
  });
});

describe('status', () => {
  it('sends kiosk.status every status.intervalSeconds with renderer, uplink and display state', async () => {
    await setUp();
    const p = await page();
    const beating = setInterval(() => p.send({ type: 'local.heartbeat', shown: true }), 200);
    await kiosk.upstreamWs.waitFor(() => kiosk.upstreamWs.messagesOfType('kiosk.status').length >= 2, 5000, 'two status messages');
    clearInterval(beating);
    const status = kiosk.upstreamWs.messagesOfType('kiosk.status').at(-1);
    expect(status).toMatchObject({ kiosk: 'lobby-1', version: '0.0.0-test', uplink: 'open', renderer: 'alive', shell: 'headless', pages: 1, display: 'on', inUse: false });
    expect(status?.uptimeSeconds).toEqual(expect.any(Number));
  });

  it('reports a page that stopped beating as unresponsive', async () => {
    await setUp();
    const p = await page();
    p.send({ type: 'local.heartbeat', shown: true });
    await kiosk.upstreamWs.waitFor(
      () => kiosk.upstreamWs.messagesOfType('kiosk.status').some((s) => s.renderer === 'unresponsive'),
      6000,
      'an unresponsive status',
    );
  });
});

describe('with a window', () => {
  it('reloads the window through the shell for a reset and acknowledges', async () => {
    const shell = (await setUp({ shell: (p) => new TestWindowShell(p) })) as TestWindowShell;
    shell.page = await page({ obey: false });
    send({ type: 'kiosk.reset', id: 'r-win', target: { groups: ['lobby'] } });
    expect(await ackFor('r-win')).toMatchObject({ status: 'reloaded' });
    expect(shell.calls).toEqual(['reload']);
  });

  it('sends a screenshot frame of what the shell captured, then "done"', async () => {
    const shell = (await setUp({ shell: (p) => new TestWindowShell(p), overrides: { screenshot: { privacySeconds: 0 } } })) as TestWindowShell;
    command('c-shot', 'screenshot', { args: { maxWidth: 640 } });
    expect(await ackFor('c-shot')).toMatchObject({ status: 'done' });
    expect(kiosk.upstreamWs.messagesOfType('kiosk.screenshot')[0]).toEqual({
      type: 'kiosk.screenshot',
      id: 'c-shot',
      kiosk: 'lobby-1',
      mime: 'image/jpeg',
      width: 2,
      height: 1,
      takenAt: new Date(0).toISOString(),
      data: Buffer.from([0xff, 0xd8, 0xff, 0xd9]).toString('base64'),
    });
    expect(shell.calls).toEqual(['screenshot']);
  });

  it('sends a black frame of the captured size while the display is off, whatever the capture held', async () => {
    const shell = (await setUp({ shell: (p) => new TestWindowShell(p), overrides: { screenshot: { privacySeconds: 0 } } })) as TestWindowShell;
    command('c-dark', 'display', { args: { power: 'off' } });
    expect(await ackFor('c-dark')).toMatchObject({ status: 'done' });
    command('c-shot', 'screenshot');
    expect(await ackFor('c-shot')).toMatchObject({ status: 'done' });
    const frame = kiosk.upstreamWs.messagesOfType('kiosk.screenshot')[0] as { width: number; height: number; data: string };
    expect(frame).toMatchObject({ width: 2, height: 1 });
    const image = jpeg.decode(Buffer.from(frame.data, 'base64'), { useTArray: true });
    expect([image.width, image.height]).toEqual([2, 1]);
    expect(Math.max(...image.data.filter((_, i) => i % 4 !== 3))).toBe(0);
    expect(shell.calls).toEqual(['display-off', 'screenshot']);
  });

  it('recovers a crashed page through the shell, and a page that never shows a sign of life', async () => {
    const shell = (await setUp({ shell: (p) => new TestWindowShell(p) })) as TestWindowShell;
    shell.page = await page({ obey: false });
    shell.emit('failure', 'crashed', 'render process gone');
    await waitFor(() => shell.calls.length === 1);
    expect(shell.calls).toEqual(['reload']);
    expect(shellKiosk.stats.recovery.byKind.crashed).toBe(1);

    // Now the page loads blank: it never connects again. The watchdog notices.
    shell.page.close();
    shell.page = undefined;
    shell.emit('loading');
    await waitFor(() => shellKiosk.stats.recovery.byKind.blank >= 1, { timeoutMs: 8000 });
    await waitFor(() => shell.calls.length >= 2, { what: 'the second remedy' });
  });

  it('escalates to recreating the window when reloading does not help', async () => {
    const shell = (await setUp({ shell: (p) => new TestWindowShell(p) })) as TestWindowShell;
    shell.showOnLoad = false;
    shell.page = await page({ obey: false });
    // The first load's local.shown must have arrived, or it would count as a later recovery.
    await waitFor(() => kiosk.server.status().relay.up.local >= 1);
    for (let i = 0; i < 4; i++) {
      shell.emit('failure', 'unresponsive', 'test');
      await waitFor(() => shell.calls.length === i + 1);
    }
    expect(shell.calls).toEqual(['reload', 'reload', 'reload', 'recreate']);
  });
});
