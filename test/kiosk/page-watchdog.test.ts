import { describe, expect, it } from 'vitest';
import { PageWatchdog } from '../../kiosk/page-watchdog.ts';

function watchdog() {
  let now = 0;
  const dog = new PageWatchdog({ connectGraceMs: 30_000, heartbeatTimeoutMs: 20_000, now: () => now });
  const failures: string[] = [];
  dog.on('failure', (kind) => failures.push(kind));
  return { dog, failures, advance: (ms: number) => ((now += ms), dog.check()) };
}

describe('page watchdog', () => {
  it('reports a page that never shows a sign of life after loading as blank, once', () => {
    const { dog, failures, advance } = watchdog();
    dog.loadStarted();
    advance(29_000);
    expect(dog.state()).toBe('loading');
    advance(2000);
    advance(5000);
    expect(failures).toEqual(['blank']);
  });

  it('reports a page that stops beating as unresponsive', () => {
    const { dog, failures, advance } = watchdog();
    dog.loadStarted();
    dog.pages(1);
    for (let i = 0; i < 10; i++) {
      advance(5000);
      dog.beat();
    }
    expect(dog.state()).toBe('alive');
    expect(failures).toEqual([]);
    advance(21_000);
    expect(dog.state()).toBe('unresponsive');
    expect(failures).toEqual(['unresponsive']);
  });

  it('watches again after the next load', () => {
    const { dog, failures, advance } = watchdog();
    dog.loadStarted();
    advance(31_000);
    dog.loadStarted();
    advance(31_000);
    expect(failures).toEqual(['blank', 'blank']);
  });

  it('says none when no page is connected', () => {
    const { dog } = watchdog();
    expect(dog.state()).toBe('none');
    dog.pages(1);
    dog.beat();
    dog.pages(0);
    expect(dog.state()).toBe('none');
  });
});
