import { describe, expect, it } from 'vitest';
import { backoffDelay, CONTENT_BACKOFF, SOCKET_BACKOFF } from '../../sdk/backoff.ts';

describe('backoffDelay (full jitter)', () => {
  const policy = { baseMs: 500, capMs: 10_000 };

  it('draws uniformly below base·2^attempt', () => {
    expect(backoffDelay(0, policy, () => 0.999)).toBe(499);
    expect(backoffDelay(1, policy, () => 0.5)).toBe(500);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(2_000);
  });

  it('never exceeds the cap, however many attempts', () => {
    for (const attempt of [5, 10, 50, 1_000, Number.MAX_SAFE_INTEGER]) {
      expect(backoffDelay(attempt, policy, () => 0.999_999)).toBeLessThanOrEqual(10_000);
    }
  });

  it('never spins: a zero draw still waits a little', () => {
    expect(backoffDelay(0, policy, () => 0)).toBeGreaterThan(0);
  });

  it('clamps a broken random source and a negative attempt', () => {
    expect(backoffDelay(-3, policy, () => 7)).toBe(500);
    expect(backoffDelay(2, policy, () => -1)).toBeGreaterThan(0);
  });

  it('spreads real draws over the whole window', () => {
    const draws = Array.from({ length: 2_000 }, () => backoffDelay(10, policy));
    expect(Math.min(...draws)).toBeLessThan(1_000);
    expect(Math.max(...draws)).toBeGreaterThan(9_000);
  });

  it('uses 0.5 s base and a 10 s cap for the socket', () => {
    expect(SOCKET_BACKOFF).toEqual({ baseMs: 500, capMs: 10_000 });
    expect(CONTENT_BACKOFF.capMs).toBeGreaterThanOrEqual(CONTENT_BACKOFF.baseMs);
  });
});
