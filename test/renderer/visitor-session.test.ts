import { describe, expect, it } from 'vitest';
import { FRESH_SESSION, VisitorSession } from '../../renderer/src/lib/visitor-session.ts';

describe('VisitorSession', () => {
  it('returnHome() wipes everything a visitor changed, in one call', () => {
    const session = new VisitorSession();
    let changes = 0;
    session.subscribe(() => changes++);
    session.setLanguage('zh-Hant');
    session.navigate('search');
    session.setQuery('marriage');
    session.openDetail('office', '1');
    session.setFloor('2');
    session.setTextScale(2);
    session.setHighContrast(true);
    session.dismiss('door');
    expect(session.fresh).toBe(false);
    const before = changes;
    session.returnHome();
    expect(session.getState()).toEqual(FRESH_SESSION);
    expect(session.fresh).toBe(true);
    expect(changes).toBe(before + 1);
    session.returnHome();
    expect(changes).toBe(before + 1);
  });

  it('goes back one step at a time: settings, detail, section, home', () => {
    const session = new VisitorSession();
    session.navigate('offices');
    session.openDetail('office', '1');
    session.setSettingsOpen(true);
    session.back();
    expect(session.getState()).toMatchObject({ settingsOpen: false, detail: { id: '1' }, route: 'offices' });
    session.back();
    expect(session.getState()).toMatchObject({ detail: null, route: 'offices' });
    session.back();
    expect(session.getState().route).toBe('home');
  });

  it('a language chosen on the home screen alone is a session to wipe', () => {
    const session = new VisitorSession();
    session.setLanguage('es');
    expect(session.getState().route).toBe('home');
    expect(session.fresh).toBe(false);
  });

  it('bounds the query and does not notify for no change', () => {
    const session = new VisitorSession();
    let changes = 0;
    session.subscribe(() => changes++);
    session.setQuery('x'.repeat(500));
    expect(session.getState().query).toHaveLength(80);
    session.navigate('home');
    expect(changes).toBe(1);
  });
});
