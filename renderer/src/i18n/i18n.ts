// The page's language: one nanostores atom that the UI text (@nanostores/i18n), the
// formats, <html lang> and the content all follow. English is the base: its messages live
// in the code (messages.ts), so it is always there; the other catalogues are JSON files,
// loaded before the switch takes effect, so text, `lang` and content change together.
// A translation that is missing, empty or of the wrong shape falls back to the English
// message, key by key: a visitor never sees a key name or a blank.
import { type ComponentsJSON, type count, createI18n, type TranslationJSON } from '@nanostores/i18n';
import { atom } from 'nanostores';
import esUrl from './catalogues/es.json?url';
import filUrl from './catalogues/fil.json?url';
import zhHantUrl from './catalogues/zh-Hant.json?url';
import { DEFAULT_LANGUAGE, type Language, LANGUAGES } from './languages.ts';

export const locale = atom<Language>(DEFAULT_LANGUAGE);

type Catalogue = Record<string, unknown>;

const loading = new Map<Language, Promise<ComponentsJSON>>();

// The catalogues are data, not code: built as hashed JSON files beside the bundle and
// fetched from the page's own origin (the CSP's connect-src 'self'), each once.
const URLS: Record<Exclude<Language, 'en'>, string> = { es: esUrl, 'zh-Hant': zhHantUrl, fil: filUrl };

let fetchCatalogue = async (language: Exclude<Language, 'en'>): Promise<Catalogue> => {
  const response = await fetch(URLS[language], { cache: 'force-cache' });
  if (!response.ok) throw new Error(`catalogue ${language}: HTTP ${response.status}`);
  return (await response.json()) as Catalogue;
};

/** Tests read the catalogue files themselves (there is no server to fetch them from). */
export function setCatalogueSource(source: (language: Exclude<Language, 'en'>) => Promise<Catalogue>): void {
  fetchCatalogue = source;
  loading.clear();
}

export const i18n = createI18n(locale, {
  baseLocale: DEFAULT_LANGUAGE,
  get: (code) => catalogue(code),
});

/** A translation entry shaped like its English one, or undefined (so English shows). */
function entryLike(base: unknown, value: unknown): TranslationJSON | undefined {
  if (typeof base === 'string') return typeof value === 'string' && value.trim() !== '' ? value : undefined;
  if (typeof base !== 'object' || base === null || typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  // Plural forms: every form given must be text, and "other" must be there.
  const forms: Record<string, string> = {};
  for (const [form, text] of Object.entries(value as Record<string, unknown>)) {
    if (typeof text !== 'string' || text.trim() === '') return undefined;
    forms[form] = text;
  }
  return typeof forms.other === 'string' ? forms : undefined;
}

/** Keeps what matches the English messages; every English component is present, if only empty. */
export function sanitiseCatalogue(raw: unknown, base: Record<string, Record<string, unknown>>): ComponentsJSON {
  const source = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const out: ComponentsJSON = {};
  for (const [component, messages] of Object.entries(base)) {
    const translated = source[component];
    const entries: Record<string, TranslationJSON> = {};
    if (typeof translated === 'object' && translated !== null && !Array.isArray(translated)) {
      for (const key of Object.keys(messages)) {
        const entry = entryLike(messages[key], (translated as Record<string, unknown>)[key]);
        if (entry !== undefined) entries[key] = entry;
      }
    }
    out[component] = entries;
  }
  return out;
}

/** The catalogue of `language`, loaded once and cleaned against the English messages. */
export function catalogue(language: Language): Promise<ComponentsJSON> {
  // English is the base the library holds already; there is nothing to load or clean.
  if (language === 'en') return Promise.resolve(i18n.cache[DEFAULT_LANGUAGE] as unknown as ComponentsJSON);
  const known = loading.get(language);
  if (known !== undefined) return known;
  const pending = fetchCatalogue(language)
    .catch((): Catalogue => ({}))
    .then((raw: Catalogue) => {
      const cleaned = sanitiseCatalogue(raw, i18n.cache[DEFAULT_LANGUAGE] as unknown as Record<string, Record<string, unknown>>);
      i18n.cache[language] = cleaned as never;
      return cleaned;
    });
  loading.set(language, pending);
  return pending;
}

let requested: Language = DEFAULT_LANGUAGE;

/** Switches once the catalogue is in (at once when preloaded); the latest request wins. */
export async function applyLanguage(language: Language): Promise<void> {
  requested = language;
  await catalogue(language);
  if (requested === language) locale.set(language);
}

/** Loads every catalogue now, so that later switches are immediate. */
export function preloadLanguages(): Promise<unknown> {
  return Promise.all(LANGUAGES.map(({ code }) => catalogue(code)));
}

/**
 * Plural forms ({ one, other }) as the library's `count`, with one difference: English forms
 * shown in place of a missing translation are chosen by English rules. (Filipino counts 2
 * as "one"; with English words that would read "2 result".)
 */
export const plural = ((forms: Record<string, string>) => ({
  input: forms,
  transform: (code: string, translation: Record<string, string>, [n]: [number]) => {
    const rules = new Intl.PluralRules(translation === forms ? DEFAULT_LANGUAGE : code);
    const text = translation[rules.select(n)] ?? translation.other ?? '';
    return text.replace(/\{count\}/g, String(n));
  },
})) as unknown as typeof count;
