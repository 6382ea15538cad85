// The bench upstream in a process of its own (relay cost, start-up, footprint, herd), so
// that its work is not charged to the process being measured. Driven over IPC.
import { serveIpc } from '../lib/ipc.ts';
import { BenchUpstream } from '../lib/upstream.ts';

const upstream = new BenchUpstream({
  wsToken: process.env.BENCH_WS_TOKEN ?? '',
  apiToken: process.env.BENCH_API_TOKEN ?? '',
  port: Number(process.env.BENCH_PORT ?? 0),
});
let listenedAt = 0;

serveIpc({
  start: async () => {
    const port = await upstream.start();
    listenedAt = performance.timeOrigin + performance.now();
    return { port, listenedAt };
  },
  stop: async () => {
    await upstream.stop();
    return { stoppedAt: performance.timeOrigin + performance.now() };
  },
  drop: (args: { mode?: 'terminate' | 'close' }) => upstream.drop(args.mode),
  publish: (args: { rate: number; seconds: number; size: number }) => upstream.publish(args.rate, args.seconds, args.size),
  broadcast: (args: { text: string }) => upstream.broadcast(args.text),
  stats: () => ({ ...upstream.stats(), listenedAt }),
  waitClients: async (args: { count: number; timeoutMs: number }) => {
    await upstream.waitFor(() => upstream.clients.size >= args.count, args.timeoutMs, `${args.count} clients`);
    return upstream.stats();
  },
  waitHellos: async (args: { count: number; timeoutMs: number }) => {
    await upstream.waitFor(() => upstream.stats().hellos >= args.count, args.timeoutMs, `${args.count} hellos`);
    return upstream.stats();
  },
});
