// Each new screen takes the focus on its heading (h1#screen-heading, tabindex -1): a
// keyboard user goes on from there, and a screen reader says the new screen's name once.
// Nothing else announces screen changes, so nothing says it twice.
import { useEffect, useRef, useState } from 'react';

export const SCREEN_HEADING_ID = 'screen-heading';

export function useFocusScreenHeading(screenKey: string): void {
  const previous = useRef<string | null>(null);
  useEffect(() => {
    if (previous.current === screenKey) return;
    previous.current = screenKey;
    // A dialog open over the screen keeps the focus it has.
    if (document.querySelector('dialog[open]') !== null) return;
    document.getElementById(SCREEN_HEADING_ID)?.focus({ preventScroll: false });
  }, [screenKey]);
}

/** `value`, once it has stopped changing for `ms`: what a polite live region should say. */
export function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}
