import type { App } from 'electron';
import { describe, expect, it } from 'vitest';
import { parseShellArgs } from '../../electron/args.ts';
import { acquireSingleInstance, applyKioskSwitches } from '../../electron/lifecycle.ts';
import { FakeApp } from './electron-fake.ts';

describe('single instance', () => {
  it('takes the lock and focuses the kiosk when a second launch arrives', () => {
    const app = new FakeApp();
    let focused = 0;
    expect(acquireSingleInstance(app as unknown as App, () => focused++)).toBe(true);
    app.emit('second-instance');
    expect(focused).toBe(1);
  });

  it('says no when another instance holds the lock', () => {
    const app = new FakeApp();
    app.singleInstance = false;
    expect(acquireSingleInstance(app as unknown as App, () => undefined)).toBe(false);
  });
});

describe('lifecycle', () => {
  it('turns off pinch zoom and swipe navigation', () => {
    const app = new FakeApp();
    applyKioskSwitches(app as unknown as App);
    expect(app.switches).toContainEqual(['disable-pinch']);
    expect(app.switches).toContainEqual(['overscroll-history-navigation', '0']);
  });

});

describe('the Electron app\'s arguments', () => {
  it('reads --config and --dev among Chromium\'s switches', () => {
    expect(parseShellArgs(['/usr/bin/electron', '/app/main.js', '--no-sandbox', '--config', '/etc/k.json', '--dev'])).toEqual({ config: '/etc/k.json', dev: true });
    expect(parseShellArgs(['/usr/bin/electron', '/app/main.js'])).toEqual({ dev: false });
  });
});
