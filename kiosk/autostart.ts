// Starting the kiosk when its user logs in. Linux: a systemd user unit tied to the
// graphical session and restarted when it fails, or, where no systemd user manager
// answers, an XDG autostart entry. macOS: a LaunchAgent. Windows: the Run key.
//
// What each entry says is a pure function of the command it starts. Enabling and disabling
// only write and remove files under a home directory, so tests and image preparation can
// point them anywhere; systemctl and reg are called through `run`, which such a root leaves
// out.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT } from '../core/package-info.ts';
import { KIOSK_NODE_FLAGS } from './node-flags.ts';

// The app's identity, as build-resources/electron-builder.cjs sets it (a test keeps them equal).
export const APP_ID = 'org.kioskshell.KioskShell';
export const PRODUCT_NAME = 'Kiosk Shell';
export const EXECUTABLE_NAME = 'kiosk-shell';

export const UNIT_NAME = `${EXECUTABLE_NAME}.service`;
export const SESSION_TARGET = 'graphical-session.target';
export const RUN_KEY = 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run';
/** Where the deb and rpm packages link the app (their after-install script makes the link). */
export const LINUX_PACKAGE_PROGRAM = `/usr/bin/${EXECUTABLE_NAME}`;

export type AutostartMethod = 'systemd' | 'xdg' | 'launch-agent' | 'run-key';
export type LinuxMethod = Extract<AutostartMethod, 'systemd' | 'xdg'>;

export class AutostartError extends Error {
  readonly code = 'E_AUTOSTART';

  constructor(message: string) {
    super(message);
    this.name = 'AutostartError';
  }
}

/** What autostart runs: an absolute program and its arguments. */
export interface LaunchCommand {
  program: string;
  args: readonly string[];
}

// ---------------------------------------------------------------------------------------
// Quoting: each format has its own rules, and a path with a space is the common case
// ("/opt/Kiosk Shell/kiosk-shell", "C:\Program Files\Kiosk Shell\kiosk-shell.exe").

function assertPrintable(arg: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(arg)) throw new AutostartError(`cannot start a command with a control character in ${JSON.stringify(arg)}`);
}

/** One argument of a systemd Exec line: `%` and `$` are literal, C-style escapes in quotes. */
export function systemdQuote(arg: string): string {
  assertPrintable(arg);
  const literal = arg.replace(/%/g, '%%').replace(/\$/g, () => '$$');
  if (/^[\w@%+=:,./-]+$/.test(literal)) return literal;
  return `"${literal.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * One argument of a desktop entry's Exec key. The spec quotes an argument with reserved
 * characters, escapes " ` $ \ inside the quotes, doubles %, and then applies the string
 * escape (\ becomes \\) to the whole value.
 */
export function desktopExecQuote(arg: string): string {
  assertPrintable(arg);
  const literal = arg.replace(/%/g, '%%');
  if (literal !== '' && !/[\s"'\\><~|&;$*?#()`]/.test(literal)) return literal;
  const quoted = `"${literal.replace(/["`$\\]/g, (c) => `\\${c}`)}"`;
  return quoted.replace(/\\/g, '\\\\');
}

/** One argument of a Windows command line, as CommandLineToArgvW and the C runtime read it. */
export function windowsQuote(arg: string): string {
  assertPrintable(arg);
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  let quoted = '"';
  let backslashes = 0;
  for (const char of arg) {
    if (char === '\\') {
      backslashes++;
      continue;
    }
    quoted += char === '"' ? `${'\\'.repeat(backslashes * 2 + 1)}"` : `${'\\'.repeat(backslashes)}${char}`;
    backslashes = 0;
  }
  return `${quoted}${'\\'.repeat(backslashes * 2)}"`;
}

function xmlEscape(text: string): string {
  assertPrintable(text);
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

function commandWords(launch: LaunchCommand): string[] {
  return [launch.program, ...launch.args];
}

// ---------------------------------------------------------------------------------------
// The entries themselves.

/**
 * The systemd user unit. It starts with the desktop session (graphical-session.target,
 * which also brings DISPLAY / WAYLAND_DISPLAY into the user manager's environment), stops
 * with it, and comes back 5 s after a crash. A kiosk that crashes ten times in ten minutes
 * has a problem no restart fixes: systemd then marks it failed instead of looping for ever.
 */
export function systemdUserUnit(launch: LaunchCommand): string {
  return [
    `# ${PRODUCT_NAME}: starts the kiosk with the desktop session and restarts it when it fails.`,
    `# Enable: kiosk-shell autostart enable, or systemctl --user enable ${UNIT_NAME}`,
    `# (every user of the machine: systemctl --global enable ${UNIT_NAME}).`,
    '[Unit]',
    `Description=${PRODUCT_NAME} kiosk display`,
    `PartOf=${SESSION_TARGET}`,
    `After=${SESSION_TARGET}`,
    'StartLimitIntervalSec=600',
    'StartLimitBurst=10',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${commandWords(launch).map(systemdQuote).join(' ')}`,
    'Restart=on-failure',
    'RestartSec=5',
    '# Exit status 2 is a configuration the kiosk refused: restarting cannot fix it.',
    'RestartPreventExitStatus=2',
    '# The kiosk stops cleanly within 2 s of SIGTERM; its browser processes follow it.',
    'KillMode=mixed',
    'TimeoutStopSec=15',
    `SyslogIdentifier=${EXECUTABLE_NAME}`,
    '',
    '[Install]',
    `WantedBy=${SESSION_TARGET}`,
    '',
  ].join('\n');
}

/** The XDG autostart entry (~/.config/autostart), for sessions without a systemd user manager. */
export function xdgAutostartEntry(launch: LaunchCommand): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.4',
    `Name=${PRODUCT_NAME}`,
    'Comment=Starts the kiosk when this user logs in',
    `Exec=${commandWords(launch).map(desktopExecQuote).join(' ')}`,
    `Icon=${EXECUTABLE_NAME}`,
    'Terminal=false',
    'NoDisplay=true',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** The macOS LaunchAgent: runs at login in the graphical session, relaunched when it fails. */
export function launchAgentPlist(launch: LaunchCommand): string {
  const args = commandWords(launch).map((word) => `    <string>${xmlEscape(word)}</string>`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
    '  <key>Label</key>',
    `  <string>${xmlEscape(APP_ID)}</string>`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    ...args,
    '  </array>',
    '  <key>RunAtLoad</key>',
    '  <true/>',
    '  <key>KeepAlive</key>',
    '  <dict>',
    '    <key>SuccessfulExit</key>',
    '    <false/>',
    '  </dict>',
    '  <key>ThrottleInterval</key>',
    '  <integer>5</integer>',
    '  <key>LimitLoadToSessionType</key>',
    '  <string>Aqua</string>',
    '  <key>ProcessType</key>',
    '  <string>Interactive</string>',
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}

/** The Windows Run-key value: the command line Explorer starts at login. */
export function runKeyValue(launch: LaunchCommand): string {
  return commandWords(launch).map(windowsQuote).join(' ');
}

/** reg.exe's arguments to add, remove or read the Run-key value. */
export function runKeyCommand(action: 'add' | 'delete' | 'query', launch?: LaunchCommand): { command: 'reg'; args: string[] } {
  switch (action) {
    case 'add':
      if (!launch) throw new AutostartError('adding the Run-key value needs the command to start');
      return { command: 'reg', args: ['add', RUN_KEY, '/v', PRODUCT_NAME, '/t', 'REG_SZ', '/d', runKeyValue(launch), '/f'] };
    case 'delete':
      return { command: 'reg', args: ['delete', RUN_KEY, '/v', PRODUCT_NAME, '/f'] };
    case 'query':
      return { command: 'reg', args: ['query', RUN_KEY, '/v', PRODUCT_NAME] };
  }
}

// ---------------------------------------------------------------------------------------
// What autostart starts.

export interface LaunchRuntime {
  env: NodeJS.ProcessEnv;
  execPath: string;
  /** Set when this code runs inside the packaged Electron app. */
  electron: boolean;
  /** The CLI's own entry point, started with execPath (Node) when not packaged. */
  cliEntry: string;
}

function currentRuntime(): LaunchRuntime {
  return {
    env: process.env,
    execPath: process.execPath,
    electron: Boolean(process.versions.electron),
    cliEntry: path.join(PACKAGE_ROOT, 'bin', 'kiosk-shell.js'),
  };
}

/**
 * The installed app, in order: an explicit --exec; the AppImage this runs from; the
 * packaged app's own binary; otherwise this Node running the kiosk-shell command.
 */
export function resolveLaunchCommand(options: { exec?: string; config?: string }, runtime: LaunchRuntime = currentRuntime()): LaunchCommand {
  let launch: LaunchCommand;
  if (options.exec !== undefined) {
    const program = path.resolve(options.exec);
    try {
      if (!statSync(program).isFile()) throw new Error('not a file');
      if (process.platform !== 'win32') accessSync(program, constants.X_OK);
    } catch {
      throw new AutostartError(`--exec ${program} is not an executable file`);
    }
    launch = { program, args: [] };
  } else if (runtime.env.APPIMAGE) {
    launch = { program: runtime.env.APPIMAGE, args: [] };
  } else if (runtime.electron) {
    launch = { program: runtime.execPath, args: [] };
  } else {
    launch = { program: runtime.execPath, args: [...KIOSK_NODE_FLAGS, runtime.cliEntry] };
  }
  return options.config === undefined ? launch : { program: launch.program, args: [...launch.args, '--config', path.resolve(options.config)] };
}

// ---------------------------------------------------------------------------------------
// Where entries live, and enabling, disabling and reporting them.

export interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface AutostartContext {
  platform: NodeJS.Platform;
  /** The home directory entries are written under. */
  home: string;
  /** Consulted for XDG_CONFIG_HOME. */
  env: NodeJS.ProcessEnv;
  /** Runs systemctl / reg. Left out (tests, a mounted image's home): files only. */
  run?: (command: string, args: readonly string[]) => CommandResult;
}

export function runCommand(command: string, args: readonly string[]): CommandResult {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 15_000, windowsHide: true });
  return { status: result.error ? null : result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** This user's real home, systemctl and reg included. */
export function currentContext(): AutostartContext {
  return { platform: process.platform, home: os.homedir(), env: process.env, run: runCommand };
}

/** A home directory other than this user's (tests, an image being prepared): files only. */
export function rootContext(root: string, platform: NodeJS.Platform = process.platform): AutostartContext {
  return { platform, home: path.resolve(root), env: {} };
}

export interface AutostartPaths {
  systemdUnit: string;
  /** The link `systemctl --user enable` makes; it is what enables the unit. */
  systemdWants: string;
  xdgEntry: string;
  launchAgent: string;
}

export function autostartPaths(context: AutostartContext): AutostartPaths {
  const xdg = context.env.XDG_CONFIG_HOME;
  const configHome = xdg && path.isAbsolute(xdg) ? xdg : path.join(context.home, '.config');
  const userUnits = path.join(configHome, 'systemd', 'user');
  return {
    systemdUnit: path.join(userUnits, UNIT_NAME),
    systemdWants: path.join(userUnits, `${SESSION_TARGET}.wants`, UNIT_NAME),
    xdgEntry: path.join(configHome, 'autostart', `${EXECUTABLE_NAME}.desktop`),
    launchAgent: path.join(context.home, 'Library', 'LaunchAgents', `${APP_ID}.plist`),
  };
}

/** Whether `systemctl --user` reaches a user manager here. */
export function userSystemdAvailable(context: AutostartContext): boolean {
  if (context.platform !== 'linux' || !context.run) return false;
  return context.run('systemctl', ['--user', 'show', '--property=Version']).status === 0;
}

function exists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

function writeEntry(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text, { mode: 0o644 });
}

function remove(file: string, removed: string[]): void {
  if (!exists(file)) return;
  rmSync(file, { force: true });
  removed.push(file);
}

function systemctl(context: AutostartContext, args: readonly string[], notes: string[]): void {
  const result = context.run?.('systemctl', ['--user', ...args]);
  if (result && result.status !== 0) notes.push(`systemctl --user ${args.join(' ')} failed: ${(result.stderr || result.stdout).trim() || `exit ${result.status}`}`);
}

function windowsReg(context: AutostartContext, action: 'add' | 'delete' | 'query', launch?: LaunchCommand): CommandResult {
  if (!context.run) throw new AutostartError('the Windows Run key can only be changed on the machine itself (reg.exe)');
  const { command, args } = runKeyCommand(action, launch);
  return context.run(command, args);
}

export interface AutostartChange {
  method?: AutostartMethod;
  /** Files written (enable) or removed (disable); for the Run key, the value's name. */
  changed: string[];
  /** What a person should know: when it takes effect, what did not work. */
  notes: string[];
}

function unsupported(platform: NodeJS.Platform): AutostartError {
  return new AutostartError(`autostart is not supported on ${platform}`);
}

/** Makes the kiosk start at login; replaces whatever entry this tool wrote before. */
export function enableAutostart(context: AutostartContext, launch: LaunchCommand, method?: LinuxMethod): AutostartChange {
  const paths = autostartPaths(context);
  const changed: string[] = [];
  const notes: string[] = [];
  switch (context.platform) {
    case 'linux': {
      const systemd = userSystemdAvailable(context);
      const chosen = method ?? (systemd ? 'systemd' : 'xdg');
      const removed: string[] = [];
      if (chosen === 'systemd') {
        writeEntry(paths.systemdUnit, systemdUserUnit(launch));
        mkdirSync(path.dirname(paths.systemdWants), { recursive: true });
        rmSync(paths.systemdWants, { force: true });
        // What `systemctl --user enable` does, done here so it also works with no user
        // manager running (over SSH, in an image); relative, so the home can move.
        symlinkSync(path.relative(path.dirname(paths.systemdWants), paths.systemdUnit), paths.systemdWants);
        changed.push(paths.systemdUnit, paths.systemdWants);
        remove(paths.xdgEntry, removed);
        if (systemd) systemctl(context, ['daemon-reload'], notes);
        notes.push(
          systemd
            ? `starts with the next graphical login; to start it now: systemctl --user start ${UNIT_NAME}`
            : 'no systemd user manager answered here: the unit takes effect when one runs this user\'s graphical session',
        );
      } else {
        writeEntry(paths.xdgEntry, xdgAutostartEntry(launch));
        changed.push(paths.xdgEntry);
        remove(paths.systemdWants, removed);
        remove(paths.systemdUnit, removed);
        if (systemd && removed.length > 0) systemctl(context, ['daemon-reload'], notes);
        notes.push('starts with the next graphical login (XDG autostart: not restarted if it crashes)');
      }
      if (removed.length > 0) notes.push(`removed the previous entry: ${removed.join(', ')}`);
      return { method: chosen, changed, notes };
    }
    case 'darwin':
      writeEntry(paths.launchAgent, launchAgentPlist(launch));
      notes.push(`starts with the next login; to start it now: launchctl bootstrap gui/$(id -u) "${paths.launchAgent}"`);
      return { method: 'launch-agent', changed: [paths.launchAgent], notes };
    case 'win32': {
      const result = windowsReg(context, 'add', launch);
      if (result.status !== 0) throw new AutostartError(`reg add failed: ${(result.stderr || result.stdout).trim()}`);
      notes.push('starts with the next login of this Windows user');
      return { method: 'run-key', changed: [`${RUN_KEY}\\${PRODUCT_NAME}`], notes };
    }
    default:
      throw unsupported(context.platform);
  }
}

/** Removes every autostart entry this tool writes. The running kiosk keeps running. */
export function disableAutostart(context: AutostartContext): AutostartChange {
  const paths = autostartPaths(context);
  const changed: string[] = [];
  const notes: string[] = [];
  switch (context.platform) {
    case 'linux': {
      remove(paths.systemdWants, changed);
      remove(paths.systemdUnit, changed);
      remove(paths.xdgEntry, changed);
      if (changed.length > 0 && userSystemdAvailable(context)) systemctl(context, ['daemon-reload'], notes);
      break;
    }
    case 'darwin':
      remove(paths.launchAgent, changed);
      break;
    case 'win32': {
      if (windowsReg(context, 'query').status === 0) {
        const result = windowsReg(context, 'delete');
        if (result.status !== 0) throw new AutostartError(`reg delete failed: ${(result.stderr || result.stdout).trim()}`);
        changed.push(`${RUN_KEY}\\${PRODUCT_NAME}`);
      }
      break;
    }
    default:
      throw unsupported(context.platform);
  }
  if (changed.length > 0) notes.push('the kiosk will not start at the next login; a kiosk running now keeps running');
  return { changed, notes };
}

export interface AutostartEntry {
  method: AutostartMethod;
  location: string;
  /** The command line as the entry states it. */
  command?: string;
  enabled: boolean;
}

export interface AutostartStatus {
  enabled: boolean;
  entries: AutostartEntry[];
  /** systemctl --user is-active, when a user manager answers. */
  active?: string;
  problems: string[];
}

function keyOf(file: string, key: string): string | undefined {
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${key}=`));
  return line?.slice(key.length + 1);
}

function linksTo(link: string, target: string): boolean {
  try {
    return path.resolve(path.dirname(link), readlinkSync(link)) === target || (existsSync(link) && statSync(link).ino === statSync(target).ino);
  } catch {
    return false;
  }
}

/** What is installed, whether it will start the kiosk, and what looks wrong. */
export function autostartStatus(context: AutostartContext): AutostartStatus {
  const paths = autostartPaths(context);
  const entries: AutostartEntry[] = [];
  const problems: string[] = [];
  let active: string | undefined;
  switch (context.platform) {
    case 'linux': {
      if (existsSync(paths.systemdUnit)) {
        const enabled = linksTo(paths.systemdWants, paths.systemdUnit);
        entries.push({ method: 'systemd', location: paths.systemdUnit, command: keyOf(paths.systemdUnit, 'ExecStart'), enabled });
        if (!enabled) problems.push(`${paths.systemdUnit} is installed but not enabled (no ${SESSION_TARGET}.wants link)`);
        if (userSystemdAvailable(context)) active = context.run?.('systemctl', ['--user', 'is-active', UNIT_NAME]).stdout.trim() || undefined;
      }
      if (existsSync(paths.xdgEntry)) {
        const hidden = keyOf(paths.xdgEntry, 'Hidden') === 'true' || keyOf(paths.xdgEntry, 'X-GNOME-Autostart-enabled') === 'false';
        entries.push({ method: 'xdg', location: paths.xdgEntry, command: keyOf(paths.xdgEntry, 'Exec'), enabled: !hidden });
      }
      if (entries.filter((e) => e.enabled).length > 1) problems.push('both a systemd unit and an XDG autostart entry are enabled: run `kiosk-shell autostart enable` again to keep one');
      break;
    }
    case 'darwin':
      if (existsSync(paths.launchAgent)) entries.push({ method: 'launch-agent', location: paths.launchAgent, enabled: true });
      break;
    case 'win32': {
      const result = windowsReg(context, 'query');
      if (result.status === 0) {
        const command = /REG_SZ\s+(.*)$/m.exec(result.stdout)?.[1]?.trim();
        entries.push({ method: 'run-key', location: `${RUN_KEY}\\${PRODUCT_NAME}`, ...(command ? { command } : {}), enabled: true });
      }
      break;
    }
    default:
      throw unsupported(context.platform);
  }
  return { enabled: entries.some((e) => e.enabled), entries, ...(active ? { active } : {}), problems };
}
