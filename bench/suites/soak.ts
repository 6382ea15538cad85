// 6. Soak. `kiosk-shell serve` in a child process through 2,000 upstream drop/reconnect
// cycles (the upstream cuts the uplink — TCP reset, close handshake, or a whole restart with
// the port closed) and, interleaved, 500 page reloads (simulated pages: GET /, two /api
// calls, /ws with local.shown, then gone). RSS and open file descriptors of the relay at the
// end against the start (taken after a warm-up, with the uplink open and no page).
import { attachInspector, type Inspector } from '../lib/inspector.ts';
import { newToken, startServe, type ServeProcess } from '../lib/kiosk.ts';
import { simulatePageLoad } from '../lib/page.ts';
import { openFds, rssMiB, sleep } from '../lib/proc.ts';
import { ratioOf, type BenchContext, type Figure, type Suite } from '../lib/report.ts';
import { BenchUpstream } from '../lib/upstream.ts';

interface Checkpoint {
  cycle: number;
  reloads: number;
  rssMiB: number;
  fds: number;
  /** After a forced full GC (start and end only). */
  heapUsedMiB?: number;
}

/** RSS and fds after a full GC: what the relay retains. */
async function retained(inspector: Inspector, pid: number, cycle: number, reloads: number): Promise<Checkpoint> {
  const { usedMiB } = await inspector.collect();
  await sleep(300);
  return { cycle, reloads, rssMiB: rssMiB(pid), fds: openFds(pid), heapUsedMiB: usedMiB };
}

export const soakSuite: Suite = {
  name: 'soak',
  title: 'Soak',
  async run(ctx: BenchContext) {
    const cycles = ctx.quick ? 200 : 2000;
    const reloadsWanted = cycles / 4;
    const warmup = Math.round(cycles * 0.05);
    const wsToken = newToken('ws');
    const apiToken = newToken('api');
    const upstream = new BenchUpstream({ wsToken, apiToken });
    let serve: ServeProcess | undefined;
    let inspector: Inspector | undefined;
    try {
      const port = await upstream.start();
      const address = { wsUrl: upstream.wsUrl, apiUrl: upstream.apiUrl, wsToken, apiToken };
      serve = await startServe(address, {
        overrides: { upstream: { ws: { reconnectBaseMs: 50, reconnectCapMs: 100 } }, status: { intervalSeconds: 60 } },
        nodeArgs: ['--inspect=127.0.0.1:0'],
      });
      inspector = await attachInspector(serve.proc);
      const pid = serve.proc.pid;
      const target = { port: serve.port, key: serve.key, origin: serve.origin };
      await upstream.waitFor(() => upstream.stats().hellos >= 1, 15_000, 'the first hello');

      const checkpoints: Checkpoint[] = [];
      let reloads = 0;
      let restarts = 0;
      let start: Checkpoint | undefined;
      const started = performance.now();
      for (let cycle = 1; cycle <= cycles; cycle++) {
        const hellos = upstream.stats().hellos;
        if (cycle % 50 === 0) {
          // A whole restart: the port is closed for a moment, so attempts are refused.
          await upstream.stop();
          await sleep(20);
          await upstream.start();
          restarts++;
        } else {
          upstream.drop(cycle % 2 === 0 ? 'terminate' : 'close');
        }
        if (cycle % 4 === 0) {
          // The page reloads while the uplink is reconnecting.
          await simulatePageLoad(target, { vanish: reloads % 2 === 1 });
          reloads++;
        }
        await upstream.waitFor(() => upstream.stats().hellos > hellos && upstream.clients.size === 1, 15_000, `reconnect in cycle ${cycle}`);
        if (!serve.proc.alive()) throw new Error(`the relay exited in cycle ${cycle}: ${serve.proc.stderrTail().slice(-800)}`);
        if (cycle === warmup) {
          await sleep(500);
          start = await retained(inspector, pid, cycle, reloads);
          checkpoints.push(start);
        } else if (cycle % Math.round(cycles / 10) === 0) {
          checkpoints.push({ cycle, reloads, rssMiB: rssMiB(pid), fds: openFds(pid) });
          ctx.log(`soak: ${cycle}/${cycles} cycles, ${reloads} reloads, RSS ${rssMiB(pid).toFixed(1)} MiB, ${openFds(pid)} fds (${((performance.now() - started) / 1000).toFixed(0)} s)`);
        }
      }
      if (start === undefined) throw new Error('no start checkpoint');
      // Idle again: let closing sockets and keep-alive connections (5 s) go.
      const settleDeadline = performance.now() + 15_000;
      await sleep(1000);
      while (openFds(pid) > start.fds && performance.now() < settleDeadline) await sleep(250);
      const beforeGc = rssMiB(pid);
      const end = await retained(inspector, pid, cycles, reloads);
      checkpoints.push(end);
      const status = (await (await fetch(`${serve.origin}/status`, { headers: { 'x-kiosk-key': serve.key } })).json()) as {
        uplink: { connects: number; disconnects: number };
        pages: { accepted: number; connected: number };
      };
      ctx.log(`soak: end RSS ${end.rssMiB.toFixed(1)} MiB (start ${start.rssMiB.toFixed(1)}), fds ${end.fds} (start ${start.fds}); relay counted ${status.uplink.connects} connects, ${status.pages.accepted} pages`);

      const growth = (end.rssMiB / start.rssMiB - 1) * 100;
      const figures: Figure[] = [
        {
          id: 'soak.fds',
          label: `Open fds after ${cycles} uplink drops and ${reloads} page reloads`,
          value: end.fds,
          unit: 'count',
          extra: `relay counted ${status.uplink.connects} uplink connects, ${status.pages.accepted} page connections`,
          baselines: [{ label: 'at the start', value: start.fds, unit: 'count' }],
          ...(ratioOf(end.fds, start.fds) === undefined ? {} : { ratio: end.fds / start.fds }),
          target: { text: 'back to the start', met: end.fds <= start.fds },
          note: 'descriptors still open after the connections closed',
        },
        {
          id: 'soak.rss',
          label: `RSS growth over the soak`,
          value: growth,
          unit: '%',
          extra: `${start.rssMiB.toFixed(1)} → ${end.rssMiB.toFixed(1)} MiB after a full GC (${beforeGc.toFixed(1)} before it); JS heap in use ${start.heapUsedMiB?.toFixed(1)} → ${end.heapUsedMiB?.toFixed(1)} MiB`,
          baselines: [{ label: 'RSS at the start', value: start.rssMiB, unit: 'MiB' }],
          target: { text: '< 10 %', met: growth < 10 },
          note: 'memory kept per connection or per cycle',
        },
      ];
      return {
        figures,
        details: { cycles, reloadsWanted, reloads, restarts, checkpoints, status, upstreamPort: port },
        notes: [
          `uplink: reconnectBaseMs 50, reconnectCapMs 100; drops alternate TCP reset and close handshake, every 50th is a full upstream restart (${restarts} in all); the start is taken after ${warmup} warm-up cycles; start and end are read after a full GC forced through the inspector (--inspect), so they compare retained memory`,
        ],
      };
    } finally {
      inspector?.close();
      await serve?.stop();
      await upstream.stop();
    }
  },
};
