// Found by the bench's fuzz suite (bench/suites/fuzz.ts, "page floods allowed frames while
// the upstream reads nothing"): the relay holds everything a page sends toward an upstream
// that stopped reading. Relay#fromPage forwards each allowed frame with Uplink.send, and
// Uplink.send calls socket.send without looking at bufferedAmount, so the uplink's send
// queue grows without bound (the bench saw `kiosk-shell serve` grow by about 60 MiB/s) until
// the heartbeat cuts the uplink, 60 s later with the default settings. Toward the page the
// same situation is bounded (RendererHub.send closes a page relay.maxBufferedBytes behind).
//
// Deterministic input: 2,000 frames of one allowed type, 60 KB each (about 115 MiB), sent as
// fast as the page's own socket drains, against an upstream whose socket is paused.
// Fixed: Uplink.send drops (and the relay counts, as uplink-backlog) what would queue past
// relay.maxBufferedBytes for an upstream that stopped reading.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { openPageSocket, waitOpen } from '../support/clients.ts';
import { startTestKiosk, type TestKiosk } from '../support/kiosk.ts';

const FRAMES = 2000;
const FRAME = JSON.stringify({ type: 'ui.note', pad: 'x'.repeat(60_000) });
/** What the relay may hold for the uplink: relay.maxBufferedBytes (1 MiB) and generous slack. */
const BOUND = 32 * 2 ** 20;

let kiosk: TestKiosk;

beforeAll(async () => {
  // A long heartbeat: the uplink must not be cut while the page floods (the default is 30 s).
  kiosk = await startTestKiosk({ relay: { allowUp: ['ui.note'] }, upstream: { ws: { heartbeatSeconds: 30 } } });
  await kiosk.upstreamWs.waitFor(() => kiosk.upstreamWs.clients.size === 1, 10_000, 'uplink');
});
afterAll(() => kiosk.close());

async function flood(page: WebSocket): Promise<void> {
  for (let sent = 0; sent < FRAMES && page.readyState === page.OPEN; sent++) {
    while (page.bufferedAmount > 4 * 2 ** 20) await new Promise((resolve) => setTimeout(resolve, 2));
    page.send(FRAME);
    if (sent % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  // Let the relay take in what the page's socket still holds.
  while (page.readyState === page.OPEN && page.bufferedAmount > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 200));
}

it('a page flooding an upstream that reads nothing does not make the relay hold more than a bounded amount', async () => {
  kiosk.upstreamWs.pauseAll();
  const page = openPageSocket(kiosk.server);
  page.on('error', () => undefined);
  await waitOpen(page);
  const before = process.memoryUsage().arrayBuffers;
  await flood(page);
  const held = process.memoryUsage().arrayBuffers - before;
  page.terminate();
  expect(held).toBeLessThan(BOUND);
  expect(kiosk.server.status().relay.up.dropped['uplink-backlog']).toBeGreaterThan(0);
}, 60_000);
