// A simulated kiosk page: what a page load does to the local server, without a browser.
// GET / and its API calls (keep-alive, like a browser), then /ws with the key, waits for
// the shell's hello, says it shows content, and goes away (closing or just vanishing).
import WebSocket from 'ws';

export interface PageTarget {
  port: number;
  key: string;
  origin: string;
}

export async function simulatePageLoad(target: PageTarget, options: { vanish?: boolean; api?: boolean } = {}): Promise<void> {
  const base = `http://127.0.0.1:${target.port}`;
  const index = await fetch(`${base}/`);
  await index.arrayBuffer();
  if (!index.ok) throw new Error(`GET / answered ${index.status}`);
  if (options.api ?? true) {
    for (const path of ['/api/events/', '/api/offices/']) {
      const response = await fetch(`${base}${path}`, { headers: { 'x-kiosk-key': target.key } });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
    }
  }
  const ws = new WebSocket(`ws://127.0.0.1:${target.port}/ws`, ['kiosk.v1', `kiosk-key.${target.key}`], { origin: target.origin, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no local.hello within 5 s')), 5000);
    ws.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    ws.on('message', (data: Buffer) => {
      if (data.toString('utf8').includes('"type":"local.hello"')) {
        clearTimeout(timer);
        ws.send(JSON.stringify({ type: 'local.shown', home: true }));
        resolve();
      }
    });
  });
  if (options.vanish) {
    ws.terminate();
    return;
  }
  await new Promise<void>((resolve) => {
    ws.once('close', () => resolve());
    ws.close(1001, 'page unloading');
  });
}
