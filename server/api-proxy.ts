// /api/* → upstream.api.url with the token added. Mounted behind the guard, so every
// request that reaches this module already passed Host, Origin and key checks.
//
// What crosses to the upstream is an allow-list: a few content headers, the token (which
// replaces any header of that name the page sent), a fixed User-Agent. What comes back
// is an allow-list too, and its body is scrubbed of the token.
//
// When the upstream fails (no connection, a reset, a timeout, a 5xx), a content GET is
// answered with the offline cache's copy of its last good answer, marked stale
// (server/offline-cache.ts); good answers are handed to that cache as the page got them.
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { pipeline, type Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { RequestHandler } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import type { ApiUpstreamConfig, WithToken } from '../core/config/schema.ts';
import type { Logger } from '../core/logger.ts';
import type { Secrets } from '../core/secret-forms.ts';
import { type KeepPlan, type OfflineCache, type OfflineCacheStats, writeKeptAnswer } from './offline-cache.ts';
import { SecretScrubber } from './secret-scrubber.ts';
import { describeUpstreamFailure, type UpstreamFailure } from './upstream-errors.ts';

const FORWARDED_REQUEST_HEADERS = new Set([
  'accept',
  'accept-language',
  'content-type',
  'content-length',
  'transfer-encoding',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
  'cache-control',
  // Replaced by the upstream's own host (changeOrigin).
  'host',
]);

const FORWARDED_RESPONSE_HEADERS = new Set([
  'content-type',
  'content-language',
  'content-disposition',
  'cache-control',
  'etag',
  'last-modified',
  'expires',
  'date',
  'vary',
  'retry-after',
  'location',
]);

export interface ApiStats {
  requests: number;
  failures: number;
  /** When the upstream last answered with a status below 500. */
  lastOkAt: string | null;
  offlineCache: OfflineCacheStats;
}

export interface ApiProxyOptions {
  upstream: WithToken<ApiUpstreamConfig>;
  /** Every secret the page must never see: this API's token, the uplink's, the launch key. */
  secrets: Secrets;
  kioskId: string;
  version: string;
  logger: Logger;
  /** Where good answers are kept, and what answers for the upstream while it fails. */
  offlineCache: OfflineCache;
}

export function createApiProxy({ upstream, secrets, kioskId, version, logger, offlineCache }: ApiProxyOptions): {
  handler: RequestHandler;
  stats: () => ApiStats;
} {
  const counts = { requests: 0, failures: 0, lastOkAt: null as string | null };
  const stats = (): ApiStats => ({ ...counts, offlineCache: offlineCache.stats });
  const base = new URL(upstream.url);
  const hidden = secrets.add(upstream.token);
  const timeoutMs = upstream.timeoutSeconds * 1000;

  const onProxyReq = (proxyReq: ClientRequest) => {
    counts.requests++;
    for (const name of proxyReq.getHeaderNames()) {
      if (!FORWARDED_REQUEST_HEADERS.has(name)) proxyReq.removeHeader(name);
    }
    proxyReq.setHeader(upstream.tokenHeader, upstream.token);
    proxyReq.setHeader('user-agent', `kiosk-shell/${version}`);
    proxyReq.setHeader('x-kiosk-id', kioskId);
    proxyReq.setTimeout(timeoutMs, () => {
      proxyReq.destroy(Object.assign(new Error('the API upstream did not answer in time'), { code: 'ETIMEDOUT' }));
    });
  };

  const sendFailure = (res: ServerResponse, failure: UpstreamFailure) => {
    res.writeHead(failure.status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(failure.body));
  };

  /**
   * The upstream failed this request: the kept copy of its last good answer when there is
   * one (a GET), else `fallback` (the failure as the page is told it); `release` when the
   * fallback is not called (a copy answered, or the page went away). One log line either way.
   */
  const answerFailure = (req: IncomingMessage, res: ServerResponse, code: string, fallback: () => void, release = () => {}) => {
    const fields = { code, method: req.method, path: pathOnly(req.url) };
    void offlineCache
      .find(req.method, cacheKeyOf(req), req.headers)
      .catch(() => undefined)
      .then((kept) => {
        if (res.headersSent || res.destroyed) {
          release();
          return;
        }
        if (kept === undefined) {
          logger.warn(fields, 'API upstream failed');
          fallback();
          return;
        }
        logger.warn({ ...fields, keptCopyFrom: kept.fetchedAt }, 'API upstream failed: served the kept copy');
        release();
        writeKeptAnswer(res, kept);
        offlineCache.served(kept);
      })
      .catch((error: unknown) => {
        // Nothing here should throw; if it does, the page gets an answer all the same.
        logger.error({ err: error, path: fields.path }, 'answering an API failure failed');
        if (!res.headersSent) sendFailure(res, { status: 502, body: { error: 'upstream-failed', code: 'EUNKNOWN' } });
        else res.destroy();
      });
  };

  const onProxyRes = (proxyRes: IncomingMessage, req: IncomingMessage, res: ServerResponse) => {
    const status = proxyRes.statusCode ?? 502;
    const fetchedAt = new Date();
    if (status < 500) counts.lastOkAt = fetchedAt.toISOString();
    // No body (HEAD, 204, 304): nothing to decode or scrub, whatever Content-Encoding says;
    // a decoder fed an empty gzip body would fail and cut the page's response.
    if (req.method === 'HEAD' || status === 204 || status === 304) {
      proxyRes.resume();
      res.writeHead(status, responseHeaders(proxyRes, base, hidden).headers);
      res.end();
      return;
    }
    const decoder = decoderFor(proxyRes.headers['content-encoding']);
    if (decoder === null) {
      // A body we cannot decode is a body we cannot scrub: refuse it.
      proxyRes.destroy();
      counts.failures++;
      answerFailure(req, res, 'EENCODING', () => sendFailure(res, { status: 502, body: { error: 'upstream-failed', code: 'EENCODING' } }));
      return;
    }
    const passOn = () => {
      const { headers, dropped } = responseHeaders(proxyRes, base, hidden);
      const plan = offlineCache.plan(req.method, cacheKeyOf(req), req.headers, status, proxyRes.headers);
      res.writeHead(status, headers);
      const scrubber = new SecretScrubber(hidden);
      const stages: (NodeJS.ReadableStream | Transform | ServerResponse)[] = [proxyRes];
      if (decoder) stages.push(decoder);
      stages.push(scrubber);
      if (plan !== undefined) stages.push(keeper(plan, proxyRes, scrubber, headers, dropped, fetchedAt));
      stages.push(res);
      pipeline(stages, (error) => {
        if (error && !res.destroyed) res.destroy();
      });
    };
    if (status >= 500 && req.method === 'GET') {
      // Passed on as it is, unless a kept copy answers instead; the 5xx body waits meanwhile.
      proxyRes.pause();
      const ignore = () => undefined;
      proxyRes.on('error', ignore);
      answerFailure(
        req,
        res,
        `HTTP_${status}`,
        () => {
          proxyRes.off('error', ignore);
          passOn();
        },
        // The body is not wanted: read it to its end, which frees the upstream's socket.
        () => {
          decoder?.destroy();
          proxyRes.resume();
        },
      );
      return;
    }
    passOn();
  };

  /** The stage that hands the body, once whole, to the offline cache with what is known of it. */
  const keeper = (
    plan: KeepPlan,
    proxyRes: IncomingMessage,
    scrubber: SecretScrubber,
    headers: Record<string, string | string[]>,
    dropped: boolean,
    fetchedAt: Date,
  ): Transform => {
    const collector = offlineCache.collector();
    // On the body's end, before the page's response ends: a request that follows at once finds it.
    collector.once('end', () => {
      if (!proxyRes.complete) return;
      offlineCache.keep(plan, { headers, body: collector.body, fetchedAt, redacted: dropped || scrubber.redactions > 0 });
    });
    return collector;
  };

  const onError = (error: Error, req?: IncomingMessage, res?: ServerResponse | Socket) => {
    counts.failures++;
    const failure = describeUpstreamFailure(error);
    if (req === undefined || !isResponse(res)) {
      logger.warn({ code: failure.body.code, method: req?.method, path: pathOnly(req?.url) }, 'API upstream failed');
      res?.destroy();
      return;
    }
    if (res.headersSent) {
      // The upstream died mid-response: cut the page's response short rather than
      // pretend it completed.
      logger.warn({ code: failure.body.code, method: req.method, path: pathOnly(req.url) }, 'API upstream failed');
      res.destroy();
      return;
    }
    answerFailure(req, res, failure.body.code, () => sendFailure(res, failure));
  };

  const proxy = createProxyMiddleware<IncomingMessage, ServerResponse>({
    target: upstream.url,
    changeOrigin: true,
    xfwd: false,
    followRedirects: false,
    selfHandleResponse: true,
    // The default plugins answer errors with text naming the upstream; ours answers with
    // the fixed table in upstream-errors.ts. Ejecting them also ejects the plugin that
    // wires `on: {...}`, so the handlers above are registered by a plugin of our own.
    ejectPlugins: true,
    plugins: [
      (proxyServer) => {
        proxyServer.on('proxyReq', onProxyReq);
        proxyServer.on('proxyRes', onProxyRes);
        proxyServer.on('error', onError);
        // The page went away before the upstream answered; there is no one left to tell.
        proxyServer.on('econnreset', () => undefined);
      },
    ],
  });

  const handler: RequestHandler = (req, res, next) => {
    if (!isConfinedPath(req.url)) {
      res.status(400).json({ error: 'bad-path' });
      return;
    }
    // The proxy library skips its 'proxyReq' hook (our header filter and token) for a
    // request that expects 100-continue; no browser sends one, so it is refused.
    if (req.headers.expect !== undefined) {
      res.status(417).json({ error: 'expectation-not-supported' });
      return;
    }
    // Filter here as well as in onProxyReq: whatever path the library takes, nothing
    // outside the allow-list can leave with the request.
    for (const name of Object.keys(req.headers)) if (!FORWARDED_REQUEST_HEADERS.has(name)) delete req.headers[name];
    cacheKeys.set(req, req.url);
    void proxy(req, res, next);
  };
  return { handler, stats };
}

/**
 * The path and query below the API's base URL, as the page asked for it (Express strips the
 * /api mount point from req.url); noted before the proxy library sees the request.
 */
const cacheKeys = new WeakMap<IncomingMessage, string>();
function cacheKeyOf(req: IncomingMessage): string {
  return cacheKeys.get(req) ?? req.url ?? '/';
}

/**
 * The upstream path must stay below upstream.api.url: no dot segments, no encoded slashes
 * or backslashes, which an upstream or a proxy in front of it might normalise into a
 * path outside the API.
 */
export function isConfinedPath(url: string): boolean {
  const path = pathOnly(url);
  if (/%2f|%5c|%00|\\/i.test(path)) return false;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return false;
  }
  return !decoded.split('/').some((segment) => segment === '.' || segment === '..');
}

/**
 * The allow-listed headers, each dropped whole when it holds a form of a secret (in a
 * Content-Disposition filename*, a Location's query, percent-encoded or in base64): a header
 * cannot be partly redacted without changing what it means. `dropped`: one was.
 */
function responseHeaders(proxyRes: IncomingMessage, base: URL, hidden: Secrets): { headers: Record<string, string | string[]>; dropped: boolean } {
  const headers: Record<string, string | string[]> = {};
  let dropped = false;
  for (const [name, value] of Object.entries(proxyRes.headers)) {
    if (value === undefined || !FORWARDED_RESPONSE_HEADERS.has(name)) continue;
    const text = Array.isArray(value) ? value.join('\n') : value;
    if (hidden.foundIn(text)) {
      dropped = true;
      continue;
    }
    if (name === 'location') {
      const location = rewriteLocation(text, base);
      // Checked again as rewritten: URL parsing re-encodes some characters.
      if (location !== undefined && hidden.foundIn(location)) dropped = true;
      else if (location !== undefined) headers.location = location;
      continue;
    }
    headers[name] = value;
  }
  return { headers, dropped };
}

/** A redirect within the API stays within /api; one anywhere else is not passed on. */
function rewriteLocation(location: string, base: URL): string | undefined {
  if (!URL.canParse(location, base)) return undefined;
  const target = new URL(location, base);
  if (target.origin !== base.origin || !target.pathname.startsWith(base.pathname)) return undefined;
  const rest = target.pathname.slice(base.pathname.length).replace(/^\/?/, '/');
  return `/api${rest}${target.search}`;
}

/** A decoder for the body's encoding; undefined when it is plain, null when we cannot decode it. */
function decoderFor(encoding: string | undefined): Transform | undefined | null {
  switch (encoding?.trim().toLowerCase() ?? 'identity') {
    case 'identity':
    case '':
      return undefined;
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return null;
  }
}

function pathOnly(url: string | undefined): string {
  return (url ?? '/').split('?')[0] ?? '/';
}

function isResponse(value: unknown): value is ServerResponse {
  return typeof (value as ServerResponse | undefined)?.writeHead === 'function';
}
