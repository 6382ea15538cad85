// `kiosk-shell [--shell electron|chromium]`: the kiosk itself.
//   electron (default): starts the Electron app, whose main process runs the server.
//   chromium: runs the server here and drives the system's Chromium.
// Where the Electron binary cannot be had, it says so in one line and uses Chromium;
// where there is no display, it says that too and runs Chromium headless.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ConfigError } from '../../core/errors.ts';
import { createLogger, type Logger } from '../../core/logger.ts';
import { Secrets } from '../../core/secret-forms.ts';
import { PACKAGE_ROOT } from '../../core/package-info.ts';
import { ChromiumShell, findChromium } from '../chromium-shell.ts';
import { reportStartFailure } from '../config-report.ts';
import { diagnosticPageUrl } from '../diagnostic-page.ts';
import { findElectronBinary, hasDisplay } from '../electron-binary.ts';
import { machineConfigPath } from '../machine-paths.ts';
import { installProcessGuards } from '../process-guards.ts';
import { closeOnSignals, startRuntime, type Runtime } from '../runtime.ts';

export interface RunOptions {
  config?: string;
  shell?: 'electron' | 'chromium';
  dev?: boolean;
  headless?: boolean;
  /** Serve this built web app at / instead of the bundled UI. */
  uiDir?: string;
}

const NO_ORIGIN = 'null';
const say = (line: string) => process.stderr.write(`kiosk-shell: ${line}\n`);

export async function runCommand(options: RunOptions): Promise<number | undefined> {
  if (options.shell !== 'chromium') {
    const electron = findElectronBinary();
    if (electron !== undefined && !options.headless) return runElectron(electron, options);
    if (options.shell === 'electron') {
      say('the Electron binary is not installed (`npx install-electron` downloads it where Electron can be reached); run with --shell chromium instead');
      return 1;
    }
    if (electron === undefined) say('the Electron binary is not installed (`npx install-electron` downloads it where Electron can be reached): using the system Chromium instead');
  }
  return runChromium(options);
}

function runElectron(binary: string, options: RunOptions): Promise<number> {
  const args = [path.join(PACKAGE_ROOT, 'dist', 'electron', 'main.js')];
  if (options.config) args.push('--config', options.config);
  if (options.uiDir) args.push('--ui-dir', path.resolve(options.uiDir));
  if (options.dev) args.push('--dev');
  const child = spawn(binary, args, { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGTERM', forward);
  process.on('SIGINT', forward);
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

async function runChromium(options: RunOptions): Promise<number | undefined> {
  const executablePath = findChromium();
  if (executablePath === undefined) {
    say('no Chromium found: install it (Debian/Ubuntu: sudo apt-get install chromium) or set KIOSK_CHROMIUM_PATH');
    return 1;
  }
  let headless = options.headless ?? false;
  if (!headless && !hasDisplay()) {
    say('no display (DISPLAY and WAYLAND_DISPLAY are unset): running Chromium headless');
    headless = true;
  }

  const secrets = new Secrets();
  const logger = createLogger({ secrets });
  installProcessGuards(logger);
  let runtime: Runtime;
  try {
    runtime = await startRuntime({
      configPath: options.config,
      machineConfigPath: machineConfigPath(),
      shell: 'chromium',
      logger,
      secrets,
      cli: options.uiDir === undefined ? {} : { ui: { dir: path.resolve(options.uiDir) } },
    });
  } catch (error) {
    const code = reportStartFailure(error, logger);
    // On a screen, say it there too: a kiosk that cannot start must not look merely blank.
    if (!headless && error instanceof ConfigError) await showDiagnostic(executablePath, error.problems, logger, code);
    return code;
  }
  try {
    const shell = ChromiumShell.forServer(runtime.server, {
      executablePath,
      headless,
      logger,
      dev: options.dev ?? false,
      extraArgs: headless ? ['--disable-gpu'] : [],
    });
    await runtime.attach(shell);
  } catch (error) {
    await runtime.close();
    return reportStartFailure(error, logger);
  }
  // The key goes out only where a person needs it to open the page (headless); a kiosk on
  // a screen started by systemd would otherwise put it in the journal.
  if (headless) say(`the kiosk is at ${runtime.server.pageUrl}`);
  const url = headless ? runtime.server.pageUrl : `${runtime.server.origin}/`;
  // Before the ready line: a supervisor may stop the kiosk the moment it reads it.
  closeOnSignals(logger).attach(runtime);
  process.stdout.write(`${JSON.stringify({ event: 'ready', url, shell: 'chromium', headless })}\n`);
  return undefined;
}

/** Shows the problems fullscreen until the kiosk is stopped, then exits with `code`. */
async function showDiagnostic(executablePath: string, problems: readonly string[], logger: Logger, code: number): Promise<void> {
  // Listen first: a stop that arrives while Chromium starts must still end the process.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  const shell = await ChromiumShell.launch({
    url: diagnosticPageUrl('This kiosk cannot start', problems),
    origin: NO_ORIGIN,
    executablePath,
    headless: false,
    logger,
  }).catch((err: unknown) => {
    logger.error({ err }, 'the diagnostic screen could not be shown; the problems are in this log');
    return undefined;
  });
  if (shell === undefined) return;
  await stopped;
  await shell.close();
  process.exit(code);
}
