// 1. Relay cost. Client, relay and upstream each in a process of their own. Downstream push
// throughput (the upstream floods as fast as the client drains, TCP backpressure end to end)
// and round-trip latency (bench.ping up, bench.pong down, one at a time), for 100 B and
// 4 KiB frames, over three paths side by side in the same run:
//   direct — client ↔ upstream, token header sent by the client;
//   pipe   — the seed-post recipe (Express + http-proxy-middleware ws: true + header);
//   ours   — `kiosk-shell serve` with relay.allowUp = [bench.ping, bench.flood].
// Paths are interleaved, in a rotated order, for several rounds; throughput is the median
// of the rounds, latency percentiles are over every round trip of every round.
import { startWorker, type Worker } from '../lib/ipc.ts';
import { newToken, startServe, type ServeProcess } from '../lib/kiosk.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cpuMs, watchNode, type Watched } from '../lib/proc.ts';
import { readProfile, relayBuckets, type Buckets } from '../lib/profile.ts';
import { ratioOf, type BenchContext, type Figure, type Suite } from '../lib/report.ts';
import { median, percentile } from '../lib/stats.ts';

type PathName = 'direct' | 'pipe' | 'ours';
const PATHS: readonly PathName[] = ['direct', 'pipe', 'ours'];
const SIZES = [100, 4096] as const;
const LABEL: Record<PathName, string> = { direct: 'direct', pipe: 'pipe (http-proxy-middleware)', ours: 'ours' };

interface Sample {
  path: PathName;
  size: number;
  round: number;
  msgPerSec: number;
  /** CPU time the middle process (pipe or relay) spent per 1,000 frames of the flood. */
  cpuMsPer1k: number | null;
  rttMs: number[];
}

export const relaySuite: Suite = {
  name: 'relay',
  title: 'Relay cost',
  async run(ctx: BenchContext) {
    const rounds = ctx.quick ? 1 : 5;
    const floodCount: Record<number, number> = ctx.quick ? { 100: 20_000, 4096: 4_000 } : { 100: 100_000, 4096: 20_000 };
    const pings = ctx.quick ? 300 : 2000;
    const warmPings = ctx.quick ? 100 : 300;

    const wsToken = newToken('ws');
    const apiToken = newToken('api');
    let upstream: Worker | undefined;
    let pipe: Watched | undefined;
    let ours: ServeProcess | undefined;
    let client: Worker | undefined;
    try {
      upstream = await startWorker('bench/workers/upstream.ts', [], { BENCH_WS_TOKEN: wsToken, BENCH_API_TOKEN: apiToken });
      const { port } = await upstream.call<{ port: number }>('start');
      const address = { wsUrl: `ws://127.0.0.1:${port}/ws/kiosk/`, apiUrl: `http://127.0.0.1:${port}/api/`, wsToken, apiToken };
      pipe = watchNode('bench/workers/pipe.ts', [], { env: { ...process.env, BENCH_TARGET: `ws://127.0.0.1:${port}`, BENCH_WS_TOKEN: wsToken } });
      const pipePort = Number((await pipe.line((v) => v.event === 'ready')).value.port);
      ours = await startServe(address, { overrides: { relay: { allowUp: ['bench.ping', 'bench.flood'] } } });
      client = await startWorker('bench/workers/client.ts');

      const connectArgs: Record<PathName, unknown> = {
        direct: { url: address.wsUrl, headers: { Authorization: wsToken } },
        pipe: { url: `ws://127.0.0.1:${pipePort}/ws/kiosk/` },
        ours: { ...ours.page, waitUplink: true },
      };
      const middlePid: Record<PathName, number | undefined> = { direct: undefined, pipe: pipe.pid, ours: ours.proc.pid };

      const samples: Sample[] = [];
      for (let round = 0; round < rounds; round++) {
        const order = PATHS.map((_, i) => PATHS[(i + round) % PATHS.length] as PathName);
        for (const path of order) {
          await client.call('connect', connectArgs[path]);
          // Warm-up on this connection: JIT and buffers of all three processes.
          await client.call('throughput', { size: 100, count: ctx.quick ? 2000 : 10_000 });
          await client.call('latency', { size: 100, count: 0, warmup: warmPings });
          for (const size of SIZES) {
            const { rttMs } = await client.call<{ rttMs: number[] }>('latency', { size, count: pings, warmup: 20 });
            const pid = middlePid[path];
            const cpuBefore = pid === undefined ? Number.NaN : cpuMs(pid);
            const flood = await client.call<{ ms: number; frames: number }>('throughput', { size, count: floodCount[size] });
            const cpuAfter = pid === undefined ? Number.NaN : cpuMs(pid);
            const cpuMsPer1k = pid === undefined ? null : ((cpuAfter - cpuBefore) / flood.frames) * 1000;
            samples.push({ path, size, round, msgPerSec: flood.frames / (flood.ms / 1000), cpuMsPer1k, rttMs });
            ctx.log(`relay: round ${round + 1}/${rounds} ${path} ${size} B: ${Math.round(flood.frames / (flood.ms / 1000))} msg/s, p50 ${percentile(rttMs, 50).toFixed(3)} ms, p99 ${percentile(rttMs, 99).toFixed(3)} ms`);
          }
          await client.call('close');
        }
      }

      const status = await fetchStatus(ours);
      await client.call('close');
      const profiles: Record<number, Buckets | null> = {};
      for (const size of SIZES) {
        profiles[size] = await profileRelay(address, client, size, size === 100 ? (ctx.quick ? 20_000 : 100_000) : ctx.quick ? 5_000 : 20_000);
        ctx.log(`relay: where the relay's time goes (${size} B flood, --cpu-prof): ${describeBuckets(profiles[size] ?? null)}`);
      }
      const figures: Figure[] = [];
      const aggregate: Record<string, unknown> = {};
      const cpuRatios: [string, number][] = [];
      for (const size of SIZES) {
        const of = (path: PathName) => samples.filter((s) => s.path === path && s.size === size);
        const thr = (path: PathName) => median(of(path).map((s) => s.msgPerSec));
        const rtts = (path: PathName) => of(path).flatMap((s) => s.rttMs);
        const cpu = (path: PathName) => median(of(path).map((s) => s.cpuMsPer1k ?? Number.NaN));
        const sizeLabel = size === 100 ? '100 B' : '4 KiB';
        const [oursThr, pipeThr, directThr] = [thr('ours'), thr('pipe'), thr('direct')];
        const thrRatio = ratioOf(oursThr, pipeThr);
        figures.push({
          id: `relay.throughput.${size}`,
          label: `Relay push throughput, ${sizeLabel} frames`,
          value: oursThr,
          unit: 'msg/s',
          extra: `${((oursThr * size) / 1e6).toFixed(1)} MB/s`,
          baselines: [
            { label: 'pipe', value: pipeThr, unit: 'msg/s' },
            { label: 'direct', value: directThr, unit: 'msg/s' },
          ],
          ...(thrRatio === undefined ? {} : { ratio: thrRatio }),
          target: { text: '≥ 0.6× pipe', met: thrRatio !== undefined && thrRatio >= 0.6 },
          note: throughputNote(status, profiles[size] ?? null, sizeLabel),
        });
        const [oursP50, pipeP50, directP50] = [percentile(rtts('ours'), 50), percentile(rtts('pipe'), 50), percentile(rtts('direct'), 50)];
        const [oursP99, pipeP99, directP99] = [percentile(rtts('ours'), 99), percentile(rtts('pipe'), 99), percentile(rtts('direct'), 99)];
        const p50Ratio = ratioOf(oursP50, pipeP50);
        const cpuRatio = ratioOf(cpu('ours'), cpu('pipe'));
        if (cpuRatio !== undefined) cpuRatios.push([sizeLabel, cpuRatio]);
        figures.push({
          id: `relay.cpu.${size}`,
          label: `Relay CPU per 1,000 frames pushed, ${sizeLabel}`,
          value: cpu('ours'),
          unit: 'ms',
          extra: 'user + system time of the middle process during the flood',
          baselines: [{ label: 'pipe', value: cpu('pipe'), unit: 'ms' }],
          ...(cpuRatio === undefined ? {} : { ratio: cpuRatio }),
        });
        figures.push({
          id: `relay.rtt.p50.${size}`,
          label: `Round trip p50, ${sizeLabel}`,
          value: oursP50,
          unit: 'ms',
          baselines: [
            { label: 'pipe', value: pipeP50, unit: 'ms' },
            { label: 'direct', value: directP50, unit: 'ms' },
          ],
          ...(p50Ratio === undefined ? {} : { ratio: p50Ratio }),
        });
        const p99Ratio = ratioOf(oursP99, pipeP99);
        figures.push({
          id: `relay.rtt.p99.${size}`,
          label: `Round trip p99, ${sizeLabel}`,
          value: oursP99,
          unit: 'ms',
          baselines: [
            { label: 'pipe', value: pipeP99, unit: 'ms' },
            { label: 'direct', value: directP99, unit: 'ms' },
          ],
          ...(p99Ratio === undefined ? {} : { ratio: p99Ratio }),
          target: { text: '≤ 2× pipe', met: p99Ratio !== undefined && p99Ratio <= 2 },
          note: 'every frame is terminated, JSON-parsed and classified on both legs (server/messages.ts), where the pipe only copies bytes',
        });
        aggregate[sizeLabel] = Object.fromEntries(
          PATHS.map((path) => [path, { msgPerSec: of(path).map((s) => Math.round(s.msgPerSec)), rttP50: percentile(rtts(path), 50), rttP99: percentile(rtts(path), 99), rtts: rtts(path).length, cpuMsPer1k: of(path).map((s) => s.cpuMsPer1k) }]),
        );
      }
      return {
        figures,
        details: { rounds, floodCount, pings, results: aggregate, relayStatus: status, paths: LABEL, profiles },
        notes: [
          `${rounds} round(s), paths interleaved in rotated order; latency over ${pings} sequential round trips per size, path and round`,
          `per frame pushed, the relay uses ${cpuRatios.map(([label, ratio]) => `${ratio.toFixed(1)}× the pipe's CPU at ${label}`).join(' and ')}, so its throughput ratio falls when the machine is busy (its figure moves more between runs than the pipe's); where that CPU goes, from a --cpu-prof flood: ${SIZES.map((size) => `${size === 100 ? '100 B' : '4 KiB'}: ${describeBuckets(profiles[size] ?? null)}`).join('; ')}`,
        ],
      };
    } finally {
      await client?.stop();
      await ours?.stop();
      await pipe?.stop();
      await upstream?.stop();
    }
  },
};

interface RelayStatus {
  pages?: { closedSlow?: number; closedOversize?: number };
  relay?: { down?: { dropped?: Record<string, number> } };
}

async function fetchStatus(serve: ServeProcess): Promise<RelayStatus | null> {
  try {
    const response = await fetch(`${serve.origin}/status`, { headers: { 'x-kiosk-key': serve.key } });
    return (await response.json()) as RelayStatus;
  } catch {
    return null;
  }
}

function describeBuckets(profile: Buckets | null): string {
  if (profile === null) return 'no profile';
  return Object.entries(profile.shares)
    .map(([bucket, share]) => `${bucket} ${share.toFixed(0)} %`)
    .join(', ');
}

function throughputNote(status: RelayStatus | null, profile: Buckets | null, sizeLabel: string): string {
  const slow = status?.pages?.closedSlow ?? 0;
  const write = Object.entries(profile?.shares ?? {}).find(([bucket]) => bucket.startsWith('write'))?.[1];
  const parts = [
    'the relay terminates both legs and handles every frame on its own, where the pipe copies whole reads of bytes',
    write === undefined
      ? ''
      : `a CPU profile of the relay under a ${sizeLabel} flood puts ${write.toFixed(0)} % of its relay work in writing to the page socket: RendererHub.send (server/renderer-hub.ts) calls ws.send once per frame and ws's Sender corks and uncorks the socket around each frame, so every relayed frame costs its own writev(2) system call (the frames of one upstream read are never written together); shares of the relay work: ${describeBuckets(profile)}`,
  ];
  if (slow > 0) parts.push(`the relay closed the page connection ${slow} time(s) as too slow (relay.maxBufferedBytes)`);
  return parts.filter((p) => p !== '').join('; ');
}

/** One more flood of `size` frames through a relay started with --cpu-prof. */
async function profileRelay(address: { wsUrl: string; apiUrl: string; wsToken: string; apiToken: string }, client: Worker, size: number, count: number): Promise<Buckets | null> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-bench-prof-'));
  let serve: ServeProcess | undefined;
  try {
    serve = await startServe(address, { overrides: { relay: { allowUp: ['bench.ping', 'bench.flood'] } }, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
    await client.call('connect', { ...serve.page, waitUplink: true });
    await client.call('throughput', { size, count: Math.round(count / 5) });
    await client.call('throughput', { size, count });
    await client.call('close');
    await serve.stop();
    serve = undefined;
    return relayBuckets(readProfile(dir));
  } catch {
    return null;
  } finally {
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
