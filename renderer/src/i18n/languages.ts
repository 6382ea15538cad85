// The languages the City Hall kiosk speaks (San Francisco's Language Access Ordinance:
// English, Spanish, Chinese in Traditional characters, Filipino). `code` is the BCP 47 tag
// the page sets as <html lang> and sends to the content API as ?lang=; `intl` is the
// locale its dates and times are written in (one 12-hour style for English).

export const LANGUAGES = [
  { code: 'en', name: 'English', intl: 'en-US' },
  { code: 'es', name: 'Español', intl: 'es-US' },
  { code: 'zh-Hant', name: '中文', intl: 'zh-Hant' },
  { code: 'fil', name: 'Filipino', intl: 'fil-PH' },
] as const;

export type Language = (typeof LANGUAGES)[number]['code'];

export const DEFAULT_LANGUAGE: Language = 'en';

const CODES: ReadonlySet<string> = new Set(LANGUAGES.map((language) => language.code));

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && CODES.has(value);
}

/** The locale Intl formats in for a language. */
export function intlLocale(language: Language): string {
  return LANGUAGES.find((entry) => entry.code === language)?.intl ?? 'en-US';
}
