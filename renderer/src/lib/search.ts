// Finding an office by what a visitor needs, in their language: "marriage" and
// "matrimonio" both find the County Clerk. Words are compared without case or accents
// ("informacion" finds "Información"), by prefix ("marr" finds "marriage"), and in
// Chinese, which has no spaces, by substring. Every word of the query must match
// somewhere; names weigh most, then services and keywords, then descriptions. The English
// text of the same office is searched too, at a lower weight: an English word typed on a
// Spanish screen still finds its office.
import type { KioskEvent, Office } from './content.ts';

export interface SearchHit<T> {
  item: T;
  score: number;
}

interface Field {
  text: string;
  weight: number;
}

const WEIGHTS = { name: 8, service: 5, keyword: 5, description: 2 } as const;
/** What a match counts for, by how well it matches. */
const QUALITY = { word: 1, prefix: 0.75, inside: 0.4 } as const;
/** A query word shorter than this only matches at the start of a word (no "a" inside everything). */
const MIN_INSIDE = 3;
const MAX_QUERY_WORDS = 8;
const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]/;

/** Lower case, no accents, punctuation as spaces; NFKC first so full-width letters match too. */
export function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function queryWords(query: string): string[] {
  const words = normalise(query).split(' ').filter((word) => word !== '');
  return [...new Set(words)].slice(0, MAX_QUERY_WORDS);
}

/** How well one query word matches one field, 0 for not at all. */
function matchQuality(word: string, field: string): number {
  if (field === '') return 0;
  if (CJK.test(word)) return field === word ? QUALITY.word : field.includes(word) ? QUALITY.prefix : 0;
  let best = 0;
  for (const candidate of field.split(' ')) {
    if (candidate === word) return QUALITY.word;
    if (candidate.startsWith(word)) best = Math.max(best, QUALITY.prefix);
    else if (word.length >= MIN_INSIDE && candidate.includes(word)) best = Math.max(best, QUALITY.inside);
  }
  return best;
}

/** A score for all of `words` in `fields` (each word counted at its best field); 0 if any word is missing. */
function scoreFields(words: readonly string[], fields: readonly Field[]): number {
  let total = 0;
  for (const word of words) {
    let best = 0;
    for (const field of fields) best = Math.max(best, matchQuality(word, field.text) * field.weight);
    if (best === 0) return 0;
    total += best;
  }
  return total;
}

function officeFields(office: Office, weight = 1): Field[] {
  return [
    { text: normalise(office.name), weight: WEIGHTS.name * weight },
    ...office.services.map((service) => ({ text: normalise(service), weight: WEIGHTS.service * weight })),
    ...office.keywords.map((keyword) => ({ text: normalise(keyword), weight: WEIGHTS.keyword * weight })),
    { text: normalise(office.description), weight: WEIGHTS.description * weight },
  ];
}

function eventFields(event: KioskEvent, weight = 1): Field[] {
  return [
    { text: normalise(event.title), weight: WEIGHTS.name * weight },
    { text: normalise(event.location), weight: WEIGHTS.description * weight },
    { text: normalise(event.description), weight: WEIGHTS.description * weight },
  ];
}

/** The English text counts, but for less than the visitor's own language. */
const OTHER_LANGUAGE_WEIGHT = 0.5;

function rank<T extends { id: string }>(
  items: readonly T[],
  words: readonly string[],
  fieldsOf: (item: T, weight?: number) => Field[],
  alsoIn: readonly T[],
  nameOf: (item: T) => string,
  locale: string,
): SearchHit<T>[] {
  if (words.length === 0) return [];
  const other = new Map(alsoIn.map((item) => [item.id, item]));
  const hits: SearchHit<T>[] = [];
  for (const item of items) {
    const english = other.get(item.id);
    const fields = english === undefined || english === item ? fieldsOf(item) : [...fieldsOf(item), ...fieldsOf(english, OTHER_LANGUAGE_WEIGHT)];
    const score = scoreFields(words, fields);
    if (score > 0) hits.push({ item, score });
  }
  const collator = new Intl.Collator(locale);
  return hits.sort((a, b) => b.score - a.score || collator.compare(nameOf(a.item), nameOf(b.item)));
}

export function searchOffices(offices: readonly Office[], query: string, locale: string, english: readonly Office[] = []): SearchHit<Office>[] {
  return rank(offices, queryWords(query), officeFields, english, (office) => office.name, locale);
}

export function searchEvents(events: readonly KioskEvent[], query: string, locale: string, english: readonly KioskEvent[] = []): SearchHit<KioskEvent>[] {
  return rank(events, queryWords(query), eventFields, english, (event) => event.title, locale);
}

export interface ServiceEntry {
  service: string;
  office: Office;
}

/** Every service of every office, in the language's alphabetical order, for the A–Z list. */
export function servicesIndex(offices: readonly Office[], locale: string): ServiceEntry[] {
  const collator = new Intl.Collator(locale, { sensitivity: 'base' });
  const entries = offices.flatMap((office) => office.services.map((service) => ({ service, office })));
  return entries.sort((a, b) => collator.compare(a.service, b.service) || collator.compare(a.office.name, b.office.name));
}

/** The letter a service is filed under in the A–Z list ("Á" under "A"); "" for scripts without letters. */
export function indexLetter(text: string): string {
  const first = normalise(text).charAt(0);
  return /\p{Script=Latin}/u.test(first) ? first.toUpperCase() : '';
}
