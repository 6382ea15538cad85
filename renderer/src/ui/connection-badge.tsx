import type { ConnectionIndicator } from '../lib/connection.ts';

const LABELS: Record<ConnectionIndicator, string> = { live: 'Live', connecting: 'Connecting', offline: 'Offline' };

export function ConnectionBadge({ state }: { state: ConnectionIndicator }) {
  return (
    <div className="connection" data-testid="connection" data-state={state} role="status" aria-label={`Updates: ${LABELS[state]}`}>
      <span className="connection__dot" aria-hidden="true" />
      <span className="connection__label">{LABELS[state]}</span>
    </div>
  );
}
