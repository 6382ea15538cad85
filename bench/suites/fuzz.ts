// 7. Fuzz. `kiosk-shell serve` in a child process that is watched (exit, and the process
// guards' "uncaught exception (kept running)" lines), fed for a fixed time per category:
//   raw-bytes       random bytes on the local port;
//   http            HTTP requests mutated from valid ones (smuggling, bad framing, odd Hosts);
//   upstream-frames malformed, oversized and binary frames, and odd JSON, from the upstream;
//   page-frames     the same from an authenticated page;
//   header-flood    huge and numerous headers, subprotocol floods, slowloris, idle sockets.
// Oracles throughout: the token never reaches a page or an HTTP response, a page never sees a
// forged local.* message, the upstream never receives a type outside relay.allowUp from a
// page. After each category the guards must still refuse and a legitimate page still work.
// Inputs come from a seeded Rng; a category that broke something leaves its last inputs in
// bench/results/fuzz-findings-*.json.
import { writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import WebSocket from 'ws';
import { credentialOf } from '../../core/secret-forms.ts';
import { guardChecks, legitChecks, type Target } from '../lib/checks.ts';
import { acceptKey, newSocketKey } from '../lib/frames.ts';
import { FORGED, fuzzFrames, fuzzHttp, fuzzMessageFrame, type FuzzCase } from '../lib/fuzz-inputs.ts';
import { attachInspector, type Inspector } from '../lib/inspector.ts';
import { newToken, startServe, type ServeProcess } from '../lib/kiosk.ts';
import { BENCH_DIR, openFds, rssMiB, sleep } from '../lib/proc.ts';
import { type BenchContext, type Figure, type Suite } from '../lib/report.ts';
import { rawExchange } from '../../test/support/clients.ts';
import { Rng } from '../../test/support/rng.ts';
import { BenchUpstream } from '../lib/upstream.ts';

const ALLOW_UP = ['bench.ping'];
const SHELL_TYPES = new Set(['kiosk.hello', 'kiosk.status', 'kiosk.ack']);

interface CategoryResult {
  name: string;
  seconds: number;
  cases: number;
  exits: number;
  uncaught: string[];
  violations: string[];
  guardFailures: string[];
  legitFailures: string[];
  peakRssMiB: number;
  /** RSS and JS heap after a full GC halfway through: retained memory that does not grow from there on is bounded. */
  mid: { rssMiB: number; heapMiB: number; externalMiB: number };
  /** The most page frames the relay had forwarded that the upstream had not yet received. */
  maxUplinkLag: number;
  peakFds: number;
  /** After a forced full GC at the end of the category. */
  retainedRssMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
  statuses: Record<string, number>;
  findings?: string;
}

interface Run {
  seed: number;
  upstream: BenchUpstream;
  serve: ServeProcess;
  inspector: Inspector;
  target: Target;
  uncaught: string[];
  exits: number;
  violations: string[];
  secrets: string[];
}

/** Runs `loop` on `concurrency` workers until `seconds` have passed; each worker has its own Rng. */
async function runFor(seconds: number, concurrency: number, seed: number, loop: (rng: Rng, worker: number) => Promise<void>): Promise<void> {
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      const rng = new Rng(seed * 31 + worker);
      while (performance.now() < deadline) await loop(rng, worker);
    }),
  );
}

/** A raw, authenticated page connection: the handshake by hand, then whatever bytes we like. */
function rawPage(target: Target): Promise<{ socket: Socket; status: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(target.port, '127.0.0.1');
    let head = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('raw page handshake timed out'));
    }, 5000);
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      clearTimeout(timer);
      socket.off('data', onData);
      resolve({ socket, status: Number(head.slice(9, 12)) });
    };
    socket.on('data', onData);
    socket.on('connect', () => {
      socket.write(
        `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\nOrigin: ${target.origin}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${newSocketKey()}\r\nSec-WebSocket-Protocol: kiosk.v1, kiosk-key.${target.key}\r\n\r\n`,
      );
    });
  });
}

class Ring {
  readonly items: { what: string; base64: string }[] = [];
  push(item: FuzzCase): void {
    this.items.push({ what: item.what, base64: item.bytes.subarray(0, 300_000).toString('base64') });
    if (this.items.length > 200) this.items.shift();
  }
}

async function startRelay(upstream: BenchUpstream, wsToken: string, apiToken: string, run: Partial<Run>): Promise<{ serve: ServeProcess; inspector: Inspector; target: Target }> {
  const serve = await startServe(
    { wsUrl: upstream.wsUrl, apiUrl: upstream.apiUrl, wsToken, apiToken },
    {
      overrides: { relay: { allowUp: ALLOW_UP }, upstream: { ws: { reconnectBaseMs: 50, reconnectCapMs: 100, heartbeatSeconds: 2 } }, reset: { minIntervalSeconds: 0 } },
      nodeArgs: ['--inspect=127.0.0.1:0'],
    },
  );
  serve.proc.onStderrLine((line) => {
    if (/uncaught exception|unhandled promise rejection/.test(line)) run.uncaught?.push(line.slice(0, 2000));
  });
  void serve.proc.exited.then(() => {
    if (run.exits !== undefined) run.exits++;
  });
  const inspector = await attachInspector(serve.proc);
  return { serve, inspector, target: { port: serve.port, key: serve.key, origin: serve.origin } };
}

/** A page that stays connected through the fuzz and checks what reaches it. */
function observe(run: Run): () => void {
  let stopped = false;
  let ws: WebSocket | undefined;
  const open = () => {
    if (stopped) return;
    ws = new WebSocket(`ws://127.0.0.1:${run.target.port}/ws`, ['kiosk.v1', `kiosk-key.${run.target.key}`], { origin: run.target.origin, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
    ws.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      for (const secret of run.secrets) if (text.includes(secret)) run.violations.push(`a page received the token: ${text.slice(0, 200)}`);
      if (text.startsWith('{"type":"local.') && text.includes(FORGED)) run.violations.push(`a page received a forged shell message: ${text.slice(0, 200)}`);
    });
    ws.on('error', () => undefined);
    ws.on('close', () => setTimeout(open, 100));
  };
  open();
  return () => {
    stopped = true;
    ws?.terminate();
  };
}

interface RelayCounters {
  relay: { up: { forwarded: number }; sentByShell: number };
  uplink: { connects: number };
}

async function relayCounters(target: Target): Promise<RelayCounters | null> {
  try {
    const response = await fetch(`${target.origin}/status`, { headers: { 'x-kiosk-key': target.key }, signal: AbortSignal.timeout(1000) });
    return (await response.json()) as RelayCounters;
  } catch {
    return null;
  }
}

/**
 * Live memory levels off when, after a full GC, the end of a category holds no more than its
 * middle did: the JS heap plus what Buffers hold outside it, within 2 MiB. (RSS after a GC
 * may stay higher: freed memory the allocator keeps for reuse, bounded by the peak.)
 */
function levelsOff(result: CategoryResult): boolean {
  const live = (heap: number, external: number) => heap + external;
  if (!Number.isFinite(result.mid.heapMiB) || !Number.isFinite(result.mid.externalMiB)) return true;
  return live(result.heapUsedMiB, result.externalMiB) <= live(result.mid.heapMiB, result.mid.externalMiB) + 2;
}

function memoryNote(results: readonly CategoryResult[], heapBefore: number, heapAfter: number, startFds: number, endFds: number): string {
  const parts: string[] = [];
  for (const r of results.filter((c) => !levelsOff(c))) {
    parts.push(
      `in ${r.name} the live memory after a full GC kept growing from the middle of the category to its end (JS heap ${r.mid.heapMiB.toFixed(1)} → ${r.heapUsedMiB.toFixed(1)} MiB, Buffers ${r.mid.externalMiB.toFixed(1)} → ${r.externalMiB.toFixed(1)} MiB)${r.maxUplinkLag > 100 ? `, with up to ${r.maxUplinkLag} page frames queued toward the upstream` : ''}`,
    );
  }
  if (heapAfter - heapBefore >= 5) parts.push(`the JS heap kept ${(heapAfter - heapBefore).toFixed(1)} MiB after a full GC`);
  if (endFds > startFds) parts.push(`${endFds - startFds} descriptor(s) still open`);
  return parts.join('; ');
}

interface StalledFlood {
  seconds: number;
  startRssMiB: number;
  peakRssMiB: number;
  sentMiB: number;
  forwarded: number;
  uplinkDisconnects: number;
  pageClosed: boolean;
  samples: { t: number; rssMiB: number }[];
}

/**
 * A page that floods allowed frames while the upstream has stopped reading (hung, or slower
 * than the page): does the relay bound what it holds for the uplink? Its own relay with the
 * default settings (heartbeat 30 s), so the uplink is not cut by a short heartbeat.
 */
async function stalledUpstreamFlood(seconds: number): Promise<StalledFlood> {
  const wsToken = newToken('ws');
  const apiToken = newToken('api');
  const upstream = new BenchUpstream({ wsToken, apiToken });
  await upstream.start();
  let serve: ServeProcess | undefined;
  let page: WebSocket | undefined;
  try {
    serve = await startServe({ wsUrl: upstream.wsUrl, apiUrl: upstream.apiUrl, wsToken, apiToken }, { overrides: { relay: { allowUp: ALLOW_UP } } });
    await upstream.waitFor(() => upstream.clients.size === 1, 15_000, 'the uplink');
    for (const ws of upstream.clients) ws.pause();
    const pid = serve.proc.pid;
    const startRss = rssMiB(pid);
    page = new WebSocket(serve.page.url, serve.page.protocols, { origin: serve.page.origin, perMessageDeflate: false });
    const socket = page;
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    let pageClosed = false;
    socket.on('close', () => (pageClosed = true));
    socket.on('error', () => undefined);
    const frame = JSON.stringify({ type: 'bench.ping', pad: 'x'.repeat(60_000) });
    const samples: { t: number; rssMiB: number }[] = [];
    const t0 = performance.now();
    let sent = 0;
    let nextSample = 0;
    // Stop early if the relay grows past 1.5 GiB: the point is made, the machine is shared.
    while (performance.now() - t0 < seconds * 1000 && !pageClosed) {
      if (performance.now() - t0 >= nextSample) {
        const rss = rssMiB(pid);
        samples.push({ t: (performance.now() - t0) / 1000, rssMiB: rss });
        nextSample += 250;
        if (rss > 1536) break;
      }
      if (socket.bufferedAmount < 4 * 2 ** 20) {
        socket.send(frame);
        sent++;
      } else {
        await sleep(2);
      }
      if (sent % 32 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const status = (await (await fetch(`${serve.origin}/status`, { headers: { 'x-kiosk-key': serve.key } })).json()) as { relay: { up: { forwarded: number } }; uplink: { disconnects: number } };
    return {
      seconds: (performance.now() - t0) / 1000,
      startRssMiB: startRss,
      peakRssMiB: Math.max(...samples.map((s) => s.rssMiB)),
      sentMiB: (sent * frame.length) / 2 ** 20,
      forwarded: status.relay.up.forwarded,
      uplinkDisconnects: status.uplink.disconnects,
      pageClosed,
      samples,
    };
  } finally {
    page?.terminate();
    await serve?.stop();
    await upstream.stop();
  }
}

export const fuzzSuite: Suite = {
  name: 'fuzz',
  title: 'Fuzz',
  async run(ctx: BenchContext) {
    const seconds = ctx.quick ? 5 : 60;
    const seed = Number(process.env.BENCH_FUZZ_SEED ?? Math.floor(Date.now() / 86_400_000));
    const wsToken = newToken('ws');
    const apiToken = newToken('api');
    const upstream = new BenchUpstream({ wsToken, apiToken });
    await upstream.start();
    const partial: Partial<Run> = { uncaught: [], exits: 0, violations: [] };
    const started = await startRelay(upstream, wsToken, apiToken, partial);
    const run: Run = {
      seed,
      upstream,
      ...started,
      uncaught: partial.uncaught ?? [],
      exits: 0,
      violations: partial.violations ?? [],
      secrets: [credentialOf(wsToken), credentialOf(apiToken)],
    };
    Object.defineProperty(partial, 'exits', { get: () => run.exits, set: (v: number) => (run.exits = v) });
    // What reaches the upstream from the relay: the shell's own messages and allowed types only.
    upstream.onText = (text) => {
      let type: unknown;
      try {
        type = (JSON.parse(text) as { type?: unknown }).type;
      } catch {
        run.violations.push(`the upstream received a non-JSON frame: ${text.slice(0, 120)}`);
        return;
      }
      if (typeof type !== 'string' || (!SHELL_TYPES.has(type) && !ALLOW_UP.includes(type))) run.violations.push(`the upstream received type ${String(type).slice(0, 60)}`);
      else if (SHELL_TYPES.has(type) && text.includes(FORGED)) run.violations.push(`a page's forged ${type} reached the upstream`);
      else if (ALLOW_UP.includes(type) && /"type"\s*:\s*"(?!bench\.ping")/.test(text)) duplicates++;
    };
    let duplicates = 0;
    let stopObserver = observe(run);
    await upstream.waitFor(() => upstream.clients.size === 1, 15_000, 'the uplink');
    const before = await run.inspector.collect();
    await sleep(300);
    const startRss = rssMiB(run.serve.proc.pid);
    const startFds = openFds(run.serve.proc.pid);

    const categories: { name: string; run: (ring: Ring, statuses: Record<string, number>) => Promise<number> }[] = [
      {
        name: 'raw-bytes',
        run: async (ring) => {
          let cases = 0;
          await runFor(seconds, 6, seed + 1, async (rng) => {
            const bytes = rng.bytes(rng.range(1, 4096));
            const item = { what: 'random bytes', bytes };
            ring.push(item);
            const split = rng.range(1, 3);
            const chunks = Array.from({ length: split }, (_, i) => bytes.subarray(Math.floor((i * bytes.length) / split), Math.floor(((i + 1) * bytes.length) / split)));
            await rawExchange(run.target.port, chunks, rng.range(5, 150));
            cases++;
          });
          return cases;
        },
      },
      {
        name: 'http',
        run: async (ring, statuses) => {
          let cases = 0;
          await runFor(seconds, 6, seed + 2, async (rng) => {
            const item = fuzzHttp(rng, run.target);
            ring.push(item);
            const answer = await rawExchange(run.target.port, [item.bytes], 300);
            const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 'none';
            statuses[status] = (statuses[status] ?? 0) + 1;
            for (const secret of run.secrets) if (answer.includes(secret)) run.violations.push(`an HTTP response carried the token (${item.what})`);
            cases++;
          });
          return cases;
        },
      },
      {
        name: 'upstream-frames',
        run: async (ring) => {
          let cases = 0;
          const rng = new Rng(seed + 3);
          const sockets = new Set<Socket>();
          upstream.rawUpgrade = (req, socket) => {
            const key = String(req.headers['sec-websocket-key'] ?? '');
            socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`);
            sockets.add(socket as Socket);
            socket.on('close', () => sockets.delete(socket as Socket));
            socket.on('data', () => undefined);
            // Well-formed frames with odd messages first (they keep the connection), then
            // frame-level cases, most of which make the relay close the uplink.
            const messages = rng.range(0, 60);
            const frames = messages + rng.range(1, 4);
            let sent = 0;
            const next = () => {
              if (socket.destroyed) return;
              if (sent >= frames) {
                const how = rng.int(3);
                if (how === 0) socket.end();
                else if (how === 1) socket.destroy();
                else setTimeout(() => socket.destroy(), 300);
                return;
              }
              const item = sent < messages ? fuzzMessageFrame(rng, 'upstream', wsToken) : fuzzFrames(rng, 'upstream', wsToken);
              ring.push(item);
              socket.write(item.bytes);
              sent++;
              cases++;
              if (sent < messages && rng.chance(0.9)) next();
              else setTimeout(next, rng.range(0, 5));
            };
            next();
            return true;
          };
          upstream.drop('terminate');
          await sleep(seconds * 1000);
          upstream.rawUpgrade = undefined;
          for (const socket of sockets) socket.destroy();
          await upstream.waitFor(() => upstream.clients.size === 1, 15_000, 'the uplink back on the normal upstream');
          return cases;
        },
      },
      {
        name: 'page-frames',
        run: async (ring, statuses) => {
          let cases = 0;
          await runFor(seconds, 4, seed + 4, async (rng) => {
            let page: { socket: Socket; status: number };
            try {
              page = await rawPage(run.target);
            } catch {
              statuses.handshakeError = (statuses.handshakeError ?? 0) + 1;
              await sleep(50);
              return;
            }
            statuses[page.status] = (statuses[page.status] ?? 0) + 1;
            page.socket.on('data', () => undefined);
            const messages = rng.range(0, 40);
            const frames = messages + rng.range(1, 4);
            for (let i = 0; i < frames && !page.socket.destroyed; i++) {
              const item = i < messages ? fuzzMessageFrame(rng, 'page', wsToken) : fuzzFrames(rng, 'page', wsToken);
              ring.push(item);
              page.socket.write(item.bytes);
              cases++;
              if (rng.chance(0.3)) await sleep(rng.range(0, 5));
            }
            await sleep(rng.range(0, 50));
            page.socket.destroy();
          });
          return cases;
        },
      },
      {
        name: 'header-flood',
        run: async (ring, statuses) => {
          let cases = 0;
          const host = `127.0.0.1:${run.target.port}`;
          const held: Socket[] = [];
          let closedByServer = 0;
          const hold = (trickle: boolean) => {
            const socket = connect(run.target.port, '127.0.0.1');
            held.push(socket);
            socket.on('error', () => undefined);
            socket.on('close', () => closedByServer++);
            // Read, so that the server closing the connection is noticed.
            socket.resume();
            if (!trickle) return;
            socket.on('connect', () => socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\n`));
            const timer = setInterval(() => {
              if (socket.destroyed) clearInterval(timer);
              else socket.write(`X-Slow-${Math.floor(Math.random() * 1e6)}: ${'s'.repeat(20)}\r\n`);
            }, 1000);
            socket.once('close', () => clearInterval(timer));
          };
          for (let i = 0; i < (ctx.quick ? 100 : 250); i++) hold(i % 2 === 0);
          await runFor(seconds, 4, seed + 5, async (rng) => {
            const kind = rng.int(4);
            let bytes: Buffer;
            if (kind === 0) {
              const count = rng.range(100, 4000);
              bytes = Buffer.from(`GET /api/events/ HTTP/1.1\r\nHost: ${host}\r\nX-Kiosk-Key: ${run.target.key}\r\n${Array.from({ length: count }, (_, i) => `X-F${i}: ${rng.ascii(rng.range(0, 8))}\r\n`).join('')}\r\n`, 'latin1');
            } else if (kind === 1) {
              bytes = Buffer.from(`GET / HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'b'.repeat(rng.range(8_000, 200_000))}\r\n\r\n`, 'latin1');
            } else if (kind === 2) {
              const offers = Array.from({ length: rng.range(10, 3000) }, (_, i) => (rng.chance(0.5) ? `kiosk-key.${rng.ascii(8).replace(/[ ,]/g, 'k')}` : `p${i}`));
              if (rng.chance(0.5)) offers.push('kiosk.v1', `kiosk-key.${run.target.key}`);
              bytes = Buffer.from(
                `GET /ws HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${run.target.origin}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${newSocketKey()}\r\nSec-WebSocket-Protocol: ${offers.join(', ')}\r\n\r\n`,
                'latin1',
              );
            } else {
              const repeat = rng.range(2, 500);
              bytes = Buffer.from(`GET /api/events/ HTTP/1.1\r\n${`Host: ${host}\r\nOrigin: ${run.target.origin}\r\nX-Kiosk-Key: ${run.target.key}\r\n`.repeat(repeat)}\r\n`, 'latin1');
            }
            const item = { what: `header flood ${kind}`, bytes };
            ring.push(item);
            const answer = await rawExchange(run.target.port, [bytes], 500);
            const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 'none';
            statuses[status] = (statuses[status] ?? 0) + 1;
            cases++;
          });
          statuses.heldClosedByServer = closedByServer;
          for (const socket of held) socket.destroy();
          return cases;
        },
      },
    ];

    const results: CategoryResult[] = [];
    try {
      for (const category of categories) {
        const ring = new Ring();
        const statuses: Record<string, number> = {};
        const exitsBefore = run.exits;
        const uncaughtBefore = run.uncaught.length;
        const violationsBefore = run.violations.length;
        let peakFds = 0;
        let maxUplinkLag = 0;
        // What the relay has sent upstream (page frames, the shell's own, a hello per connect)
        // against what the upstream has read: the difference waits in the uplink's send queue.
        const sentUp = (status: RelayCounters) => status.relay.up.forwarded + status.relay.sentByShell + status.uplink.connects;
        const base = await relayCounters(run.target);
        const receivedBase = upstream.stats().received;
        const rssSamples: { t: number; rss: number }[] = [];
        const sampler = setInterval(() => {
          rssSamples.push({ t: performance.now(), rss: rssMiB(run.serve.proc.pid) || 0 });
          peakFds = Math.max(peakFds, openFds(run.serve.proc.pid) || 0);
          // Frames the relay sent upstream that the upstream has not read yet (its send queue).
          relayCounters(run.target)
            .then((status) => {
              // (While the raw upstream answers, the relay's frames never reach the counting one.)
              if (status !== null && base !== null && category.name !== 'upstream-frames') maxUplinkLag = Math.max(maxUplinkLag, sentUp(status) - sentUp(base) - (upstream.stats().received - receivedBase));
            })
            .catch(() => undefined);
        }, 250);
        const t0 = performance.now();
        const mid = { rssMiB: Number.NaN, heapMiB: Number.NaN, externalMiB: Number.NaN };
        const midpoint = setTimeout(() => {
          run.inspector
            .collect()
            .then((heap) => {
              mid.heapMiB = heap.usedMiB;
              mid.externalMiB = heap.externalMiB;
              mid.rssMiB = rssMiB(run.serve.proc.pid);
            })
            .catch(() => undefined);
        }, (seconds * 1000) / 2);
        let cases = 0;
        let failure: string | undefined;
        try {
          cases = await category.run(ring, statuses);
        } catch (error) {
          failure = error instanceof Error ? error.message : String(error);
        } finally {
          clearInterval(sampler);
          clearTimeout(midpoint);
        }
        await sleep(500);
        const alive = run.serve.proc.alive();
        const heap = alive ? await run.inspector.collect().catch(() => ({ usedMiB: Number.NaN, externalMiB: Number.NaN })) : { usedMiB: Number.NaN, externalMiB: Number.NaN };
        const result: CategoryResult = {
          name: category.name,
          seconds: (performance.now() - t0) / 1000,
          cases,
          exits: run.exits - exitsBefore + (alive ? 0 : 0),
          uncaught: run.uncaught.slice(uncaughtBefore),
          violations: [...new Set(run.violations.slice(violationsBefore))].slice(0, 20),
          guardFailures: alive ? await guardChecks(run.target) : ['the relay is not running'],
          legitFailures: alive ? await legitChecks(run.target) : ['the relay is not running'],
          peakRssMiB: Math.max(0, ...rssSamples.map((s) => s.rss)),
          mid,
          maxUplinkLag,
          peakFds,
          retainedRssMiB: rssMiB(run.serve.proc.pid),
          heapUsedMiB: heap.usedMiB,
          externalMiB: heap.externalMiB,
          statuses,
        };
        if (failure !== undefined) result.legitFailures.push(`the fuzzer itself failed: ${failure}`);
        if (!alive || result.uncaught.length > 0 || result.violations.length > 0) {
          const file = path.join(BENCH_DIR, 'results', `fuzz-findings-${seed}-${category.name}.json`);
          writeFileSync(file, `${JSON.stringify({ seed, category: category.name, exit: run.serve.proc.stderrTail().slice(-4000), uncaught: result.uncaught, violations: result.violations, lastInputs: ring.items }, null, 1)}\n`);
          result.findings = path.relative(path.dirname(BENCH_DIR), file);
        }
        ctx.log(`fuzz ${category.name}: ${cases} cases in ${result.seconds.toFixed(0)} s; exits ${result.exits}, uncaught ${result.uncaught.length}, violations ${result.violations.length}, guard failures ${result.guardFailures.length}, legit failures ${result.legitFailures.length}; peak RSS ${result.peakRssMiB.toFixed(0)} MiB, most frames queued toward the upstream ${maxUplinkLag}; after GC halfway ${mid.rssMiB.toFixed(0)} MiB (JS heap ${mid.heapMiB.toFixed(1)}, external ${mid.externalMiB.toFixed(1)} MiB), at the end ${result.retainedRssMiB.toFixed(0)} MiB (JS heap ${result.heapUsedMiB.toFixed(1)}, external ${result.externalMiB.toFixed(1)} MiB), peak fds ${peakFds}`);
        results.push(result);
        if (!alive) {
          // Start a fresh relay for the next category; the crash is recorded.
          stopObserver();
          const fresh = await startRelay(upstream, wsToken, apiToken, partial);
          run.serve = fresh.serve;
          run.inspector = fresh.inspector;
          run.target = fresh.target;
          stopObserver = observe(run);
          await upstream.waitFor(() => upstream.clients.size === 1, 15_000, 'the new relay\'s uplink');
        }
      }

      const stalled = await stalledUpstreamFlood(ctx.quick ? 3 : 10);
      ctx.log(`fuzz page flood, upstream not reading: relay RSS ${stalled.startRssMiB.toFixed(0)} → ${stalled.peakRssMiB.toFixed(0)} MiB in ${stalled.seconds.toFixed(1)} s; page sent ${stalled.sentMiB.toFixed(0)} MiB, relay forwarded ${stalled.forwarded} frames; page closed: ${stalled.pageClosed}`);
      // Idle again: keep-alive connections (the /api proxy's to its upstream, 5 s) may close.
      const settle = performance.now() + 10_000;
      while (openFds(run.serve.proc.pid) > startFds && performance.now() < settle) await sleep(250);
      const after = await run.inspector.collect();
      await sleep(300);
      const endRss = rssMiB(run.serve.proc.pid);
      const endFds = openFds(run.serve.proc.pid);
      const crashes = results.reduce((n, r) => n + r.exits + r.uncaught.length, 0);
      const violations = results.flatMap((r) => r.violations);
      const guardFailures = results.flatMap((r) => r.guardFailures.map((f) => `${r.name}: ${f}`));
      const legitFailures = results.flatMap((r) => r.legitFailures.map((f) => `${r.name}: ${f}`));
      const peakRss = Math.max(...results.map((r) => r.peakRssMiB));
      const totalCases = results.reduce((n, r) => n + r.cases, 0);
      const figures: Figure[] = [
        {
          id: 'fuzz.crashes',
          label: `Fuzz: crashes and uncaught errors (${results.length} categories × ${seconds} s, seed ${seed})`,
          value: crashes,
          unit: 'count',
          extra: `${totalCases.toLocaleString('en')} inputs; ${results.map((r) => `${r.name} ${r.cases}`).join(', ')}`,
          target: { text: '0', met: crashes === 0 },
          note: results.filter((r) => r.exits + r.uncaught.length > 0).map((r) => `${r.name}: ${r.uncaught[0]?.slice(0, 300) ?? 'the relay exited'} (inputs in ${r.findings ?? '?'})`).join('; '),
        },
        {
          id: 'fuzz.memory',
          label: 'Fuzz: relay memory',
          value: peakRss,
          unit: 'MiB',
          extra: `peak RSS under the fuzz; live memory (JS heap + Buffers) after a full GC halfway / at the end of each category: ${results.map((r) => `${r.name} ${(r.mid.heapMiB + r.mid.externalMiB).toFixed(1)}/${(r.heapUsedMiB + r.externalMiB).toFixed(1)} MiB`).join(', ')}; overall after a full GC: JS heap ${before.usedMiB.toFixed(1)} → ${after.usedMiB.toFixed(1)} MiB, RSS ${startRss.toFixed(0)} → ${endRss.toFixed(0)} MiB; fds ${startFds} → ${endFds} (peak ${Math.max(...results.map((r) => r.peakFds))})`,
          baselines: [{ label: 'RSS before the fuzz', value: startRss, unit: 'MiB' }],
          ratio: peakRss / startRss,
          target: {
            text: 'bounded: after a full GC, no category holds more live memory (JS heap + Buffers) at its end than halfway (+2 MiB); JS heap within +5 MiB of the start; fds back',
            met: results.every(levelsOff) && after.usedMiB - before.usedMiB < 5 && endFds <= startFds,
          },
          note: memoryNote(results, before.usedMiB, after.usedMiB, startFds, endFds),
        },
        {
          id: 'fuzz.stalled',
          label: `Page floods allowed 60 KB frames while the upstream reads nothing (${stalled.seconds.toFixed(0)} s)`,
          value: stalled.peakRssMiB,
          unit: 'MiB',
          extra: `peak relay RSS; the page sent ${stalled.sentMiB.toFixed(0)} MiB, the relay forwarded ${stalled.forwarded} frames and ${stalled.pageClosed ? 'closed the page' : 'kept the page'}; uplink disconnects ${stalled.uplinkDisconnects}`,
          baselines: [{ label: 'RSS before the flood', value: stalled.startRssMiB, unit: 'MiB' }],
          ratio: stalled.peakRssMiB / stalled.startRssMiB,
          target: { text: 'bounded: < 2× start', met: stalled.peakRssMiB < 2 * stalled.startRssMiB },
          note: `the relay buffers toward the upstream without limit: Relay#fromPage (server/relay.ts) forwards every allowed page frame with Uplink.send, and Uplink.send (server/uplink.ts) calls socket.send without looking at bufferedAmount, so when the upstream reads slower than the page writes the uplink's send queue grows until the heartbeat (2 × upstream.ws.heartbeatSeconds, 60 s by default) cuts the uplink, here ${((stalled.peakRssMiB - stalled.startRssMiB) / stalled.seconds).toFixed(0)} MiB/s. Toward the page the same situation is bounded (RendererHub.send closes a page that falls relay.maxBufferedBytes behind); the uplink has no such limit and reads from the page are never paused`,
        },
        {
          id: 'fuzz.guards',
          label: 'Fuzz: guards still refuse, a legitimate page still works, no oracle violation',
          value: guardFailures.length + legitFailures.length + violations.length,
          unit: 'count',
          extra: `after each category 10 guard refusals and 3 page checks; oracles throughout: no token or forged shell message reaches a page, no page frame outside relay.allowUp reaches the upstream`,
          target: { text: '0', met: guardFailures.length + legitFailures.length + violations.length === 0 },
          note: [...guardFailures, ...legitFailures, ...violations].slice(0, 6).join('; '),
        },
      ];
      const notes = [
        `${seconds} s per category; seed ${seed} (set BENCH_FUZZ_SEED to replay); the relay runs as \`kiosk-shell serve\` with relay.allowUp [bench.ping] and a 50–100 ms reconnect`,
        'memory: RSS that stays above the start after a full GC while the JS heap is back is freed memory the allocator keeps for reuse (large frame and header buffers), not live objects; it is reported after every category to show it levels off',
      ];
      if (duplicates > 0) {
        notes.push(
          `${duplicates} page frame(s) with a duplicated "type" key (e.g. {"type":"kiosk.ack","type":"bench.ping"}) were forwarded upstream as sent: the relay validates JSON.parse's last-wins reading but forwards the original text (Relay#fromPage sends verdict.text), so an upstream whose parser keeps the first key would read a type the relay never allowed`,
        );
      }
      return { figures, details: { seed, seconds, categories: results, duplicates, stalled, start: { rss: startRss, fds: startFds, heap: before }, end: { rss: endRss, fds: endFds, heap: after } }, notes };
    } finally {
      stopObserver();
      run.inspector.close();
      await run.serve.stop();
      await upstream.stop();
    }
  },
};
