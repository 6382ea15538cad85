// A fleet of uplinks in one process: the project's own Uplink (server/uplink.ts) with the
// reconnect settings the config schema gives a kiosk by default, or — as the baseline — the
// naive reconnect many kiosk pages use (a fixed delay, no backoff, no jitter). It records
// when each one attempts a connection and when each one is open.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { configSchema } from '../../core/config/schema.ts';
import { createLogger } from '../../core/logger.ts';
import { Uplink } from '../../server/uplink.ts';
import { serveIpc } from '../lib/ipc.ts';

interface Member {
  open: boolean;
  stop(): void;
}

const epoch = () => performance.timeOrigin + performance.now();
const logger = createLogger({ destination: { write: () => undefined }, level: 'info' });
let members: Member[] = [];
let attempts: number[] = [];
let opens: number[] = [];
// How late this process's timers ran: many uplinks share one event loop here, real kiosks do not.
let loopDelay: ReturnType<typeof monitorEventLoopDelay> | undefined;

/** The defaults a kiosk gets when its config says nothing about reconnecting. */
function schemaDefaults(url: string, token: string) {
  const parsed = configSchema.parse({ kioskId: 'herd', upstream: { ws: { url, token }, api: { url: 'http://127.0.0.1:1/api/', token } } });
  if (parsed.upstream === undefined) throw new Error('unreachable');
  const { heartbeatSeconds, reconnectBaseMs, reconnectCapMs, tokenHeader } = parsed.upstream.ws;
  return { heartbeatMs: heartbeatSeconds * 1000, reconnectBaseMs, reconnectCapMs, tokenHeader, maxPayloadBytes: parsed.relay.maxPayloadBytes, maxBufferedBytes: parsed.relay.maxBufferedBytes };
}

function projectUplink(index: number, url: string, token: string): Member {
  const settings = schemaDefaults(url, token);
  const uplink = new Uplink({ url, token, ...settings, hello: () => ({ type: 'kiosk.hello', kiosk: `herd-${index}`, groups: [], version: 'bench' }), logger });
  const member = { open: false, stop: () => void uplink.stop() };
  uplink.on('state', (state) => {
    if (state === 'connecting') attempts.push(epoch());
    if (state === 'open') opens.push(epoch());
    member.open = state === 'open';
  });
  uplink.start();
  return member;
}

function naiveSocket(index: number, url: string, token: string, retryMs: number): Member {
  let stopped = false;
  let ws: WebSocket | undefined;
  const member: Member = {
    open: false,
    stop: () => {
      stopped = true;
      ws?.terminate();
    },
  };
  const connect = () => {
    if (stopped) return;
    attempts.push(epoch());
    ws = new WebSocket(url, { headers: { Authorization: token }, perMessageDeflate: false });
    ws.on('open', () => {
      member.open = true;
      opens.push(epoch());
      ws?.send(JSON.stringify({ type: 'kiosk.hello', kiosk: `naive-${index}`, groups: [], version: 'bench' }));
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      member.open = false;
      setTimeout(connect, retryMs);
    });
  };
  connect();
  return member;
}

serveIpc({
  defaults: (args: { url: string; token: string }) => schemaDefaults(args.url, args.token),
  start: async (args: { url: string; token: string; count: number; spreadMs: number; mode: 'project' | 'naive'; naiveRetryMs?: number }) => {
    for (let i = 0; i < args.count; i++) {
      members.push(args.mode === 'project' ? projectUplink(i, args.url, args.token) : naiveSocket(i, args.url, args.token, args.naiveRetryMs ?? 2000));
      // Spread the first connections a little: the start-up is not what is measured.
      if (args.spreadMs > 0 && i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, (args.spreadMs * 50) / args.count));
    }
    return members.length;
  },
  waitOpen: async (args: { timeoutMs: number }) => {
    const deadline = performance.now() + args.timeoutMs;
    while (members.some((m) => !m.open)) {
      if (performance.now() > deadline) throw new Error(`${members.filter((m) => !m.open).length} of ${members.length} not open after ${args.timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { open: members.length, at: epoch() };
  },
  openCount: () => members.filter((m) => m.open).length,
  mark: () => {
    attempts = [];
    opens = [];
    loopDelay?.disable();
    loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    return epoch();
  },
  events: () => ({
    attempts,
    opens,
    loopDelayMs: loopDelay === undefined ? null : { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
  }),
  stopAll: () => {
    for (const member of members) member.stop();
    members = [];
    return true;
  },
});
