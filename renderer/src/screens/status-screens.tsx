// The screens shown when there is no content to show: loading, offline, and the page
// opened outside kiosk-shell. Words for the public only: why it failed in technical terms
// is for staff, in the kiosk's log and status (data-reason stays for the shell's tests).
import { useEffect, useState } from 'react';
import { literal, useMessages, usePlaceWords } from '../hooks/i18n.ts';
import { statusMessages } from '../i18n/messages.ts';
import type { FailureReason } from '../lib/api.ts';
import { whereLabel } from '../lib/offices.ts';
import { Emblem } from '../ui/icons.tsx';
import { ScreenHeading } from '../ui/screen-heading.tsx';

export const CIVIC_NAME = 'City Hall';

export function LoadingScreen() {
  const t = useMessages(statusMessages);
  return (
    <div className="notice">
      <Emblem className="notice__emblem" />
      <ScreenHeading className="notice__title">{CIVIC_NAME}</ScreenHeading>
      <p className="notice__message">{t.loading}</p>
      <div className="notice__progress" aria-hidden="true">
        <span />
      </div>
    </div>
  );
}

function useSecondsUntil(at: number | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (at === null) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [at]);
  return at === null ? null : Math.max(0, Math.ceil((at - now) / 1_000));
}

/** Where the information desk is, as last seen in the content (kept across reloads). */
export interface DeskPlace {
  floor: string;
  room: string;
}

export function OfflineScreen({ reason, nextAttemptAt, kioskId, desk }: { reason: FailureReason; nextAttemptAt: number | null; kioskId: string | null; desk: DeskPlace | null }) {
  const t = useMessages(statusMessages);
  const places = usePlaceWords();
  const seconds = useSecondsUntil(nextAttemptAt);
  const where = desk === null ? '' : whereLabel(desk, places);
  return (
    <div className="notice notice--offline" data-testid="offline" data-reason={reason}>
      <Emblem className="notice__emblem" />
      <ScreenHeading className="notice__title">{t.offlineTitle}</ScreenHeading>
      <p className="notice__message">{t[reason]}</p>
      <p className="notice__help" data-testid="desk-help">
        {t.help({ desk: where === '' ? t.deskDefault : t.deskAt({ where: literal(where) }) })}
      </p>
      {/* Not a live region: a countdown read out every second helps nobody. */}
      <p className="notice__retry">{seconds === null || seconds === 0 ? t.retryingNow : t.retrying({ seconds: String(seconds) })}</p>
      {kioskId !== null && kioskId !== '' && <p className="notice__tech">{t.kiosk({ id: literal(kioskId) })}</p>}
    </div>
  );
}

export function NoKeyScreen() {
  return (
    <div className="notice notice--no-key" data-testid="no-key">
      <Emblem className="notice__emblem" />
      <ScreenHeading className="notice__title">This page must be opened by kiosk-shell</ScreenHeading>
      <p className="notice__message">This screen is temporarily out of service.</p>
      <p className="notice__tech">
        No launch key: the page was opened without the key kiosk-shell passes to its window, so it cannot reach the kiosk service. Start
        the kiosk with <code>kiosk-shell</code>, or run <code>kiosk-shell serve</code> and open the exact URL it prints.
      </p>
    </div>
  );
}
