// 9. Django fleet at deployment scale: 2,000 simulated kiosks (workers/fleet.ts, the brief's
// protocol over `ws`, reconnecting with the kiosk's own backoff: full jitter, 4 s then 8 s
// ceilings; a kiosk.status every 30 s as the kiosk's default) on two daphne workers started
// with the reference unit's command line (integrations/django/deploy/kiosk-fleet@.service),
// Redis, and PostgreSQL (a throwaway cluster, test/support/postgres.ts). Measured:
//   - every worker restarted at once (SIGTERM to both, both started again on their ports, as
//     `systemctl restart kiosk-fleet.target` does): the time until every kiosk is online
//     again, and phantom presence (a kiosk shown online without an open socket, a second
//     connection row, a row of a worker that is gone) while they are down and once back;
//   - then "Reset all kiosks" clicked in the admin: click → every delivery terminal;
//   - PostgreSQL connections in use (sampled every 500 ms) and each worker's memory, for
//     the scaling notes.
import { execFile } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { spawnUnitWorker, untilAnswering, type UnitWorker } from '../../test/support/deploy.ts';
import { prepareDjango, startRedis, type DjangoProject, type FleetStatus } from '../../test/support/django.ts';
import { freePort } from '../../test/support/ports.ts';
import { postgresBinDir, startPostgres, type Postgres } from '../../test/support/postgres.ts';
import { startWorker, type Worker } from '../lib/ipc.ts';
import { rssMiB } from '../lib/proc.ts';
import type { BenchContext, Figure, Suite } from '../lib/report.ts';
import { percentile } from '../lib/stats.ts';
import { confirm, deliveries, logIn, untilFinal } from './django.ts';

const BACK_WITHIN_S = 60;
const TERMINAL_P99_MS = 3000;
const RECOVERY_WAIT_S = 150;

interface Presence {
  /** Kiosks online by kiosk_fleet_status. */
  online: Set<string>;
  /** Connection rows, distinct kiosks among them, rows whose worker is not one of the live ones. */
  rows: number;
  kiosksWithRows: number;
  rowsOfGoneWorkers: number;
  workers: number;
}

async function presence(project: DjangoProject, liveWorkerPids: number[]): Promise<Presence> {
  const status = await project.manageJson<FleetStatus>('kiosk_fleet_status');
  const online = new Set(Object.entries(status.kiosks).filter(([, k]) => k.online).map(([id]) => id));
  const script = [
    'import json',
    'from kiosk_fleet.models import Connection, Worker',
    'rows = Connection.objects.all()',
    `live = ${JSON.stringify(liveWorkerPids)}`,
    'workers = list(Worker.objects.all())',
    'gone = [w.pk for w in workers if w.pid not in live]',
    'print(json.dumps({"rows": rows.count(), "kiosks": rows.values("kiosk").distinct().count(), "gone": rows.filter(worker__in=gone).count(), "workers": len(workers)}))',
  ].join('\n');
  const out = JSON.parse((await project.manage('shell', '-c', script)).trim().split('\n').at(-1) ?? '{}') as { rows: number; kiosks: number; gone: number; workers: number };
  return { online, rows: out.rows, kiosksWithRows: out.kiosks, rowsOfGoneWorkers: out.gone, workers: out.workers };
}

/** Samples the cluster's client connections (our own sampling query excluded). */
function sampleConnections(pg: Postgres): { stop(): Promise<number[]>; max(): number } {
  const samples: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const { stdout } = await promisify(execFile)(`${postgresBinDir()}/psql`, [pg.url, '-XAtqc', "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"], {
          env: { PATH: process.env.PATH },
        });
        samples.push(Number(stdout.trim()));
      } catch {
        /* the cluster is busy or going away: skip a sample */
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return samples;
    },
    max: () => Math.max(0, ...samples),
  };
}

export const djangoRestartSuite: Suite = {
  name: 'django-restart',
  title: 'Django fleet: workers restarted, on PostgreSQL',
  async run(ctx: BenchContext) {
    // BENCH_DJANGO_KIOSKS: another fleet size, to iterate on (a run of another size is not the figure).
    const count = Number(process.env.BENCH_DJANGO_KIOSKS ?? '') || (ctx.quick ? 200 : 2000);
    let pg: Postgres | undefined;
    let redis: { stop(): Promise<void> } | undefined;
    let workers: UnitWorker[] = [];
    let fleet: Worker | undefined;
    let browser: Browser | undefined;
    let sampler: ReturnType<typeof sampleConnections> | undefined;
    try {
      const [p, r] = await Promise.all([startPostgres(), startRedis()]);
      pg = p;
      redis = r;
      const project = await prepareDjango({ DATABASE_URL: p.url, KIOSK_REDIS_URL: r.url });
      const kiosks = await project.enrollFleet(count, 'city');
      if (kiosks.length !== count) throw new Error(`enrolled ${kiosks.length} of ${count} kiosks`);
      const ports = [await freePort(), await freePort()];
      const startAll = async () => {
        workers = ports.map((port) => spawnUnitWorker(port, project.env));
        const logDir = process.env.BENCH_DJANGO_LOG_DIR;
        if (logDir) {
          for (const w of workers) {
            const file = `${logDir}/worker-${w.port}.log`;
            const add = (chunk: Buffer) => appendFileSync(file, chunk);
            w.child.stdout?.on('data', add);
            w.child.stderr?.on('data', add);
          }
        }
        await Promise.all(workers.map((w) => untilAnswering(w)));
      };
      await startAll();
      const urls = ports.map((port) => `ws://127.0.0.1:${port}/ws/kiosk/`);
      sampler = sampleConnections(p);

      fleet = await startWorker('bench/workers/fleet.ts');
      const connectStarted = performance.now();
      await fleet.call('start', {
        kiosks: kiosks.map((k, i) => ({
          id: k.id,
          token: k.token,
          groups: k.groups,
          urls: i % 2 === 0 ? urls : [...urls].reverse(),
          reconnectBackoff: { baseMs: 4000, capMs: 8000 },
          statusEveryMs: 30_000,
        })),
        perWave: 20,
        waveMs: 100,
      });
      await fleet.call('waitOpen', { timeoutMs: 240_000 }, 260_000);
      const pids = () => workers.map((w) => w.child.pid ?? 0);
      const resetAll = async () => {
        const admin = { url: `http://127.0.0.1:${ports[0]}` };
        browser = await chromium.launch({
          executablePath: '/usr/bin/chromium',
          args: ['--disable-gpu', '--no-first-run', '--disable-background-networking', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
        });
        const page = await browser.newPage();
        await logIn(page, admin);
        await page.getByRole('button', { name: 'Reset all kiosks' }).click();
        const all = await confirm(page, /^Yes, reset \d+ kiosks$/);
        const finalAt = await untilFinal(page, 120_000);
        const rows = await deliveries(project, all.id);
        const terminal = rows.filter((row) => Number.isFinite(row.at));
        const toTerminal = terminal.map((row) => row.at - all.clickedAt);
        const result = {
          id: all.id,
          p50: percentile(toTerminal, 50),
          p99: percentile(toTerminal, 99),
          last: Math.max(...toTerminal),
          terminal: terminal.length,
          allTerminal: terminal.length === count,
          finalSeconds: finalAt === null ? null : (finalAt - all.clickedAt) / 1000,
          states: rows.reduce<Record<string, number>>((m, row) => ({ ...m, [row.state]: (m[row.state] ?? 0) + 1 }), {}),
        };
        ctx.log(`django-restart: reset all → delivery terminal p50 ${result.p50.toFixed(0)} ms p99 ${result.p99.toFixed(0)} ms, last ${result.last.toFixed(0)} ms; ${result.terminal}/${count} terminal`);
        return result;
      };
      const allOnline = async () => (await presence(project, pids())).online.size === count;
      const until = async (pred: () => Promise<boolean>, timeoutMs: number, what: string) => {
        const deadline = performance.now() + timeoutMs;
        while (!(await pred())) {
          if (performance.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      };
      await until(allOnline, 60_000, 'every kiosk online after the first connect');
      const connectSeconds = (performance.now() - connectStarted) / 1000;
      ctx.log(`django-restart: ${count} kiosks connected and online on two workers (PostgreSQL, Redis) in ${connectSeconds.toFixed(1)} s`);
      await new Promise((resolve) => setTimeout(resolve, 5000));
      const steadyConnections = sampler.max();
      const rssBefore = workers.map((w) => rssMiB(w.child.pid ?? 0));

      // Every worker restarted at once.
      const before = (await fleet.call<{ open: string[]; connections: number }>('openIds', {})).connections;
      const restartAt = performance.now();
      await Promise.all(workers.map((w) => w.stop()));
      const stoppedSeconds = (performance.now() - restartAt) / 1000;
      const whileDown = await presence(project, []);
      await startAll();
      const upSeconds = (performance.now() - restartAt) / 1000;
      let openAt = Number.NaN;
      let onlineAt = Number.NaN;
      // The way back, sampled (seconds since the SIGTERM, sockets open, kiosks online); not
      // thrown away when the fleet does not come back: how far it got is the figure then.
      const curve: [number, number, number][] = [];
      const deadline = performance.now() + RECOVERY_WAIT_S * 1000;
      while (performance.now() < deadline) {
        const { open } = await fleet.call<{ open: string[] }>('openIds', {});
        const at = (performance.now() - restartAt) / 1000;
        if (open.length === count && Number.isNaN(openAt)) openAt = at;
        const online = open.length === count || curve.length % 4 === 0 ? (await presence(project, pids())).online.size : (curve.at(-1)?.[2] ?? 0);
        curve.push([Math.round(at * 10) / 10, open.length, online]);
        if (online === count) {
          onlineAt = (performance.now() - restartAt) / 1000;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const at60 = curve.filter(([t]) => t <= BACK_WITHIN_S).at(-1);
      const logCounts = (pattern: RegExp) => workers.map((w) => w.output().split('\n').filter((line) => pattern.test(line)).length);
      const workerLog = {
        accepted: logCounts(/WSCONNECT /),
        rejected: logCounts(/WSREJECT /),
        disconnected: logCounts(/WSDISCONNECT /),
        refusedByApp: logCounts(/refused:/),
        killed: logCounts(/took too long to shut down and was killed/),
      };
      ctx.log(
        `django-restart: both workers stopped in ${stoppedSeconds.toFixed(1)} s (online meanwhile: ${whileDown.online.size}, rows ${whileDown.rows}), answering again at ${upSeconds.toFixed(1)} s; every socket open at ${openAt.toFixed(1)} s, every kiosk online at ${onlineAt.toFixed(1)} s; at ${BACK_WITHIN_S} s ${at60?.[1] ?? 0} sockets open, ${at60?.[2] ?? 0} online; worker logs ${JSON.stringify(workerLog)}`,
      );
      // Phantoms: presence must equal the open sockets, one row per kiosk, none of a gone worker.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const { open, connections } = await fleet.call<{ open: string[]; connections: number }>('openIds', {});
      const back = await presence(project, pids());
      const openSet = new Set(open);
      const phantoms = [...back.online].filter((id) => !openSet.has(id));
      const missing = open.filter((id) => !back.online.has(id));
      const phantomFree =
        whileDown.online.size === 0 && whileDown.rows === 0 && phantoms.length === 0 && missing.length === 0 && back.rows === open.length && back.kiosksWithRows === open.length && back.rowsOfGoneWorkers === 0;
      const restartConnections = sampler.max();
      ctx.log(
        `django-restart: back: ${back.online.size} online, ${open.length} sockets open, ${back.rows} connection rows for ${back.kiosksWithRows} kiosks, ${back.rowsOfGoneWorkers} of gone workers, ${back.workers} worker rows; ${phantoms.length} phantoms, ${missing.length} missing; ${connections - before} handshakes for the restart`,
      );

      // "Reset all kiosks", confirmed, on the restarted fleet (once it is all back).
      const reset = Number.isNaN(onlineAt) ? undefined : await resetAll();
      const resetConnections = sampler.max();
      const rssAfter = workers.map((w) => rssMiB(w.child.pid ?? 0));
      const samples = await sampler.stop();
      sampler = undefined;
      const figures: Figure[] = [
        {
          id: 'django-restart.back',
          label: `Django on PostgreSQL: both workers restarted at once → all ${count} kiosks online again`,
          value: Number.isNaN(onlineAt) ? RECOVERY_WAIT_S : onlineAt,
          unit: 's',
          extra: `${Number.isNaN(onlineAt) ? `NOT all back within ${RECOVERY_WAIT_S} s (${curve.at(-1)?.[2] ?? 0} online then); ` : ''}at ${BACK_WITHIN_S} s: ${at60?.[1] ?? 0} sockets open, ${at60?.[2] ?? 0} online; workers stopped in ${stoppedSeconds.toFixed(1)} s and answering at ${upSeconds.toFixed(1)} s; every socket open at ${openAt.toFixed(1)} s (kiosk backoff: full jitter, 4 s then 8 s)`,
          baselines: [{ label: 'workers answering again', value: upSeconds, unit: 's' }],
          target: { text: `< ${BACK_WITHIN_S} s, no phantom presence`, met: !Number.isNaN(onlineAt) && onlineAt < BACK_WITHIN_S && phantomFree },
          ...(phantomFree
            ? {}
            : { note: `phantoms: ${JSON.stringify({ whileDownOnline: whileDown.online.size, whileDownRows: whileDown.rows, phantoms: phantoms.slice(0, 5), missing: missing.slice(0, 5), rows: back.rows, kiosksWithRows: back.kiosksWithRows, rowsOfGoneWorkers: back.rowsOfGoneWorkers })}` }),
        },
        ...(reset === undefined
          ? []
          : [
              {
                id: 'django-restart.terminal.p99',
                label: `Django on PostgreSQL: "Reset all kiosks" confirmed → every delivery terminal, p99 (${count} kiosks, two workers, after the restart)`,
                value: reset.p99,
                unit: 'ms',
                extra: `p50 ${reset.p50.toFixed(0)} ms, last ${reset.last.toFixed(0)} ms; the command page final after ${reset.finalSeconds === null ? 'never (120 s)' : `${reset.finalSeconds.toFixed(1)} s`}`,
                target: { text: `< ${TERMINAL_P99_MS} ms, every delivery terminal`, met: reset.p99 < TERMINAL_P99_MS && reset.allTerminal },
                ...(reset.allTerminal ? {} : { note: `${count - reset.terminal} deliveries not terminal` }),
              } satisfies Figure,
            ]),
        {
          id: 'django-restart.pg-connections',
          label: `Django on PostgreSQL: database connections in use, at most (${count} kiosks, two workers)`,
          value: resetConnections,
          unit: 'connections',
          extra: `steady ${steadyConnections}, during the restart ${restartConnections}; worker RSS ${rssAfter.map((m) => m.toFixed(0)).join(' / ')} MiB (before the restart ${rssBefore.map((m) => m.toFixed(0)).join(' / ')} MiB)`,
        },
      ];
      return {
        figures,
        details: {
          count,
          connectSeconds,
          restart: { stoppedSeconds, upSeconds, openAt, onlineAt, handshakes: connections - before, curve, workerLog },
          whileDown: { online: whileDown.online.size, rows: whileDown.rows, workers: whileDown.workers },
          back: { online: back.online.size, open: open.length, rows: back.rows, kiosksWithRows: back.kiosksWithRows, rowsOfGoneWorkers: back.rowsOfGoneWorkers, workers: back.workers, phantoms, missing },
          reset: reset ?? 'not run: the fleet was not all back',
          postgres: { steady: steadyConnections, restart: restartConnections, max: resetConnections, samples },
          workerRssMiB: { before: rssBefore, after: rssAfter },
        },
        notes: [
          `${count} kiosks, half listing each worker first; workers started with kiosk-fleet@.service's ExecStart (daphne --proxy-headers --websocket_timeout -1 ...), directly on their ports (no nginx), PostgreSQL ${postgresBinDir().split('/').at(-2) ?? ''} throwaway cluster (fsync off), Redis channel layer, presence timeout 30 s (the default)`,
          'restart: SIGTERM to both workers at once, then both started again on the same ports; "online" is kiosk_fleet_status; phantoms are checked against the sockets the simulated kiosks hold open and the Connection rows',
          'reset: from the click on "Yes" (Playwright, just before it) to Delivery.answered_at',
        ],
      };
    } finally {
      await sampler?.stop();
      await browser?.close();
      await fleet?.call('stop').catch(() => undefined);
      await fleet?.stop();
      await Promise.all(workers.map((w) => w.stop()));
      await redis?.stop();
      await pg?.stop();
    }
  },
};
