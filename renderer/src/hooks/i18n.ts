// The page's language as React sees it: the translated messages of a component, and the
// formats and place words that follow the same language.
import { useStore } from '@nanostores/react';
import { intlLocale, type Language } from '../i18n/languages.ts';
import { locale, officesMessages } from '../i18n/messages.ts';
import { type Formats, formatsFor } from '../lib/format.ts';
import type { PlaceWords } from '../lib/offices.ts';

export { useStore as useMessages } from '@nanostores/react';

/** The language the page shows now (it changes once a catalogue is in). */
export function useLanguage(): Language {
  return useStore(locale);
}

export function useFormats(): Formats {
  return formatsFor(intlLocale(useLanguage()));
}

export function usePlaceWords(): PlaceWords {
  const t = useStore(officesMessages);
  return { groundFloor: t.groundFloor, floorNumber: ({ floor }) => t.floorNumber({ floor: literal(floor) }), roomNumber: ({ room }) => t.roomNumber({ room: literal(room) }) };
}

/**
 * A value for a message's {placeholder}: the library puts it in with String.replace, where
 * "$&" and the like mean something; content is text, so its "$" stays a "$".
 */
export function literal(value: string): string {
  return value.replace(/\$/g, '$$$$');
}
