import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResetCommand } from '../../server/messages.ts';
import { ResetMemory } from '../../kiosk/reset-memory.ts';
import { ResetPolicy } from '../../kiosk/reset-policy.ts';

const all = (id: string | null): ResetCommand => ({ id, target: 'all' });

function policy(options: { now?: () => number; memory?: ResetMemory; staggerMs?: number; random?: () => number } = {}) {
  return new ResetPolicy({
    kioskId: 'lobby-1',
    groups: ['lobby', 'floor-1'],
    minIntervalMs: 10_000,
    staggerMs: options.staggerMs ?? 0,
    memory: options.memory ?? new ResetMemory(undefined),
    now: options.now ?? (() => 1_000_000),
    ...(options.random ? { random: options.random } : {}),
  });
}

describe('reset targeting', () => {
  it.each([
    ['all', 'all', true],
    ['this kiosk', { kiosks: ['other', 'lobby-1'] }, true],
    ['another kiosk', { kiosks: ['lobby-2'] }, false],
    ['one of its groups', { groups: ['floor-1'] }, true],
    ['another group', { groups: ['floor-2'] }, false],
  ] as const)('a reset for %s', (_what, target, reloads) => {
    const decision = policy().decide({ id: 'r-1', target: target as ResetCommand['target'] });
    expect(decision.action).toBe(reloads ? 'reload' : 'ignore');
    if (!reloads) expect(decision).toMatchObject({ why: 'not-targeted', acknowledge: false });
  });
});

describe('one reload per reset id', () => {
  it('ignores the same id the second time, without a second acknowledgement', () => {
    let now = 0;
    const p = policy({ now: () => now });
    expect(p.decide(all('r-1')).action).toBe('reload');
    p.finished();
    now += 60_000;
    expect(p.decide(all('r-1'))).toEqual({ action: 'ignore', why: 'duplicate', acknowledge: false });
    expect(p.decide(all('r-2')).action).toBe('reload');
  });

  it('remembers ids and the last reload across restarts (a new policy on the same state file)', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'kiosk-reset-')), 'resets.json');
    let now = 5_000_000;
    const first = policy({ now: () => now, memory: new ResetMemory(file) });
    expect(first.decide(all('r-9')).action).toBe('reload');

    now += 2000;
    const restarted = policy({ now: () => now, memory: new ResetMemory(file) });
    expect(restarted.decide(all('r-9'))).toMatchObject({ why: 'duplicate' });
    expect(restarted.decide(all('r-10'))).toMatchObject({ why: 'too-soon', acknowledge: true });
  });

  it('forgets the oldest ids beyond its limit', () => {
    const memory = new ResetMemory(undefined, { limit: 3 });
    for (const id of ['a', 'b', 'c', 'd']) memory.remember(id);
    expect(['a', 'b', 'c', 'd'].map((id) => memory.has(id))).toEqual([false, true, true, true]);
  });
});

describe('rate limit', () => {
  it('20 resets within a second reload once; the rest are acknowledged as ignored', () => {
    let now = 100_000;
    const p = policy({ now: () => now });
    const decisions = Array.from({ length: 20 }, (_, i) => {
      now += 50;
      return p.decide(all(`r-${i}`));
    });
    expect(decisions.filter((d) => d.action === 'reload')).toHaveLength(1);
    expect(decisions.slice(1).every((d) => d.action === 'ignore' && d.acknowledge)).toBe(true);
  });

  it('allows the next reload once the interval has passed and the reload finished', () => {
    let now = 0;
    const p = policy({ now: () => now });
    p.decide(all('r-1'));
    p.finished();
    now = 9_999;
    expect(p.decide(all('r-2'))).toMatchObject({ why: 'too-soon' });
    now = 10_000;
    expect(p.decide(all('r-3')).action).toBe('reload');
  });

  it('counts legacy resets (no id) by time only', () => {
    let now = 0;
    const p = policy({ now: () => now });
    expect(p.decide(all(null)).action).toBe('reload');
    p.finished();
    now = 5000;
    expect(p.decide(all(null))).toMatchObject({ why: 'too-soon' });
    now = 20_000;
    expect(p.decide(all(null)).action).toBe('reload');
  });

  it('ignores a reset while a reload is still under way, even after the interval', () => {
    let now = 0;
    const p = policy({ now: () => now });
    p.decide(all('r-1'));
    now = 60_000;
    expect(p.decide(all('r-2'))).toMatchObject({ why: 'busy', acknowledge: true });
  });

  it('does not block resets forever when the clock goes backwards', () => {
    let now = 1_000_000;
    const p = policy({ now: () => now });
    p.decide(all('r-1'));
    p.finished();
    now = 500_000;
    expect(p.decide(all('r-2')).action).toBe('reload');
  });
});

describe('stagger', () => {
  it('delays each reload by random 0..staggerSeconds', () => {
    let now = 0;
    const draws = [0, 0.5, 0.999];
    const p = policy({ now: () => now, staggerMs: 8000, random: () => draws.shift() ?? 0 });
    const delays: number[] = [];
    for (const id of ['a', 'b', 'c']) {
      const decision = p.decide(all(id));
      if (decision.action === 'reload') delays.push(decision.delayMs);
      p.finished();
      now += 20_000;
    }
    expect(delays).toEqual([0, 4000, 7992]);
  });
});
