// `kiosk-shell serve`: the local server and the uplink with no window. Prints exactly one
// JSON line on stdout when ready; logs go to stderr; SIGTERM/SIGINT stop it within 2 s, at
// any moment: the handlers are installed first, before start-up and the ready line.
import path from 'node:path';
import { createLogger } from '../../core/logger.ts';
import { Secrets } from '../../core/secret-forms.ts';
import { reportStartFailure } from '../config-report.ts';
import { HeadlessShell } from '../headless-shell.ts';
import { machineConfigPath } from '../machine-paths.ts';
import { installProcessGuards } from '../process-guards.ts';
import { closeOnSignals, startRuntime } from '../runtime.ts';

export async function serveCommand(options: { config?: string; port?: number; packaged?: boolean; dev?: boolean; uiDir?: string }): Promise<number | undefined> {
  const secrets = new Secrets();
  const logger = createLogger({ secrets });
  installProcessGuards(logger);
  const signals = closeOnSignals(logger);
  let runtime;
  try {
    runtime = await startRuntime({
      configPath: options.config,
      packaged: options.packaged ?? false,
      machineConfigPath: machineConfigPath(),
      shell: 'headless',
      cli: {
        ...(options.port === undefined ? {} : { server: { port: options.port } }),
        ...(options.uiDir === undefined ? {} : { ui: { dir: path.resolve(options.uiDir) } }),
      },
      logger,
      secrets,
      dev: options.dev ?? false,
    });
  } catch (error) {
    return reportStartFailure(error, logger);
  }
  await runtime.attach(new HeadlessShell(runtime.server.relay.pages));
  signals.attach(runtime);
  if (!signals.stopping) process.stdout.write(`${JSON.stringify({ event: 'ready', url: runtime.server.pageUrl })}\n`);
  if (options.dev) {
    process.stderr.write(
      `kiosk-shell: developing: open ${runtime.server.pageUrl} (the key lives in the page's memory only: after a reload by hand, open this address again)\n`,
    );
  }
  return undefined;
}
