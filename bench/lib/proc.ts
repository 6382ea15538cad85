// Child processes the bench starts and watches: spawn, wait for a JSON line on stdout,
// read RSS and open file descriptors from /proc, stop with a deadline. Only processes
// started here are ever signalled, each by its own pid.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BENCH_DIR = path.join(REPO_ROOT, 'bench');

/** Resident set size of a process in MiB (VmRSS), or NaN when it is gone. */
export function rssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match?.[1] === undefined ? Number.NaN : Number(match[1]) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** Open file descriptors of a process, or NaN when it is gone. */
export function openFds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return Number.NaN;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Milliseconds since some fixed point, with sub-millisecond resolution. */
export function nowMs(): number {
  return performance.now();
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

export interface Watched {
  child: ChildProcess;
  pid: number;
  /** Resolves with the first stdout line that parses as JSON and satisfies `match`. */
  line(match: (value: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<{ value: Record<string, unknown>; atMs: number }>;
  /** The last few KiB of stderr (for error reports). */
  stderrTail(): string;
  /** Calls `listener` with every complete stderr line from now on. */
  onStderrLine(listener: (line: string) => void): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
  alive(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
}

/** Starts a process and keeps track of its stdout lines, stderr tail and exit. */
export function watch(command: string, args: readonly string[], options: SpawnOptions = {}): Watched {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const pid = child.pid;
  const lines: { value: Record<string, unknown>; atMs: number }[] = [];
  let waiters: (() => void)[] = [];
  let buffered = '';
  let stderr = '';
  let stderrPartial = '';
  const stderrListeners: ((line: string) => void)[] = [];
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null; atMs: number } | undefined;
  child.stdout?.on('data', (chunk: Buffer) => {
    const atMs = nowMs();
    buffered += chunk.toString('utf8');
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const text = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      try {
        const value: unknown = JSON.parse(text);
        if (typeof value === 'object' && value !== null) lines.push({ value: value as Record<string, unknown>, atMs });
      } catch {
        // not one of the machine-readable lines
      }
    }
    const wake = waiters;
    waiters = [];
    for (const w of wake) w();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    stderr = (stderr + text).slice(-8192);
    if (stderrListeners.length === 0) return;
    stderrPartial += text;
    let newline: number;
    while ((newline = stderrPartial.indexOf('\n')) >= 0) {
      const line = stderrPartial.slice(0, newline);
      stderrPartial = stderrPartial.slice(newline + 1);
      for (const listener of stderrListeners) listener(line);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal, atMs: nowMs() };
      const wake = waiters;
      waiters = [];
      for (const w of wake) w();
      resolve(exitInfo);
    });
  });
  return {
    child,
    pid,
    exited,
    stderrTail: () => stderr,
    onStderrLine: (listener) => {
      stderrListeners.push(listener);
    },
    alive: () => exitInfo === undefined,
    async line(match, timeoutMs = 30_000) {
      const deadline = nowMs() + timeoutMs;
      for (;;) {
        const found = lines.find((l) => match(l.value));
        if (found) return found;
        if (exitInfo !== undefined) {
          throw new Error(`${command} ${args.join(' ')} exited (${exitInfo.code ?? exitInfo.signal}) before the expected line; stderr: ${stderr.slice(-1500)}`);
        }
        const left = deadline - nowMs();
        if (left <= 0) throw new Error(`${command} ${args.join(' ')}: no expected line within ${timeoutMs} ms; stderr: ${stderr.slice(-1500)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    async stop(graceMs = 3000) {
      if (exitInfo !== undefined) return exitInfo;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (exitInfo === undefined) child.kill('SIGKILL');
      }, graceMs);
      const info = await exited;
      clearTimeout(timer);
      return info;
    },
  };
}

/** Node running a file of this repo, with type stripping (the default in Node 24). */
export function watchNode(file: string, args: readonly string[] = [], options: SpawnOptions = {}): Watched {
  return watch(process.execPath, [path.resolve(REPO_ROOT, file), ...args], { cwd: REPO_ROOT, ...options });
}

/** CPU time (user + system) a process has used so far, in ms (clock-tick resolution). */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** sysconf(_SC_CLK_TCK): 100 on every Linux the bench targets. */
const CLOCK_TICKS = 100;
