// The display state: off by command or schedule, woken by a touch for a while, and the
// shell told only when what it shows changes, in order.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../core/logger.ts';
import { Display } from '../../kiosk/display.ts';
import type { DisplayPower } from '../../protocol/page.ts';
import { LogCapture } from '../support/kiosk.ts';

function display(wakeMs = 60_000) {
  const told: DisplayPower[] = [];
  let now = 0;
  const d = new Display({
    shell: { setDisplay: (power) => Promise.resolve(void told.push(power)) },
    wakeMs,
    logger: createLogger({ destination: new LogCapture() }),
    now: () => now,
  });
  return { d, told, advance: (ms: number) => (now += ms) };
}

describe('the display', () => {
  it('goes off and on by command, telling the shell each change once', async () => {
    const { d, told } = display();
    expect(d.state).toBe('on');
    await d.command('off');
    await d.command('off');
    expect(d.state).toBe('off-commanded');
    await d.command('on');
    expect(told).toEqual(['off', 'on']);
  });

  it('goes off by schedule, and an explicit command wins while it says so', async () => {
    const { d, told } = display();
    await d.scheduled(true);
    expect(d.state).toBe('off-scheduled');
    await d.command('off');
    expect(d.state).toBe('off-commanded');
    await d.command('on');
    expect(d.state).toBe('off-scheduled');
    await d.scheduled(false);
    expect(d.state).toBe('on');
    expect(told).toEqual(['off', 'on']);
  });

  it('wakes on a touch for wakeMs, still reporting why it will go dark again', async () => {
    const { d, told, advance } = display(50);
    await d.command('off');
    d.wake();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(d.power).toBe('on');
    expect(d.state).toBe('off-commanded');
    advance(60);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(told).toEqual(['off', 'on', 'off']);
  });

  it('does not wake a screen that is on, or when waking is switched off', async () => {
    const { d, told } = display(0);
    d.wake();
    await d.command('off');
    d.wake();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(told).toEqual(['off']);
  });

  it('applies a quick off-on in order', async () => {
    const { d, told } = display();
    const off = d.command('off');
    const on = d.command('on');
    await Promise.all([off, on]);
    expect(told).toEqual(['off', 'on']);
    expect(d.power).toBe('on');
  });
});
