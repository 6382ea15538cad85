import type { ReactNode } from 'react';
import { clockParts, longDate } from '../lib/format.ts';
import { Emblem } from './icons.tsx';

export const CIVIC_NAME = 'City Hall';

interface TopBarProps {
  subtitle: string;
  now: number;
  /** Shows the time and date on the right (every screen but home, which has its big clock). */
  showClock: boolean;
  onHome?: (() => void) | undefined;
  children?: ReactNode;
}

export function TopBar({ subtitle, now, showClock, onHome, children }: TopBarProps) {
  const brand = (
    <>
      <Emblem className="brand__emblem" />
      <span className="brand__text">
        <span className="brand__name">{CIVIC_NAME}</span>
        <span className="brand__subtitle">{subtitle}</span>
      </span>
    </>
  );
  const { time, period } = clockParts(now);
  return (
    <header className="topbar">
      {onHome === undefined ? (
        <div className="brand">{brand}</div>
      ) : (
        <button type="button" className="brand brand--button" onClick={onHome} aria-label={`${CIVIC_NAME} — back to the start`}>
          {brand}
        </button>
      )}
      <div className="topbar__end">
        {showClock && (
          <div className="topbar__clock">
            <span className="topbar__time">
              {time} <span className="topbar__period">{period}</span>
            </span>
            <span className="topbar__date">{longDate(now)}</span>
          </div>
        )}
        {children}
      </div>
    </header>
  );
}
