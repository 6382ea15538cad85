// The Chromium shell in-process, started the way `kiosk-shell --shell chromium --headless`
// starts it (bench/lib/headless-chromium.ts), plus the one thing the CLI cannot tell from outside:
// when the page first shows content. Prints {"event":"ready"} like the CLI, then
// {"event":"content"} once an event card is visible, then stops.
//   argv[2]  the config file
import { createLogger } from '../../core/logger.ts';
import { Secrets } from '../../core/secret-forms.ts';
import { attachHeadlessChromium } from '../lib/headless-chromium.ts';
import { startRuntime } from '../../kiosk/runtime.ts';

const CONTENT = '#root[data-screen="home"] [data-testid="event"]';

const secrets = new Secrets();
const logger = createLogger({ secrets, level: 'warn' });
const runtime = await startRuntime({ configPath: process.argv[2], shell: 'chromium', logger, secrets });
const { shell } = await attachHeadlessChromium(runtime, logger);
process.stdout.write(`${JSON.stringify({ event: 'ready' })}\n`);
const page = shell.page;
if (page === undefined) throw new Error('the shell has no page');
await page.waitForSelector(CONTENT, { state: 'visible', timeout: 30_000 });
process.stdout.write(`${JSON.stringify({ event: 'content' })}\n`);
await runtime.close();
process.exit(0);
