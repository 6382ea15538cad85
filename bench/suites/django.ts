// 8. Django fleet. 500 simulated kiosks (workers/fleet.ts: the project's Uplink, each acking
// a reset at once as a reloaded kiosk would) on one daphne serving the reference project
// (integrations/django/example, SQLite, in-memory channel layer). An admin presses "Reset
// all kiosks" in Chromium; measured from the click: each kiosk receiving the reset (and
// sending its ack), and each ack recorded in the database (ResetDelivery.updated_at); and
// whether every kiosk is recorded as acknowledged. Baseline, same fleet, same daphne: a
// reset of a group holding one kiosk, from the admin's group form.
import { chromium, type Browser, type Page } from 'playwright-core';
import { findChromium } from '../../kiosk/chromium-shell.ts';
import { ADMIN, prepareDjango, type Daphne, type DjangoProject } from '../../test/support/django.ts';
import { startWorker, type Worker } from '../lib/ipc.ts';
import { epochMs } from '../lib/proc.ts';
import { ratioOf, type BenchContext, type Figure, type Suite } from '../lib/report.ts';
import { percentile } from '../lib/stats.ts';

const SOLO_GROUP = 'bench-solo';

async function logIn(page: Page, daphne: Daphne): Promise<void> {
  await page.goto(`${daphne.url}/admin/login/?next=/admin/kiosk_fleet/kiosk/`);
  await page.fill('#id_username', ADMIN.username);
  await page.fill('#id_password', ADMIN.password);
  await Promise.all([page.waitForURL(/\/admin\/kiosk_fleet\/kiosk\/$/), page.click('input[type="submit"]')]);
}

/** Creates `count` kiosks in one Django shell and returns their ids and tokens. */
async function enrollFleet(project: DjangoProject, count: number): Promise<{ id: string; token: string; groups: string[] }[]> {
  const script = [
    'from kiosk_fleet.models import Kiosk',
    'kiosks, lines = [], []',
    `for i in range(${count}):`,
    `    k = Kiosk(kiosk_id="fleet-%04d" % i, groups="fleet,${SOLO_GROUP}" if i == 0 else "fleet")`,
    '    lines.append("%s %s %s" % (k.kiosk_id, k.issue_token(), k.groups))',
    '    kiosks.append(k)',
    'Kiosk.objects.bulk_create(kiosks)',
    'print("\\n".join(lines))',
  ].join('\n');
  const out = await project.manage('shell', '-c', script);
  return out
    .trim()
    .split('\n')
    .map((line) => {
      const [id = '', token = '', groups = ''] = line.split(' ');
      return { id, token: `Token ${token}`, groups: groups.split(',') };
    });
}

/** Deliveries of a reset in the database: state and when they were last updated (epoch ms). */
async function deliveries(project: DjangoProject, resetId: string): Promise<{ kiosk: string; state: string; at: number }[]> {
  const out = await project.manage(
    'shell',
    '-c',
    `from kiosk_fleet.models import ResetDelivery as D\nfor d in D.objects.filter(reset_id=${JSON.stringify(resetId)}).select_related("kiosk"): print(d.kiosk.kiosk_id, d.state, d.updated_at.timestamp())`,
  );
  return out
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const [kiosk = '', state = '', at = '0'] = line.split(' ');
      return { kiosk, state, at: Number(at) * 1000 };
    });
}

async function waitForAcks(fleet: Worker, resetId: string, count: number, timeoutMs: number): Promise<{ id: string; receivedAt: number; ackedAt: number }[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const acks = await fleet.call<{ id: string; receivedAt: number; ackedAt: number }[]>('acks', { resetId });
    if (acks.length >= count) return acks;
    if (performance.now() > deadline) throw new Error(`only ${acks.length} of ${count} kiosks got reset ${resetId} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function waitForRecorded(project: DjangoProject, resetId: string, count: number, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const rows = await deliveries(project, resetId);
    const acknowledged = rows.filter((r) => r.state === 'acknowledged');
    if (acknowledged.length >= count) return { rows, acknowledged };
    if (performance.now() > deadline) return { rows, acknowledged };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export const djangoSuite: Suite = {
  name: 'django',
  title: 'Django fleet',
  async run(ctx: BenchContext) {
    const count = ctx.quick ? 50 : 500;
    let daphne: Daphne | undefined;
    let fleet: Worker | undefined;
    let browser: Browser | undefined;
    try {
      const project = await prepareDjango();
      const kiosks = await enrollFleet(project, count);
      if (kiosks.length !== count) throw new Error(`enrolled ${kiosks.length} of ${count} kiosks`);
      daphne = await project.startDaphne();
      fleet = await startWorker('bench/workers/fleet.ts');
      const connectStarted = performance.now();
      await fleet.call('start', { url: daphne.wsUrl, kiosks, spreadMs: count * 10 });
      await fleet.call('waitOpen', { timeoutMs: 120_000 });
      const connectSeconds = (performance.now() - connectStarted) / 1000;
      ctx.log(`django: ${count} kiosks connected to daphne in ${connectSeconds.toFixed(1)} s`);
      // Let the hellos be recorded before the admin acts.
      await new Promise((resolve) => setTimeout(resolve, 2000));

      browser = await chromium.launch({
        executablePath: findChromium() ?? '/usr/bin/chromium',
        args: ['--disable-gpu', '--no-first-run', '--disable-background-networking', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
      });
      const page = await browser.newPage();
      await logIn(page, daphne);

      // The baseline first: a group reset that targets one kiosk.
      await page.goto(`${daphne.url}/admin/kiosk_fleet/kiosk/reset-group/`);
      await page.check(`input[name="groups"][value="${SOLO_GROUP}"]`);
      const soloClick = epochMs();
      await Promise.all([page.waitForURL(/\/resetcommand\/.+\/change\/$/), page.click('input[type="submit"]')]);
      const soloId = /resetcommand\/([^/]+)\/change/.exec(page.url())?.[1] ?? '';
      const soloAcks = await waitForAcks(fleet, soloId, 1, 30_000);
      const soloRecorded = await waitForRecorded(project, soloId, 1, 30_000);
      const soloAck = (soloAcks[0]?.ackedAt ?? Number.NaN) - soloClick;
      const soloDb = (soloRecorded.acknowledged[0]?.at ?? Number.NaN) - soloClick;

      await page.goto(`${daphne.url}/admin/kiosk_fleet/kiosk/`);
      const button = page.getByRole('button', { name: 'Reset all kiosks' });
      await button.waitFor();
      const clickedAt = epochMs();
      await Promise.all([page.waitForURL(/\/admin\/kiosk_fleet\/resetcommand\/.+\/change\/$/), button.click()]);
      const pageShownMs = epochMs() - clickedAt;
      const resetId = /resetcommand\/([^/]+)\/change/.exec(page.url())?.[1] ?? '';
      const acks = await waitForAcks(fleet, resetId, count, 120_000);
      const recorded = await waitForRecorded(project, resetId, count, 120_000);
      let adminShowsAll: number | null = null;
      try {
        await page.waitForFunction((n) => document.body.innerText.includes(`${n} of ${n} reloaded`), count, { timeout: 60_000 });
        adminShowsAll = epochMs() - clickedAt;
      } catch {
        adminShowsAll = null;
      }
      const received = acks.map((a) => a.receivedAt - clickedAt);
      const acked = acks.map((a) => a.ackedAt - clickedAt);
      const inDb = recorded.acknowledged.map((r) => r.at - clickedAt);
      ctx.log(
        `django: click → kiosk got the reset p50 ${percentile(received, 50).toFixed(0)} ms p99 ${percentile(received, 99).toFixed(0)} ms; → ack recorded p50 ${percentile(inDb, 50).toFixed(0)} ms p99 ${percentile(inDb, 99).toFixed(0)} ms; ${recorded.acknowledged.length}/${count} acknowledged in the DB; one-kiosk reset ${soloDb.toFixed(0)} ms`,
      );
      const allAcknowledged = recorded.acknowledged.length === count;
      const figures: Figure[] = [];
      const ackP50 = percentile(acked, 50);
      const ackP99 = percentile(acked, 99);
      figures.push({
        id: 'django.ack.p50',
        label: `Django: "Reset all kiosks" click → kiosk acks, p50 (${count} kiosks, one daphne)`,
        value: ackP50,
        unit: 'ms',
        extra: `admin's reset page shown after ${pageShownMs.toFixed(0)} ms`,
        baselines: [{ label: 'one-kiosk group reset', value: soloAck, unit: 'ms' }],
        ...(ratioOf(ackP50, soloAck) === undefined ? {} : { ratio: ackP50 / soloAck }),
      });
      figures.push({
        id: 'django.ack.p99',
        label: `Django: click → kiosk acks, p99`,
        value: ackP99,
        unit: 'ms',
        extra: `the last of ${acks.length} acks ${Math.max(...acked).toFixed(0)} ms after the click`,
        baselines: [{ label: 'one-kiosk group reset', value: soloAck, unit: 'ms' }],
        ...(ratioOf(ackP99, soloAck) === undefined ? {} : { ratio: ackP99 / soloAck }),
      });
      const dbP50 = percentile(inDb, 50);
      const dbP99 = percentile(inDb, 99);
      figures.push({
        id: 'django.recorded',
        label: 'Django: click → ack recorded in the database, p50 / p99',
        value: dbP99,
        unit: 'ms',
        extra: `p50 ${dbP50.toFixed(0)} ms; ${recorded.acknowledged.length} of ${count} acknowledged; admin shows "${count} of ${count} reloaded" after ${adminShowsAll === null ? 'never (60 s)' : `${(adminShowsAll / 1000).toFixed(1)} s`}`,
        baselines: [{ label: 'one-kiosk group reset', value: soloDb, unit: 'ms' }],
        ...(ratioOf(dbP99, soloDb) === undefined ? {} : { ratio: dbP99 / soloDb }),
        target: { text: 'every kiosk acknowledged', met: allAcknowledged },
        ...(allAcknowledged ? {} : { note: `${count - recorded.acknowledged.length} deliveries not acknowledged: ${JSON.stringify(recorded.rows.filter((r) => r.state !== 'acknowledged').slice(0, 3))}` }),
      });
      return {
        figures,
        details: {
          count,
          connectSeconds,
          resetId,
          received: { p50: percentile(received, 50), p99: percentile(received, 99) },
          acked: { p50: ackP50, p99: ackP99, last: Math.max(...acked) },
          recorded: { p50: dbP50, p99: dbP99, acknowledged: recorded.acknowledged.length, states: recorded.rows.reduce<Record<string, number>>((m, r) => ({ ...m, [r.state]: (m[r.state] ?? 0) + 1 }), {}) },
          adminShowsAllMs: adminShowsAll,
          solo: { resetId: soloId, ackMs: soloAck, recordedMs: soloDb },
        },
        notes: [
          `${count} kiosks enrolled in one \`manage.py shell\`, connected with the schema's default uplink settings; times from the click (Playwright, just before it) to each kiosk's ack (the fleet process's clock) and to ResetDelivery.updated_at (the database's clock, same machine)`,
        ],
      };
    } finally {
      await browser?.close();
      await fleet?.call('stop').catch(() => undefined);
      await fleet?.stop();
      await daphne?.stop();
    }
  },
};
