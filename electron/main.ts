// The Electron main process. It wires the modules in a fixed order; each step says why it
// comes where it does. The server, the reset policy and the recovery budget are in
// server/ and kiosk/, shared with the other shells and tested without Electron.
import path from 'node:path';
import { app, BrowserWindow, ipcMain, Menu, net, powerSaveBlocker, session } from 'electron';
import { main as cliMain, SUBCOMMANDS } from '../kiosk/cli.ts';
import { diagnosticPageUrl } from '../kiosk/diagnostic-page.ts';
import { machineConfigPath } from '../kiosk/machine-paths.ts';
import { installProcessGuards } from '../kiosk/process-guards.ts';
import { startRuntime, type Runtime } from '../kiosk/runtime.ts';
import { ConfigError, KioskError } from '../core/errors.ts';
import { createLogger, flushLogs } from '../core/logger.ts';
import { Secrets } from '../core/secret-forms.ts';
import { parseShellArgs } from './args.ts';
import { ElectronShell } from './electron-shell.ts';
import { sendStatus, setupIpc } from './ipc.ts';
import { acquireSingleInstance, applyKioskSwitches } from './lifecycle.ts';
import { hardenSession, setupSecurity } from './security.ts';
import { createKioskWindow } from './window.ts';

const args = parseShellArgs(process.argv);
const secrets = new Secrets();
const logger = createLogger({ secrets, base: { shell: 'electron' } });
let origin: string | undefined;
let shell: ElectronShell | undefined;

// 1. Before anything can throw: errors are logged and the kiosk keeps running.
installProcessGuards(logger);

// 2. The installed app is also the command line (its Node cannot be run on its own: the
//    RunAsNode fuse is off): `kiosk-shell doctor`, `check-config`, `autostart`, `serve`
//    run the CLI and open no window.
const subcommand = process.argv.slice(app.isPackaged ? 1 : 2).find((arg) => !arg.startsWith('-'));
if (subcommand !== undefined && (SUBCOMMANDS as readonly string[]).includes(subcommand)) {
  await cliMain(process.argv, { packaged: app.isPackaged });
  // serve keeps running until SIGTERM; every other command is done.
  if (subcommand !== 'serve') app.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
} else if (!acquireSingleInstance(app, () => shell?.window?.focus())) {
  // 3. One kiosk per machine; a second launch only focuses the first.
  app.quit();
} else {
  // 4. Lock-down for every web contents, registered before any exists.
  setupSecurity(app, { origin: () => origin, dev: args.dev, logger });
  applyKioskSwitches(app);
  // The shell recreates a lost window; the app never quits because windows closed.
  app.on('window-all-closed', () => undefined);
  app.whenReady().then(start, (error: unknown) => logger.fatal({ err: error }, 'Electron did not start'));
}

async function start(): Promise<void> {
  // 5. No menu, a hardened session (the shell keeps the display awake while it is on).
  Menu.setApplicationMenu(null);
  hardenSession(session.defaultSession, { origin: () => origin, dev: args.dev, logger });

  // 6. Config, server and uplink (secrets stay in this process).
  let runtime: Runtime;
  try {
    runtime = await startRuntime({
      configPath: args.config,
      machineConfigPath: machineConfigPath(),
      packaged: app.isPackaged,
      shell: 'electron',
      logger,
      secrets,
      cli: args.uiDir === undefined ? {} : { ui: { dir: args.uiDir } },
    });
  } catch (error) {
    const lines = error instanceof ConfigError ? error.problems : [error instanceof KioskError ? error.message : 'unexpected error; see the log'];
    logger.error({ err: error }, 'the kiosk cannot start');
    const window = createKioskWindow({ dev: args.dev });
    void window.loadURL(diagnosticPageUrl('This kiosk cannot start', lines));
    return;
  }
  origin = runtime.server.origin;

  // 7. The window, the bridge that hands it the key, and the kiosk
  //    that runs commands and heals it (listening before the window opens).
  const electronShell = new ElectronShell({
    app,
    url: `${origin}/`,
    origin,
    preload: path.join(import.meta.dirname, 'preload.cjs'),
    dev: args.dev,
    logger,
    pages: runtime.server.relay.pages,
    session: session.defaultSession,
    powerSaveBlocker,
    display: process.platform === 'linux' ? process.env.DISPLAY : undefined,
  });
  shell = electronShell;
  setupIpc(ipcMain, {
    key: runtime.server.key,
    origin,
    contents: () => electronShell.window?.webContents,
    power: () => electronShell.power,
  });
  await runtime.attach(electronShell);

  // 8. Tell the page about the network, which it cannot see from behind the loopback server.
  let online = net.isOnline();
  setInterval(() => {
    const now = net.isOnline();
    if (now === online) return;
    online = now;
    sendStatus(electronShell.window?.webContents, { networkOnline: online });
  }, 5000).unref();

  // 9. Orderly shutdown: pages get 1001, the uplink closes, then the app exits.
  let stopping = false;
  app.on('before-quit', (event) => {
    if (stopping) return;
    stopping = true;
    event.preventDefault();
    // The log file last: it writes asynchronously, and app.exit() drops what it still holds.
    void runtime
      .close()
      .catch((error: unknown) => logger.error({ err: error }, 'error while stopping'))
      .then(() => flushLogs(logger))
      .finally(() => app.exit(0));
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => app.quit());
  logger.info({ windows: BrowserWindow.getAllWindows().length }, 'kiosk window open');
}
