// The catalogues against the English messages they translate, and what a visitor sees
// when a translation is missing, empty or broken: the English message, never a key.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { i18n, sanitiseCatalogue, setCatalogueSource } from '../../renderer/src/i18n/i18n.ts';
import { LANGUAGES } from '../../renderer/src/i18n/languages.ts';
import { applyLanguage, commonMessages, idleMessages, locale, searchMessages, statusMessages } from '../../renderer/src/i18n/messages.ts';

const CATALOGUES = path.resolve(import.meta.dirname, '../../renderer/src/i18n/catalogues');
const read = (code: string): Record<string, Record<string, unknown>> => JSON.parse(readFileSync(path.join(CATALOGUES, `${code}.json`), 'utf8')) as Record<string, Record<string, unknown>>;
const english = () => i18n.cache.en as unknown as Record<string, Record<string, unknown>>;
const placeholders = (value: unknown): string[] => [...JSON.stringify(value).matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();

/** Every message store mounted, as the UI's components mount them. */
const stores = [commonMessages, idleMessages, searchMessages, statusMessages];
beforeAll(() => {
  for (const store of stores) store.listen(() => undefined);
});

describe('the catalogues', () => {
  for (const { code } of LANGUAGES.filter((l) => l.code !== 'en')) {
    it(`${code}: every key is an English one, with the same placeholders, and none is empty`, () => {
      const catalogue = read(code);
      const base = english();
      for (const [component, messages] of Object.entries(catalogue)) {
        expect(base[component], `component ${component}`).toBeDefined();
        for (const [key, value] of Object.entries(messages)) {
          expect(base[component]?.[key], `${component}.${key}`).toBeDefined();
          expect(JSON.stringify(value).includes('""'), `${component}.${key} is empty`).toBe(false);
          if (typeof value === 'string') expect(placeholders(value), `${component}.${key}`).toEqual(placeholders(base[component]?.[key]));
          else for (const form of Object.values(value as Record<string, string>)) expect(placeholders(form)).toEqual(['count']);
        }
      }
    });

    it(`${code}: translates what a visitor reads first`, () => {
      const catalogue = read(code);
      for (const [component, key] of [['home', 'welcome'], ['common', 'events'], ['search', 'label'], ['status', 'offlineTitle'], ['idle', 'title']] as const) {
        expect(typeof catalogue[component]?.[key], `${component}.${key}`).toBe('string');
      }
    });
  }
});

describe('falling back to English', () => {
  it('keeps only entries shaped like their English message', () => {
    const cleaned = sanitiseCatalogue(
      {
        common: { home: 'Inicio', events: '', offices: 42, search: '  ', stray: 'x' },
        idle: { body: { one: 'uno {count}' } },
        search: { results: { one: '{count} resultado', other: '{count} resultados' } },
        nonsense: { a: 'b' },
      },
      english(),
    );
    expect(cleaned.common).toEqual({ home: 'Inicio' });
    expect(cleaned.idle).toEqual({}); // plural forms without "other": all of English
    expect(cleaned.search).toEqual({ results: { one: '{count} resultado', other: '{count} resultados' } });
    expect(cleaned.nonsense).toBeUndefined();
    expect(Object.keys(cleaned).sort()).toEqual(Object.keys(english()).sort());
    expect(sanitiseCatalogue('not json', english()).common).toEqual({});
  });

  it('shows English for what a catalogue lacks or breaks, never a key, and switches only once it is in', async () => {
    setCatalogueSource((language) =>
      Promise.resolve(language === 'es' ? { common: { home: 'Inicio', events: '' }, status: { retrying: 'Nuevo intento en {seconds} s' } } : Promise.reject(new Error('gone'))),
    );
    await applyLanguage('es');
    expect(locale.get()).toBe('es');
    expect(commonMessages.get().home).toBe('Inicio');
    expect(commonMessages.get().events).toBe('Events');
    expect(commonMessages.get().asOf({ time: '2:05 PM' })).toBe('As of 2:05 PM');
    expect(statusMessages.get().retrying({ seconds: '5' })).toBe('Nuevo intento en 5 s');
    expect(idleMessages.get().body(1)).toBe('This screen goes back to the start in 1 second, and your choices will be cleared.');
    // A catalogue that cannot be had at all: the language still switches, in English words.
    await applyLanguage('fil');
    expect(locale.get()).toBe('fil');
    expect(commonMessages.get().home).toBe('Home');
    expect(searchMessages.get().results(2)).toBe('2 results');
    await applyLanguage('en');
    expect(commonMessages.get().home).toBe('Home');
  });

  it('plural forms follow each language\'s rules, "other" where the language has no "one"', async () => {
    setCatalogueSource((language) => Promise.resolve(read(language)));
    await applyLanguage('zh-Hant');
    expect(searchMessages.get().results(1)).toBe('1 個結果');
    await applyLanguage('es');
    expect(searchMessages.get().results(1)).toBe('1 resultado');
    expect(searchMessages.get().results(3)).toBe('3 resultados');
    await applyLanguage('en');
  });
});
