import { describe, expect, it } from 'vitest';
import { shouldBlockKey, type KeyLike } from '../../renderer/src/lib/lockdown.ts';

const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods });

describe('shouldBlockKey', () => {
  it('blocks zoom, print, save, find, devtools and history navigation', () => {
    for (const blocked of [
      key('+', { ctrlKey: true }),
      key('=', { ctrlKey: true }),
      key('-', { ctrlKey: true }),
      key('0', { metaKey: true }),
      key('p', { ctrlKey: true }),
      key('S', { ctrlKey: true, shiftKey: true }),
      key('f', { ctrlKey: true }),
      key('I', { ctrlKey: true, shiftKey: true }),
      key('F12'),
      key('F5'),
      key('F11'),
      key('ArrowLeft', { altKey: true }),
      key('BrowserBack'),
      key('ContextMenu'),
      key('F10', { shiftKey: true }),
    ]) {
      expect(shouldBlockKey(blocked), JSON.stringify(blocked)).toBe(true);
    }
  });

  it('lets ordinary keys and plain navigation through', () => {
    for (const allowed of [key('a'), key('Tab'), key('Enter'), key(' '), key('ArrowDown'), key('Escape'), key('Tab', { shiftKey: true })]) {
      expect(shouldBlockKey(allowed), JSON.stringify(allowed)).toBe(false);
    }
  });
});
