// `kiosk-shell autostart enable|disable|status`: start the kiosk when this user logs in.
// Exit codes: 0 done (status: enabled), 1 status: not enabled, 2 cannot do it here.
import {
  AutostartError,
  autostartStatus,
  currentContext,
  disableAutostart,
  enableAutostart,
  resolveLaunchCommand,
  rootContext,
  type AutostartChange,
  type AutostartContext,
  type LinuxMethod,
} from '../autostart.ts';

export const AUTOSTART_ACTIONS = ['enable', 'disable', 'status'] as const;
export type AutostartAction = (typeof AUTOSTART_ACTIONS)[number];

export interface AutostartOptions {
  /** Linux: systemd (default when `systemctl --user` answers) or xdg. */
  method?: LinuxMethod;
  /** The program to start (default: the installed app this command belongs to). */
  exec?: string;
  /** Config file the kiosk is started with. */
  config?: string;
  /** Write under this home directory instead of the user's (e.g. a mounted image); no systemctl. */
  root?: string;
}

const EXIT_NOT_ENABLED = 1;
const EXIT_CANNOT = 2;

function describeChange(verb: string, change: AutostartChange, write: (text: string) => void): void {
  const how = change.method ? ` (${change.method})` : '';
  if (change.changed.length === 0) write(`kiosk-shell: autostart was not enabled; nothing to ${verb}\n`);
  else write(`kiosk-shell: autostart ${verb}d${how}:\n${change.changed.map((c) => `  ${c}`).join('\n')}\n`);
  for (const note of change.notes) write(`  note: ${note}\n`);
}

export function autostartCommand(
  action: AutostartAction,
  options: AutostartOptions,
  io: { context?: AutostartContext; out?: (text: string) => void; err?: (text: string) => void } = {},
): number {
  const out = io.out ?? ((text: string) => process.stdout.write(text));
  const err = io.err ?? ((text: string) => process.stderr.write(text));
  const context = io.context ?? (options.root === undefined ? currentContext() : rootContext(options.root));
  try {
    switch (action) {
      case 'enable': {
        const launch = resolveLaunchCommand(options);
        describeChange('enable', enableAutostart(context, launch, options.method), out);
        return 0;
      }
      case 'disable':
        describeChange('disable', disableAutostart(context), out);
        return 0;
      case 'status': {
        const status = autostartStatus(context);
        out(`autostart: ${status.enabled ? 'enabled' : 'not enabled'}\n`);
        for (const entry of status.entries) {
          out(`  ${entry.method}: ${entry.location}${entry.enabled ? '' : ' (disabled)'}\n`);
          if (entry.command) out(`    runs: ${entry.command}\n`);
        }
        if (status.active) out(`  systemd: ${status.active}\n`);
        for (const problem of status.problems) err(`warning: ${problem}\n`);
        return status.enabled ? 0 : EXIT_NOT_ENABLED;
      }
    }
  } catch (error) {
    // A refusal of ours, or the file system's (a read-only or foreign home): say which, no stack.
    const isFsError = error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string';
    if (!(error instanceof AutostartError) && !isFsError) throw error;
    err(`kiosk-shell: ${error.message}\n`);
    return EXIT_CANNOT;
  }
}
