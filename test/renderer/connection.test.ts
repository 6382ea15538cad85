import { describe, expect, it } from 'vitest';
import { INITIAL_LINK_STATUS, indicatorOf, type LinkStatus, withSocket, withUplink } from '../../renderer/src/lib/connection.ts';

describe('connection indicator', () => {
  it('is live only with the local socket open and the uplink open', () => {
    let status: LinkStatus = INITIAL_LINK_STATUS;
    expect(indicatorOf(status)).toBe('connecting');
    status = withSocket(status, 'open');
    expect(indicatorOf(status)).toBe('connecting');
    status = withUplink(status, 'open');
    expect(indicatorOf(status)).toBe('live');
    expect(indicatorOf(withSocket(status, 'retrying'))).toBe('offline');
  });

  it('shows offline through an uplink retry cycle instead of flickering', () => {
    let status = withUplink(withSocket(INITIAL_LINK_STATUS, 'open'), 'open');
    status = withUplink(status, 'waiting');
    expect(indicatorOf(status)).toBe('offline');
    status = withUplink(status, 'connecting');
    expect(indicatorOf(status)).toBe('offline');
    status = withUplink(status, 'open');
    expect(indicatorOf(status)).toBe('live');
    status = withUplink(status, 'connecting');
    expect(indicatorOf(status)).toBe('connecting');
    expect(indicatorOf(withUplink(status, 'stopped'))).toBe('offline');
  });

  it('keeps the same object when nothing changed (no needless re-render)', () => {
    const status = withUplink(withSocket(INITIAL_LINK_STATUS, 'open'), 'open');
    expect(withSocket(status, 'open')).toBe(status);
    expect(withUplink(status, 'open')).toBe(status);
  });
});
