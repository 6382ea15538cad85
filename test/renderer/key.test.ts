import { describe, expect, it, vi } from 'vitest';
import { isUsableKey, keyParamOf, resolveKey, SESSION_KEY_NAME, takeFragmentKey } from '../../renderer/src/lib/key.ts';

const KEY = 'Qk3nV8x2_pL-7sT0aZyW4uE9rB1cD5fG6hJ8kM2nP4q';

function environment(hash: string, stored: Record<string, string> = {}) {
  const store = new Map(Object.entries(stored));
  const location = { hash, pathname: '/', search: '' };
  const replaceState = vi.fn((_state: unknown, _unused: string, url?: string | URL | null) => {
    location.hash = '';
    void url;
  });
  return {
    location,
    history: { state: null, replaceState },
    storage: { getItem: (name: string) => store.get(name) ?? null, setItem: (name: string, value: string) => void store.set(name, value) },
    store,
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
  it('takes the key, scrubs the whole fragment from the address bar, and keeps the key for reloads', () => {
    const env = environment(`#key=${KEY}&screen=events`);
    env.location.pathname = '/index.html';
    env.location.search = '?lang=en';
    expect(takeFragmentKey(env)).toBe(KEY);
    expect(env.replaceState).toHaveBeenCalledTimes(1);
    const url = env.replaceState.mock.calls[0]?.[2];
    expect(url).toBe('/index.html?lang=en');
    expect(String(url)).not.toContain(KEY);
    expect(env.store.get(SESSION_KEY_NAME)).toBe(KEY);
  });

  it('falls back to sessionStorage after a reload lost the fragment, without touching the URL', () => {
    const env = environment('', { [SESSION_KEY_NAME]: KEY });
    expect(takeFragmentKey(env)).toBe(KEY);
    expect(env.replaceState).not.toHaveBeenCalled();
  });

  it('prefers a new fragment key over a stored one (a new launch)', () => {
    const env = environment('#key=newer-key', { [SESSION_KEY_NAME]: KEY });
    expect(takeFragmentKey(env)).toBe('newer-key');
    expect(env.store.get(SESSION_KEY_NAME)).toBe('newer-key');
  });

  it('returns null with no key anywhere, and scrubs even an unusable key', () => {
    expect(takeFragmentKey(environment(''))).toBeNull();
    const env = environment('#key=bad%20key');
    expect(takeFragmentKey(env)).toBeNull();
    expect(env.replaceState).toHaveBeenCalledTimes(1);
  });

  it('survives storage that throws', () => {
    const env = environment(`#key=${KEY}`);
    const broken = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(takeFragmentKey({ ...env, storage: broken })).toBe(KEY);
    expect(takeFragmentKey({ ...environment(''), storage: broken })).toBeNull();
    expect(takeFragmentKey({ ...environment(''), storage: null })).toBeNull();
  });
});

describe('resolveKey', () => {
  it('uses the fragment/stored key when there is no bridge', async () => {
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
