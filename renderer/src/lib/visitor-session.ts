// One visitor's session: where they are, in which language, what they searched for, how
// they like the text. Everything a visitor can change lives here, so that one call,
// `returnHome()`, wipes it all: after the idle timeout, and when the shell's `home`
// command asks for it. The next visitor starts from the same screen as the first.
import { DEFAULT_LANGUAGE, type Language } from '../i18n/languages.ts';

export type Route = 'home' | 'events' | 'offices' | 'search';
export type DetailKind = 'event' | 'office';
export type TextScale = 1 | 1.5 | 2;
export const TEXT_SCALES: readonly TextScale[] = [1, 1.5, 2];

export interface VisitorState {
  route: Route;
  /** A detail open over `route`, which is where Back returns. */
  detail: { kind: DetailKind; id: string } | null;
  language: Language;
  query: string;
  /** The offices screen's floor filter. */
  floor: string | null;
  textScale: TextScale;
  highContrast: boolean;
  settingsOpen: boolean;
  /** Info announcements this visitor closed (urgent ones cannot be). */
  dismissed: ReadonlySet<string>;
}

export const FRESH_SESSION: VisitorState = {
  route: 'home',
  detail: null,
  language: DEFAULT_LANGUAGE,
  query: '',
  floor: null,
  textScale: 1,
  highContrast: false,
  settingsOpen: false,
  dismissed: new Set(),
};

const MAX_QUERY = 80;

export class VisitorSession {
  readonly #listeners = new Set<() => void>();
  #state: VisitorState = FRESH_SESSION;

  getState = (): VisitorState => this.#state;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** Is this what a new visitor would find? (Then there is nothing to wipe.) */
  get fresh(): boolean {
    const s = this.#state;
    return s.route === 'home' && s.detail === null && s.language === DEFAULT_LANGUAGE && s.query === '' && s.floor === null && s.textScale === 1 && !s.highContrast && !s.settingsOpen && s.dismissed.size === 0;
  }

  navigate(route: Route): void {
    this.#set({ route, detail: null, settingsOpen: false });
  }

  openDetail(kind: DetailKind, id: string): void {
    this.#set({ detail: { kind, id }, settingsOpen: false });
  }

  closeDetail(): void {
    this.#set({ detail: null });
  }

  /** Escape and Back: the settings, else the detail, else the section, towards home. */
  back(): void {
    const s = this.#state;
    if (s.settingsOpen) this.#set({ settingsOpen: false });
    else if (s.detail !== null) this.#set({ detail: null });
    else if (s.route !== 'home') this.#set({ route: 'home' });
  }

  setLanguage(language: Language): void {
    this.#set({ language });
  }

  setQuery(query: string): void {
    this.#set({ query: query.slice(0, MAX_QUERY) });
  }

  setFloor(floor: string | null): void {
    this.#set({ floor });
  }

  setTextScale(textScale: TextScale): void {
    this.#set({ textScale });
  }

  setHighContrast(highContrast: boolean): void {
    this.#set({ highContrast });
  }

  setSettingsOpen(settingsOpen: boolean): void {
    this.#set({ settingsOpen });
  }

  dismiss(id: string): void {
    if (this.#state.dismissed.has(id)) return;
    this.#set({ dismissed: new Set([...this.#state.dismissed, id]) });
  }

  /** Home, default language, search cleared, detail closed, accessibility settings off. */
  returnHome(): void {
    if (this.fresh) return;
    this.#state = FRESH_SESSION;
    this.#emit();
  }

  #set(patch: Partial<VisitorState>): void {
    const next = { ...this.#state, ...patch };
    const keys = Object.keys(patch) as (keyof VisitorState)[];
    if (keys.every((key) => next[key] === this.#state[key])) return;
    this.#state = next;
    this.#emit();
  }

  #emit(): void {
    for (const listener of this.#listeners) listener();
  }
}
