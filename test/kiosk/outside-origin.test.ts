// The Chromium shell's request filter: a RegExp (so playwright-core matches it without
// handing the kiosk process an object per request), with the old predicate's verdicts.
import { describe, expect, it } from 'vitest';
import { outsideOrigin } from '../../kiosk/outside-origin.ts';

const ORIGIN = 'http://127.0.0.1:4321';

describe('outsideOrigin', () => {
  const blocked = outsideOrigin(ORIGIN);
  /** What the shell's former function route decided for `url`. */
  const predicate = (url: string) => {
    const parsed = new URL(url);
    return parsed.origin !== ORIGIN && parsed.protocol !== 'data:' && parsed.protocol !== 'blob:';
  };

  it('is a RegExp, which playwright-core matches in its server part', () => {
    expect(blocked).toBeInstanceOf(RegExp);
  });

  it('lets the kiosk origin, data: and blob: through and blocks everything else', () => {
    const urls = [
      `${ORIGIN}/`,
      `${ORIGIN}/api/events/?page=2`,
      `${ORIGIN}/assets/index-abc.js`,
      'data:image/png;base64,AAAA',
      `blob:${ORIGIN}/1b2c3d`,
      'http://127.0.0.1:43210/',
      'http://127.0.0.1:432/',
      'http://127.0.0.1/',
      'https://127.0.0.1:4321/',
      'http://localhost:4321/',
      'https://evil.example/beacon',
      'http://127.0.0.1.evil.example:4321/',
      'about:blank',
    ];
    for (const url of urls) expect([url, blocked.test(url)]).toEqual([url, predicate(url)]);
  });

  it("with the opaque origin 'null' (the diagnostic screen's data: page), lets only data: and blob: through", () => {
    const none = outsideOrigin('null');
    for (const url of ['data:text/html,<h1>x</h1>', 'blob:null/1b2c3d']) expect([url, none.test(url)]).toEqual([url, false]);
    for (const url of [`${ORIGIN}/`, 'https://evil.example/', 'about:blank', 'file:///etc/passwd']) expect([url, none.test(url)]).toEqual([url, true]);
  });

  it('refuses an origin that is not canonical (a path, a default port, no scheme)', () => {
    expect(() => outsideOrigin(`${ORIGIN}/`)).toThrow(/canonical/);
    expect(() => outsideOrigin('http://127.0.0.1:80')).toThrow(/canonical/);
    expect(() => outsideOrigin('127.0.0.1:4321')).toThrow();
  });
});
