// Fetching content through the local server, and telling apart why it failed. The three
// kinds need different words on the offline screen and different people to fix them:
//   network — the local kiosk service itself did not answer (fetch threw);
//   auth    — the local server refused our key, or the content service refused the kiosk;
//   api     — the content service is unreachable, slow or answered nonsense.
import { type Content, type KioskEvent, type Office, parseEvent, parseList, parseOffice } from './content.ts';

export type FailureReason = 'network' | 'api' | 'auth';

export interface ContentFailure {
  reason: FailureReason;
  /** One line for staff; never contains a key, a token or an upstream URL. */
  detail: string;
}

export class ContentError extends Error {
  readonly failure: ContentFailure;
  constructor(failure: ContentFailure) {
    super(failure.detail);
    this.name = 'ContentError';
    this.failure = failure;
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

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Longer than the proxy's own upstream timeout (15 s by default), so a 504 normally wins. */
const REQUEST_TIMEOUT_MS = 45_000;

async function getList<T extends { id: string }>(
  path: string,
  key: string,
  parse: (item: unknown) => T | null,
  fetchImpl: FetchLike,
): Promise<T[]> {
  const response = await fetchImpl(path, {
    headers: { 'X-Kiosk-Key': key },
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
  if (!response.ok) throw new ContentError(classifyHttpFailure(response.status, body));
  const list = parsed ? parseList(body, parse) : null;
  if (list === null) throw new ContentError({ reason: 'api', detail: `The content service sent an unreadable answer for ${path}.` });
  return list;
}

/** Both lists, or a ContentError saying why not. */
export async function fetchContent(key: string, fetchImpl: FetchLike): Promise<Content> {
  const [events, offices] = await Promise.allSettled([
    getList<KioskEvent>('/api/events/', key, parseEvent, fetchImpl),
    getList<Office>('/api/offices/', key, parseOffice, fetchImpl),
  ]);
  if (events.status === 'fulfilled' && offices.status === 'fulfilled') return { events: events.value, offices: offices.value };
  const failures: ContentFailure[] = [];
  for (const result of [events, offices]) {
    if (result.status === 'rejected') failures.push(classifyThrown(result.reason));
  }
  throw new ContentError(worstFailure(failures) ?? { reason: 'api', detail: 'The content could not be loaded.' });
}
