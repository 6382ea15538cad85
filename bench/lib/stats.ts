// Order statistics for the bench. Percentiles are nearest-rank (the value at rank
// ceil(p·n)), so a p99 of 50 samples is the second largest, never an interpolation
// between two samples that were actually measured.

export function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const ordered = sorted(values);
  const rank = Math.min(ordered.length, Math.max(1, Math.ceil((p / 100) * ordered.length)));
  return ordered[rank - 1] ?? Number.NaN;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, v) => sum + v, 0) / values.length;
}

export function max(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : Math.max(...values);
}

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
}

export function summarize(values: readonly number[]): Summary {
  const ordered = sorted(values);
  return {
    n: ordered.length,
    p50: percentile(ordered, 50),
    p99: percentile(ordered, 99),
    min: ordered[0] ?? Number.NaN,
    max: ordered.at(-1) ?? Number.NaN,
    mean: mean(ordered),
  };
}

/** The largest number of timestamps (ms) that fall in any window [t, t + windowMs). */
export function densestWindow(timestamps: readonly number[], windowMs: number): { count: number; startMs: number } {
  const ordered = sorted(timestamps);
  let best = 0;
  let startMs = ordered[0] ?? 0;
  let lo = 0;
  for (let hi = 0; hi < ordered.length; hi++) {
    while ((ordered[hi] ?? 0) - (ordered[lo] ?? 0) >= windowMs) lo++;
    if (hi - lo + 1 > best) {
      best = hi - lo + 1;
      startMs = ordered[lo] ?? 0;
    }
  }
  return { count: best, startMs };
}
