// The V8 inspector of a child started with --inspect=127.0.0.1:0: the bench forces a full
// garbage collection before it reads memory, so that "RSS at the end against the start"
// compares what is retained, not when the collector last ran.
import WebSocket from 'ws';
import { sleep, type Watched } from './proc.ts';

export interface Inspector {
  /** Full GC, then what is live: the JS heap in use and the memory held outside it (Buffers), in MiB. */
  collect(): Promise<{ usedMiB: number; totalMiB: number; externalMiB: number }>;
  close(): void;
}

export async function attachInspector(proc: Watched, timeoutMs = 10_000): Promise<Inspector> {
  const deadline = performance.now() + timeoutMs;
  let url: string | undefined;
  while (url === undefined) {
    url = /Debugger listening on (ws:\/\/\S+)/.exec(proc.stderrTail())?.[1];
    if (url !== undefined) break;
    if (performance.now() > deadline) throw new Error('the child did not print its inspector address');
    await sleep(50);
  }
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, (result: Record<string, unknown>) => void>();
  ws.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString('utf8')) as { id?: number; result?: Record<string, unknown> };
    if (message.id !== undefined) pending.get(message.id)?.(message.result ?? {});
  });
  const send = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => reject(new Error(`inspector: ${method} timed out`)), 30_000);
      pending.set(id, (result) => {
        clearTimeout(timer);
        pending.delete(id);
        resolve(result);
      });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    async collect() {
      await send('HeapProfiler.collectGarbage');
      const usage = await send('Runtime.getHeapUsage');
      // process.memoryUsage() in the child: `external` counts Buffers' backing stores.
      const evaluated = await send('Runtime.evaluate', { expression: 'process.memoryUsage().external', returnByValue: true });
      const external = Number((evaluated.result as { value?: unknown } | undefined)?.value ?? Number.NaN);
      return { usedMiB: Number(usage.usedSize) / 2 ** 20, totalMiB: Number(usage.totalSize) / 2 ** 20, externalMiB: external / 2 ** 20 };
    },
    close: () => ws.terminate(),
  };
}
