// The kiosk controller against the real relay and a real upstream: resets in, page
// reloads, acknowledgements and status out, and recovery through a shell.
import { EventEmitter } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KioskController } from '../../kiosk/controller.ts';
import { HeadlessShell } from '../../kiosk/headless-shell.ts';
import type { Shell, ShellEvents } from '../../kiosk/shell.ts';
import { startTestKiosk, type TestKiosk } from '../support/kiosk.ts';
import { SimulatedPage } from '../support/page-sim.ts';
import { echoesOf, recoverable } from '../support/secret-echoes.ts';
import { credentialOf } from '../../core/secret-forms.ts';
import { waitFor } from '../support/wait.ts';

/**
 * A window shell for tests: reloading or recreating it loads the simulated page again,
 * as a real window would. It stands in for Electron or Chromium, not for the controller.
 */
class TestWindowShell extends EventEmitter<ShellEvents> implements Shell {
  readonly kind = 'electron' as const;
  readonly hasWindow = true;
  readonly calls: string[] = [];
  page: SimulatedPage | undefined;
  showOnLoad = true;

  async reload(): Promise<void> {
    this.calls.push('reload');
    await this.page?.reload({ show: this.showOnLoad });
  }
  async recreate(): Promise<void> {
    this.calls.push('recreate');
    await this.page?.reload({ show: this.showOnLoad });
  }
  relaunch(): Promise<void> {
    this.calls.push('relaunch');
    return Promise.resolve();
  }
  rendererState(): undefined {
    return undefined;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

let kiosk: TestKiosk;
let controller: KioskController;
const pages: SimulatedPage[] = [];

async function setUp(
  options: { shell?: Shell; overrides?: Record<string, unknown>; ackTimeoutMs?: number; stateDir?: string; scrubLogs?: boolean } = {},
) {
  kiosk = await startTestKiosk(
    { reset: { minIntervalSeconds: 10 }, status: { intervalSeconds: 1 }, ...options.overrides },
    {},
    { scrubLogs: options.scrubLogs ?? true },
  );
  await kiosk.upstreamWs.waitFor(() => kiosk.upstreamWs.messagesOfType('kiosk.hello').length === 1, 5000, 'hello');
  const shell = options.shell ?? new HeadlessShell(kiosk.server.relay);
  controller = new KioskController({
    relay: kiosk.server.relay,
    shell,
    config: kiosk.config,
    version: '0.0.0-test',
    logger: kiosk.logger,
    stateDir: options.stateDir,
    ackTimeoutMs: options.ackTimeoutMs ?? 5000,
    watchdog: { connectGraceMs: 1500, heartbeatTimeoutMs: 1500 },
    recovery: { baseDelayMs: 50, capDelayMs: 200 },
    lastApiOkAt: () => kiosk.server.status().api.lastOkAt,
  });
  controller.start();
  return shell;
}

async function page(options: { reloadOnRequest?: boolean } = {}) {
  const p = new SimulatedPage(kiosk.server, options);
  pages.push(p);
  await p.load();
  return p;
}

afterEach(async () => {
  controller.stop();
  for (const p of pages.splice(0)) p.close();
  await kiosk.close();
});

const acks = () => kiosk.upstreamWs.messagesOfType('kiosk.ack');

describe('a reset with no window attached (serve)', () => {
  it('tells the page to reload and acknowledges once the reloaded page shows content', async () => {
    await setUp();
    const p = await page();
    kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'kiosk.reset', id: 'r-42', target: 'all' }));
    await kiosk.upstreamWs.waitFor(() => acks().length === 1, 5000, 'ack');
    expect(p.loads).toBe(2);
    expect(acks()[0]).toMatchObject({ type: 'kiosk.ack', id: 'r-42', kiosk: 'lobby-1', status: 'reloaded' });
    expect(acks()[0]?.ms).toEqual(expect.any(Number));
  });

  it('reloads once for the same id sent twice', async () => {
    await setUp();
    const p = await page();
    const reset = JSON.stringify({ type: 'kiosk.reset', id: 'r-7', target: 'all' });
    kiosk.upstreamWs.broadcast(reset);
    kiosk.upstreamWs.broadcast(reset);
    await kiosk.upstreamWs.waitFor(() => acks().length >= 1, 5000, 'ack');
    // A marker reset for another kiosk proves both frames were processed before we count.
    kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'kiosk.reset', id: 'marker', target: { kiosks: ['elsewhere'] } }));
    await waitFor(() => controller.stats.resets.received === 3);
    expect(p.loads).toBe(2);
    expect(acks()).toHaveLength(1);
    expect(controller.stats.resets).toMatchObject({ duplicate: 1, 'not-targeted': 1, reloaded: 1 });
  });

  it('reloads once for 20 resets in one second and acknowledges the others as ignored', async () => {
    await setUp();
    const p = await page();
    for (let i = 0; i < 20; i++) {
      kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'kiosk.reset', id: `flood-${i}`, target: 'all' }));
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    await kiosk.upstreamWs.waitFor(() => acks().length === 20, 5000, '20 acks');
    expect(p.loads).toBe(2);
    expect(acks().filter((a) => a.status === 'reloaded').map((a) => a.id)).toEqual(['flood-0']);
    expect(acks().filter((a) => a.status === 'ignored')).toHaveLength(19);
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
      kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'kiosk.reset', id: `why-${i}`, target: 'all', reason }));
      await kiosk.upstreamWs.waitFor(() => acks().length === i + 1, 5000, `ack ${i}`);
    }
    const lines = kiosk.log.lines.filter((line) => line.includes('"msg":"reset: reloading"'));
    expect(lines).toHaveLength(reasons.length);
    for (const [i, line] of lines.entries()) {
      const { token } = reasons[i]!;
      expect(recoverable(line, token), line).toBe(false);
      expect(line, line).toContain('[redacted]');
      expect((JSON.parse(line) as { reason: string }).reason.length).toBeLessThanOrEqual(201);
    }
  });

  it('ignores resets for another kiosk or group, without acknowledging them', async () => {
    await setUp();
    const p = await page();
    kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'kiosk.reset', id: 'r-a', target: { kiosks: ['lobby-2'] } }));
    kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'kiosk.reset', id: 'r-b', target: { groups: ['floor-9'] } }));
    await waitFor(() => controller.stats.resets['not-targeted'] === 2);
    expect(p.loads).toBe(1);
    expect(acks()).toHaveLength(0);
  });

  it('reloads for a legacy reset but has no id to acknowledge', async () => {
    await setUp();
    const p = await page();
    kiosk.upstreamWs.broadcast('reset');
    await waitFor(() => controller.stats.resets.reloaded === 1);
    expect(p.loads).toBe(2);
    expect(acks()).toHaveLength(0);
  });

  it('acknowledges "failed" when the page does not come back in time', async () => {
    await setUp({ ackTimeoutMs: 500 });
    await page({ reloadOnRequest: false });
    kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'kiosk.reset', id: 'r-slow', target: 'all' }));
    await kiosk.upstreamWs.waitFor(() => acks().length === 1, 5000, 'ack');
    expect(acks()[0]).toMatchObject({ id: 'r-slow', status: 'failed' });
  });

  it('acknowledges "ignored" when no page is attached at all', async () => {
    await setUp();
    kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'kiosk.reset', id: 'r-nobody', target: 'all' }));
    await kiosk.upstreamWs.waitFor(() => acks().length === 1, 5000, 'ack');
    expect(acks()[0]).toMatchObject({ id: 'r-nobody', status: 'ignored' });
  });

  it('remembers acted-on ids across a restart of the kiosk', async () => {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-controller-'));
    await setUp({ stateDir, overrides: { reset: { minIntervalSeconds: 0 } } });
    await page();
    kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'kiosk.reset', id: 'r-once', target: 'all' }));
    await kiosk.upstreamWs.waitFor(() => acks().length === 1, 5000, 'ack');
    controller.stop();
    await kiosk.close();

    await setUp({ stateDir, overrides: { reset: { minIntervalSeconds: 0 } } });
    const p = await page();
    kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'kiosk.reset', id: 'r-once', target: 'all' }));
    await waitFor(() => controller.stats.resets.duplicate === 1);
    expect(p.loads).toBe(1);
  });
});

describe('when the state folder cannot be written (a full or read-only disk)', () => {
  it('still reloads for resets, still recovers, and says so in the log once', async () => {
    const blocker = path.join(mkdtempSync(path.join(os.tmpdir(), 'kiosk-ro-')), 'not-a-folder');
    writeFileSync(blocker, '');
    const shell = new TestWindowShell();
    await setUp({ shell, stateDir: path.join(blocker, 'state') });
    shell.page = await page({ reloadOnRequest: false });
    await waitFor(() => kiosk.server.relay.stats.up.local === 1);
    shell.emit('failure', 'crashed', 'test');
    await waitFor(() => shell.calls.length === 1);
    shell.emit('failure', 'crashed', 'test');
    await waitFor(() => shell.calls.length === 2);
    kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'kiosk.reset', id: 'r-ro', target: 'all' }));
    await kiosk.upstreamWs.waitFor(() => acks().length === 1, 5000, 'ack');
    expect(acks()[0]).toMatchObject({ id: 'r-ro' });
    expect(kiosk.log.text).toContain('cannot save kiosk state (kept in memory only)');
  });
});

describe('status', () => {
  it('sends kiosk.status every status.intervalSeconds with renderer and uplink state', async () => {
    await setUp();
    const p = await page();
    const beating = setInterval(() => p.send({ type: 'local.heartbeat', shown: true }), 200);
    await kiosk.upstreamWs.waitFor(() => kiosk.upstreamWs.messagesOfType('kiosk.status').length >= 2, 5000, 'two status messages');
    clearInterval(beating);
    const status = kiosk.upstreamWs.messagesOfType('kiosk.status').at(-1);
    expect(status).toMatchObject({ kiosk: 'lobby-1', version: '0.0.0-test', uplink: 'open', renderer: 'alive', shell: 'headless', pages: 1 });
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
    const shell = new TestWindowShell();
    await setUp({ shell });
    shell.page = await page({ reloadOnRequest: false });
    kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'kiosk.reset', id: 'r-win', target: { groups: ['lobby'] } }));
    await kiosk.upstreamWs.waitFor(() => acks().length === 1, 5000, 'ack');
    expect(shell.calls).toEqual(['reload']);
    expect(acks()[0]).toMatchObject({ id: 'r-win', status: 'reloaded' });
  });

  it('recovers a crashed page through the shell, and a page that never shows a sign of life', async () => {
    const shell = new TestWindowShell();
    await setUp({ shell });
    shell.page = await page({ reloadOnRequest: false });
    shell.emit('failure', 'crashed', 'render process gone');
    await waitFor(() => shell.calls.length === 1);
    expect(shell.calls).toEqual(['reload']);
    expect(controller.stats.recovery.byKind.crashed).toBe(1);

    // Now the page loads blank: it never connects again. The watchdog notices.
    shell.page.close();
    shell.page = undefined;
    await waitFor(() => controller.stats.recovery.byKind.blank >= 1, { timeoutMs: 8000 });
    expect(shell.calls.length).toBeGreaterThanOrEqual(2);
  });

  it('escalates to recreating the window when reloading does not help', async () => {
    const shell = new TestWindowShell();
    shell.showOnLoad = false;
    await setUp({ shell });
    shell.page = await page({ reloadOnRequest: false });
    // The first load's local.shown must have arrived, or it would count as a later recovery.
    await waitFor(() => kiosk.server.relay.stats.up.local === 1);
    for (let i = 0; i < 4; i++) {
      shell.emit('failure', 'unresponsive', 'test');
      await waitFor(() => shell.calls.length === i + 1);
    }
    expect(shell.calls).toEqual(['reload', 'reload', 'reload', 'recreate']);
  });
});
