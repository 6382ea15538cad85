// The embedded demo upstream: what a kiosk started with no configuration talks to, so a
// newcomer sees the whole loop work at once. It behaves like a real site's upstreams: a
// pub/sub WebSocket hub that demands its token header, and a content API that demands
// its own. It listens on loopback only and lives as long as the kiosk process.
//
// Resets are published with POST /publish, which needs the separate publisher token;
// `kiosk-shell reset` finds both in the state file this module writes.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { keysMatch } from '../../server/launch-key.ts';
import type { Logger } from '../../core/logger.ts';
import { demoEvents, demoLanguage, demoOfficesIn } from './content.ts';

const MAX_BODY_BYTES = 64 * 1024;
/** Frames from kiosks: a screenshot (screenshot.maxBytes, 256 KiB by default) must fit. */
const MAX_FRAME_BYTES = 1024 * 1024;
const RECORD_LIMIT = 1000;
const KEPT_SCREENSHOTS = 3;

export interface DemoUpstream {
  wsUrl: string;
  apiUrl: string;
  publishUrl: string;
  /** What kiosks send (Authorization header) for both the hub and the API. */
  kioskToken: string;
  /** What a publisher sends to POST /publish. */
  publisherToken: string;
  /** Messages the kiosks sent (hello, ack, status), newest last. */
  readonly received: Record<string, unknown>[];
  connectedKiosks(): number;
  publish(message: unknown): number;
  close(): Promise<void>;
}

export interface DemoUpstreamOptions {
  logger: Logger;
  /** Where screenshots the kiosk sends are saved (as ID.jpg); not saved without one. */
  screenshotDir?: string;
  port?: number;
  /** The token kiosks must send; a new random one by default. */
  kioskToken?: string;
}

export async function startDemoUpstream({
  logger,
  port = 0,
  kioskToken = `Token demo-${randomBytes(24).toString('hex')}`,
  screenshotDir,
}: DemoUpstreamOptions): Promise<DemoUpstream> {
  const publisherToken = `Token publish-${randomBytes(24).toString('hex')}`;
  const received: Record<string, unknown>[] = [];
  const kiosks = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });

  /** A screenshot as a file a newcomer can open; the record keeps its size, not its bytes. */
  const saveScreenshot = (message: Record<string, unknown>) => {
    const { id, data } = message;
    if (screenshotDir === undefined || typeof id !== 'string' || !/^[A-Za-z0-9._:-]{1,128}$/.test(id) || typeof data !== 'string') return;
    const file = path.join(screenshotDir, `${id.replaceAll(':', '_')}.jpg`);
    try {
      mkdirSync(screenshotDir, { recursive: true, mode: 0o700 });
      writeFileSync(file, Buffer.from(data, 'base64'), { mode: 0o600 });
      logger.info({ file, width: message.width, height: message.height }, 'demo upstream saved a screenshot');
    } catch (error) {
      logger.warn({ code: (error as NodeJS.ErrnoException).code }, 'demo upstream could not save a screenshot');
    }
  };

  const publish = (message: unknown): number => {
    const text = JSON.stringify(message);
    for (const ws of kiosks) ws.send(text);
    return kiosks.size;
  };

  const server = createServer((req, res) => {
    handleHttp(req, res).catch(() => {
      if (!res.headersSent) json(res, 500, { error: 'internal' });
      else res.destroy();
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://demo.invalid');
    const path = url.pathname;
    if (path === '/publish' && req.method === 'POST') {
      if (!keysMatch(publisherToken, req.headers.authorization)) return json(res, 401, { error: 'unauthorized' });
      const body = await readBody(req);
      let message: unknown;
      try {
        message = JSON.parse(body);
      } catch {
        return json(res, 400, { error: 'not-json' });
      }
      const delivered = publish(message);
      logger.info({ delivered, type: (message as { type?: unknown }).type }, 'demo upstream published');
      return json(res, 200, { delivered });
    }
    if (!path.startsWith('/api/')) return json(res, 404, { error: 'not-found' });
    if (!keysMatch(kioskToken, req.headers.authorization)) return json(res, 401, { detail: 'Authentication credentials were not provided.' });
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { detail: 'Method not allowed.' });
    switch (path) {
      // ?lang=es: that language, English where a field has no translation (as the Django API).
      case '/api/events/':
        return content(res, demoEvents(new Date(), demoLanguage(url.searchParams.get('lang'))));
      case '/api/offices/':
        return content(res, demoOfficesIn(demoLanguage(url.searchParams.get('lang'))));
      default:
        return json(res, 404, { detail: 'Not found.' });
    }
  }

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/ws/kiosk/' || !keysMatch(kioskToken, req.headers.authorization)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', () => socket.destroy());
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      kiosks.add(ws);
      ws.on('message', (data: Buffer, isBinary) => {
        if (isBinary) return;
        try {
          const message = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
          received.push(message);
          if (received.length > RECORD_LIMIT) received.shift();
          // Screenshots are large: only the last few keep their image in the record.
          if (message.type === 'kiosk.screenshot') {
            const shots = received.filter((m) => m.type === 'kiosk.screenshot' && typeof m.data === 'string');
            for (const old of shots.slice(0, -KEPT_SCREENSHOTS)) old.data = `(${String(old.data).length} characters, not kept)`;
          }
          if (message.type === 'kiosk.ack') logger.info({ ack: message }, 'demo upstream got an acknowledgement');
          if (message.type === 'kiosk.screenshot') saveScreenshot(message);
        } catch {
          // a demo hub ignores what it cannot read
        }
      });
      ws.on('close', () => kiosks.delete(ws));
      ws.on('error', () => undefined);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  const origin = `127.0.0.1:${bound}`;

  return {
    wsUrl: `ws://${origin}/ws/kiosk/`,
    apiUrl: `http://${origin}/api/`,
    publishUrl: `http://${origin}/publish`,
    kioskToken,
    publisherToken,
    received,
    connectedKiosks: () => kiosks.size,
    publish,
    async close() {
      for (const ws of kiosks) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Content as the Django API sends it: no Cache-Control, so the relay may keep an offline copy. */
function content(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
