// 8. Django fleet. 1,000 simulated kiosks (workers/fleet.ts: test/support/sim-kiosk.ts, the
// brief's protocol over `ws`) on two daphne workers of the reference project
// (integrations/django/example, SQLite, Redis channel layer). Measured:
//   - click → every delivery terminal: an admin presses "Reset all kiosks" in Chromium and
//     confirms; from the click on "Yes" to each delivery's answered_at in the database;
//     baseline: "Reset this kiosk" on one kiosk's page, the same way;
//   - kiosk connect p95 (a fresh WebSocket with a kiosk token, TCP connect → handshake
//     accepted, on the worker that serves the admin) with nothing open, with the command
//     page of a 1,000-kiosk command open (it polls its JSON view), and with that page
//     reloaded back to back; the baseline is the idle figure;
//   - the command page of a 1,000-kiosk command: load time and bytes, beside one of a
//     1-kiosk command.
import { chromium, type Browser, type Page } from 'playwright-core';
import { logInToAdmin, prepareDjango, startRedis, type Daphne, type DjangoProject } from '../../test/support/django.ts';
import { startWorker, type Worker } from '../lib/ipc.ts';
import { epochMs } from '../lib/proc.ts';
import { ratioOf, type BenchContext, type Figure, type Suite } from '../lib/report.ts';
import { percentile } from '../lib/stats.ts';

const PROBES = 90;
const ROUNDS = 3;

/** The admin logged in (the bench's other Django suite uses it too). */
export const logIn = (page: Page, daphne: Pick<Daphne, 'url'>): Promise<void> => logInToAdmin(page, daphne);

/** Each delivery of a command: its state and when it was answered (epoch ms, NaN if not). */
export async function deliveries(project: DjangoProject, id: string): Promise<{ kiosk: string; state: string; at: number }[]> {
  const out = await project.manage(
    'shell',
    '-c',
    `from kiosk_fleet.models import Delivery as D\nfor d in D.objects.filter(command_id=${JSON.stringify(id)}): print(d.kiosk_key, d.state, d.answered_at.timestamp() if d.answered_at else "nan")`,
  );
  return out
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const [kiosk = '', state = '', at = 'nan'] = line.split(' ');
      return { kiosk, state, at: Number(at) * 1000 };
    });
}

/** Confirms the page's command and returns the click time and the command id. */
export async function confirm(page: Page, button: RegExp): Promise<{ clickedAt: number; id: string }> {
  const yes = page.getByRole('button', { name: button });
  await yes.waitFor();
  const clickedAt = epochMs();
  await Promise.all([page.waitForURL(/\/admin\/kiosk_fleet\/command\/.+\/change\/$/), yes.click()]);
  return { clickedAt, id: /command\/([^/]+)\/change/.exec(page.url())?.[1] ?? '' };
}

export async function untilFinal(page: Page, timeoutMs: number): Promise<number | null> {
  try {
    await page.waitForFunction(() => document.getElementById('content-main')?.getAttribute('data-settled') === 'true', undefined, { timeout: timeoutMs, polling: 100 });
    return epochMs();
  } catch {
    return null;
  }
}

export const djangoSuite: Suite = {
  name: 'django',
  title: 'Django fleet',
  async run(ctx: BenchContext) {
    const count = ctx.quick ? 100 : 1000;
    let redis: { stop(): Promise<void> } | undefined;
    let workers: Daphne[] = [];
    let fleet: Worker | undefined;
    let browser: Browser | undefined;
    try {
      const r = await startRedis();
      redis = r;
      const project = await prepareDjango({ KIOSK_REDIS_URL: r.url });
      const kiosks = await project.enrollFleet(count, 'fleet');
      if (kiosks.length !== count) throw new Error(`enrolled ${kiosks.length} of ${count} kiosks`);
      workers = await Promise.all([project.startDaphne(), project.startDaphne()]);
      const [a, b] = workers as [Daphne, Daphne];
      fleet = await startWorker('bench/workers/fleet.ts');
      const connectStarted = performance.now();
      await fleet.call('start', {
        kiosks: kiosks.map((k, i) => ({ id: k.id, token: k.token, groups: k.groups, urls: i % 2 === 0 ? [a.wsUrl, b.wsUrl] : [b.wsUrl, a.wsUrl], reconnectDelayMs: 500 })),
        perWave: 20,
        waveMs: 100,
      });
      await fleet.call('waitOpen', { timeoutMs: 180_000 }, 200_000);
      const connectSeconds = (performance.now() - connectStarted) / 1000;
      ctx.log(`django: ${count} kiosks connected to two daphne workers in ${connectSeconds.toFixed(1)} s`);
      await new Promise((resolve) => setTimeout(resolve, 2000));

      browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: ['--disable-gpu', '--no-first-run', '--disable-background-networking', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
      });
      const page = await browser.newPage();
      await logIn(page, a);

      // The baseline first: "Reset this kiosk" on one kiosk's page.
      await page.goto(`${a.url}/admin/kiosk_fleet/kiosk/send/?command=reset&target=kiosks&kiosks=${kiosks[0]?.id ?? ''}`);
      const solo = await confirm(page, /^Yes, reset 1 kiosk$/);
      await untilFinal(page, 30_000);
      const soloTerminal = ((await deliveries(project, solo.id))[0]?.at ?? Number.NaN) - solo.clickedAt;

      // "Reset all kiosks", confirmed.
      await page.goto(`${a.url}/admin/kiosk_fleet/kiosk/`);
      await page.getByRole('button', { name: 'Reset all kiosks' }).click();
      const all = await confirm(page, /^Yes, reset \d+ kiosks$/);
      const pageShownMs = epochMs() - all.clickedAt;
      const finalAt = await untilFinal(page, 120_000);
      const rows = await deliveries(project, all.id);
      const terminal = rows.filter((row) => Number.isFinite(row.at));
      const toTerminal = terminal.map((row) => row.at - all.clickedAt);
      const answers = await fleet.call<{ id: string; receivedAt: number; answeredAt: number }[]>('answers', { id: all.id });
      const received = answers.map((x) => x.receivedAt - all.clickedAt);
      const allTerminal = terminal.length === count;
      ctx.log(
        `django: click → kiosk got the reset p50 ${percentile(received, 50).toFixed(0)} ms p99 ${percentile(received, 99).toFixed(0)} ms; → delivery terminal p50 ${percentile(toTerminal, 50).toFixed(0)} ms p99 ${percentile(toTerminal, 99).toFixed(0)} ms; ${terminal.length}/${count} terminal; one kiosk ${soloTerminal.toFixed(0)} ms`,
      );

      // Kiosk connects: a probe kiosk (enrolled now, so the reset above did not target it).
      const [probe] = await project.enrollFleet(1, 'probe', () => []);
      if (probe === undefined) throw new Error('no probe kiosk');
      const probeConnects = (n: number) => fleet?.call<number[]>('probe', { url: a.wsUrl, token: probe.token, id: probe.id, count: n, gapMs: 50 }, 120_000) ?? Promise.resolve([]);

      // A command to the whole fleet that stays open (the kiosks accept it and wait for
      // idle), so that its page keeps polling.
      await fleet.call('behave', { neverIdle: true });
      const open = await project.command('restart', '--all', '--when', 'idle');
      const pageUrl = `${a.url}/admin/kiosk_fleet/command/${open}/change/`;
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const timedLoad = async (url: string) => {
        const started = performance.now();
        const response = await page.goto(url);
        const ms = performance.now() - started;
        return { ms, bytes: (await response?.body())?.length ?? 0 };
      };
      const bigPage = await timedLoad(pageUrl);
      const smallPage = await timedLoad(`${a.url}/admin/kiosk_fleet/command/${solo.id}/change/`);
      const progressBytes = (await (await page.request.get(`${a.url}/admin/kiosk_fleet/command/${open}/progress/`)).body()).length;

      // The three conditions in turn, over several rounds: the machine's load moves.
      const idle: number[] = [];
      const withPage: number[] = [];
      const withReloads: number[] = [];
      const reloads: number[] = [];
      const perRound = Math.ceil(PROBES / ROUNDS);
      for (let round = 0; round < ROUNDS; round++) {
        await page.goto('about:blank');
        idle.push(...(await probeConnects(perRound)));
        await page.goto(pageUrl); // open, polling its JSON view
        withPage.push(...(await probeConnects(perRound)));
        let reloading = true;
        const hammer = (async () => {
          while (reloading) reloads.push((await timedLoad(pageUrl)).ms);
        })();
        withReloads.push(...(await probeConnects(perRound)));
        reloading = false;
        await hammer;
      }

      const idleP95 = percentile(idle, 95);
      const pageP95 = percentile(withPage, 95);
      const reloadP95 = percentile(withReloads, 95);
      ctx.log(
        `django: kiosk connect p95 idle ${idleP95.toFixed(0)} ms, command page open ${pageP95.toFixed(0)} ms, page reloaded back to back ${reloadP95.toFixed(0)} ms (${reloads.length} reloads, p50 ${percentile(reloads, 50).toFixed(0)} ms); ${count}-kiosk page ${bigPage.ms.toFixed(0)} ms ${(bigPage.bytes / 1024).toFixed(0)} KiB, its JSON ${(progressBytes / 1024).toFixed(1)} KiB`,
      );

      const figures: Figure[] = [];
      const p99 = percentile(toTerminal, 99);
      figures.push({
        id: 'django.terminal.p99',
        label: `Django: "Reset all kiosks" confirmed → every delivery terminal, p99 (${count} kiosks, two workers)`,
        value: p99,
        unit: 'ms',
        extra: `p50 ${percentile(toTerminal, 50).toFixed(0)} ms, last ${Math.max(...toTerminal).toFixed(0)} ms; command page shown after ${pageShownMs.toFixed(0)} ms, final after ${finalAt === null ? 'never (120 s)' : `${((finalAt - all.clickedAt) / 1000).toFixed(1)} s`}`,
        baselines: [{ label: '"Reset this kiosk" (one kiosk)', value: soloTerminal, unit: 'ms' }],
        ...(ratioOf(p99, soloTerminal) === undefined ? {} : { ratio: p99 / soloTerminal }),
        target: { text: 'every delivery terminal', met: allTerminal },
        ...(allTerminal ? {} : { note: `${count - terminal.length} deliveries not terminal: ${JSON.stringify(rows.filter((row) => !Number.isFinite(row.at)).slice(0, 3))}` }),
      });
      figures.push({
        id: 'django.connect.page',
        label: `Django: kiosk connect p95 with the command page of a ${count}-kiosk command open (polling)`,
        value: pageP95,
        unit: 'ms',
        extra: `${withPage.length} connects on the admin's worker, interleaved with the baseline over ${ROUNDS} rounds`,
        baselines: [{ label: 'nothing open', value: idleP95, unit: 'ms' }],
        ...(ratioOf(pageP95, idleP95) === undefined ? {} : { ratio: pageP95 / idleP95 }),
        target: { text: 'within 2x of nothing open', met: pageP95 <= 2 * idleP95 },
      });
      figures.push({
        id: 'django.connect.reload',
        label: 'Django: kiosk connect p95 with that page reloaded back to back',
        value: reloadP95,
        unit: 'ms',
        extra: `${reloads.length} page loads meanwhile, p50 ${percentile(reloads, 50).toFixed(0)} ms`,
        baselines: [{ label: 'nothing open', value: idleP95, unit: 'ms' }],
        ...(ratioOf(reloadP95, idleP95) === undefined ? {} : { ratio: reloadP95 / idleP95 }),
      });
      figures.push({
        id: 'django.page',
        label: `Django: command page of a ${count}-kiosk command, load`,
        value: bigPage.ms,
        unit: 'ms',
        extra: `${(bigPage.bytes / 1024).toFixed(0)} KiB (${count > 100 ? 'first of several pages' : 'one page'}); the JSON it polls ${(progressBytes / 1024).toFixed(1)} KiB`,
        baselines: [{ label: 'page of a 1-kiosk command', value: smallPage.ms, unit: 'ms' }],
        ...(ratioOf(bigPage.ms, smallPage.ms) === undefined ? {} : { ratio: bigPage.ms / smallPage.ms }),
      });
      return {
        figures,
        details: {
          count,
          connectSeconds,
          resetId: all.id,
          received: { p50: percentile(received, 50), p99: percentile(received, 99) },
          terminal: { p50: percentile(toTerminal, 50), p99, last: Math.max(...toTerminal), count: terminal.length },
          states: rows.reduce<Record<string, number>>((m, row) => ({ ...m, [row.state]: (m[row.state] ?? 0) + 1 }), {}),
          solo: { id: solo.id, terminalMs: soloTerminal },
          connect: { idle, withPage, withReloads, idleP95, pageP95, reloadP95 },
          page: { bigMs: bigPage.ms, bigBytes: bigPage.bytes, smallMs: smallPage.ms, progressBytes, reloads },
        },
        notes: [
          `${count} kiosks enrolled in one \`manage.py shell\`, half on each worker; times from the click on "Yes" (Playwright, just before it) to Delivery.answered_at (the database's clock, same machine)`,
          'kiosk connect: a fresh WebSocket with a kiosk token to the worker serving the admin, TCP connect → handshake accepted (token checked and the connection recorded before the server accepts), one at a time 50 ms apart',
        ],
      };
    } finally {
      await browser?.close();
      await fleet?.call('stop').catch(() => undefined);
      await fleet?.stop();
      await Promise.all(workers.map((w) => w.stop()));
      await redis?.stop();
    }
  },
};
