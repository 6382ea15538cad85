// Return-to-home, as React sees it: the app owns one IdleTimer; any screen may hold it
// with useIdlePause(active) while someone is plainly still busy with it.
import { createContext, type ReactNode, useContext, useEffect } from 'react';
import type { IdleTimer } from '../lib/idle.ts';

const IdleContext = createContext<IdleTimer | null>(null);

export function IdleProvider({ timer, children }: { timer: IdleTimer; children: ReactNode }) {
  return <IdleContext value={timer}>{children}</IdleContext>;
}

/** While `active`, the kiosk will not return to home on its own. */
export function useIdlePause(active: boolean): void {
  const timer = useContext(IdleContext);
  useEffect(() => {
    if (!active || timer === null) return undefined;
    return timer.pause();
  }, [active, timer]);
}
