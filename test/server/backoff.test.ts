// Capped exponential backoff with full jitter, with the random source injected.
import { describe, expect, it } from 'vitest';
import { Backoff } from '../../server/backoff.ts';
import { Rng } from '../support/rng.ts';

function seeded(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}

const ALMOST_ONE = 1 - Number.EPSILON;

function draws(backoff: Backoff, count: number): number[] {
  return Array.from({ length: count }, () => backoff.next());
}

describe('Backoff', () => {
  it('doubles the ceiling per failure up to the cap (seen through the largest draw)', () => {
    expect(draws(new Backoff(100, 1000, () => ALMOST_ONE), 7)).toEqual([99, 199, 399, 799, 999, 999, 999]);
  });

  it('can always draw zero: full jitter starts at 0', () => {
    expect(draws(new Backoff(100, 1000, () => 0), 5)).toEqual([0, 0, 0, 0, 0]);
  });

  it('is exactly floor(random × ceiling)', () => {
    const values = [0.5, 0.25, 0.1, 0.9, 0.5];
    let i = 0;
    const backoff = new Backoff(200, 3000, () => values[i++] ?? 0);
    // ceilings 200, 400, 800, 1600, 3000
    expect(draws(backoff, 5)).toEqual([100, 100, 80, 1440, 1500]);
  });

  it('keeps every draw within [0, min(cap, base × 2^attempt)), as integers', () => {
    const base = 50;
    const cap = 8000;
    const backoff = new Backoff(base, cap, seeded(42));
    for (let attempt = 0; attempt < 200; attempt++) {
      const delay = backoff.next();
      const ceiling = Math.min(cap, base * 2 ** attempt);
      expect(Number.isInteger(delay)).toBe(true);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(ceiling);
    }
  });

  it('spreads the draws over the range (jitter, not a fixed delay)', () => {
    const backoff = new Backoff(1000, 1000, seeded(7));
    const sample = draws(backoff, 500);
    expect(Math.min(...sample)).toBeLessThan(100);
    expect(Math.max(...sample)).toBeGreaterThan(900);
    expect(new Set(sample).size).toBeGreaterThan(300);
  });

  it('stays finite and at the cap after very many failures', () => {
    const backoff = new Backoff(60_000, 300_000, () => ALMOST_ONE);
    const sample = draws(backoff, 2000);
    expect(sample.at(-1)).toBe(299_999);
    expect(sample.every((d) => Number.isFinite(d) && d < 300_000)).toBe(true);
  });

  it('starts over from the base after reset', () => {
    const backoff = new Backoff(100, 1000, () => ALMOST_ONE);
    draws(backoff, 5);
    backoff.reset();
    expect(draws(backoff, 3)).toEqual([99, 199, 399]);
  });
});
