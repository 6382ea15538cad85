// A local process without the key trying to lock the page out of the kiosk's server, and
// the page trying to work through it. Used by test/server/admission.test.ts and the bench.
//
// The attack keeps `sockets` connections open against the port, each reopened as soon as
// it is dropped, in turns of five kinds: idle (never a byte), a head sent one header line
// a second (slowloris), an upgrade head sent the same way, one byte every half second, and
// a complete public request then an idle keep-alive. spawnSlowloris runs it in a process
// of its own, so that its event loop is not the server's.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

export const ATTACK_KINDS = ['idle', 'slow-head', 'slow-upgrade', 'byte-drip', 'idle-keep-alive'] as const;
type Kind = (typeof ATTACK_KINDS)[number];

export interface AttackStats {
  /** Connections opened, in all. */
  connects: number;
  /** The most open at one time. */
  peakOpen: number;
  /** Open when the attack was stopped. */
  openAtEnd: number;
  /** Connections refused or reset before they were up (the server's backlog full, say). */
  failedConnects: number;
}

export interface Attack {
  /** Stops reopening, closes every socket, resolves with what happened. */
  stop(): Promise<AttackStats>;
  readonly open: number;
  readonly connects: number;
}

export function startSlowloris({ port, sockets }: { port: number; sockets: number }): Attack {
  const host = `127.0.0.1:${port}`;
  const open = new Set<Socket>();
  const stats: AttackStats = { connects: 0, peakOpen: 0, openAtEnd: 0, failedConnects: 0 };
  let stopped = false;

  const heads: Record<Exclude<Kind, 'idle' | 'byte-drip'>, string[]> = {
    'slow-head': ['GET /api/events/ HTTP/1.1\r\n', `Host: ${host}\r\n`, 'Accept: */*\r\n', ...Array.from({ length: 1000 }, (_, i) => `X-Slow-${i}: a\r\n`)],
    'slow-upgrade': [
      'GET /ws HTTP/1.1\r\n',
      `Host: ${host}\r\n`,
      'Connection: Upgrade\r\n',
      'Upgrade: websocket\r\n',
      'Sec-WebSocket-Version: 13\r\n',
      ...Array.from({ length: 1000 }, (_, i) => `X-Slow-${i}: a\r\n`),
    ],
    'idle-keep-alive': [`GET /healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\n\r\n`],
  };

  const open1 = (kind: Kind) => {
    if (stopped) return;
    const socket = connect(port, '127.0.0.1');
    stats.connects++;
    let up = false;
    let timer: NodeJS.Timeout | undefined;
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    socket.once('connect', () => {
      up = true;
      open.add(socket);
      stats.peakOpen = Math.max(stats.peakOpen, open.size);
      if (kind === 'idle') return;
      if (kind === 'byte-drip') {
        const head = `GET / HTTP/1.1\r\nHost: ${host}\r\n${'X-Drip: a\r\n'.repeat(500)}`;
        let at = 0;
        timer = setInterval(() => socket.write(head[at++ % head.length]!), 500);
        return;
      }
      const lines = heads[kind];
      let at = 0;
      const next = () => {
        if (at < lines.length) socket.write(lines[at++]!);
      };
      next();
      // The keep-alive kind has sent its whole request; the others dribble on.
      if (kind !== 'idle-keep-alive') timer = setInterval(next, 1000);
    });
    socket.once('close', () => {
      clearInterval(timer);
      open.delete(socket);
      if (!up) stats.failedConnects++;
      // Reopened as soon as dropped; a refused connect is retried after a moment.
      if (!stopped) setTimeout(() => open1(kind), up ? 0 : 20);
    });
  };

  for (let i = 0; i < sockets; i++) open1(ATTACK_KINDS[i % ATTACK_KINDS.length]!);

  return {
    get open() {
      return open.size;
    },
    get connects() {
      return stats.connects;
    },
    async stop() {
      stopped = true;
      stats.openAtEnd = open.size;
      const closed = [...open].map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())));
      for (const socket of open) socket.destroy();
      await Promise.all(closed);
      return stats;
    },
  };
}

/** What the page needs from the server: its port, the launch key and its origin. */
export interface PageTarget {
  port: number;
  key: string;
  origin: string;
}

export interface PageOutcome {
  attempts: number;
  ok: number;
  /** Milliseconds each successful attempt took, in order. */
  ms: number[];
  /** Why the failed ones failed (status, error code or timeout), counted. */
  failures: Record<string, number>;
}

export interface PageResults {
  api: PageOutcome;
  ws: PageOutcome;
  reload: PageOutcome;
}

const ATTEMPT_TIMEOUT_MS = 10_000;

/** One HTTP request on a new connection, as a page's fetch would open one under load. */
function pageRequest(target: PageTarget, path: string, headers: Record<string, string>): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port: target.port, path, headers: { host: `127.0.0.1:${target.port}`, ...headers }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200 ? undefined : `HTTP ${res.statusCode}`));
      res.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    req.setTimeout(ATTEMPT_TIMEOUT_MS, () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    req.end();
  });
}

/** A new /ws connection, as the page opens after a reload: ok once the shell's hello arrives. */
function pageSocket(target: PageTarget): Promise<string | undefined> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${target.port}/ws`, ['kiosk.v1', `kiosk-key.${target.key}`], { origin: target.origin, perMessageDeflate: false });
    const timer = setTimeout(() => done('timeout'), ATTEMPT_TIMEOUT_MS);
    let settled = false;
    const done = (failure: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      resolve(failure);
    };
    ws.on('message', (data: Buffer) => {
      if ((JSON.parse(data.toString('utf8')) as { type?: string }).type === 'local.hello') done(undefined);
    });
    ws.on('unexpected-response', (_req, res) => done(`HTTP ${res.statusCode}`));
    ws.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? 'error'));
    ws.on('close', () => done('closed'));
  });
}

async function attempt(outcome: PageOutcome, run: () => Promise<string | undefined>): Promise<void> {
  const started = performance.now();
  outcome.attempts++;
  const failure = await run();
  if (failure === undefined) {
    outcome.ok++;
    outcome.ms.push(performance.now() - started);
  } else {
    outcome.failures[failure] = (outcome.failures[failure] ?? 0) + 1;
  }
}

/**
 * Works as the page for `durationMs`: one after another, an /api call, a new /ws connection
 * and a reload (GET /), each on a new connection, with `pauseMs` between rounds.
 */
export async function workAsPage(target: PageTarget, { durationMs, pauseMs = 20 }: { durationMs: number; pauseMs?: number }): Promise<PageResults> {
  const empty = (): PageOutcome => ({ attempts: 0, ok: 0, ms: [], failures: {} });
  const results: PageResults = { api: empty(), ws: empty(), reload: empty() };
  const deadline = performance.now() + durationMs;
  while (performance.now() < deadline) {
    await attempt(results.api, () => pageRequest(target, '/api/events/', { 'x-kiosk-key': target.key }));
    await attempt(results.ws, () => pageSocket(target));
    await attempt(results.reload, () => pageRequest(target, '/', {}));
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  return results;
}

export interface SpawnedAttack {
  /** Every socket has been opened once. */
  up: Promise<void>;
  /** The attack ended (after `seconds`) and its sockets are closed. */
  done: Promise<AttackStats>;
}

/** Runs the attack in a child process (its own event loop) for `seconds`. */
export function spawnSlowloris({ port, sockets, seconds }: { port: number; sockets: number; seconds: number }): SpawnedAttack {
  const child = spawn(process.execPath, [import.meta.filename, String(port), String(sockets), String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  let markUp: () => void = () => undefined;
  const up = new Promise<void>((resolve) => (markUp = resolve));
  const done = new Promise<AttackStats>((resolve, reject) => {
    lines.on('line', (line) => {
      const message = JSON.parse(line) as { event: string } & AttackStats;
      if (message.event === 'up') markUp();
      if (message.event === 'done') resolve(message);
    });
    child.once('exit', (code) => reject(new Error(`the attack exited (${code}) before it was done`)));
  });
  return { up: Promise.race([up, done.then(() => undefined)]), done };
}

// As a script: attack PORT with SOCKETS connections for SECONDS; one JSON line once every
// socket was opened, one with the stats at the end.
if (import.meta.filename === process.argv[1]) {
  const [port, sockets, seconds] = process.argv.slice(2).map(Number);
  const attack = startSlowloris({ port: port!, sockets: sockets! });
  const ready = setInterval(() => {
    if (attack.connects < sockets!) return;
    clearInterval(ready);
    process.stdout.write(`${JSON.stringify({ event: 'up', open: attack.open })}\n`);
  }, 20);
  setTimeout(() => {
    clearInterval(ready);
    void attack.stop().then((stats) => process.stdout.write(`${JSON.stringify({ event: 'done', ...stats })}\n`));
  }, seconds! * 1000);
}
