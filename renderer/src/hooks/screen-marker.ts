// The attributes the shell's end-to-end tests and the blank-page detection read:
// #root[data-screen] and html[data-shown].
import { useLayoutEffect } from 'react';

export type ScreenName = 'loading' | 'home' | 'events' | 'offices' | 'search' | 'detail' | 'offline' | 'no-key';

export function markScreen(screen: ScreenName, shown: boolean): void {
  const root = document.getElementById('root');
  if (root !== null) root.dataset.screen = screen;
  document.documentElement.dataset.shown = shown ? 'true' : 'false';
}

export function useScreenMarker(screen: ScreenName, shown: boolean): void {
  useLayoutEffect(() => markScreen(screen, shown), [screen, shown]);
}
