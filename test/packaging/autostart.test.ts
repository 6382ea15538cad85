// Autostart: the entries' text, checked by the validators the OSes' own tools use, and
// enable / disable / status round trips in a temporary home with Linux (and macOS) paths.
// No test calls systemctl or reg: where a command would run, a recording stand-in does.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  APP_ID,
  autostartPaths,
  autostartStatus,
  desktopExecQuote,
  disableAutostart,
  enableAutostart,
  launchAgentPlist,
  resolveLaunchCommand,
  rootContext,
  RUN_KEY,
  runKeyCommand,
  runKeyValue,
  systemdQuote,
  systemdUserUnit,
  UNIT_NAME,
  windowsQuote,
  xdgAutostartEntry,
  type AutostartContext,
  type CommandResult,
  type LaunchCommand,
} from '../../kiosk/autostart.ts';
import { autostartCommand } from '../../kiosk/commands/autostart.ts';
import { buildProgram } from '../../kiosk/cli.ts';
import { fakeProgram, scratchDir, validateDesktopEntry, verifyUserUnit } from './validators.ts';

/** An installed app in an awkward place: spaces, and arguments systemd and desktop files treat specially. */
function awkwardLaunch(): LaunchCommand {
  const program = fakeProgram(scratchDir('opt'), 'Kiosk Shell/kiosk-shell');
  return { program, args: ['--config', '/etc/kiosk shell/lobby 100%$HOME "1".json'] };
}

/** A stand-in for systemctl / reg that records its calls. */
function recorder(answer: (command: string, args: readonly string[]) => Partial<CommandResult> = () => ({})): { calls: string[][]; run: NonNullable<AutostartContext['run']> } {
  const calls: string[][] = [];
  return {
    calls,
    run: (command, args) => {
      calls.push([command, ...args]);
      return { status: 0, stdout: '', stderr: '', ...answer(command, args) };
    },
  };
}

describe('the entries', () => {
  it('the systemd user unit restarts on failure, within a start limit, with the graphical session', () => {
    const unit = systemdUserUnit({ program: '/opt/Kiosk Shell/kiosk-shell', args: ['--config', '/etc/k/100%.json'] });
    expect(unit).toContain('ExecStart="/opt/Kiosk Shell/kiosk-shell" --config /etc/k/100%%.json\n');
    for (const line of ['Restart=on-failure', 'RestartSec=5', 'StartLimitIntervalSec=600', 'StartLimitBurst=10', 'PartOf=graphical-session.target', 'After=graphical-session.target', 'WantedBy=graphical-session.target']) {
      expect(unit).toContain(`${line}\n`);
    }
  });

  it('the systemd user unit passes systemd-analyze verify, odd paths and all', () => {
    const verdict = verifyUserUnit(systemdUserUnit(awkwardLaunch()), UNIT_NAME);
    expect(verdict.ok, verdict.output).toBe(true);
  });

  it('systemd-analyze verify does catch a broken unit (the check above means something)', () => {
    const broken = systemdUserUnit(awkwardLaunch()).replace('Restart=on-failure', 'Restart=on-falure');
    expect(verifyUserUnit(broken, UNIT_NAME).ok).toBe(false);
    const missing = systemdUserUnit({ program: path.join(scratchDir('none'), 'no-such-app'), args: [] });
    expect(verifyUserUnit(missing, UNIT_NAME).ok).toBe(false);
  });

  it('the XDG autostart entry passes desktop-file-validate, odd paths and all; a broken one does not', () => {
    const entry = xdgAutostartEntry(awkwardLaunch());
    const verdict = validateDesktopEntry(entry, 'kiosk-shell.desktop');
    expect(verdict.ok, verdict.output).toBe(true);
    expect(validateDesktopEntry(entry.replace('Type=Application', 'Type=Program'), 'kiosk-shell.desktop').ok).toBe(false);
  });

  const hasGio = spawnSync('sh', ['-c', 'command -v gio'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!hasGio)('GLib reads the XDG entry back into the same arguments (gio launch)', () => {
    const dir = scratchDir('gio');
    const record = path.join(dir, 'args.txt');
    const program = path.join(dir, 'Kiosk Shell', 'kiosk-shell');
    mkdirSync(path.dirname(program));
    writeFileSync(program, `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > '${record}'\n`, { mode: 0o755 });
    const args = ['--config', '/etc/kiosk shell/lobby 100%$HOME "1".json', 'back\\slash', "it's"];
    const entry = path.join(dir, 'kiosk-shell.desktop');
    writeFileSync(entry, xdgAutostartEntry({ program, args }));
    const launched = spawnSync('gio', ['launch', entry], { encoding: 'utf8', timeout: 10_000 });
    expect(launched.status, launched.stderr).toBe(0);
    for (let i = 0; i < 50 && !existsSync(record); i++) spawnSync('sleep', ['0.1']);
    expect(readFileSync(record, 'utf8')).toBe(`${args.join('\n')}\n`);
  });

  it('quotes arguments the way each format reads them', () => {
    expect(systemdQuote('/usr/bin/kiosk-shell')).toBe('/usr/bin/kiosk-shell');
    expect(systemdQuote('/a b/c"d\\e')).toBe('"/a b/c\\"d\\\\e"');
    expect(systemdQuote('$HOME/100%')).toBe('"$$HOME/100%%"');
    expect(desktopExecQuote('/usr/bin/kiosk-shell')).toBe('/usr/bin/kiosk-shell');
    expect(desktopExecQuote('/opt/Kiosk Shell/kiosk-shell')).toBe('"/opt/Kiosk Shell/kiosk-shell"');
    // Quoted: " ` $ \ escaped by a backslash, then every backslash escaped again (the string rule).
    expect(desktopExecQuote('a "b" $c \\d 5%')).toBe('"a \\\\"b\\\\" \\\\$c \\\\\\\\d 5%%"');
    expect(windowsQuote('C:\\Program Files\\Kiosk Shell\\kiosk-shell.exe')).toBe('"C:\\Program Files\\Kiosk Shell\\kiosk-shell.exe"');
    expect(windowsQuote('C:\\kiosk\\kiosk-shell.exe')).toBe('C:\\kiosk\\kiosk-shell.exe');
    expect(windowsQuote('C:\\a dir\\')).toBe('"C:\\a dir\\\\"');
    expect(windowsQuote('say "hi"')).toBe('"say \\"hi\\""');
    expect(() => systemdQuote('a\nb')).toThrow(/control character/);
  });

  it('the LaunchAgent is a property list that runs at login and relaunches after a failure', () => {
    const plist = launchAgentPlist({ program: '/Applications/Kiosk Shell.app/Contents/MacOS/kiosk-shell', args: ['--config', '/Library/A&B <x>.json'] });
    const parsed = spawnSync('python3', ['-c', 'import json, plistlib, sys; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))'], { input: plist, encoding: 'utf8' });
    expect(parsed.status, parsed.stderr).toBe(0);
    expect(JSON.parse(parsed.stdout)).toEqual({
      Label: APP_ID,
      ProgramArguments: ['/Applications/Kiosk Shell.app/Contents/MacOS/kiosk-shell', '--config', '/Library/A&B <x>.json'],
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      ThrottleInterval: 5,
      LimitLoadToSessionType: 'Aqua',
      ProcessType: 'Interactive',
    });
  });

  it('the Windows Run key is set, read and removed with reg.exe', () => {
    const launch = { program: 'C:\\Program Files\\Kiosk Shell\\kiosk-shell.exe', args: ['--config', 'C:\\ProgramData\\kiosk-shell\\config.json'] };
    expect(runKeyValue(launch)).toBe('"C:\\Program Files\\Kiosk Shell\\kiosk-shell.exe" --config C:\\ProgramData\\kiosk-shell\\config.json');
    expect(runKeyCommand('add', launch)).toEqual({ command: 'reg', args: ['add', RUN_KEY, '/v', 'Kiosk Shell', '/t', 'REG_SZ', '/d', runKeyValue(launch), '/f'] });
    expect(runKeyCommand('delete').args).toEqual(['delete', RUN_KEY, '/v', 'Kiosk Shell', '/f']);
    expect(runKeyCommand('query').args).toEqual(['query', RUN_KEY, '/v', 'Kiosk Shell']);
  });
});

describe('what autostart starts', () => {
  const runtime = { env: {}, execPath: '/usr/bin/node', electron: false, cliEntry: '/srv/kiosk-shell/bin/kiosk-shell.js' };

  it('is the kiosk-shell command under Node (with its young generation capped), the packaged app, or the AppImage it runs from', () => {
    expect(resolveLaunchCommand({}, runtime)).toEqual({ program: '/usr/bin/node', args: ['--max-semi-space-size=16', '/srv/kiosk-shell/bin/kiosk-shell.js'] });
    expect(resolveLaunchCommand({}, { ...runtime, electron: true, execPath: '/opt/Kiosk Shell/kiosk-shell' })).toEqual({ program: '/opt/Kiosk Shell/kiosk-shell', args: [] });
    expect(resolveLaunchCommand({}, { ...runtime, electron: true, env: { APPIMAGE: '/home/kiosk/kiosk-shell.AppImage' } })).toEqual({ program: '/home/kiosk/kiosk-shell.AppImage', args: [] });
  });

  it('is --exec when given (an executable file), with --config made absolute', () => {
    const program = fakeProgram(scratchDir('exec'), 'kiosk-shell');
    expect(resolveLaunchCommand({ exec: program, config: 'lobby.json' }, runtime)).toEqual({ program, args: ['--config', path.resolve('lobby.json')] });
    expect(() => resolveLaunchCommand({ exec: path.join(path.dirname(program), 'missing') }, runtime)).toThrow(/not an executable file/);
  });
});

describe('enable, status, disable in a temporary home (Linux paths)', () => {
  it('writes and enables the systemd user unit, reports it, and removes it', () => {
    const home = scratchDir('home');
    const context = rootContext(home, 'linux');
    const paths = autostartPaths(context);
    expect(paths.systemdUnit).toBe(path.join(home, '.config', 'systemd', 'user', UNIT_NAME));
    const launch = awkwardLaunch();

    expect(autostartStatus(context)).toEqual({ enabled: false, entries: [], problems: [] });
    const change = enableAutostart(context, launch, 'systemd');
    expect(change).toMatchObject({ method: 'systemd', changed: [paths.systemdUnit, paths.systemdWants] });
    expect(readFileSync(paths.systemdUnit, 'utf8')).toBe(systemdUserUnit(launch));
    expect(lstatSync(paths.systemdWants).isSymbolicLink()).toBe(true);
    expect(readlinkSync(paths.systemdWants)).toBe(`../${UNIT_NAME}`);
    expect(existsSync(paths.xdgEntry)).toBe(false);

    const status = autostartStatus(context);
    expect(status).toMatchObject({ enabled: true, problems: [] });
    expect(status.entries).toEqual([{ method: 'systemd', location: paths.systemdUnit, command: systemdUserUnit(launch).match(/^ExecStart=(.*)$/m)?.[1], enabled: true }]);

    const removed = disableAutostart(context);
    expect(removed.changed.sort()).toEqual([paths.systemdUnit, paths.systemdWants].sort());
    expect(existsSync(paths.systemdUnit) || existsSync(paths.systemdWants)).toBe(false);
    expect(autostartStatus(context).enabled).toBe(false);
    expect(disableAutostart(context).changed).toEqual([]);
  });

  it('writes the XDG autostart entry when no systemd user manager is there, and one method replaces the other', () => {
    const home = scratchDir('home');
    const context = rootContext(home, 'linux');
    const paths = autostartPaths(context);
    const launch = awkwardLaunch();

    enableAutostart(context, launch, 'systemd');
    const change = enableAutostart(context, launch);
    expect(change.method).toBe('xdg');
    expect(readFileSync(paths.xdgEntry, 'utf8')).toBe(xdgAutostartEntry(launch));
    expect(existsSync(paths.systemdUnit) || existsSync(paths.systemdWants)).toBe(false);
    expect(autostartStatus(context)).toMatchObject({ enabled: true, entries: [{ method: 'xdg', location: paths.xdgEntry, enabled: true }], problems: [] });

    enableAutostart(context, launch, 'systemd');
    expect(existsSync(paths.xdgEntry)).toBe(false);
    expect(autostartStatus(context).entries.map((e) => e.method)).toEqual(['systemd']);
  });

  it('reports an entry the user turned off, a unit that is not linked, and two entries at once', () => {
    const home = scratchDir('home');
    const context = rootContext(home, 'linux');
    const paths = autostartPaths(context);
    const launch = awkwardLaunch();
    enableAutostart(context, launch, 'systemd');
    // An XDG entry written behind the tool's back: two kiosks would start.
    mkdirSync(path.dirname(paths.xdgEntry), { recursive: true });
    writeFileSync(paths.xdgEntry, xdgAutostartEntry(launch));
    expect(autostartStatus(context).problems).toEqual([expect.stringMatching(/both a systemd unit and an XDG autostart entry/)]);

    // The user turned the entry off in the session settings; the unit lost its link.
    writeFileSync(paths.xdgEntry, xdgAutostartEntry(launch).replace('X-GNOME-Autostart-enabled=true', 'X-GNOME-Autostart-enabled=false'));
    rmSync(paths.systemdWants);
    const status = autostartStatus(context);
    expect(status.enabled).toBe(false);
    expect(status.entries.map((e) => [e.method, e.enabled])).toEqual([
      ['systemd', false],
      ['xdg', false],
    ]);
    expect(status.problems).toEqual([expect.stringMatching(/installed but not enabled/)]);
  });

  it('honours XDG_CONFIG_HOME', () => {
    const home = scratchDir('home');
    const config = path.join(home, 'elsewhere');
    const context: AutostartContext = { platform: 'linux', home, env: { XDG_CONFIG_HOME: config } };
    enableAutostart(context, awkwardLaunch(), 'xdg');
    expect(existsSync(path.join(config, 'autostart', 'kiosk-shell.desktop'))).toBe(true);
    expect(autostartPaths({ ...context, env: { XDG_CONFIG_HOME: 'relative/ignored' } }).xdgEntry).toBe(path.join(home, '.config', 'autostart', 'kiosk-shell.desktop'));
  });

  it('prefers the systemd unit when systemctl --user answers, and reloads the user manager', () => {
    const home = scratchDir('home');
    const systemctl = recorder((_command, args) => (args.includes('is-active') ? { stdout: 'inactive\n', status: 3 } : {}));
    const context: AutostartContext = { ...rootContext(home, 'linux'), run: systemctl.run };
    expect(enableAutostart(context, awkwardLaunch()).method).toBe('systemd');
    expect(autostartStatus(context).active).toBe('inactive');
    disableAutostart(context);
    expect(systemctl.calls).toEqual([
      ['systemctl', '--user', 'show', '--property=Version'],
      ['systemctl', '--user', 'daemon-reload'],
      ['systemctl', '--user', 'show', '--property=Version'],
      ['systemctl', '--user', 'is-active', UNIT_NAME],
      ['systemctl', '--user', 'show', '--property=Version'],
      ['systemctl', '--user', 'daemon-reload'],
    ]);
  });

  it('falls back to the XDG entry when systemctl --user does not answer', () => {
    const systemctl = recorder(() => ({ status: 1, stderr: 'Failed to connect to bus' }));
    const context: AutostartContext = { ...rootContext(scratchDir('home'), 'linux'), run: systemctl.run };
    expect(enableAutostart(context, awkwardLaunch()).method).toBe('xdg');
  });
});

describe('enable, status, disable on macOS and Windows', () => {
  it('macOS: a LaunchAgent in ~/Library/LaunchAgents', () => {
    const context = rootContext(scratchDir('home'), 'darwin');
    const launch = { program: '/Applications/Kiosk Shell.app/Contents/MacOS/kiosk-shell', args: [] };
    const file = path.join(context.home, 'Library', 'LaunchAgents', `${APP_ID}.plist`);
    expect(enableAutostart(context, launch)).toMatchObject({ method: 'launch-agent', changed: [file] });
    expect(readFileSync(file, 'utf8')).toBe(launchAgentPlist(launch));
    expect(autostartStatus(context).enabled).toBe(true);
    expect(disableAutostart(context).changed).toEqual([file]);
    expect(autostartStatus(context).enabled).toBe(false);
  });

  it('Windows: the Run-key value, through reg.exe', () => {
    let stored: string | undefined;
    const reg = recorder((_command, args) => {
      if (args[0] === 'add') stored = args[args.indexOf('/d') + 1];
      if (args[0] === 'delete') stored = undefined;
      if (args[0] === 'query') return stored === undefined ? { status: 1 } : { stdout: `\r\n${RUN_KEY}\r\n    Kiosk Shell    REG_SZ    ${stored}\r\n` };
      return {};
    });
    const context: AutostartContext = { platform: 'win32', home: 'C:\\Users\\kiosk', env: {}, run: reg.run };
    const launch = { program: 'C:\\Program Files\\Kiosk Shell\\kiosk-shell.exe', args: [] };
    expect(enableAutostart(context, launch).method).toBe('run-key');
    expect(autostartStatus(context)).toMatchObject({ enabled: true, entries: [{ method: 'run-key', command: runKeyValue(launch) }] });
    expect(disableAutostart(context).changed).toEqual([`${RUN_KEY}\\Kiosk Shell`]);
    expect(autostartStatus(context).enabled).toBe(false);
    expect(() => enableAutostart({ ...context, run: undefined }, launch)).toThrow(/reg\.exe/);
  });
});

describe('kiosk-shell autostart', () => {
  afterEach(() => {
    process.exitCode = undefined;
    vi.restoreAllMocks();
  });

  it('enable, status, disable, status from the command line, in a --root', async () => {
    const home = scratchDir('home');
    const program = fakeProgram(scratchDir('opt'), 'kiosk-shell');
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => out.push(String(chunk)) > 0);
    const cli = async (...args: string[]): Promise<number | undefined> => {
      process.exitCode = undefined;
      await buildProgram().parseAsync(['node', 'kiosk-shell', 'autostart', ...args, '--root', home]);
      return process.exitCode;
    };

    expect(await cli('enable', '--method', 'systemd', '--exec', program)).toBe(0);
    expect(readFileSync(path.join(home, '.config', 'systemd', 'user', UNIT_NAME), 'utf8')).toContain(`ExecStart=${program}\n`);
    expect(await cli('status')).toBe(0);
    expect(out.join('')).toContain(`runs: ${program}`);
    expect(await cli('disable')).toBe(0);
    expect(await cli('status')).toBe(1);
    expect(out.join('')).toContain('autostart: not enabled');
  });

  it('says why it cannot, with exit code 2', () => {
    const err: string[] = [];
    const code = autostartCommand('enable', { exec: '/nonexistent/kiosk-shell', root: scratchDir('home') }, { err: (text) => err.push(text), out: () => undefined });
    expect(code).toBe(2);
    expect(err.join('')).toMatch(/--exec \/nonexistent\/kiosk-shell is not an executable file/);
  });
});
