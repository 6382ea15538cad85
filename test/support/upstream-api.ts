// A real upstream HTTP API for tests. It records every TCP connection and request
// (headers and body) and has routes that misbehave on purpose.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { echoesOf } from './secret-echoes.ts';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * How /api/content/… answers: normally (200, or ?status=N), or failing as an upstream in
 * trouble does: a status for every request, no answer at all, or the connection reset.
 */
export type ContentMode = 'normal' | 'hang' | 'reset' | { status: number };

export class ApiUpstream {
  port = 0;
  tcpConnections = 0;
  readonly requests: RecordedRequest[] = [];
  contentMode: ContentMode = 'normal';
  /** Part of every /api/content/ body: bump it to tell a fresh answer from a kept one. */
  revision = 1;
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();

  get url(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const url = req.url ?? '/';
        this.requests.push({ method: req.method ?? 'GET', url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const path = url.split('?')[0] ?? '/';
        if (path.startsWith('/api/content/')) {
          this.#content(req, res, url, path);
          return;
        }
        switch (path) {
          case '/api/not-modified-gzip/':
            // A 304 that still names gzip, as some servers do: it has no body to decode.
            res.writeHead(304, { 'content-encoding': 'gzip', etag: '"v1"' });
            res.end();
            return;
          case '/api/echo-body/':
            // Hands back whatever the page sent (a search box, a form): the page decides the text.
            res.writeHead(200, { 'content-type': 'text/plain' });
            res.end(Buffer.concat(chunks));
            return;
          case '/api/echo-headers/':
            // Misbehaves on purpose: hands the request headers, token included, back.
            res.writeHead(200, { 'content-type': 'application/json', 'x-echo-auth': String(req.headers.authorization) });
            res.end(JSON.stringify(req.headers));
            return;
          case '/api/echo-form/': {
            // Misbehaves on purpose: writes the Authorization header it received back in one
            // of the forms upstreams write it (?form=N, see echoesOf), in one place (?in=).
            const query = new URL(url, 'http://upstream').searchParams;
            const text = echoesOf(String(req.headers.authorization)).at(Number(query.get('form')))?.text ?? 'no such form';
            switch (query.get('in')) {
              case 'location':
                res.writeHead(302, { location: `http://127.0.0.1:${this.port}/api/next/?auth=${text}` });
                res.end();
                return;
              case 'header':
                res.writeHead(200, { 'content-type': 'text/plain', 'content-language': text, etag: `"${text}"` });
                res.end('ok');
                return;
              case 'disposition':
                res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': `attachment; filename*=UTF-8''${text}` });
                res.end('ok');
                return;
              case 'json':
                // Through the upstream's own JSON encoder, which escapes the form again.
                res.writeHead(200, { 'content-type': 'application/json' });
                res.end(JSON.stringify({ headers: { authorization: text } }));
                return;
              default:
                res.writeHead(200, { 'content-type': 'text/html' });
                res.end(`<pre>Authorization: ${text}</pre>`);
                return;
            }
          }
          case '/api/gzip-echo/':
            res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
            res.end(gzipSync(JSON.stringify(req.headers)));
            return;
          case '/api/slow/':
            return; // never answers
          case '/api/die/':
            res.writeHead(200, { 'content-type': 'application/json' });
            res.write('{"partial":');
            setTimeout(() => req.socket.destroy(), 20);
            return;
          case '/api/boom/':
            res.writeHead(500, { 'content-type': 'application/json' });
            res.end('{"detail":"server error"}');
            return;
          case '/api/redirect/':
            res.writeHead(302, { location: `http://127.0.0.1:${this.port}/api/events/?page=2` });
            res.end();
            return;
          case '/api/redirect-away/':
            res.writeHead(302, { location: 'http://evil.example/steal' });
            res.end();
            return;
          case '/api/cookies/':
            res.writeHead(200, {
              'content-type': 'application/json',
              'set-cookie': 'sessionid=abc; HttpOnly',
              'access-control-allow-origin': '*',
              'www-authenticate': 'Basic realm="x"',
            });
            res.end('{}');
            return;
          default:
            res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=5' });
            res.end(JSON.stringify({ ok: true, method: req.method, path }));
        }
      });
    });
    server.on('connection', (socket: Socket) => {
      this.tcpConnections++;
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.#server = server;
    return this;
  }

  /**
   * Content as a CMS serves it: JSON that names its path, query and revision, with the
   * caching headers the query asks for (?cc= Cache-Control, ?vary=, ?etag=, ?lang= as
   * Content-Language), ?pad=N bytes of filler, ?status=N.
   */
  #content(req: IncomingMessage, res: ServerResponse, url: string, path: string): void {
    const mode = this.contentMode;
    if (mode === 'hang') return;
    if (mode === 'reset') {
      req.socket.destroy();
      return;
    }
    const query = new URL(url, 'http://upstream').searchParams;
    const status = typeof mode === 'object' ? mode.status : Number(query.get('status') ?? 200);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const [param, header] of [['cc', 'cache-control'], ['vary', 'vary'], ['etag', 'etag'], ['lang', 'content-language']] as const) {
      const value = query.get(param);
      if (value !== null) headers[header] = value;
    }
    if (status >= 500) headers['cache-control'] = 'no-store';
    res.writeHead(status, headers);
    res.end(JSON.stringify({ path, query: Object.fromEntries(query), revision: this.revision, method: req.method, pad: 'x'.repeat(Number(query.get('pad') ?? 0)) }));
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
    this.#server = undefined;
  }
}
