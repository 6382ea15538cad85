// Simulated kiosks on a Django upstream: the project's own Uplink (server/uplink.ts) per
// kiosk, all in one process, with the schema's default settings. Each answers a kiosk.reset
// at once with the ack a kiosk sends after reloading ({"status":"reloaded","ms":0}) and
// records when the reset arrived and when its ack left.
import { configSchema } from '../../core/config/schema.ts';
import { createLogger } from '../../core/logger.ts';
import { classifyUpstream, targetsKiosk } from '../../protocol/upstream.ts';
import { Uplink } from '../../server/uplink.ts';
import { serveIpc } from '../lib/ipc.ts';

const epoch = () => performance.timeOrigin + performance.now();
const logger = createLogger({ destination: { write: () => undefined }, level: 'info' });
const uplinks: { id: string; uplink: Uplink }[] = [];
/** reset id → kiosk id → when the reset arrived and when the ack was sent. */
const seen = new Map<string, Map<string, { receivedAt: number; ackedAt: number }>>();

function startKiosk(url: string, id: string, token: string, groups: string[]): void {
  const parsed = configSchema.parse({ kioskId: id, groups, upstream: { ws: { url, token }, api: { url: 'http://127.0.0.1:1/api/', token } } });
  if (parsed.upstream === undefined) throw new Error('unreachable');
  const ws = parsed.upstream.ws;
  const uplink = new Uplink({
    url,
    tokenHeader: ws.tokenHeader,
    token,
    maxPayloadBytes: parsed.relay.maxPayloadBytes,
    maxBufferedBytes: parsed.relay.maxBufferedBytes,
    heartbeatMs: ws.heartbeatSeconds * 1000,
    reconnectBaseMs: ws.reconnectBaseMs,
    reconnectCapMs: ws.reconnectCapMs,
    hello: () => ({ type: 'kiosk.hello', kiosk: id, groups, version: 'bench-fleet' }),
    logger,
  });
  uplink.on('message', (data, isBinary) => {
    const receivedAt = epoch();
    if (isBinary) return;
    const verdict = classifyUpstream(data.toString('utf8'));
    if (verdict.kind !== 'command' || verdict.command.name !== 'reset' || verdict.command.id === null || !targetsKiosk(verdict.command.target, id, groups)) return;
    const resetId = verdict.command.id;
    uplink.send(JSON.stringify({ type: 'kiosk.ack', id: resetId, kiosk: id, command: 'reset', status: 'reloaded', ms: 0 }));
    let byKiosk = seen.get(resetId);
    if (byKiosk === undefined) seen.set(resetId, (byKiosk = new Map<string, { receivedAt: number; ackedAt: number }>()));
    byKiosk.set(id, { receivedAt, ackedAt: epoch() });
  });
  uplinks.push({ id, uplink });
  uplink.start();
}

serveIpc({
  start: async (args: { url: string; kiosks: { id: string; token: string; groups: string[] }[]; spreadMs: number }) => {
    for (const [i, kiosk] of args.kiosks.entries()) {
      startKiosk(args.url, kiosk.id, kiosk.token, kiosk.groups);
      if (i % 25 === 24) await new Promise((resolve) => setTimeout(resolve, (args.spreadMs * 25) / args.kiosks.length));
    }
    return uplinks.length;
  },
  waitOpen: async (args: { timeoutMs: number }) => {
    const deadline = performance.now() + args.timeoutMs;
    for (;;) {
      const closed = uplinks.filter((u) => u.uplink.state !== 'open');
      if (closed.length === 0) return uplinks.length;
      if (performance.now() > deadline) throw new Error(`${closed.length} of ${uplinks.length} uplinks not open after ${args.timeoutMs} ms (${closed[0]?.uplink.stats.lastError ?? '?'})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  },
  acks: (args: { resetId: string }) => [...(seen.get(args.resetId)?.entries() ?? [])].map(([id, t]) => ({ id, ...t })),
  stop: async () => {
    await Promise.all(uplinks.map((u) => u.uplink.stop()));
    return true;
  },
});
