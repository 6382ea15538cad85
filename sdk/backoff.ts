// Capped exponential backoff with full jitter: the wait before retry n is uniform in
// [0, min(cap, base·2^n)). Many kiosks that lost the same server do not come back in step.

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

/** The local /ws link: quick to come back after a restart of the shell's server. */
export const SOCKET_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 10_000 };
/** Content requests after a failure: the API is slower to recover and shared by every kiosk. */
export const CONTENT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 15_000 };

/** Never spin: even a zero draw waits this long. */
const FLOOR_MS = 50;

export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 30);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  const draw = Math.min(Math.max(random(), 0), 1);
  return Math.max(FLOOR_MS, Math.floor(draw * ceiling));
}
