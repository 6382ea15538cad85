// For the bench's kiosk workers: the Chromium shell on a runtime, started the way
// `kiosk-shell run --shell chromium --headless` starts it (kiosk/commands/run.ts).
import type { Logger } from '../../core/logger.ts';
import { ChromiumShell, findChromium } from '../../kiosk/chromium-shell.ts';
import type { Runtime } from '../../kiosk/runtime.ts';

export async function attachHeadlessChromium(runtime: Runtime, logger: Logger): Promise<ChromiumShell> {
  const executablePath = findChromium();
  if (executablePath === undefined) throw new Error('Chromium is not installed: run scripts/setup.sh --test');
  const shell = ChromiumShell.forServer(runtime.server, { executablePath, headless: true, logger, extraArgs: ['--disable-gpu'] });
  await runtime.attach(shell);
  return shell;
}
