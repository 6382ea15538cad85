// For the bench's kiosk workers: the Chromium shell on a runtime, started the way
// `kiosk-shell run --shell chromium --headless` starts it (kiosk/commands/run.ts).
import type { Logger } from '../../core/logger.ts';
import { ChromiumShell, findChromium } from '../../kiosk/chromium-shell.ts';
import type { Kiosk } from '../../kiosk/kiosk.ts';
import type { Runtime } from '../../kiosk/runtime.ts';

export async function attachHeadlessChromium(runtime: Runtime, logger: Logger): Promise<{ shell: ChromiumShell; kiosk: Kiosk }> {
  const executablePath = findChromium();
  if (executablePath === undefined) throw new Error('Chromium is not installed: run scripts/setup.sh --test');
  const shell = ChromiumShell.forServer(runtime.server, { executablePath, headless: true, logger, extraArgs: ['--disable-gpu'] });
  return { shell, kiosk: await runtime.attach(shell) };
}
