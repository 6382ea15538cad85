// State files: small JSON the kiosk must not lose across reloads and restarts, written
// atomically and private to the user. Where they live is machine-paths.ts's business.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

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

/**
 * Writes a state file without ever throwing: a disk that is full or read-only after months
 * must not stop the kiosk from reloading and healing. The failure goes to `onError`; the
 * state lives on in memory. Returns whether the file was written.
 */
export function saveStateFile(file: string, value: unknown, onError: (error: unknown) => void = () => undefined): boolean {
  try {
    writeStateFile(file, value);
    return true;
  } catch (error) {
    onError(error);
    return false;
  }
}
