// Clients that behave like the kiosk page, a foreign page, or any local process.
import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import WebSocket from 'ws';
import type { KioskServer } from '../../server/kiosk-server.ts';

export interface PageSocketOptions {
  origin?: string | null;
  host?: string;
  protocols?: readonly string[];
  key?: string | null;
  path?: string;
}

/** Opens /ws as the kiosk page would, with any part replaced to play an attacker. */
export function openPageSocket(server: KioskServer, options: PageSocketOptions = {}): WebSocket {
  const key = options.key === undefined ? server.key : options.key;
  const protocols = options.protocols ? [...options.protocols] : ['kiosk.v1', ...(key === null ? [] : [`kiosk-key.${key}`])];
  const origin = options.origin === undefined ? server.origin : options.origin;
  return new WebSocket(`ws://127.0.0.1:${server.port}${options.path ?? '/ws'}`, protocols, {
    ...(origin === null ? {} : { origin }),
    ...(options.host === undefined ? {} : { headers: { host: options.host } }),
    perMessageDeflate: false,
  });
}

/** Resolves with the HTTP status of a refused handshake, or 101 when it was accepted. */
export function handshakeStatus(ws: WebSocket): Promise<number> {
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => resolve(101));
    ws.once('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

/** Collects a socket's text messages so a test can await the next matching one. */
export class Inbox {
  readonly messages: Record<string, unknown>[] = [];
  #waiters: (() => void)[] = [];

  constructor(ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) return;
      try {
        this.messages.push(JSON.parse(data.toString('utf8')) as Record<string, unknown>);
      } catch {
        this.messages.push({ raw: data.toString('utf8') });
      }
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const wake of waiters) wake();
    });
  }

  async next(predicate: (m: Record<string, unknown>) => boolean, timeoutMs = 5000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(predicate);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`inbox: no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  ofType(type: string): Record<string, unknown>[] {
    return this.messages.filter((m) => m.type === type);
  }
}

export function waitOpen(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
}

export function waitClose(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) {
      resolve({ code: 1006, reason: '' });
      return;
    }
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** An HTTP request with full control over headers, Host included. */
export function httpRequest(
  port: number,
  options: { path: string; method?: string; headers?: Record<string, string>; body?: string },
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: options.path, method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Headers the kiosk page itself would send to /api. */
export function pageHeaders(server: KioskServer, extra: Record<string, string> = {}): Record<string, string> {
  return { host: `127.0.0.1:${server.port}`, 'x-kiosk-key': server.key, ...extra };
}

/**
 * Writes raw bytes to the port and returns whatever comes back before the server closes or
 * `timeoutMs` passes. Several chunks are written one by one once connected (split writes).
 */
export function rawExchange(port: number, bytes: string | Buffer | readonly Buffer[], timeoutMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', finish);
    socket.on('error', finish);
    socket.on('connect', () => {
      for (const chunk of typeof bytes === 'string' || Buffer.isBuffer(bytes) ? [bytes] : bytes) socket.write(chunk);
    });
  });
}

/** Open file descriptors of this process (Linux). */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}
