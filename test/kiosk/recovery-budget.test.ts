import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecoveryBudget } from '../../kiosk/recovery-budget.ts';

describe('tiered recovery', () => {
  it('reloads with backoff, then recreates the window, then relaunches the app', () => {
    const budget = new RecoveryBudget({ reloads: 3, recreates: 2, baseDelayMs: 1000, capDelayMs: 60_000, now: () => 0 });
    const steps = Array.from({ length: 6 }, () => budget.next('crashed'));
    expect(steps).toEqual([
      { action: 'reload', delayMs: 1000 },
      { action: 'reload', delayMs: 2000 },
      { action: 'reload', delayMs: 4000 },
      { action: 'recreate', delayMs: 8000 },
      { action: 'recreate', delayMs: 16000 },
      { action: 'relaunch' },
    ]);
  });

  it('starts from the first tier again once the page showed content', () => {
    const budget = new RecoveryBudget({ now: () => 0 });
    budget.next('unresponsive');
    budget.next('unresponsive');
    budget.healthy();
    expect(budget.next('blank')).toEqual({ action: 'reload', delayMs: 1000 });
    expect(budget.stats.byKind).toMatchObject({ unresponsive: 2, blank: 1 });
  });

  it('relaunches at most maxRelaunchesPerHour, then keeps recreating at the longest delay', () => {
    let now = 0;
    const budget = new RecoveryBudget({ reloads: 0, recreates: 0, maxRelaunchesPerHour: 2, capDelayMs: 60_000, now: () => now });
    expect(budget.next('crashed')).toEqual({ action: 'relaunch' });
    expect(budget.next('crashed')).toEqual({ action: 'relaunch' });
    expect(budget.next('crashed')).toEqual({ action: 'recreate', delayMs: 60_000 });
    now += 3_600_001;
    expect(budget.next('crashed')).toEqual({ action: 'relaunch' });
  });

  it('persists its counters, so a relaunch does not reset the budget it spends', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'kiosk-recovery-')), 'recovery.json');
    const options = { file, reloads: 1, recreates: 0, maxRelaunchesPerHour: 1, now: () => 1000 };
    const before = new RecoveryBudget(options);
    before.next('crashed');
    expect(before.next('crashed')).toEqual({ action: 'relaunch' });

    const afterRelaunch = new RecoveryBudget(options);
    expect(afterRelaunch.stats).toMatchObject({ consecutive: 2, relaunches: 1, total: 2 });
    expect(afterRelaunch.next('crashed')).toMatchObject({ action: 'recreate' });
  });
});
