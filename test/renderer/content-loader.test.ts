import { describe, expect, it } from 'vitest';
import { ContentError, type FetchedContent } from '../../renderer/src/lib/api.ts';
import type { Content, Office } from '../../renderer/src/lib/content.ts';
import { ContentLoader, REFRESH_INTERVAL_MS } from '../../renderer/src/lib/content-loader.ts';
import type { Language } from '../../renderer/src/i18n/languages.ts';
import { FakeTimers, flushPromises } from '../sdk/fake-timers.ts';

const CONTENT: Content = { events: [], offices: [] };
const fresh = (content: Content): FetchedContent => ({ content, announcements: null, staleSince: null });
const apiDown = () => new ContentError({ reason: 'api', detail: 'upstream-timeout' });

/** One language only: the behaviour of a single content cycle. */
function setup(results: (() => Promise<Content>)[]) {
  const timers = new FakeTimers();
  let calls = 0;
  const loader = new ContentLoader({
    timers,
    languages: ['en'],
    random: () => 0.5,
    load: () => {
      const next = results[Math.min(calls, results.length - 1)];
      calls++;
      if (next === undefined) throw new Error('no result scripted');
      return next().then(fresh);
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

const office = (id: string, name: string): Office => ({
  id, name, floor: '1', room: '168', hours: '', openingHours: null, phone: '', description: '', services: [], keywords: [], url: null, informationDesk: false, floorPlan: null,
});
const IN: Record<string, Content> = {
  en: { events: [], offices: [office('1', 'County Clerk')] },
  es: { events: [], offices: [office('1', 'Secretario del Condado')] },
  'zh-Hant': { events: [], offices: [office('1', '縣書記官')] },
};

describe('ContentLoader in several languages', () => {
  function multi(answer: (language: Language) => Promise<FetchedContent>) {
    const timers = new FakeTimers();
    const asked: Language[] = [];
    const announced: unknown[] = [];
    const loader = new ContentLoader({
      timers,
      languages: ['en', 'es', 'zh-Hant'],
      random: () => 0.5,
      onAnnouncements: (items) => announced.push(items),
      load: (language) => {
        asked.push(language);
        return answer(language);
      },
    });
    return { timers, loader, asked, announced };
  }

  it('loads the visitor\'s language first, then the others, so a switch shows its content at once', async () => {
    const { loader, asked } = multi((language) => Promise.resolve(fresh(IN[language] ?? IN.en!)));
    loader.start();
    await flushPromises();
    expect(asked).toEqual(['en', 'es', 'zh-Hant']);
    loader.setLanguage('es');
    expect(loader.getSnapshot()).toMatchObject({ language: 'es', contentLanguage: 'es' });
    expect(loader.getSnapshot().content?.offices[0]?.name).toBe('Secretario del Condado');
    // Held and current: no new request for it.
    expect(asked).toHaveLength(3);
    loader.stop();
  });

  it('shows English while the chosen language has never loaded, and fetches it now', async () => {
    const { loader, asked } = multi((language) => (language === 'en' ? Promise.resolve(fresh(IN.en!)) : Promise.reject(new ContentError({ reason: 'api', detail: 'down' }))));
    loader.start();
    await flushPromises();
    loader.setLanguage('zh-Hant');
    expect(loader.getSnapshot()).toMatchObject({ language: 'zh-Hant', contentLanguage: 'en' });
    await flushPromises();
    expect(asked.filter((language) => language === 'zh-Hant').length).toBeGreaterThanOrEqual(1);
    expect(loader.getSnapshot().content?.offices[0]?.name).toBe('County Clerk');
    loader.stop();
  });

  it('takes the relay\'s kept copy as content that is not current, and retries soon', async () => {
    const keptAt = Date.parse('2025-11-28T09:00:00Z');
    const { timers, loader } = multi(() => Promise.resolve({ content: IN.en!, announcements: null, staleSince: keptAt }));
    loader.start();
    await flushPromises();
    expect(loader.getSnapshot()).toMatchObject({ staleSince: keptAt, failure: null, failures: 1 });
    expect(loader.getSnapshot().content).toBe(IN.en);
    expect(timers.nextDelay()).toBeLessThan(REFRESH_INTERVAL_MS);
    loader.stop();
  });

  it('hands on announcements from an answer for the language on screen', async () => {
    const items = [{ id: 'a', level: 'info' as const, text: { en: 'Hi' }, startsAt: null, endsAt: null }];
    const { loader, announced } = multi((language) => Promise.resolve({ content: IN[language] ?? IN.en!, announcements: items, staleSince: null }));
    loader.start();
    await flushPromises();
    expect(announced).toEqual([items]);
    loader.stop();
  });
});
