import type { ReactNode } from 'react';
import { SCREEN_HEADING_ID } from '../hooks/focus.ts';

/** The screen's h1, where the focus goes when the screen appears. */
export function ScreenHeading({ className, children }: { className: string; children: ReactNode }) {
  return (
    <h1 id={SCREEN_HEADING_ID} className={className} tabIndex={-1}>
      {children}
    </h1>
  );
}
