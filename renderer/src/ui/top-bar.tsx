import type { ReactNode } from 'react';
import { useFormats, useMessages } from '../hooks/i18n.ts';
import { commonMessages } from '../i18n/messages.ts';
import { AccessibilityIcon, Emblem } from './icons.tsx';

interface TopBarProps {
  subtitle: string;
  now: number;
  /** Shows the time and date on the right (every screen but home, which has its big clock). */
  showClock: boolean;
  /** Opens the accessibility settings; absent where there is nothing to set (no content yet). */
  onAccessibility?: (() => void) | undefined;
  children?: ReactNode;
}

export function TopBar({ subtitle, now, showClock, onAccessibility, children }: TopBarProps) {
  const t = useMessages(commonMessages);
  const formats = useFormats();
  const { time, period, periodFirst } = formats.clockParts(now);
  return (
    <header className="topbar">
      <div className="brand">
        <Emblem className="brand__emblem" />
        <span className="brand__text">
          <span className="brand__name">{t.cityHall}</span>
          {subtitle !== '' && <span className="brand__subtitle">{subtitle}</span>}
        </span>
      </div>
      <div className="topbar__end">
        {children}
        {showClock && (
          <div className="topbar__clock">
            <span className="topbar__time">
              {periodFirst && <span className="topbar__period">{period}</span>}
              {time} {!periodFirst && <span className="topbar__period">{period}</span>}
            </span>
            <span className="topbar__date">{formats.longDate(now)}</span>
          </div>
        )}
        {onAccessibility !== undefined && (
          <button type="button" className="topbar__button" data-testid="accessibility" onClick={onAccessibility}>
            <AccessibilityIcon className="icon" />
            <span>{t.accessibility}</span>
          </button>
        )}
      </div>
    </header>
  );
}
