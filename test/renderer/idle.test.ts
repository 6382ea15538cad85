import { describe, expect, it } from 'vitest';
import { DEFAULT_IDLE_SECONDS, IdleTimer } from '../../renderer/src/lib/idle.ts';
import { FakeTimers } from '../sdk/fake-timers.ts';

function setup() {
  const timers = new FakeTimers();
  let homes = 0;
  const idle = new IdleTimer({ timers, onIdle: () => homes++ });
  return { timers, idle, homes: () => homes };
}

describe('IdleTimer', () => {
  it('returns home after 120 s by default, only when away from home', () => {
    const { timers, idle, homes } = setup();
    expect(DEFAULT_IDLE_SECONDS).toBe(120);
    timers.advance(600_000);
    expect(homes()).toBe(0);
    idle.setAway(true);
    timers.advance(119_999);
    expect(homes()).toBe(0);
    timers.advance(1);
    expect(homes()).toBe(1);
  });

  it('starts over on every touch or key', () => {
    const { timers, idle, homes } = setup();
    idle.setAway(true);
    timers.advance(90_000);
    idle.activity();
    timers.advance(110_000);
    expect(homes()).toBe(0);
    timers.advance(10_000);
    expect(homes()).toBe(1);
  });

  it('uses the seconds from local.hello; 0 turns it off', () => {
    const { timers, idle, homes } = setup();
    idle.setSeconds(30);
    idle.setAway(true);
    timers.advance(30_000);
    expect(homes()).toBe(1);
    idle.setAway(false);
    idle.setSeconds(0);
    idle.setAway(true);
    expect(idle.armed).toBe(false);
    timers.advance(3_600_000);
    expect(homes()).toBe(1);
  });

  it('is held by any pause, and counts down afresh when the last pause ends', () => {
    const { timers, idle, homes } = setup();
    idle.setSeconds(10);
    idle.setAway(true);
    const releaseA = idle.pause();
    const releaseB = idle.pause();
    timers.advance(60_000);
    releaseA();
    releaseA();
    timers.advance(60_000);
    expect(homes()).toBe(0);
    releaseB();
    timers.advance(9_999);
    expect(homes()).toBe(0);
    timers.advance(1);
    expect(homes()).toBe(1);
  });

  it('dispose() leaves no timer', () => {
    const { timers, idle } = setup();
    idle.setAway(true);
    idle.dispose();
    expect(timers.size).toBe(0);
  });
});

describe('IdleTimer: "Still there?" and in use', () => {
  function withPrompt() {
    const timers = new FakeTimers();
    let homes = 0;
    const prompts: (number | null)[] = [];
    const inUse: boolean[] = [];
    const idle = new IdleTimer({ timers, onIdle: () => homes++, onPrompt: (at) => prompts.push(at), onInUse: (value) => inUse.push(value) });
    return { timers, idle, prompts, inUse, homes: () => homes };
  }

  it('asks 20 s before the return home; the answer, not any touch, closes the prompt and starts over', () => {
    const { timers, idle, prompts, homes } = withPrompt();
    idle.setAway(true);
    timers.advance(99_999);
    expect(prompts).toEqual([]);
    timers.advance(1);
    expect(prompts).toEqual([timers.now() + 20_000]);
    expect(idle.prompting).toBe(true);
    // The touch that starts the tap on "I'm still here" must not close it under the finger.
    idle.activity();
    expect(idle.prompting).toBe(true);
    idle.stay();
    expect(prompts.at(-1)).toBeNull();
    timers.advance(119_999);
    expect(homes()).toBe(0);
    timers.advance(1);
    expect(homes()).toBe(1);
    expect(prompts.at(-1)).toBeNull();
  });

  it('is in use while away, while prompting, and within the idle period after a touch at home', () => {
    const { timers, idle, inUse } = withPrompt();
    expect(idle.inUse).toBe(false);
    idle.activity();
    expect(inUse).toEqual([true]);
    timers.advance(119_999);
    expect(idle.inUse).toBe(true);
    timers.advance(1);
    expect(inUse).toEqual([true, false]);
    idle.setAway(true);
    expect(idle.inUse).toBe(true);
    idle.setAway(false);
    expect(idle.inUse).toBe(false);
    const release = idle.pause();
    expect(idle.inUse).toBe(true);
    release();
    expect(inUse).toEqual([true, false, true, false, true, false]);
  });

  it('goes home without a prompt when the period is too short for one', () => {
    const { timers, idle, prompts, homes } = withPrompt();
    idle.setSeconds(10);
    idle.setAway(true);
    timers.advance(10_000);
    expect(prompts).toEqual([]);
    expect(homes()).toBe(1);
  });
});
