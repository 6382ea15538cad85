// Commands, in Chromium. The whole kiosk as the end-to-end tests run it (the Chromium
// shell headless at 1920x1080) on the bench upstream. For `home` (the page on the Events
// screen each time, so going home is real work) and `screenshot` (maxWidth 1920, the
// default 256 KiB limit): command published → terminal ack back at the upstream, and the
// kiosk's own `ms` (received → done). Baselines, in the same run: for home, a click on the
// page's own Home control; for the screenshot, Playwright's own page.screenshot() of the
// same page as JPEG.
import jpeg from 'jpeg-js';
import { startE2eKiosk, type E2eKiosk } from '../../test/support/e2e.ts';
import { newToken } from '../lib/kiosk.ts';
import { epochMs, sleep } from '../lib/proc.ts';
import { ratioOf, type BenchContext, type Figure, type Suite } from '../lib/report.ts';
import { percentile } from '../lib/stats.ts';
import { BenchUpstream } from '../lib/upstream.ts';

interface Ack {
  at: number;
  ms: number;
  status: string;
}

export const commandsSuite: Suite = {
  name: 'commands',
  title: 'Commands',
  async run(ctx: BenchContext) {
    const rounds = ctx.quick ? 5 : 40;
    const warmup = 2;
    const token = newToken('bench');
    // A screenshot frame is larger than the relay's 64 KiB default for incoming frames.
    const upstream = new BenchUpstream({ wsToken: token, apiToken: token, maxPayload: 1024 * 1024 });
    await upstream.start();
    let kiosk: E2eKiosk | undefined;
    try {
      kiosk = await startE2eKiosk({
        upstream: { wsUrl: upstream.wsUrl, apiUrl: upstream.apiUrl, token },
        overrides: { kioskId: 'bench-commands-1', screenshot: { privacySeconds: 0 } },
      });
      const page = kiosk.page();
      await page.waitForSelector('#root[data-screen="home"] [data-testid="event"]', { timeout: 30_000 });
      await upstream.waitFor(() => upstream.stats().hellos >= 1, 15_000, 'the kiosk\'s hello');
      const acks = new Map<string, Ack>();
      // Decoded after the runs: decoding here would delay the ack behind it and the timing.
      const shots = new Map<string, { data: string; width: number; height: number }>();
      upstream.onText = (text) => {
        if (text.includes('"kiosk.screenshot"')) {
          const frame = JSON.parse(text) as { id: string; data: string; width: number; height: number };
          shots.set(frame.id, { data: frame.data, width: frame.width, height: frame.height });
          return;
        }
        if (!text.includes('"kiosk.ack"')) return;
        const ack = JSON.parse(text) as { id: string; ms: number; status: string };
        if (ack.status !== 'accepted') acks.set(ack.id, { at: epochMs(), ms: ack.ms, status: ack.status });
      };
      const command = async (id: string, name: string, args: Record<string, unknown> = {}) => {
        const publishedAt = epochMs();
        upstream.broadcast(JSON.stringify({ type: 'kiosk.command', id, command: name, target: { kiosks: ['bench-commands-1'] }, args }));
        await upstream.waitFor(() => acks.has(id), 20_000, `the ack of ${id}`);
        const ack = acks.get(id);
        if (ack?.status !== 'done') throw new Error(`${name} ${id} answered ${ack?.status ?? 'nothing'}`);
        return { toAck: ack.at - publishedAt, ms: ack.ms };
      };
      const toEvents = async () => {
        await kiosk!.page().getByRole('button', { name: /Events/ }).first().click();
        await kiosk!.page().waitForSelector('#root[data-screen="events"]');
      };

      const home: { toAck: number; ms: number }[] = [];
      const homeByHand: number[] = [];
      const screenshot: { toAck: number; ms: number }[] = [];
      const direct: number[] = [];
      const directBytes: number[] = [];
      for (let i = 0; i < rounds + warmup; i++) {
        const counted = i >= warmup;
        await toEvents();
        const h = await command(`bench-home-${i}`, 'home');
        await kiosk.page().waitForSelector('#root[data-screen="home"]');
        if (counted) home.push(h);
        await toEvents();
        const started = epochMs();
        await kiosk.page().getByRole('navigation').getByRole('button', { name: 'Home', exact: true }).click();
        await kiosk.page().waitForSelector('#root[data-screen="home"]');
        if (counted) homeByHand.push(epochMs() - started);

        const s = await command(`bench-shot-${i}`, 'screenshot', { maxWidth: 1920 });
        if (counted) screenshot.push(s);
        const shotStarted = epochMs();
        const image = await kiosk.page().screenshot({ type: 'jpeg', quality: 80 });
        if (counted) {
          direct.push(epochMs() - shotStarted);
          directBytes.push(Math.ceil(image.length / 3) * 4);
        }
        await sleep(50);
      }
      const sizes = [...shots.values()].slice(warmup);
      const bytes = sizes.map((s) => s.data.length);
      const decodedOk =
        sizes.length > 0 &&
        sizes.every((s) => {
          const image = jpeg.decode(Buffer.from(s.data, 'base64'), { useTArray: true });
          return image.width === s.width && image.height === s.height;
        });
      const p = (values: number[], q: number) => percentile(values, q);
      const figures: Figure[] = [];
      const homeP99 = p(home.map((h) => h.toAck), 99);
      const homeRatio = ratioOf(homeP99, p(homeByHand, 99));
      figures.push({
        id: 'commands.home.p99',
        label: `Command \`home\`: published → done ack at the upstream, p99 (${home.length})`,
        value: homeP99,
        unit: 'ms',
        extra: `p50 ${p(home.map((h) => h.toAck), 50).toFixed(0)} ms; kiosk.ack ms p99 ${p(home.map((h) => h.ms), 99)}`,
        baselines: [{ label: 'the page\'s own Home control clicked → home screen, p99', value: p(homeByHand, 99), unit: 'ms' }],
        ...(homeRatio === undefined ? {} : { ratio: homeRatio }),
        target: { text: '< 1 s', met: homeP99 < 1000 },
      });
      const shotP99 = p(screenshot.map((s) => s.toAck), 99);
      const shotRatio = ratioOf(p(screenshot.map((s) => s.ms), 50), p(direct, 50));
      figures.push({
        id: 'commands.screenshot.p99',
        label: `Command \`screenshot\` at 1920x1080: published → done ack at the upstream, p99 (${screenshot.length})`,
        value: shotP99,
        unit: 'ms',
        extra: `p50 ${p(screenshot.map((s) => s.toAck), 50).toFixed(0)} ms; capture and encode (kiosk.ack ms) p50 ${p(screenshot.map((s) => s.ms), 50)} ms`,
        baselines: [{ label: 'page.screenshot() as JPEG, p50', value: p(direct, 50), unit: 'ms' }],
        ...(shotRatio === undefined ? {} : { ratio: shotRatio }),
        target: { text: '< 2 s', met: shotP99 < 2000 },
      });
      figures.push({
        id: 'commands.screenshot.bytes',
        label: 'Screenshot `data` at 1920x1080 (base64 characters), median',
        value: p(bytes, 50),
        unit: 'bytes',
        extra: `largest ${Math.max(...bytes)}; ${sizes[0]?.width ?? 0}x${sizes[0]?.height ?? 0}; every one decodes to its stated size: ${decodedOk ? 'yes' : 'no'}`,
        baselines: [{ label: 'page.screenshot() JPEG q80, base64', value: p(directBytes, 50), unit: 'bytes' }],
        target: { text: '≤ screenshot.maxBytes (262,144)', met: bytes.length > 0 && Math.max(...bytes) <= 262_144 && decodedOk },
      });
      return { figures, details: { home, homeByHand, screenshot, direct, bytes, directBytes, warmup, screen: sizes[0] === undefined ? null : `${sizes[0].width}x${sizes[0].height}` }, notes: [`${warmup} uncounted warm-up rounds; each round: to Events, home by command, to Events, home by hand, a screenshot by command, one by page.screenshot()`] };
    } finally {
      await kiosk?.close();
      await upstream.stop();
    }
  },
};
