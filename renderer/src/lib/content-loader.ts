// Keeps the content fresh: loads it, refreshes every five minutes and on demand
// (content.updated), and after a failure retries with backoff until the API answers again.
// A failure never throws away content already on screen; the UI decides what to show from
// the snapshot (content, plus the failure that is currently delaying updates).
import { type ContentFailure, classifyThrown } from './api.ts';
import { type BackoffPolicy, backoffDelay, CONTENT_BACKOFF } from './backoff.ts';
import type { Content } from './content.ts';
import { type TimerHandle, type Timers } from './timers.ts';

export const REFRESH_INTERVAL_MS = 5 * 60_000;

export interface ContentSnapshot {
  content: Content | null;
  /** When `content` was fetched (epoch ms). */
  loadedAt: number | null;
  /** The latest attempt's failure; null once an attempt succeeds. */
  failure: ContentFailure | null;
  /** Failures in a row. */
  failures: number;
  loading: boolean;
  /** When the next automatic attempt is due (epoch ms), if one is scheduled. */
  nextAttemptAt: number | null;
}

export interface ContentLoaderOptions {
  load: () => Promise<Content>;
  timers: Timers;
  random?: () => number;
  refreshMs?: number;
  backoff?: BackoffPolicy;
}

const INITIAL: ContentSnapshot = { content: null, loadedAt: null, failure: null, failures: 0, loading: false, nextAttemptAt: null };

export class ContentLoader {
  readonly #options: Required<ContentLoaderOptions>;
  readonly #listeners = new Set<() => void>();
  #snapshot: ContentSnapshot = INITIAL;
  #timer: TimerHandle | undefined;
  #running = false;
  /** A refresh was asked for while one was in flight: its answer may predate the change. */
  #again = false;
  /** Bumped on stop(), so a request that outlives its loader changes nothing. */
  #generation = 0;

  constructor(options: ContentLoaderOptions) {
    this.#options = { random: Math.random, refreshMs: REFRESH_INTERVAL_MS, backoff: CONTENT_BACKOFF, ...options };
  }

  getSnapshot = (): ContentSnapshot => this.#snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.refresh();
  }

  stop(): void {
    this.#running = false;
    this.#generation++;
    this.#again = false;
    this.#options.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#snapshot.loading || this.#snapshot.nextAttemptAt !== null) this.#set({ loading: false, nextAttemptAt: null });
  }

  /** Loads now (or right after the request in flight). */
  refresh(): void {
    if (!this.#running) return;
    if (this.#snapshot.loading) {
      this.#again = true;
      return;
    }
    this.#options.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    void this.#attempt();
  }

  /** Loads now if the content is older than `maxAgeMs` or the last attempt failed. */
  refreshIfStale(maxAgeMs: number): void {
    const { failure, loadedAt } = this.#snapshot;
    if (failure !== null || loadedAt === null || this.#options.timers.now() - loadedAt > maxAgeMs) this.refresh();
  }

  async #attempt(): Promise<void> {
    const generation = this.#generation;
    this.#set({ loading: true, nextAttemptAt: null });
    let content: Content | null = null;
    let failure: ContentFailure | null = null;
    try {
      content = await this.#options.load();
    } catch (error) {
      failure = classifyThrown(error);
    }
    if (generation !== this.#generation) return;
    const { timers } = this.#options;
    if (content !== null) {
      this.#set({ content, loadedAt: timers.now(), failure: null, failures: 0, loading: false });
    } else {
      this.#set({ failure, failures: this.#snapshot.failures + 1, loading: false });
    }
    if (this.#again) {
      this.#again = false;
      void this.#attempt();
      return;
    }
    const delay =
      this.#snapshot.failure === null
        ? this.#options.refreshMs
        : backoffDelay(this.#snapshot.failures - 1, this.#options.backoff, this.#options.random);
    this.#timer = timers.setTimeout(() => {
      this.#timer = undefined;
      void this.#attempt();
    }, delay);
    this.#set({ nextAttemptAt: timers.now() + delay });
  }

  #set(patch: Partial<ContentSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...patch };
    for (const listener of this.#listeners) listener();
  }
}
