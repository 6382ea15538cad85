import { describe, expect, it } from 'vitest';
import { ContentError } from '../../renderer/src/lib/api.ts';
import type { Content } from '../../renderer/src/lib/content.ts';
import { ContentLoader, REFRESH_INTERVAL_MS } from '../../renderer/src/lib/content-loader.ts';
import { FakeTimers, flushPromises } from './fake-timers.ts';

const CONTENT: Content = { events: [], offices: [] };
const apiDown = () => new ContentError({ reason: 'api', detail: 'upstream-timeout' });

function setup(results: (() => Promise<Content>)[]) {
  const timers = new FakeTimers();
  let calls = 0;
  const loader = new ContentLoader({
    timers,
    random: () => 0.5,
    load: () => {
      const next = results[Math.min(calls, results.length - 1)];
      calls++;
      if (next === undefined) throw new Error('no result scripted');
      return next();
    },
  });
  return { timers, loader, calls: () => calls };
}

describe('ContentLoader', () => {
  it('loads on start, then refreshes every five minutes', async () => {
    const { timers, loader, calls } = setup([() => Promise.resolve(CONTENT)]);
    loader.start();
    expect(loader.getSnapshot().loading).toBe(true);
    await flushPromises();
    expect(loader.getSnapshot()).toMatchObject({ content: CONTENT, failure: null, loading: false, loadedAt: timers.now() });
    expect(timers.nextDelay()).toBe(REFRESH_INTERVAL_MS);
    timers.advance(REFRESH_INTERVAL_MS);
    await flushPromises();
    expect(calls()).toBe(2);
    loader.stop();
  });

  it('after a failure keeps the last content and retries with growing, capped backoff', async () => {
    const { timers, loader } = setup([() => Promise.resolve(CONTENT), () => Promise.reject(apiDown())]);
    loader.start();
    await flushPromises();
    timers.advance(REFRESH_INTERVAL_MS);
    await flushPromises();
    const snapshot = loader.getSnapshot();
    expect(snapshot.content).toBe(CONTENT);
    expect(snapshot.failure?.reason).toBe('api');
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      const delay = timers.nextDelay() ?? -1;
      delays.push(delay);
      timers.advance(delay);
      await flushPromises();
    }
    expect(delays[0]).toBe(500); // 0.5 × 1 s
    expect(delays[1]).toBe(1_000);
    expect(delays[2]).toBe(2_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(15_000);
    expect(loader.getSnapshot().failures).toBe(9);
    loader.stop();
  });

  it('recovers as soon as the API answers again', async () => {
    const { timers, loader } = setup([() => Promise.reject(new TypeError('Failed to fetch')), () => Promise.resolve(CONTENT)]);
    loader.start();
    await flushPromises();
    expect(loader.getSnapshot()).toMatchObject({ content: null, failure: { reason: 'network' } });
    expect(loader.getSnapshot().nextAttemptAt).toBe(timers.now() + 500);
    timers.advance(500);
    await flushPromises();
    expect(loader.getSnapshot()).toMatchObject({ content: CONTENT, failure: null, failures: 0 });
    loader.stop();
  });

  it('a refresh asked for during a request runs again right after it', async () => {
    let release: (content: Content) => void = () => undefined;
    const { loader, calls } = setup([() => new Promise<Content>((resolve) => (release = resolve)), () => Promise.resolve(CONTENT)]);
    loader.start();
    loader.refresh();
    loader.refresh();
    expect(calls()).toBe(1);
    release(CONTENT);
    await flushPromises();
    expect(calls()).toBe(2);
    loader.stop();
  });

  it('refreshIfStale only refreshes old or failed content', async () => {
    const { timers, loader, calls } = setup([() => Promise.resolve(CONTENT)]);
    loader.start();
    await flushPromises();
    loader.refreshIfStale(30_000);
    expect(calls()).toBe(1);
    timers.advance(31_000);
    loader.refreshIfStale(30_000);
    await flushPromises();
    expect(calls()).toBe(2);
    loader.stop();
  });

  it('stop() cancels timers and ignores a request that finishes afterwards', async () => {
    let release: (content: Content) => void = () => undefined;
    const { timers, loader } = setup([() => new Promise<Content>((resolve) => (release = resolve))]);
    const seen: number[] = [];
    loader.subscribe(() => seen.push(1));
    loader.start();
    loader.stop();
    const count = seen.length;
    release(CONTENT);
    await flushPromises();
    expect(loader.getSnapshot().content).toBeNull();
    expect(seen.length).toBe(count);
    expect(timers.size).toBe(0);
  });
});
