// The Electron app's own command line (the packaged app is started directly, not through
// the kiosk-shell CLI). Chromium's switches may be mixed in; they are ignored here.
import { Command } from 'commander';

export interface ShellArgs {
  config?: string;
  /** Serve this built web app at / instead of the bundled UI. */
  uiDir?: string;
  /** A normal window with devtools and the reload shortcuts. */
  dev: boolean;
}

export function parseShellArgs(argv: readonly string[]): ShellArgs {
  const program = new Command()
    .option('--config <file>')
    .option('--ui-dir <dir>')
    .option('--dev')
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .exitOverride();
  program.parse([...argv], { from: 'electron' });
  const options = program.opts<{ config?: string; uiDir?: string; dev?: boolean }>();
  return { ...(options.config ? { config: options.config } : {}), ...(options.uiDir ? { uiDir: options.uiDir } : {}), dev: options.dev ?? false };
}
