import { useEffect, useState } from 'react';

/** The current time, refreshed on every boundary of `stepMs` (the minute, for a clock). */
export function useNow(stepMs = 60_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Re-aimed at the next boundary every time, so it never drifts and a clock change
    // corrects itself within one step.
    const schedule = () => {
      timer = setTimeout(
        () => {
          setNow(Date.now());
          schedule();
        },
        stepMs - (Date.now() % stepMs) + 20,
      );
    };
    schedule();
    return () => clearTimeout(timer);
  }, [stepMs]);
  return now;
}
