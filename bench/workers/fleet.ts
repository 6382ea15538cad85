// Simulated kiosks on a Django upstream, all in one process: test/support/sim-kiosk.ts,
// which speaks the brief's protocol with `ws` alone (hello, one terminal ack per command,
// screenshots, stored acks for resends). Also probes kiosk connects: a fresh WebSocket
// with a kiosk token, timed from the TCP connect to the accepted handshake (the server
// authenticates the token and records the connection before it accepts).
import WebSocket from 'ws';
import { SimFleet, type SimKioskOptions } from '../../test/support/sim-kiosk.ts';
import { serveIpc } from '../lib/ipc.ts';

let fleet: SimFleet | undefined;

function connectOnce(url: string, token: string, id: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const ws = new WebSocket(url, { headers: { Authorization: `Token ${token}` }, handshakeTimeout: 20_000 });
    ws.once('open', () => {
      const ms = performance.now() - started;
      ws.send(JSON.stringify({ type: 'kiosk.hello', kiosk: id, groups: [], version: 'bench-probe' }));
      ws.once('close', () => resolve(ms));
      setTimeout(() => ws.close(), 20);
    });
    ws.once('error', reject);
  });
}

serveIpc({
  start: async (args: { kiosks: SimKioskOptions[]; perWave: number; waveMs: number }) => {
    fleet = new SimFleet(args.kiosks);
    await fleet.start({ perWave: args.perWave, waveMs: args.waveMs });
    return fleet.kiosks.length;
  },
  waitOpen: async (args: { timeoutMs: number }) => {
    const deadline = performance.now() + args.timeoutMs;
    for (;;) {
      const open = fleet?.open.length ?? 0;
      if (open === fleet?.kiosks.length) return open;
      if (performance.now() > deadline) throw new Error(`${open} of ${fleet?.kiosks.length ?? 0} kiosks connected after ${args.timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  },
  /** The ids of the kiosks whose WebSocket is open now, and how many handshakes they made in all. */
  openIds: () => ({ open: (fleet?.open ?? []).map((k) => k.id), connections: (fleet?.kiosks ?? []).reduce((n, k) => n + k.connections, 0) }),
  behave: (args: { neverIdle?: boolean }) => {
    for (const kiosk of fleet?.kiosks ?? []) kiosk.behave({ neverIdle: args.neverIdle ?? false });
    return true;
  },
  /** Per kiosk that answered command `id`: when its frame arrived and when it answered (epoch ms). */
  answers: (args: { id: string }) =>
    (fleet?.kiosks ?? []).flatMap((k) => {
      const answeredAt = k.answeredAt.get(args.id);
      const receivedAt = k.framesFor(args.id)[0]?.at;
      return answeredAt === undefined || receivedAt === undefined ? [] : [{ id: k.id, receivedAt, answeredAt }];
    }),
  /** `count` connects of a probe kiosk, one at a time, `gapMs` apart; the handshake times in ms. */
  probe: async (args: { url: string; token: string; id: string; count: number; gapMs: number }) => {
    const times: number[] = [];
    for (let i = 0; i < args.count; i++) {
      times.push(await connectOnce(args.url, args.token, args.id));
      await new Promise((resolve) => setTimeout(resolve, args.gapMs));
    }
    return times;
  },
  stop: async () => {
    await fleet?.stop();
    return true;
  },
});
