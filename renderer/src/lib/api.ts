// Fetching content through the local server, and telling apart why it failed. The three
// kinds need different words on the offline screen and different people to fix them:
//   network — the local kiosk service itself did not answer (fetch threw);
//   auth    — the local server refused our key, or the content service refused the kiosk;
//   api     — the content service is unreachable, slow or answered nonsense.
import { STALE_SINCE_HEADER } from '../../../protocol/page.ts';
import type { Language } from '../i18n/languages.ts';
import { type AnnouncementItem, parseAnnouncementList } from './announcements.ts';
import { type KioskEvent, type Office, parseEvent, parseList, parseOffice, timeOf } from './content.ts';

export type FailureReason = 'network' | 'api' | 'auth';

export interface ContentFailure {
  reason: FailureReason;
  /** One line for staff; never contains a key, a token or an upstream URL. */
  detail: string;
}

export class ContentError extends Error {
  readonly failure: ContentFailure;
  /** The HTTP status, when the failure was an answer. */
  readonly status: number | null;
  constructor(failure: ContentFailure, status: number | null = null) {
    super(failure.detail);
    this.name = 'ContentError';
    this.failure = failure;
    this.status = status;
  }
}

const RELAY_ERRORS = new Set(['upstream-unreachable', 'upstream-failed', 'upstream-timeout']);
const LOCAL_REFUSALS = new Set(['unauthorized', 'forbidden']);
const SAFE_CODE = /^[A-Za-z0-9_.-]{1,64}$/;

function errorField(body: unknown, field: 'error' | 'code'): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const value = (body as Record<string, unknown>)[field];
  return typeof value === 'string' && SAFE_CODE.test(value) ? value : null;
}

/** Why a response with a non-2xx status failed. `body` is its parsed JSON, or null. */
export function classifyHttpFailure(status: number, body: unknown): ContentFailure {
  const error = errorField(body, 'error');
  if (status === 401 || status === 403) {
    if (error !== null && LOCAL_REFUSALS.has(error)) {
      return { reason: 'auth', detail: `The kiosk service refused this page's launch key (${status} ${error}).` };
    }
    return { reason: 'auth', detail: `The content service did not authorise this kiosk (${status}).` };
  }
  if (error !== null && RELAY_ERRORS.has(error)) {
    const code = errorField(body, 'code');
    return { reason: 'api', detail: `${error} (HTTP ${status}${code === null ? '' : `, ${code}`}).` };
  }
  return { reason: 'api', detail: `The content service answered with status ${status}.` };
}

/** Why a fetch threw. A TypeError is the browser's "could not connect" (to our own server). */
export function classifyThrown(error: unknown): ContentFailure {
  if (error instanceof ContentError) return error.failure;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return { reason: 'network', detail: 'The local kiosk service did not answer in time.' };
  }
  if (error instanceof TypeError) {
    return { reason: 'network', detail: 'The local kiosk service is unreachable.' };
  }
  return { reason: 'api', detail: 'The content could not be read.' };
}

/** When several requests fail at once, the most fundamental cause is the one to show. */
const PRECEDENCE: Record<FailureReason, number> = { network: 0, auth: 1, api: 2 };

export function worstFailure(failures: readonly ContentFailure[]): ContentFailure | null {
  let worst: ContentFailure | null = null;
  for (const failure of failures) {
    if (worst === null || PRECEDENCE[failure.reason] < PRECEDENCE[worst.reason]) worst = failure;
  }
  return worst;
}

/** A fetch below /api (the SDK's `api`, which adds the launch key): `path` is what follows /api. */
export type FetchLike = (path: string, init: RequestInit) => Promise<Response>;

/** Longer than the proxy's own upstream timeout (15 s by default), so a 504 normally wins. */
const REQUEST_TIMEOUT_MS = 45_000;
/** The local relay's mark on a last good response it kept and serves while the upstream fails. */
export const STALE_HEADER = STALE_SINCE_HEADER;

interface Fetched<T> {
  value: T;
  /** When the relay's copy was fetched from the upstream, if this answer is such a copy. */
  staleSince: number | null;
}

function staleSinceOf(response: Response): number | null {
  const header = response.headers.get(STALE_HEADER);
  if (header === null) return null;
  const ms = timeOf(header);
  // A copy marked stale whose age cannot be read is still stale: say "now" rather than nothing.
  return ms ?? Date.now();
}

async function getJson<T>(path: string, parse: (body: unknown) => T | null, fetchImpl: FetchLike): Promise<Fetched<T>> {
  const response = await fetchImpl(path, {
    cache: 'no-store',
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  let body: unknown = null;
  let parsed = true;
  try {
    body = await response.json();
  } catch {
    parsed = false;
  }
  if (!response.ok) throw new ContentError(classifyHttpFailure(response.status, body), response.status);
  const value = parsed ? parse(body) : null;
  if (value === null) throw new ContentError({ reason: 'api', detail: `The content service sent an unreadable answer for ${path.split('?')[0] ?? path}.` });
  return { value, staleSince: staleSinceOf(response) };
}

export interface FetchedContent {
  content: { events: KioskEvent[]; offices: Office[] };
  /** The API's current announcements; null when its answer carries none (a plain list). */
  announcements: AnnouncementItem[] | null;
  /** Set when any part is the relay's kept copy: the oldest such copy's fetch time. */
  staleSince: number | null;
}

/**
 * The events answer: the plain list, or `{"events": [...], "announcements": [...]}` from
 * an API that sends its current announcements along (so they show on load and after a
 * reload, from the relay's kept copy too). `results` is read like `events`.
 */
export function parseEventsBody(body: unknown): { events: KioskEvent[]; announcements: AnnouncementItem[] | null } | null {
  if (Array.isArray(body)) {
    const events = parseList(body, parseEvent);
    return events === null ? null : { events, announcements: null };
  }
  if (typeof body !== 'object' || body === null) return null;
  const record = body as Record<string, unknown>;
  const events = parseList(record.events ?? record.results, parseEvent);
  if (events === null) return null;
  return { events, announcements: record.announcements === undefined ? null : parseAnnouncementList(record.announcements) };
}

/** Everything in one language (the API falls back to English per field), or a ContentError saying why not. */
export function createContentFetcher(fetchImpl: FetchLike): (language: Language) => Promise<FetchedContent> {
  return async (language) => {
    const query = `?lang=${encodeURIComponent(language)}`;
    const [events, offices] = await Promise.allSettled([
      getJson(`/events/${query}`, parseEventsBody, fetchImpl),
      getJson(`/offices/${query}`, (body) => parseList(body, parseOffice), fetchImpl),
    ]);
    if (events.status === 'fulfilled' && offices.status === 'fulfilled') {
      const stale = [events.value.staleSince, offices.value.staleSince].filter((at): at is number => at !== null);
      return {
        content: { events: events.value.value.events, offices: offices.value.value },
        announcements: events.value.value.announcements,
        staleSince: stale.length === 0 ? null : Math.min(...stale),
      };
    }
    const failures: ContentFailure[] = [];
    for (const result of [events, offices]) {
      if (result.status === 'rejected') failures.push(classifyThrown(result.reason));
    }
    throw new ContentError(worstFailure(failures) ?? { reason: 'api', detail: 'The content could not be loaded.' });
  };
}
