import { describe, expect, it } from 'vitest';
import type { Language } from '../../renderer/src/i18n/languages.ts';
import { classifyHttpFailure, classifyThrown, ContentError, createContentFetcher, type FetchLike, parseEventsBody, worstFailure } from '../../renderer/src/lib/api.ts';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('classifyHttpFailure', () => {
  it('tells the local server refusing the key from the upstream refusing the kiosk', () => {
    const local = classifyHttpFailure(401, { error: 'unauthorized', reason: 'key-wrong' });
    expect(local.reason).toBe('auth');
    expect(local.detail).toMatch(/launch key/);
    expect(classifyHttpFailure(403, { error: 'forbidden', reason: 'origin' }).detail).toMatch(/launch key/);
    const upstream = classifyHttpFailure(401, { detail: 'Authentication credentials were not provided.' });
    expect(upstream.reason).toBe('auth');
    expect(upstream.detail).toMatch(/did not authorise this kiosk/);
    expect(classifyHttpFailure(403, null).detail).toMatch(/did not authorise/);
  });

  it('maps the relay errors and other failures to api', () => {
    expect(classifyHttpFailure(502, { error: 'upstream-unreachable', code: 'ECONNREFUSED' })).toEqual({
      reason: 'api',
      detail: 'upstream-unreachable (HTTP 502, ECONNREFUSED).',
    });
    expect(classifyHttpFailure(504, { error: 'upstream-timeout', code: 'ETIMEDOUT' }).detail).toContain('upstream-timeout');
    expect(classifyHttpFailure(502, { error: 'upstream-failed', code: 'EENCODING' }).reason).toBe('api');
    expect(classifyHttpFailure(500, { error: 'internal' }).reason).toBe('api');
    expect(classifyHttpFailure(404, null).detail).toContain('404');
  });

  it('never echoes anything but a short code from the body', () => {
    const failure = classifyHttpFailure(502, { error: 'upstream-failed', code: 'Token abc <script>' });
    expect(failure.detail).not.toContain('Token');
    expect(failure.detail).not.toContain('<');
  });
});

describe('classifyThrown', () => {
  it('a TypeError is the local service unreachable', () => {
    expect(classifyThrown(new TypeError('Failed to fetch')).reason).toBe('network');
  });
  it('a client-side timeout is the local service not answering', () => {
    expect(classifyThrown(new DOMException('timed out', 'TimeoutError')).reason).toBe('network');
  });
  it('keeps a ContentError as it is, and anything else is an api failure', () => {
    expect(classifyThrown(new ContentError({ reason: 'auth', detail: 'x' }))).toEqual({ reason: 'auth', detail: 'x' });
    expect(classifyThrown(new SyntaxError('bad json')).reason).toBe('api');
  });
  it('worstFailure ranks network over auth over api', () => {
    const api = { reason: 'api', detail: '' } as const;
    const auth = { reason: 'auth', detail: '' } as const;
    const network = { reason: 'network', detail: '' } as const;
    expect(worstFailure([api, auth])).toBe(auth);
    expect(worstFailure([api, network, auth])).toBe(network);
    expect(worstFailure([])).toBeNull();
  });
});

const fetchIn = (language: Language, fetchImpl: FetchLike) => createContentFetcher(fetchImpl)(language);

describe('createContentFetcher', () => {
  const events = [{ id: 1, title: 'Council', starts_at: '2025-11-28T14:00:00Z', ends_at: null, location: 'Room 250', description: '' }];
  const offices = [{ id: 1, name: 'Clerk', floor: '1', room: '168', hours: '9-5', phone: '555', description: '' }];

  it('asks both endpoints below /api, with no cache, and parses the lists', async () => {
    const calls: [string, RequestInit][] = [];
    const fetchImpl: FetchLike = (input, init) => {
      calls.push([input, init]);
      return Promise.resolve(json(200, input.startsWith('/events/') ? events : offices));
    };
    const { content, staleSince, announcements } = await fetchIn('en', fetchImpl);
    expect(content.events).toHaveLength(1);
    expect(content.offices[0]?.name).toBe('Clerk');
    expect(staleSince).toBeNull();
    expect(announcements).toBeNull();
    expect(calls.map(([url]) => url).sort()).toEqual(['/events/?lang=en', '/offices/?lang=en']);
    for (const [, init] of calls) expect(init.cache).toBe('no-store');
  });

  it('fails as network when the local server is gone', async () => {
    const error = await fetchIn('en', () => Promise.reject(new TypeError('Failed to fetch'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContentError);
    expect((error as ContentError).failure.reason).toBe('network');
  });

  it('fails as auth when the key is refused, even if the other list failed for another reason', async () => {
    const fetchImpl: FetchLike = (input) =>
      Promise.resolve(input.startsWith('/events/') ? json(401, { error: 'unauthorized' }) : json(502, { error: 'upstream-failed', code: 'X' }));
    await expect(fetchIn('en', fetchImpl)).rejects.toMatchObject({ failure: { reason: 'auth' } });
  });

  it('fails as api on a gateway error, non-JSON, or a body that is not a list', async () => {
    await expect(fetchIn('en', () => Promise.resolve(json(504, { error: 'upstream-timeout', code: 'ETIMEDOUT' })))).rejects.toMatchObject({
      failure: { reason: 'api' },
    });
    await expect(fetchIn('en', () => Promise.resolve(new Response('<html>', { status: 200 })))).rejects.toMatchObject({ failure: { reason: 'api' } });
    await expect(fetchIn('en', () => Promise.resolve(json(200, { items: [] })))).rejects.toMatchObject({ failure: { reason: 'api' } });
  });
});

describe('content in a language, and the relay\'s kept copy', () => {
  const events = [{ id: 1, title: 'Matrimonio civil', starts_at: '2025-11-28T14:00:00Z' }];
  const offices = [{ id: 1, name: 'Secretario del Condado' }];

  it('asks for the language with ?lang= (encoded)', async () => {
    const urls: string[] = [];
    await fetchIn('zh-Hant', (input) => {
      urls.push(input);
      return Promise.resolve(json(200, input.startsWith('/events/') ? events : offices));
    });
    expect(urls.sort()).toEqual(['/events/?lang=zh-Hant', '/offices/?lang=zh-Hant']);
  });

  it('marks the answer stale with the oldest x-kiosk-stale-since of its parts', async () => {
    const result = await fetchIn('es', (input) =>
      Promise.resolve(
        input.startsWith('/events/')
          ? json(200, events, { 'x-kiosk-stale-since': '2025-11-28T10:00:00Z' })
          : json(200, offices, { 'x-kiosk-stale-since': '2025-11-28T09:30:00Z' }),
      ),
    );
    expect(result.staleSince).toBe(Date.parse('2025-11-28T09:30:00Z'));
    expect(result.content.offices[0]?.name).toBe('Secretario del Condado');
  });

  it('reads announcements sent along with the events, and a DRF-style envelope', async () => {
    const announcement = { id: 'a-1', level: 'urgent', text: { en: 'Fire drill', es: 'Simulacro' }, startsAt: null, endsAt: '2099-01-01T00:00:00Z' };
    const result = await fetchIn('es', (input) => Promise.resolve(json(200, input.startsWith('/events/') ? { events, announcements: [announcement, { id: 'bad' }] } : offices)));
    expect(result.content.events).toHaveLength(1);
    expect(result.announcements).toEqual([{ id: 'a-1', level: 'urgent', text: { en: 'Fire drill', es: 'Simulacro' }, startsAt: null, endsAt: Date.parse('2099-01-01T00:00:00Z') }]);
    expect(parseEventsBody({ results: events })?.events).toHaveLength(1);
    expect(parseEventsBody({ events: 'nope' })).toBeNull();
  });
});
