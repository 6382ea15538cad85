// What a visitor leaves behind in the page's origin, and how the page wipes it when the
// shell cannot (under `serve`, no shell holds the browser): local and session storage
// (but the launch key), IndexedDB, Cache Storage, the cookies scripts can see, and — by
// asking the local server for a Clear-Site-Data answer — the HTTP cache and the rest.
import { KEY_HEADER } from '../../../protocol/page.ts';
import { SESSION_KEY_NAME } from './key.ts';

export interface WipeEnvironment {
  localStorage: Storage | null;
  sessionStorage: Storage | null;
  indexedDB: Pick<IDBFactory, 'databases' | 'deleteDatabase'> | null;
  caches: Pick<CacheStorage, 'keys' | 'delete'> | null;
  document: Pick<Document, 'cookie'>;
}

/** Wipes the visitor's traces the page can reach itself; the launch key stays. */
export async function wipeVisitorStorage(env: WipeEnvironment): Promise<void> {
  const attempt = async (wipe: () => unknown) => {
    try {
      await wipe();
    } catch {
      // A storage the page cannot reach holds nothing the page put there.
    }
  };
  await attempt(() => env.localStorage?.clear());
  await attempt(() => {
    const storage = env.sessionStorage;
    if (storage === null) return;
    const key = storage.getItem(SESSION_KEY_NAME);
    storage.clear();
    if (key !== null) storage.setItem(SESSION_KEY_NAME, key);
  });
  await attempt(async () => {
    const databases = (await env.indexedDB?.databases()) ?? [];
    for (const { name } of databases) if (name !== undefined) env.indexedDB?.deleteDatabase(name);
  });
  await attempt(async () => {
    for (const name of (await env.caches?.keys()) ?? []) await env.caches?.delete(name);
  });
  await attempt(() => {
    for (const cookie of env.document.cookie.split(';')) {
      const name = cookie.split('=')[0]?.trim();
      if (name) env.document.cookie = `${name}=; max-age=0; path=/`;
    }
  });
}

/** Asks the local server to have the browser clear the origin's caches, cookies and storage. */
export async function clearSiteData(key: string, fetcher: typeof fetch): Promise<void> {
  try {
    await fetcher('/kiosk-shell/clear-site-data', { method: 'POST', headers: { [KEY_HEADER]: key }, cache: 'no-store' });
  } catch {
    // The server is gone: the reload that follows finds out.
  }
}
