// Keeps the content fresh, in every language the kiosk speaks: loads the visitor's
// language first, then the others in the background (so a language switch shows its
// content at once, and an outage finds each language kept), refreshes every five minutes
// and on demand (content.updated), and after a failure retries with backoff until the API
// answers again. A failure never throws away content already held; the UI decides what
// to show from the snapshot (content, plus what is currently delaying updates).
//
// "Not current" has two sources: a failed attempt (the content held is from our own last
// success), or an answer the local relay marked as its kept copy (`staleSince`).
import type { Language } from '../i18n/languages.ts';
import { type ContentFailure, classifyThrown, type FetchedContent } from './api.ts';
import { type BackoffPolicy, backoffDelay, CONTENT_BACKOFF } from '../../../sdk/backoff.ts';
import type { Content } from './content.ts';
import { type TimerHandle, type Timers } from '../../../sdk/timers.ts';

export const REFRESH_INTERVAL_MS = 5 * 60_000;

export interface ContentSnapshot {
  /** The language asked for. */
  language: Language;
  /** In `contentLanguage`: the one asked for when held, else English, else any held. */
  content: Content | null;
  contentLanguage: Language | null;
  /** When `content` was fetched (epoch ms). */
  loadedAt: number | null;
  /** When the relay's kept copy that `content` came from was fetched; null when `content` is a live answer. */
  staleSince: number | null;
  /** The latest attempt's failure; null once an attempt succeeds. */
  failure: ContentFailure | null;
  /** Attempts in a row that failed or got only a kept copy. */
  failures: number;
  loading: boolean;
  /** When the next automatic attempt is due (epoch ms), if one is scheduled. */
  nextAttemptAt: number | null;
}

export interface ContentLoaderOptions {
  load: (language: Language) => Promise<FetchedContent>;
  /** Every language to keep, the default one first. */
  languages: readonly Language[];
  timers: Timers;
  /** Announcements from an answer for the language on screen. */
  onAnnouncements?: (result: NonNullable<FetchedContent['announcements']>) => void;
  random?: () => number;
  refreshMs?: number;
  backoff?: BackoffPolicy;
}

interface Held {
  content: Content;
  loadedAt: number;
  staleSince: number | null;
  /** The content epoch its request started in: a content.updated since makes it out of date. */
  epoch: number;
}

export class ContentLoader {
  readonly #options: Required<Omit<ContentLoaderOptions, 'onAnnouncements'>> & Pick<ContentLoaderOptions, 'onAnnouncements'>;
  readonly #listeners = new Set<() => void>();
  readonly #held = new Map<Language, Held>();
  #language: Language;
  #failure: ContentFailure | null = null;
  #failures = 0;
  #loading = false;
  #nextAttemptAt: number | null = null;
  #snapshot: ContentSnapshot;
  #timer: TimerHandle | undefined;
  #running = false;
  /** A refresh was asked for while one was in flight: its answer may predate the change. */
  #again = false;
  /** Bumped by every refresh that says the content changed (content.updated). */
  #epoch = 0;
  #filling = false;
  /** Bumped on stop(), so a request that outlives its loader changes nothing. */
  #generation = 0;

  constructor(options: ContentLoaderOptions) {
    this.#options = { random: Math.random, refreshMs: REFRESH_INTERVAL_MS, backoff: CONTENT_BACKOFF, ...options };
    this.#language = options.languages[0] ?? 'en';
    this.#snapshot = this.#compute();
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
    this.#filling = false;
    this.#options.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#loading = false;
    this.#nextAttemptAt = null;
    this.#publish();
  }

  /** The content held in `language`, if any (search also looks at the English text). */
  contentIn(language: Language): Content | null {
    return this.#held.get(language)?.content ?? null;
  }

  /** Shows `language` from what is held at once, and fetches it now unless held and current. */
  setLanguage(language: Language): void {
    if (language === this.#language) return;
    this.#language = language;
    this.#publish();
    const held = this.#held.get(language);
    if (held === undefined || !this.#isCurrent(held)) this.refresh(false);
  }

  /** Loads now (or right after the request in flight). `outdated`: everything held is out of date (content.updated). */
  refresh(outdated = true): void {
    if (outdated) this.#epoch++;
    if (!this.#running) return;
    if (this.#loading) {
      this.#again = true;
      return;
    }
    this.#options.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    void this.#attempt();
  }

  /** Loads now if the content is older than `maxAgeMs` or the last attempt failed or was a kept copy. */
  refreshIfStale(maxAgeMs: number): void {
    const held = this.#held.get(this.#language);
    if (this.#failure !== null || held === undefined || held.staleSince !== null || this.#options.timers.now() - held.loadedAt > maxAgeMs) this.refresh(false);
  }

  #isCurrent(held: Held): boolean {
    return held.staleSince === null && held.epoch === this.#epoch && this.#options.timers.now() - held.loadedAt < this.#options.refreshMs;
  }

  async #attempt(): Promise<void> {
    const generation = this.#generation;
    const language = this.#language;
    const epoch = this.#epoch;
    this.#loading = true;
    this.#nextAttemptAt = null;
    this.#publish();
    let result: FetchedContent | null = null;
    let failure: ContentFailure | null = null;
    try {
      result = await this.#options.load(language);
    } catch (error) {
      failure = classifyThrown(error);
    }
    if (generation !== this.#generation) return;
    const { timers } = this.#options;
    this.#loading = false;
    if (result !== null) {
      this.#held.set(language, { content: result.content, loadedAt: timers.now(), staleSince: result.staleSince, epoch });
      this.#failure = null;
      this.#failures = result.staleSince === null ? 0 : this.#failures + 1;
      if (result.announcements !== null) this.#options.onAnnouncements?.(result.announcements);
    } else {
      this.#failure = failure;
      this.#failures++;
    }
    if (this.#again) {
      this.#again = false;
      this.#publish();
      void this.#attempt();
      return;
    }
    const delay = this.#failures === 0 ? this.#options.refreshMs : backoffDelay(this.#failures - 1, this.#options.backoff, this.#options.random);
    this.#timer = timers.setTimeout(() => {
      this.#timer = undefined;
      void this.#attempt();
    }, delay);
    this.#nextAttemptAt = timers.now() + delay;
    this.#publish();
    if (this.#failures === 0) void this.#fillOthers(generation);
  }

  /** The other languages, one at a time, while the API answers; a failure waits for the next cycle. */
  async #fillOthers(generation: number): Promise<void> {
    if (this.#filling) return;
    this.#filling = true;
    try {
      for (const language of this.#options.languages) {
        if (generation !== this.#generation) return;
        const held = this.#held.get(language);
        if (language === this.#language || (held !== undefined && this.#isCurrent(held))) continue;
        const epoch = this.#epoch;
        let result: FetchedContent;
        try {
          result = await this.#options.load(language);
        } catch {
          return;
        }
        if (generation !== this.#generation) return;
        // A kept copy is better than nothing, never better than a live answer held already.
        if (result.staleSince !== null && held !== undefined && held.staleSince === null) return;
        this.#held.set(language, { content: result.content, loadedAt: this.#options.timers.now(), staleSince: result.staleSince, epoch });
        this.#publish();
        if (result.staleSince !== null) return;
      }
    } finally {
      if (generation === this.#generation) this.#filling = false;
    }
  }

  #compute(): ContentSnapshot {
    const language = this.#language;
    let contentLanguage: Language | null = null;
    let held: Held | undefined;
    for (const candidate of [language, this.#options.languages[0], ...this.#options.languages]) {
      if (candidate === undefined) continue;
      held = this.#held.get(candidate);
      if (held !== undefined) {
        contentLanguage = candidate;
        break;
      }
    }
    return {
      language,
      content: held?.content ?? null,
      contentLanguage,
      loadedAt: held?.loadedAt ?? null,
      staleSince: held?.staleSince ?? null,
      failure: this.#failure,
      failures: this.#failures,
      loading: this.#loading,
      nextAttemptAt: this.#nextAttemptAt,
    };
  }

  #publish(): void {
    this.#snapshot = this.#compute();
    for (const listener of this.#listeners) listener();
  }
}
