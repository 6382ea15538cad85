// The one status a visitor sees, and only when it is true and matters to them: the
// information on screen may not be current (the API failed, or the relay served its kept
// copy), with how old it is. When all is well it says nothing. The link state stays in
// data-state for the shell's tests and diagnostics, never as a green "Live".
import type { ConnectionIndicator } from '../lib/connection.ts';
import { useFormats, useMessages } from '../hooks/i18n.ts';
import { commonMessages } from '../i18n/messages.ts';

export function StatusIndicator({ link, asOf, now }: { link: ConnectionIndicator; asOf: number | null; now: number }) {
  const t = useMessages(commonMessages);
  const formats = useFormats();
  const notCurrent = asOf !== null;
  return (
    <div className="status" data-testid="connection" data-state={link} data-current={notCurrent ? 'false' : 'true'}>
      {/* A polite region that speaks once when the state flips; the age beside it is not live, so it never chatters. */}
      <p className="status__live" role="status">
        {notCurrent && (
          <span className="status__label" data-testid="updating-paused">
            {t.notCurrent}
          </span>
        )}
      </p>
      {notCurrent && (
        <p className="status__age" data-testid="stale-age">
          {t.asOf({ time: Math.abs(now - asOf) < 20 * 3_600_000 ? formats.timeOfDay(asOf) : formats.dateTime(asOf) })} · {formats.ago(asOf, now)}
        </p>
      )}
    </div>
  );
}
