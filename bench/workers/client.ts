// The measuring client, in a process of its own: it plays the kiosk page (or, for the
// direct path, the kiosk itself) and takes the timings. One connection at a time.
//   connect    opens the socket (and, through the relay, waits until the uplink is open);
//   latency    sequential round trips: bench.ping up, bench.pong down, `count` of them;
//   throughput asks for a flood of `count` frames and times it to the last frame;
//   drain      counts whatever arrives (the page of the footprint measurement).
import WebSocket from 'ws';
import { serveIpc } from '../lib/ipc.ts';
import { sizedMessage } from '../lib/upstream.ts';

interface ConnectArgs {
  url: string;
  headers?: Record<string, string>;
  protocols?: string[];
  origin?: string;
  /** Through the relay: wait for local.hello/local.uplink to say the uplink is open. */
  waitUplink?: boolean;
}

let ws: WebSocket | undefined;
let onFrame: ((data: Buffer) => void) | undefined;
let drained = { frames: 0, bytes: 0 };

async function connect(args: ConnectArgs): Promise<{ protocol: string }> {
  close();
  const socket = new WebSocket(args.url, args.protocols ?? [], {
    perMessageDeflate: false,
    headers: args.headers ?? {},
    ...(args.origin === undefined ? {} : { origin: args.origin }),
    maxPayload: 64 * 1024 * 1024,
  });
  let uplinkOpen = !args.waitUplink;
  let wakeUplink: (() => void) | undefined;
  socket.on('message', (data: Buffer) => {
    if (!uplinkOpen && data.length < 1024) {
      const text = data.toString('utf8');
      if (/"type":"local\.(hello|uplink)"/.test(text) && /"(uplink|state)":"open"/.test(text)) {
        uplinkOpen = true;
        wakeUplink?.();
      }
    }
    drained.frames++;
    drained.bytes += data.length;
    onFrame?.(data);
  });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`handshake refused: HTTP ${res.statusCode}`)));
  });
  if (!uplinkOpen) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the relay did not report its uplink open within 10 s')), 10_000);
      wakeUplink = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  ws = socket;
  return { protocol: socket.protocol };
}

function close(): void {
  ws?.terminate();
  ws = undefined;
  onFrame = undefined;
}

function open(): WebSocket {
  if (ws?.readyState !== WebSocket.OPEN) throw new Error('not connected (or the connection was closed)');
  return ws;
}

async function latency(args: { size: number; count: number; warmup: number }): Promise<{ rttMs: number[] }> {
  const socket = open();
  const rttMs: number[] = [];
  const total = args.warmup + args.count;
  let fail: ((error: Error) => void) | undefined;
  const onClose = (code: number) => fail?.(new Error(`connection closed (${code}) during the latency run`));
  socket.on('close', onClose);
  try {
    for (let seq = 0; seq < total; seq++) {
      const text = sizedMessage('bench.ping', { seq }, args.size);
      const prefix = `{"type":"bench.pong","seq":${seq},`;
      const started = performance.now();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no bench.pong for seq ${seq} within 10 s`)), 10_000);
        fail = (error) => {
          clearTimeout(timer);
          reject(error);
        };
        onFrame = (data) => {
          if (data.length === args.size && data.toString('latin1', 0, prefix.length) === prefix) {
            clearTimeout(timer);
            resolve();
          }
        };
        socket.send(text);
      });
      if (seq >= args.warmup) rttMs.push(performance.now() - started);
    }
  } finally {
    socket.off('close', onClose);
    onFrame = undefined;
  }
  return { rttMs };
}

async function throughput(args: { size: number; count: number }): Promise<{ ms: number; frames: number; bytes: number }> {
  const socket = open();
  let frames = 0;
  let bytes = 0;
  const started = performance.now();
  let ended = started;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`flood of ${args.count} × ${args.size} B incomplete after 120 s (${frames} received)`)), 120_000);
    const onClose = (code: number) => {
      clearTimeout(timer);
      reject(new Error(`connection closed (${code}) after ${frames} of ${args.count} frames`));
    };
    socket.once('close', onClose);
    onFrame = (data) => {
      if (data.length !== args.size || data[9] !== 0x62 || data[15] !== 0x64) return; // {"type":"bench.data"
      frames++;
      bytes += data.length;
      if (frames === args.count) {
        ended = performance.now();
        clearTimeout(timer);
        socket.off('close', onClose);
        resolve();
      }
    };
    socket.send(JSON.stringify({ type: 'bench.flood', n: args.count, size: args.size }));
  });
  onFrame = undefined;
  return { ms: ended - started, frames, bytes };
}

serveIpc({
  connect: (args: ConnectArgs) => connect(args),
  close: () => close(),
  latency: (args: { size: number; count: number; warmup: number }) => latency(args),
  throughput: (args: { size: number; count: number }) => throughput(args),
  drainReset: () => {
    drained = { frames: 0, bytes: 0 };
    return drained;
  },
  drained: () => ({ ...drained, open: ws?.readyState === WebSocket.OPEN }),
});
