// Where the kiosk keeps what must survive reloads and restarts (reset ids already acted
// on, recovery counters, the demo upstream's address). Per user, per OS convention;
// KIOSK_STATE_DIR or the config's stateDir override it.
import { mkdirSync, renameSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = os.homedir()): string {
  if (env.KIOSK_STATE_DIR) return env.KIOSK_STATE_DIR;
  if (platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'kiosk-shell');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'kiosk-shell');
  return path.join(env.XDG_STATE_HOME ?? path.join(home, '.local', 'state'), 'kiosk-shell');
}

/** Writes JSON atomically (temp file + rename) and private to the user: a crash never leaves half a file. */
export function writeStateFile(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(value)}\n`, { mode: 0o600 });
  renameSync(temp, file);
}

/** Reads a state file; undefined when it is missing or unreadable (state is a cache, never a reason to fail). */
export function readStateFile(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}
