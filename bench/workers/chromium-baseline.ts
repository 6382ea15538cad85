// The floor under "first content" in Chromium: the same Chromium, started by playwright-core
// with a fresh profile, showing a static element. Prints {"event":"content"}.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const profile = mkdtempSync(path.join(os.tmpdir(), 'kiosk-bench-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--disable-gpu', '--no-first-run', '--disable-background-networking', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
});
const page = context.pages()[0] ?? (await context.newPage());
await page.setContent('<main><h1 id="content">City Hall</h1></main>');
await page.waitForSelector('#content', { state: 'visible' });
process.stdout.write(`${JSON.stringify({ event: 'content' })}\n`);
await context.close();
rmSync(profile, { recursive: true, force: true });
process.exit(0);
