// The kiosk-shell command line. Commands live in ./commands; this file only parses. Each
// command is imported when it runs: `serve` and `doctor` need not load the browser driver,
// and start-up time is what a supervisor restarting a kiosk waits for.
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { VERSION } from '../core/package-info.ts';
import { AUTOSTART_ACTIONS, type AutostartAction, type AutostartOptions } from './commands/autostart.ts';
import type { DoctorCommandOptions } from './commands/doctor.ts';
import type { CommandOptions, ResetOptions } from './commands/reset.ts';
import type { RunOptions } from './commands/run.ts';

const EXIT_USAGE = 2;

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) throw new InvalidArgumentError('must be a port number 0-65535');
  return parsed;
}

/** `packaged`: the installed Electron app runs the commands (its argv has no script path). */
export function buildProgram({ packaged = false }: { packaged?: boolean } = {}): Command {
  const program = new Command('kiosk-shell')
    .description('A locked-down kiosk shell with a token-holding relay for its API and WebSocket.')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError();

  program
    .command('run', { isDefault: true })
    .description('run the kiosk (the default command)')
    .option('--config <file>', 'config file (default: $KIOSK_CONFIG, or the embedded demo)')
    .addOption(new Option('--shell <shell>', 'what shows the page').choices(['electron', 'chromium']))
    .option('--dev', 'a normal window with devtools and reload shortcuts')
    .option('--headless', 'no window: headless Chromium (tests, servers)')
    .option('--ui-dir <dir>', 'serve this built web app at / instead of the bundled UI (overrides ui.dir)')
    .action(async (options: RunOptions) => {
      const { runCommand } = await import('./commands/run.ts');
      const code = await runCommand(options);
      if (code !== undefined) process.exitCode = code;
    });

  program
    .command('serve')
    .description('run the local server and uplink without a window; prints one JSON "ready" line')
    .option('--config <file>', 'config file (default: $KIOSK_CONFIG, or the embedded demo)')
    .option('--port <port>', 'loopback port (overrides server.port)', port)
    .option('--dev', 'developing a UI: its files are never cached, and the address to open is printed')
    .option('--ui-dir <dir>', 'serve this built web app at / instead of the bundled UI (overrides ui.dir)')
    .action(async (options: { config?: string; port?: number; dev?: boolean; uiDir?: string }) => {
      const { serveCommand } = await import('./commands/serve.ts');
      const code = await serveCommand({ ...options, packaged });
      if (code !== undefined) process.exitCode = code;
    });

  program
    .command('check-config')
    .description('validate the configuration and print it with secrets redacted (exit 2 if invalid)')
    .option('--config <file>', 'config file (default: $KIOSK_CONFIG)')
    .action(async (options: { config?: string }) => {
      const { checkConfigCommand } = await import('./commands/check-config.ts');
      process.exitCode = checkConfigCommand({ ...options, packaged });
    });

  program
    .command('reset')
    .description('publish a reset through the embedded demo upstream; prints the reset id')
    .option('--kiosk <id>', 'only this kiosk')
    .option('--group <name>', 'only this group')
    .option('--reason <text>', 'shown to the kiosk\'s logs')
    .option('--id <id>', 'the reset id (default: a new one)')
    .action(async (options: ResetOptions) => {
      const { resetCommand } = await import('./commands/reset.ts');
      process.exitCode = await resetCommand(options);
    });

  program
    .command('command')
    .description('send a command (reset, home, clear-session, restart, screenshot, display) through the embedded demo upstream; prints its id')
    .addArgument(new Argument('<name>', 'the command'))
    .option('--kiosk <id>', 'only this kiosk')
    .option('--group <name>', 'only this group')
    .addOption(new Option('--when <when>', 'now, or once nobody is using the kiosk').choices(['now', 'idle']))
    .option('--expires-in <seconds>', 'not run after this many seconds', (value) => {
      const seconds = Number(value);
      if (!Number.isFinite(seconds) || seconds <= 0) throw new InvalidArgumentError('must be a number of seconds above 0');
      return seconds;
    })
    .option('--arg <key=value>', 'an argument (repeat for more), e.g. power=off, maxWidth=800', (value: string, previous: string[] = []) => [...previous, value])
    .action(async (name: string, options: CommandOptions) => {
      const { commandCommand } = await import('./commands/reset.ts');
      process.exitCode = await commandCommand(name, options);
    });

  program
    .command('doctor')
    .description('check config, token files, the upstreams (DNS, TLS, token), the shell and the display; exit 1 if anything fails')
    .option('--config <file>', 'config file (default: $KIOSK_CONFIG, or the machine-wide one)')
    .addOption(new Option('--shell <shell>', 'the shell to check for').choices(['electron', 'chromium']).default('electron'))
    .action(async (options: DoctorCommandOptions) => {
      const { doctorCommand } = await import('./commands/doctor.ts');
      process.exitCode = await doctorCommand({ ...options, packaged });
    });

  program
    .command('autostart')
    .description('start the kiosk when this user logs in: enable, disable, or show the status (exit 1: not enabled)')
    .addArgument(new Argument('<action>').choices(AUTOSTART_ACTIONS))
    .addOption(new Option('--method <method>', 'Linux: a systemd user unit (default when systemctl --user works) or an XDG autostart entry').choices(['systemd', 'xdg']))
    .option('--exec <program>', 'the program to start (default: the installed app)')
    .option('--config <file>', 'start the kiosk with this config file')
    .option('--root <dir>', 'write under this home directory instead of yours (e.g. a mounted image); runs no systemctl')
    .action(async (action: AutostartAction, options: AutostartOptions) => {
      const { autostartCommand } = await import('./commands/autostart.ts');
      process.exitCode = autostartCommand(action, options);
    });

  return program;
}

/** Commands the installed Electron app runs instead of opening the kiosk. */
export const SUBCOMMANDS = ['serve', 'check-config', 'doctor', 'reset', 'command', 'autostart', 'help'] as const;

export async function main(argv: readonly string[] = process.argv, { packaged = false }: { packaged?: boolean } = {}): Promise<void> {
  try {
    await buildProgram({ packaged }).parseAsync(argv, { from: packaged ? 'electron' : 'node' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end here too, with their own exit code 0.
      process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    throw error;
  }
}

if (import.meta.main) await main();
