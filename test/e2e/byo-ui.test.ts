// Bring your own UI: the minimal example (examples/minimal-ui, plain HTML and a module, no
// build) served by ui.dir, in Chromium, under the Chromium shell and under `serve`: content
// through /api, a reset reloads it and is acknowledged, an allowed frame reaches the
// upstream and a disallowed one does not, and the token is nowhere the page can see.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { credentialOf } from '../../core/secret-forms.ts';
import { startE2eKiosk, type E2eKiosk } from '../support/e2e.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { waitFor } from '../support/wait.ts';

const EXAMPLE = path.join(REPO_ROOT, 'examples', 'minimal-ui');
let kiosk: E2eKiosk | undefined;

afterEach(async () => {
  await kiosk?.close();
  kiosk = undefined;
});

const received = (type: string) => (kiosk?.demo?.received ?? []).filter((m) => m.type === type);

async function showsEvents(page: Page): Promise<void> {
  await page.waitForFunction(() => (document.getElementById('events')?.children.length ?? 0) > 0, undefined, { timeout: 20_000 });
}

for (const shell of ['chromium', 'headless'] as const) {
  describe(`the minimal example under ${shell === 'chromium' ? 'the Chromium shell' : 'serve (the page in a browser the shell does not drive)'}`, () => {
    it('shows content through /api, reloads for a reset and is acknowledged, sends only allowed frames up, and never sees the token', async () => {
      kiosk = await startE2eKiosk({ shell, overrides: { ui: { dir: EXAMPLE }, relay: { allowUp: ['minimal.hello'] }, reset: { minIntervalSeconds: 0 } } });
      const page = kiosk.page();
      const bodies: string[] = [];
      page.on('response', (response) => void response.text().then((text) => bodies.push(text), () => undefined));
      await showsEvents(page);
      expect(await page.locator('#events li').first().textContent()).toBeTruthy();
      await waitFor(async () => (await page.textContent('#status')) === 'Live', { what: 'the status Live' });

      // A reset: the page loads again (the SDK, or the shell, reloads it) and the ack arrives.
      let loads = 0;
      page.on('load', () => loads++);
      kiosk.demo?.publish({ type: 'kiosk.reset', id: 'r-byo', target: 'all' });
      await waitFor(() => received('kiosk.ack').some((a) => a.id === 'r-byo' && a.status === 'reloaded'), { timeoutMs: 20_000, what: 'the reset acknowledged' });
      expect(loads).toBe(1);
      const after = kiosk.page();
      await showsEvents(after);

      // Up: the button's allowed frame arrives; a type outside relay.allowUp does not.
      // (A string: the test runner would rewrite a dynamic import written as code.)
      await after.evaluate(`(async () => {
        const { connect } = await import('/kiosk-shell/sdk.js');
        const session = await connect();
        session.send('not.allowed', { secret: false });
        session.send('kiosk.ack', { id: 'forged' });
      })()`);
      await after.click('#hello');
      await waitFor(() => received('minimal.hello').length === 1, { what: 'the allowed frame upstream' });
      expect(received('not.allowed')).toEqual([]);
      expect(received('kiosk.ack').filter((a) => a.id === 'forged')).toEqual([]);

      // The token: not in the DOM, globals, storage, URL, or any response the page got.
      const token = kiosk.config.upstream.api.token;
      const seen = await after.evaluate(() => {
        const storage = (s: Storage) => Array.from({ length: s.length }, (_, i) => `${s.key(i)}=${s.getItem(s.key(i) ?? '')}`).join(';');
        return [document.documentElement.outerHTML, location.href, storage(localStorage), storage(sessionStorage), document.cookie, JSON.stringify(Object.keys(window))].join('\n');
      });
      expect(seen).not.toContain(credentialOf(token));
      expect(bodies.join('\n')).not.toContain(credentialOf(token));
      expect(seen).not.toContain(kiosk.server.key);
    });
  });
}
