// The page's language as React sees it: the translated messages of a component, and the
// formats and place words that follow the same language.
import type { ReadableAtom } from 'nanostores';
import { useSyncExternalStore } from 'react';
import { intlLocale, type Language } from '../i18n/languages.ts';
import { locale, officesMessages } from '../i18n/messages.ts';
import { type Formats, formatsFor } from '../lib/format.ts';
import type { PlaceWords } from '../lib/offices.ts';

/**
 * A store's value, re-rendering when it changes. (What @nanostores/react's useStore does,
 * without its options this page has no use for.) Listening mounts the store: a message
 * store then loads its translations.
 */
function useStore<T>(store: ReadableAtom<T>): T {
  return useSyncExternalStore(subscriberOf(store), () => store.get());
}

const subscribers = new WeakMap<object, (listener: () => void) => () => void>();

/** One subscribe function per store, so React does not resubscribe on every render. */
function subscriberOf(store: ReadableAtom<unknown>): (listener: () => void) => () => void {
  let subscribe = subscribers.get(store);
  if (subscribe === undefined) {
    subscribe = (listener) => store.listen(listener);
    subscribers.set(store, subscribe);
  }
  return subscribe;
}

export { useStore as useMessages };

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
