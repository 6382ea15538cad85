import { describe, expect, it, vi } from 'vitest';
// The page SDK's launch key: from the bridge or the fragment, scrubbed at once, kept in memory only.
import { isUsableKey, keyParamOf, resolveKey, takeFragmentKey } from '../../sdk/key.ts';

const KEY = 'Qk3nV8x2_pL-7sT0aZyW4uE9rB1cD5fG6hJ8kM2nP4q';

function environment(hash: string) {
  const location = { hash, pathname: '/', search: '' };
  const replaceState = vi.fn((_state: unknown, _unused: string, url?: string | URL | null) => {
    location.hash = '';
    void url;
  });
  return {
    location,
    history: { state: null, replaceState },
    replaceState,
  };
}

describe('keyParamOf', () => {
  it('reads #key=… alone or among other parameters', () => {
    expect(keyParamOf(`#key=${KEY}`)).toEqual({ present: true, key: KEY });
    expect(keyParamOf(`#a=1&key=${KEY}&b=2`)).toEqual({ present: true, key: KEY });
    expect(keyParamOf('#key=abc%2Ddef')).toEqual({ present: true, key: 'abc-def' });
  });

  it('says when there is no key, and refuses keys that cannot be a subprotocol token', () => {
    expect(keyParamOf('')).toEqual({ present: false, key: null });
    expect(keyParamOf('#other=1')).toEqual({ present: false, key: null });
    expect(keyParamOf('#key=')).toEqual({ present: true, key: null });
    expect(keyParamOf('#key=a%20b')).toEqual({ present: true, key: null });
    expect(keyParamOf('#key=%E0%A4%A')).toEqual({ present: true, key: null });
    expect(keyParamOf(`#key=${'x'.repeat(513)}`)).toEqual({ present: true, key: null });
  });

  it('isUsableKey accepts base64url keys and rejects non-strings', () => {
    expect(isUsableKey(KEY)).toBe(true);
    expect(isUsableKey(undefined)).toBe(false);
    expect(isUsableKey('has space')).toBe(false);
    expect(isUsableKey('comma,separated')).toBe(false);
  });
});

describe('takeFragmentKey', () => {
  it('takes the key and scrubs the whole fragment from the address bar', () => {
    const env = environment(`#key=${KEY}&screen=events`);
    env.location.pathname = '/index.html';
    env.location.search = '?lang=en';
    expect(takeFragmentKey(env)).toBe(KEY);
    expect(env.replaceState).toHaveBeenCalledTimes(1);
    const url = env.replaceState.mock.calls[0]?.[2];
    expect(url).toBe('/index.html?lang=en');
    expect(String(url)).not.toContain(KEY);
  });

  it('returns null with no key, without touching the URL, and scrubs even an unusable key', () => {
    const none = environment('');
    expect(takeFragmentKey(none)).toBeNull();
    expect(none.replaceState).not.toHaveBeenCalled();
    const env = environment('#key=bad%20key');
    expect(takeFragmentKey(env)).toBeNull();
    expect(env.replaceState).toHaveBeenCalledTimes(1);
  });

  it('leaves nothing of the key in storage (it lives in the SDK\'s memory only)', async () => {
    const source = await import('node:fs').then((fs) => fs.readFileSync(new URL('../../sdk/key.ts', import.meta.url), 'utf8'));
    expect(source).not.toMatch(/sessionStorage|localStorage|document\.cookie/);
  });
});

describe('resolveKey', () => {
  it('uses the fragment key when there is no bridge', async () => {
    expect(await resolveKey(undefined, KEY)).toBe(KEY);
    expect(await resolveKey(undefined, null)).toBeNull();
  });

  it('prefers the Electron bridge', async () => {
    expect(await resolveKey({ getKey: () => Promise.resolve('bridge-key') }, KEY)).toBe('bridge-key');
  });

  it('falls back when the bridge fails, answers nonsense, or never answers', async () => {
    expect(await resolveKey({ getKey: () => Promise.reject(new Error('no handler')) }, KEY)).toBe(KEY);
    expect(await resolveKey({ getKey: () => Promise.resolve(42 as unknown as string) }, null)).toBeNull();
    expect(await resolveKey({ getKey: () => new Promise<string>(() => undefined) }, KEY, 20)).toBe(KEY);
  });
});
