// Request/response over the IPC channel of a forked worker: the orchestrator asks a worker
// (client, upstream, herd) to do something and gets its result back. The measurements
// themselves are taken inside the workers; IPC only carries instructions and results.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT, rssMiB } from './proc.ts';

interface Request {
  id: number;
  cmd: string;
  args: unknown;
}
interface Response {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export type Handlers = Record<string, (args: never) => unknown>;

/** In a worker: answers the orchestrator's requests with `handlers`. */
export function serveIpc(handlers: Handlers): void {
  if (process.send === undefined) throw new Error('this worker must be started with an IPC channel (bench/lib/ipc.ts)');
  process.on('message', (raw: Request) => {
    const handler = handlers[raw.cmd] as ((args: unknown) => unknown) | undefined;
    const reply = (response: Response) => process.send?.(response);
    if (handler === undefined) {
      reply({ id: raw.id, ok: false, error: `unknown command ${raw.cmd}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(raw.args))
      .then(
        (result) => reply({ id: raw.id, ok: true, result }),
        (error: unknown) => reply({ id: raw.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
  });
  // The orchestrator going away ends the worker too.
  process.on('disconnect', () => process.exit(0));
  process.send({ id: 0, ok: true, result: 'ready' } satisfies Response);
}

export interface Worker {
  readonly pid: number;
  readonly child: ChildProcess;
  call<T>(cmd: string, args?: unknown, timeoutMs?: number): Promise<T>;
  rss(): number;
  alive(): boolean;
  stop(): Promise<void>;
  stderrTail(): string;
}

/** Forks `file` (relative to the repo) and resolves once its IPC handlers are installed. */
export async function startWorker(file: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Worker> {
  const child = fork(path.resolve(REPO_ROOT, file), [...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  if (child.pid === undefined) throw new Error(`could not fork ${file}`);
  const pid = child.pid;
  let nextId = 1;
  let stderr = '';
  let exited = false;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-8192);
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (message: Response) => {
      if (message.id === 0) {
        resolve();
        return;
      }
      const waiter = pending.get(message.id);
      if (waiter === undefined) return;
      pending.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`${file}: ${message.error ?? 'failed'}`));
    });
    child.once('exit', (code, signal) => {
      exited = true;
      const error = new Error(`${file} exited (${code ?? signal}); stderr: ${stderr.slice(-1500)}`);
      reject(error);
      for (const waiter of pending.values()) waiter.reject(error);
      pending.clear();
    });
  });
  await ready;
  return {
    pid,
    child,
    call<T>(cmd: string, callArgs?: unknown, timeoutMs = 600_000): Promise<T> {
      if (exited) return Promise.reject(new Error(`${file} is not running; stderr: ${stderr.slice(-1500)}`));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${file}: ${cmd} took longer than ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        child.send({ id, cmd, args: callArgs } satisfies Request);
      });
    },
    rss: () => rssMiB(pid),
    alive: () => !exited,
    stderrTail: () => stderr,
    async stop() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await gone;
      clearTimeout(timer);
    },
  };
}
