// `kiosk-shell serve` as users run it: a config file, a child process, the ready line.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, type Dirent } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nowMs, REPO_ROOT, watch, type Watched } from './proc.ts';

export type Layer = Record<string, unknown>;

export interface UpstreamAddress {
  wsUrl: string;
  apiUrl: string;
  wsToken: string;
  apiToken: string;
}

export function newToken(label: string): string {
  return `Token bench-${label}-${randomBytes(24).toString('hex')}`;
}

/** The command line of `kiosk-shell`: from source (type stripping) or the built dist/. */
export function cliArgs(entry: 'source' | 'dist'): string[] {
  return [path.join(REPO_ROOT, entry === 'source' ? 'kiosk/cli.ts' : 'bin/kiosk-shell.js')];
}

/** The environment without KIOSK_* variables, which would override the config file. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('KIOSK_')) env[name] = value;
  return { ...env, ...extra };
}

export interface KioskConfigFile {
  dir: string;
  file: string;
  remove(): void;
}

/** A config file (and state dir) for one kiosk on `upstream`; `overrides` is merged on top. */
export function writeKioskConfig(upstream: UpstreamAddress, overrides: Layer = {}): KioskConfigFile {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-bench-'));
  const base: Layer = {
    kioskId: 'bench-kiosk-1',
    groups: ['bench'],
    stateDir: path.join(dir, 'state'),
    upstream: {
      ws: { url: upstream.wsUrl, token: upstream.wsToken },
      api: { url: upstream.apiUrl, token: upstream.apiToken },
    },
  };
  const file = path.join(dir, 'kiosk.json');
  writeFileSync(file, JSON.stringify(merge(base, overrides), null, 2), { mode: 0o600 });
  return { dir, file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ServeProcess {
  proc: Watched;
  /** Spawn → ready line, in ms. */
  readyMs: number;
  port: number;
  key: string;
  origin: string;
  wsUrl: string;
  config: KioskConfigFile;
  /** What a page client offers: the kiosk subprotocols and its origin. */
  page: { url: string; protocols: string[]; origin: string };
  stop(): Promise<void>;
}

export async function startServe(upstream: UpstreamAddress, options: { overrides?: Layer; entry?: 'source' | 'dist'; env?: NodeJS.ProcessEnv; nodeArgs?: string[] } = {}): Promise<ServeProcess> {
  const config = writeKioskConfig(upstream, options.overrides);
  const started = nowMs();
  const proc = watch(process.execPath, [...(options.nodeArgs ?? []), ...cliArgs(options.entry ?? 'source'), 'serve', '--config', config.file], {
    cwd: REPO_ROOT,
    env: cleanEnv(options.env),
  });
  const ready = await proc.line((v) => v.event === 'ready', 30_000);
  const url = new URL(String(ready.value.url));
  const key = new URLSearchParams(url.hash.slice(1)).get('key') ?? '';
  const port = Number(url.port);
  const origin = `http://127.0.0.1:${port}`;
  const wsUrl = `ws://127.0.0.1:${port}/ws`;
  return {
    proc,
    readyMs: ready.atMs - started,
    port,
    key,
    origin,
    wsUrl,
    config,
    page: { url: wsUrl, protocols: ['kiosk.v1', `kiosk-key.${key}`], origin },
    async stop() {
      await proc.stop();
      config.remove();
    },
  };
}

/** Is dist/ older than the source it is built from? (then `npm run build` runs first) */
export function distIsStale(): boolean {
  const built = path.join(REPO_ROOT, 'dist', 'kiosk', 'cli.js');
  const renderer = path.join(REPO_ROOT, 'dist', 'renderer', 'index.html');
  if (!existsSync(built) || !existsSync(renderer)) return true;
  const builtAt = Math.min(statSync(built).mtimeMs, statSync(renderer).mtimeMs);
  return newestMtime(['core', 'server', 'kiosk', 'renderer']) > builtAt;
}

function newestMtime(dirs: string[]): number {
  let newest = 0;
  const visit = (dir: string) => {
    for (const entry of readdirSafe(dir)) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (/\.(ts|tsx|css|html)$/.test(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  for (const dir of dirs) visit(path.join(REPO_ROOT, dir));
  return newest;
}

function readdirSafe(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function merge(lower: Layer, higher: Layer): Layer {
  const result: Layer = { ...lower };
  const isObject = (v: unknown): v is Layer => typeof v === 'object' && v !== null && !Array.isArray(v);
  for (const [key, value] of Object.entries(higher)) {
    const below = result[key];
    result[key] = isObject(value) && isObject(below) ? merge(below, value) : value;
  }
  return result;
}
