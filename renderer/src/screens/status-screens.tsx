// The screens shown when there is no content to show: loading, offline, and the page
// opened outside kiosk-shell. Words for the public first, one small line for staff.
import { useEffect, useState } from 'react';
import type { ContentFailure, FailureReason } from '../lib/api.ts';
import { Emblem } from '../ui/icons.tsx';
import { CIVIC_NAME } from '../ui/top-bar.tsx';

export function LoadingScreen() {
  return (
    <div className="notice">
      <Emblem className="notice__emblem" />
      <h1 className="notice__title">{CIVIC_NAME}</h1>
      <p className="notice__message">Loading today’s information…</p>
      <div className="notice__progress" aria-hidden="true">
        <span />
      </div>
    </div>
  );
}

const PUBLIC_MESSAGES: Record<FailureReason, string> = {
  network: 'This screen is reconnecting to its information service. It will be back in a moment.',
  api: 'City Hall information is temporarily unavailable. This screen will update as soon as the service is back.',
  auth: 'This screen is waiting for permission to show City Hall information.',
};

const STAFF_PREFIX: Record<FailureReason, string> = {
  network: 'Local service unreachable',
  api: 'Content service unavailable',
  auth: 'Not authorised',
};

function useSecondsUntil(at: number | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (at === null) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [at]);
  return at === null ? null : Math.max(0, Math.ceil((at - now) / 1_000));
}

export function OfflineScreen({ failure, nextAttemptAt, kioskId }: { failure: ContentFailure; nextAttemptAt: number | null; kioskId: string | null }) {
  const seconds = useSecondsUntil(nextAttemptAt);
  return (
    <div className="notice notice--offline" data-testid="offline" data-reason={failure.reason}>
      <Emblem className="notice__emblem" />
      <h1 className="notice__title">We’ll be right back</h1>
      <p className="notice__message">{PUBLIC_MESSAGES[failure.reason]}</p>
      <p className="notice__help">If this message stays for more than a few minutes, please let the information desk know.</p>
      <p className="notice__retry" aria-live="polite">
        {seconds === null || seconds === 0 ? 'Trying again now…' : `Trying again in ${seconds} s`}
      </p>
      <p className="notice__tech">
        {STAFF_PREFIX[failure.reason]} [{failure.reason}] — {failure.detail}
        {kioskId !== null && kioskId !== '' ? ` Kiosk ${kioskId}.` : ''}
      </p>
    </div>
  );
}

export function NoKeyScreen() {
  return (
    <div className="notice notice--no-key" data-testid="no-key">
      <Emblem className="notice__emblem" />
      <h1 className="notice__title">This page must be opened by kiosk-shell</h1>
      <p className="notice__message">This screen is temporarily out of service.</p>
      <p className="notice__tech">
        No launch key: the page was opened without the key kiosk-shell passes to its window, so it cannot reach the kiosk service. Start
        the kiosk with <code>kiosk-shell</code>, or run <code>kiosk-shell serve</code> and open the exact URL it prints.
      </p>
    </div>
  );
}
