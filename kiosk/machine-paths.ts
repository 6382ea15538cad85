// Where kiosk-shell keeps things on each OS, by its conventions:
//   config  machine-wide, written by IT (one file per machine);
//   state   per user: reset ids, recovery counters, the demo upstream's address;
//   logs    per user, rotated JSON lines IT can collect.
// Environment variables override each (KIOSK_CONFIG is read by the config loader).
import os from 'node:os';
import path from 'node:path';

export interface PlatformContext {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

export function machineConfigPath({ platform = process.platform, env = process.env }: PlatformContext = {}): string {
  if (platform === 'win32') return path.win32.join(env.ProgramData ?? 'C:\\ProgramData', 'kiosk-shell', 'config.json');
  if (platform === 'darwin') return '/Library/Application Support/kiosk-shell/config.json';
  return '/etc/kiosk-shell/config.json';
}

export function defaultStateDir({ platform = process.platform, env = process.env, home = os.homedir() }: PlatformContext = {}): string {
  if (env.KIOSK_STATE_DIR) return env.KIOSK_STATE_DIR;
  if (platform === 'win32') return path.win32.join(env.LOCALAPPDATA ?? path.win32.join(home, 'AppData', 'Local'), 'kiosk-shell');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'kiosk-shell');
  return path.join(env.XDG_STATE_HOME ?? path.join(home, '.local', 'state'), 'kiosk-shell');
}

export function defaultLogDir({ platform = process.platform, env = process.env, home = os.homedir() }: PlatformContext = {}): string {
  if (env.KIOSK_LOG_DIR) return env.KIOSK_LOG_DIR;
  if (platform === 'win32') return path.win32.join(env.LOCALAPPDATA ?? path.win32.join(home, 'AppData', 'Local'), 'kiosk-shell', 'logs');
  if (platform === 'darwin') return path.join(home, 'Library', 'Logs', 'kiosk-shell');
  return path.join(defaultStateDir({ platform, env, home }), 'logs');
}
