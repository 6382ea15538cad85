// What a command comes to, decided without side effects: every rule on its own.
import { describe, expect, it } from 'vitest';
import { decideCommand, reloadTooSoon, type CommandPolicyOptions } from '../../kiosk/command-policy.ts';
import type { Command, Target } from '../../protocol/upstream.ts';

const options: CommandPolicyOptions = { kioskId: 'lobby-1', groups: ['lobby', 'floor-1'], minIntervalMs: 10_000, staggerMs: 0, screenshotsEnabled: true };
const NOW = 1_000_000;

function reset(id: string | null, target: Target = 'all'): Command {
  return { id, name: 'reset', args: {}, target, when: 'now', via: id === null ? 'legacy' : 'kiosk.reset' };
}

function decide(command: Command, overrides: Partial<CommandPolicyOptions> = {}, context: { seen?: string[]; lastReloadAt?: number; random?: number } = {}) {
  return decideCommand(command, { ...options, ...overrides }, {
    now: NOW,
    seen: (id) => (context.seen ?? []).includes(id),
    lastReloadAt: context.lastReloadAt,
    random: () => context.random ?? 0,
  });
}

describe('targeting', () => {
  it.each([
    ['all', 'all', true],
    ['this kiosk', { kiosks: ['other', 'lobby-1'] }, true],
    ['another kiosk', { kiosks: ['lobby-2'] }, false],
    ['one of its groups', { groups: ['floor-1'] }, true],
    ['another group', { groups: ['floor-2'] }, false],
  ] as const)('a reset for %s', (_what, target, runs) => {
    expect(decide(reset('r-1', target as Target))).toEqual(runs ? { action: 'run', staggerMs: 0 } : { action: 'answer', status: 'ignored', reason: 'not-targeted' });
  });
});

describe('ids seen before', () => {
  it('are repeats, whatever else holds (targeting and expiry included)', () => {
    expect(decide(reset('r-1'), {}, { seen: ['r-1'] })).toEqual({ action: 'repeat' });
    expect(decide(reset('r-1', { kiosks: ['elsewhere'] }), {}, { seen: ['r-1'] })).toEqual({ action: 'repeat' });
  });

  it('never apply to a legacy reset, which has no id', () => {
    expect(decide(reset(null), {}, { seen: ['null'] })).toEqual({ action: 'run', staggerMs: 0 });
  });
});

describe('expiry', () => {
  const home = (expiresAt?: number): Command => ({ id: 'c-1', name: 'home', args: {}, target: 'all', when: 'now', via: 'kiosk.command', ...(expiresAt === undefined ? {} : { expiresAt }) });

  it('is "expired" at or after expiresAt, and runs before it', () => {
    expect(decide(home(NOW))).toEqual({ action: 'answer', status: 'expired' });
    expect(decide(home(NOW - 1))).toEqual({ action: 'answer', status: 'expired' });
    expect(decide(home(NOW + 1))).toEqual({ action: 'run', staggerMs: 0 });
    expect(decide(home())).toEqual({ action: 'run', staggerMs: 0 });
  });
});

describe('screenshots switched off', () => {
  it('are "withheld" / "disabled"', () => {
    const shot: Command = { id: 'c-2', name: 'screenshot', args: { maxWidth: 1280 }, target: 'all', when: 'now', via: 'kiosk.command' };
    expect(decide(shot, { screenshotsEnabled: false })).toEqual({ action: 'answer', status: 'withheld', reason: 'disabled' });
    expect(decide(shot)).toEqual({ action: 'run', staggerMs: 0 });
  });
});

describe('the reload interval and stagger', () => {
  it('answers a reset inside minInterval "too-soon", and lets one through after it', () => {
    expect(decide(reset('r-2'), {}, { lastReloadAt: NOW - 9_999 })).toEqual({ action: 'answer', status: 'ignored', reason: 'too-soon' });
    expect(decide(reset('r-2'), {}, { lastReloadAt: NOW - 10_000 })).toEqual({ action: 'run', staggerMs: 0 });
  });

  it('does not let a clock that went backwards block resets', () => {
    expect(reloadTooSoon(NOW, NOW + 60_000, 10_000)).toBe(false);
    expect(reloadTooSoon(NOW, undefined, 10_000)).toBe(false);
  });

  it('staggers resets by a random 0..staggerMs, and only resets', () => {
    expect(decide(reset('r-3'), { staggerMs: 5000 }, { random: 0.5 })).toEqual({ action: 'run', staggerMs: 2500 });
    expect(decide(reset('r-3'), { staggerMs: 5000 }, { random: 0.9999 })).toEqual({ action: 'run', staggerMs: 4999 });
    const home: Command = { id: 'c-3', name: 'home', args: {}, target: 'all', when: 'now', via: 'kiosk.command' };
    expect(decide(home, { staggerMs: 5000 }, { random: 0.5 })).toEqual({ action: 'run', staggerMs: 0 });
  });
});
