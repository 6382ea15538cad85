// What a visitor leaves behind in the page's origin, and how the page wipes it when the
// shell cannot (under `serve`, no shell holds the browser): local and session storage,
// IndexedDB, Cache Storage, the cookies scripts can see, and — by asking the local server
// for a Clear-Site-Data answer — the HTTP cache and the rest. (The launch key is in the
// SDK's memory only, so nothing of the shell's is lost.)
import { KEY_HEADER } from '../protocol/page.ts';

export interface WipeEnvironment {
  localStorage: Storage | null;
  sessionStorage: Storage | null;
  indexedDB: Pick<IDBFactory, 'databases' | 'deleteDatabase'> | null;
  caches: Pick<CacheStorage, 'keys' | 'delete'> | null;
  document: Pick<Document, 'cookie'>;
}

/** Wipes the visitor's traces the page can reach itself. */
export async function wipeVisitorStorage(env: WipeEnvironment): Promise<void> {
  const attempt = async (wipe: () => unknown) => {
    try {
      await wipe();
    } catch {
      // A storage the page cannot reach holds nothing the page put there.
    }
  };
  await attempt(() => env.localStorage?.clear());
  await attempt(() => env.sessionStorage?.clear());
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

/** The browser's own storages, each null where the page may not touch it. */
export function browserStorage(win: Window): WipeEnvironment {
  const get = <T>(read: () => T): T | null => {
    try {
      return read();
    } catch {
      return null;
    }
  };
  return {
    localStorage: get(() => win.localStorage),
    sessionStorage: get(() => win.sessionStorage),
    indexedDB: get(() => win.indexedDB),
    caches: get(() => win.caches),
    document: win.document,
  };
}
