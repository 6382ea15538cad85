// The relay's offline copy of the content: the last good answer to each content GET /api…,
// kept on disk so that a reload or a reset during an API outage still shows what the kiosk
// showed, marked as not current (x-kiosk-stale-since), instead of the outage screen alone.
//
// It is consulted only when the upstream fails (connection refused or reset, timeout, 5xx):
// a stale-if-error store, never a cache that answers in the upstream's place while it is up.
// What it keeps, and why:
//   - only the answer to a GET that came back 200 and whole;
//   - only what the page got: the body after the scrubber, three headers that describe it;
//     and never an answer in which the scrubber (or the header filter) had to remove a
//     secret: such an answer is not what the upstream meant to send;
//   - not when the upstream says so: `no-store` (never on disk), `no-cache` and
//     `must-revalidate` (never without asking the origin again: RFC 9111 §4.2.4), `Vary: *`.
//     `private` is kept: this store serves one kiosk, as a browser's own cache does, and
//     a copy is scoped to the kiosk id and the upstream URL it was fetched for;
//   - per path and query (`?lang=es` is its own copy), and per value of the request
//     headers the upstream's Vary names.
// A kept copy is served as a fresh 200 with `cache-control: no-store` and no validator
// (no ETag, no Last-Modified): the browser never stores it, never revalidates it, and a
// conditional request never gets a 304 that would make a stale copy look current.
//
// On disk: one file per copy, under the kiosk's state folder, private to the user, written
// atomically (temp file, fsync, rename). Each starts with one header line that holds its
// scope, lengths and a SHA-256 of the rest; a file that does not check out is deleted and
// counted as corrupt, never served. Bounded in bytes and in copies; the oldest copies go
// first.
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { OFFLINE_CACHE_MAX_ENTRIES } from '../core/config/limits.ts';
import { rateLimitedLog, type Logger } from '../core/logger.ts';
import type { Secrets } from '../core/secret-forms.ts';
import { STALE_SINCE_HEADER } from '../protocol/page.ts';

/** The folder under the kiosk's state folder. */
export const OFFLINE_CACHE_FOLDER = 'api-cache';
export const MIB = 1024 * 1024;

const MAGIC = 'kiosk-shell-kept-answer/1';
const SUFFIX = '.kept';
const FILE_NAME = /^[0-9a-f]{64}\.kept$/;
const HEADER_LINE = /^(\S+) ([0-9a-f]{64}) (\d{1,10}) (\d{1,10}) ([0-9a-f]{64})$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
// eslint-disable-next-line no-control-regex -- the point is to refuse control characters
const HEADER_VALUE = /^[^\x00-\x08\x0a-\x1f\x7f]*$/;
const TEMP_NAME = /^[0-9a-f]{64}\.\d+\.[0-9a-f]{8}\.tmp$/;
const MAX_HEADER_LINE = 256;
/** The response headers a copy keeps: what describes its body; never freshness or validators. */
const KEPT_HEADERS = ['content-type', 'content-language', 'content-disposition'] as const;
/** Response Cache-Control directives that forbid keeping, or serving without the origin. */
const FORBIDDING_DIRECTIVES = new Set(['no-store', 'no-cache', 'must-revalidate']);

export type NotKeptReason = 'cache-control' | 'vary' | 'secret' | 'too-large';

export interface OfflineCacheStats {
  enabled: boolean;
  /** Copies on disk now, and their size in bytes. */
  entries: number;
  bytes: number;
  maxEntries: number;
  maxBytes: number;
  /** Good answers written to disk (a new copy or a fresher one). */
  stored: number;
  /** Upstream failures answered with a kept copy (each marked with x-kiosk-stale-since). */
  staleServes: number;
  /** Upstream failures of a GET for which no usable copy was kept. */
  misses: number;
  /** Copies deleted to stay within maxEntries and maxBytes. */
  evictions: number;
  /** Files that did not check out (truncated, altered, unreadable): deleted, never served. */
  corrupt: number;
  /** Copies that could not be written (disk full, read-only): the previous copy stays. */
  writeErrors: number;
  /** Good answers (GET, 200) deliberately not kept, by reason. */
  notKept: Record<NotKeptReason, number>;
  /** When a kept copy was last served, and when that copy had been fetched. */
  lastStaleServe: { at: string; fetchedAt: string } | null;
}

export interface OfflineCacheOptions {
  /** The folder; undefined turns the cache off (as does maxBytes 0). */
  dir: string | undefined;
  maxBytes: number;
  maxEntries?: number;
  /** What a copy belongs to: one written for another kiosk id or upstream is never served. */
  kioskId: string;
  upstreamUrl: string;
  /** Checked once more on what is written: no form of a secret ever reaches the disk. */
  secrets: Secrets;
  logger: Logger;
}

/** A kept copy, as read back and checked. */
export interface KeptAnswer {
  body: Buffer;
  headers: Record<string, string>;
  /** ISO time the upstream's answer arrived. */
  fetchedAt: string;
}

/** What the request side contributes to a copy: its key and the values the upstream may vary on. */
export interface KeepPlan {
  /** The request's path and query, hashed (what a visitor typed into a query stays off the disk). */
  key: string;
  vary: Record<string, string | null>;
}

interface Meta {
  /** keyOf(path and query): the copy names its request without spelling it out. */
  key: string;
  fetchedAt: string;
  headers: Record<string, string>;
  vary: Record<string, string | null>;
}

interface IndexEntry {
  fetchedAt: number;
  bytes: number;
}

type ReadResult =
  | { kind: 'ok'; meta: Meta; body: Buffer; bytes: number }
  | { kind: 'missing' }
  /** Intact, but kept for another kiosk id or upstream. */
  | { kind: 'foreign' }
  | { kind: 'oversize' }
  | { kind: 'corrupt'; problem: string };

export class OfflineCache {
  readonly #dir: string | undefined;
  readonly #maxBytes: number;
  readonly #maxEntries: number;
  readonly #scope: string;
  readonly #secrets: Secrets;
  readonly #logger: Logger;
  readonly #warn: ReturnType<typeof rateLimitedLog>;
  readonly #index = new Map<string, IndexEntry>();
  /** Every change to the folder, one at a time: writes, deletions, evictions. */
  #queue: Promise<void>;
  readonly #counts = {
    stored: 0,
    staleServes: 0,
    misses: 0,
    evictions: 0,
    corrupt: 0,
    writeErrors: 0,
    notKept: { 'cache-control': 0, vary: 0, secret: 0, 'too-large': 0 } satisfies Record<NotKeptReason, number>,
  };
  #lastStaleServe: OfflineCacheStats['lastStaleServe'] = null;

  constructor(options: OfflineCacheOptions) {
    this.#dir = options.maxBytes > 0 ? options.dir : undefined;
    this.#maxBytes = Math.floor(options.maxBytes);
    this.#maxEntries = options.maxEntries ?? OFFLINE_CACHE_MAX_ENTRIES;
    this.#scope = sha256(`${options.kioskId}\n${new URL(options.upstreamUrl).href}`);
    this.#secrets = options.secrets;
    this.#logger = options.logger;
    this.#warn = rateLimitedLog(options.logger, { max: 5, windowMs: 3_600_000 });
    // The folder is read in the background: the server is ready at once, and the first
    // lookup or write waits for the index.
    this.#queue =
      this.#dir === undefined
        ? Promise.resolve()
        : this.#load(this.#dir).catch((error: unknown) => {
            this.#warn('offline-cache-unavailable', { code: codeOf(error) }, 'the offline content cache folder cannot be read');
          });
  }

  get enabled(): boolean {
    return this.#dir !== undefined;
  }

  get stats(): OfflineCacheStats {
    let bytes = 0;
    for (const entry of this.#index.values()) bytes += entry.bytes;
    return {
      enabled: this.enabled,
      entries: this.#index.size,
      bytes,
      maxEntries: this.#maxEntries,
      maxBytes: this.#dir === undefined ? 0 : this.#maxBytes,
      ...this.#counts,
      notKept: { ...this.#counts.notKept },
      lastStaleServe: this.#lastStaleServe,
    };
  }

  /**
   * Whether the answer to this request may be kept, from the request and the response head
   * alone; undefined when not. `key` is the path and query below the API's base URL;
   * `requestHeaders` are those the upstream received from the page (after the allow-list).
   */
  plan(method: string | undefined, key: string, requestHeaders: IncomingHttpHeaders, status: number, responseHeaders: IncomingHttpHeaders): KeepPlan | undefined {
    if (this.#dir === undefined || method !== 'GET' || status !== 200) return undefined;
    const directives = cacheControl(responseHeaders['cache-control']);
    // A request's own no-store asks every cache on the way not to keep the answer (RFC 9111 §5.2.1.5).
    if (directives.some((d) => FORBIDDING_DIRECTIVES.has(d)) || cacheControl(requestHeaders['cache-control']).includes('no-store')) {
      this.#counts.notKept['cache-control']++;
      return undefined;
    }
    const varyNames = varyOf(responseHeaders.vary);
    if (varyNames === '*') {
      this.#counts.notKept.vary++;
      return undefined;
    }
    return { key: keyOf(key), vary: varyValues(varyNames, requestHeaders) };
  }

  /** A stream stage that collects the body the page gets, up to what a copy may hold. */
  collector(): BodyCollector {
    return new BodyCollector(this.#maxBytes);
  }

  /**
   * Keeps a good answer, in the background: `headers` are those the page got, `body` what it
   * got (undefined when too large), `redacted` whether anything was removed on the way.
   */
  keep(plan: KeepPlan, answer: { headers: Record<string, string | string[]>; body: Buffer | undefined; fetchedAt: Date; redacted: boolean }): void {
    if (this.#dir === undefined) return;
    if (answer.redacted) {
      this.#counts.notKept.secret++;
      return;
    }
    if (answer.body === undefined) {
      this.#counts.notKept['too-large']++;
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const value = answer.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const meta: Meta = { key: plan.key, fetchedAt: answer.fetchedAt.toISOString(), headers, vary: plan.vary };
    const file = encodeFile(this.#scope, meta, answer.body);
    if (file.length > this.#maxBytes) {
      this.#counts.notKept['too-large']++;
      return;
    }
    // The body was scrubbed and nothing was found; this is the last look before the disk.
    if (this.#secrets.foundIn(file.toString('latin1'))) {
      this.#counts.notKept.secret++;
      return;
    }
    const dir = this.#dir;
    void this.#enqueue(() => this.#write(dir, plan.key, meta, file));
  }

  /** The kept copy for this request, checked whole; undefined (a miss) when there is none that fits. */
  async find(method: string | undefined, key: string, requestHeaders: IncomingHttpHeaders): Promise<KeptAnswer | undefined> {
    const dir = this.#dir;
    if (dir === undefined || method !== 'GET') return undefined;
    // Waits for writes in flight: a failure just after a good answer finds that answer.
    await this.#queue;
    const id = keyOf(key);
    const found = this.#index.has(id) ? await this.#read(dir, id) : undefined;
    if (found === undefined || !sameVary(found.meta.vary, requestHeaders)) {
      this.#counts.misses++;
      return undefined;
    }
    return { body: found.body, headers: found.meta.headers, fetchedAt: found.meta.fetchedAt };
  }

  /** Counts a kept copy that reached the page. */
  served(answer: KeptAnswer): void {
    this.#counts.staleServes++;
    this.#lastStaleServe = { at: new Date().toISOString(), fetchedAt: answer.fetchedAt };
  }

  /** Resolves once every write in flight is on disk (or has failed). */
  async close(): Promise<void> {
    await this.#queue;
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    // Each task catches its own failures; the chain never rejects.
    this.#queue = this.#queue.then(task, task);
    return this.#queue;
  }

  async #load(dir: string): Promise<void> {
    let names: string[];
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      // mkdir leaves an existing folder's mode as it was.
      await chmod(dir, 0o700);
      names = await readdir(dir);
    } catch (error) {
      this.#warn('offline-cache-unavailable', { code: codeOf(error) }, 'the offline content cache folder cannot be used');
      return;
    }
    let foreign = 0;
    for (const name of names) {
      // Left by a write that a crash or a power cut interrupted.
      if (TEMP_NAME.test(name)) {
        await rm(path.join(dir, name), { force: true }).catch(() => undefined);
        continue;
      }
      if (!FILE_NAME.test(name)) continue;
      const result = await readFile(path.join(dir, name), this.#scope, this.#maxBytes);
      if (result.kind === 'ok' && fileNameOf(this.#scope, result.meta.key) === name) {
        this.#index.set(result.meta.key, { fetchedAt: Date.parse(result.meta.fetchedAt), bytes: result.bytes });
        continue;
      }
      if (result.kind === 'foreign') foreign++;
      else if (result.kind === 'oversize') this.#counts.evictions++;
      else if (result.kind !== 'missing') this.#discardCorrupt(name, result.kind === 'corrupt' ? result.problem : 'misplaced');
      await rm(path.join(dir, name), { force: true }).catch(() => undefined);
    }
    // A copy of another kiosk id or upstream can never be served here: it only takes space.
    if (foreign > 0) this.#logger.info({ files: foreign }, 'offline content cache: deleted copies kept for another kiosk id or upstream');
    await this.#evict(dir);
  }

  async #write(dir: string, key: string, meta: Meta, file: Buffer): Promise<void> {
    const name = fileNameOf(this.#scope, key);
    const target = path.join(dir, name);
    const temp = path.join(dir, `${name.slice(0, 64)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(file);
        // A power cut must leave the old copy or the new one, never an empty file.
        await handle.datasync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      this.#counts.writeErrors++;
      this.#warn('offline-cache-write-failed', { code: codeOf(error) }, 'cannot keep an offline copy of an API answer (the previous copy stays)');
      return;
    }
    // Deleted first, so that the index's order is the order of fetching (ties in time included).
    this.#index.delete(key);
    this.#index.set(key, { fetchedAt: Date.parse(meta.fetchedAt), bytes: file.length });
    await this.#evict(dir, key);
    // Counted once the folder is within its bounds again.
    this.#counts.stored++;
  }

  /** The copy for `key`, checked; deletes and counts one that does not check out. */
  async #read(dir: string, key: string): Promise<{ meta: Meta; body: Buffer } | undefined> {
    const name = fileNameOf(this.#scope, key);
    const result = await readFile(path.join(dir, name), this.#scope, this.#maxBytes);
    if (result.kind === 'ok' && result.meta.key === key) return result;
    this.#index.delete(key);
    if (result.kind === 'missing') return undefined;
    if (result.kind === 'oversize') this.#counts.evictions++;
    else if (result.kind === 'corrupt') this.#discardCorrupt(name, result.problem);
    else this.#discardCorrupt(name, result.kind === 'foreign' ? 'foreign' : 'misplaced');
    await this.#enqueue(() => rm(path.join(dir, name), { force: true }).catch(() => undefined));
    return undefined;
  }

  #discardCorrupt(name: string, problem: string): void {
    this.#counts.corrupt++;
    this.#warn('offline-cache-corrupt', { file: name, problem }, 'offline content cache: deleted a file that did not check out');
  }

  /** The oldest copies go until both bounds hold; `keep` (the copy just written) goes last. */
  async #evict(dir: string, keep?: string): Promise<void> {
    let bytes = 0;
    for (const entry of this.#index.values()) bytes += entry.bytes;
    const oldestFirst = [...this.#index.entries()].sort((a, b) => (a[0] === keep ? 1 : b[0] === keep ? -1 : a[1].fetchedAt - b[1].fetchedAt));
    for (const [key, entry] of oldestFirst) {
      if (this.#index.size <= this.#maxEntries && bytes <= this.#maxBytes) break;
      this.#index.delete(key);
      bytes -= entry.bytes;
      this.#counts.evictions++;
      await rm(path.join(dir, fileNameOf(this.#scope, key)), { force: true }).catch(() => undefined);
      this.#logger.debug({ fetchedAt: new Date(entry.fetchedAt).toISOString() }, 'offline content cache: evicted the oldest copy');
    }
  }
}

/** A copy as it is served: the body it had, marked stale, never stored or revalidated by the browser. */
export function writeKeptAnswer(res: ServerResponse, answer: KeptAnswer): void {
  res.writeHead(200, {
    ...answer.headers,
    [STALE_SINCE_HEADER]: answer.fetchedAt,
    'cache-control': 'no-store',
    'content-length': String(answer.body.length),
  });
  res.end(answer.body);
}

/** Passes the body through unchanged, keeping a copy of it while it fits in `limit` bytes. */
export class BodyCollector extends Transform {
  readonly #limit: number;
  #chunks: Buffer[] = [];
  #bytes = 0;
  #overflowed = false;

  constructor(limit: number) {
    super();
    this.#limit = limit;
  }

  /** What passed through, or undefined when it did not fit. */
  get body(): Buffer | undefined {
    return this.#overflowed ? undefined : Buffer.concat(this.#chunks, this.#bytes);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (!this.#overflowed) {
      this.#bytes += chunk.length;
      if (this.#bytes > this.#limit) {
        this.#overflowed = true;
        this.#chunks = [];
      } else {
        this.#chunks.push(chunk);
      }
    }
    callback(null, chunk);
  }
}

// ── The file ─────────────────────────────────────────────────────────────────────────────

function encodeFile(scope: string, meta: Meta, body: Buffer): Buffer {
  const metaBytes = Buffer.from(JSON.stringify(meta), 'utf8');
  const head = `${MAGIC} ${scope} ${metaBytes.length} ${body.length}`;
  const digest = digestOf(head, metaBytes, body);
  return Buffer.concat([Buffer.from(`${head} ${digest}\n`, 'latin1'), metaBytes, body]);
}

/** The SHA-256 that vouches for a file: its header line (but the digest), its meta and its body. */
function digestOf(head: string, meta: Buffer, body: Buffer): string {
  return createHash('sha256').update(head, 'latin1').update('\n').update(meta).update(body).digest('hex');
}

async function readFile(file: string, scope: string, maxBytes: number): Promise<ReadResult> {
  let data: Buffer;
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      // Larger than the cache may hold now (its size was lowered): never read into memory.
      if (size > maxBytes) return { kind: 'oversize' };
      data = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (error) {
    return codeOf(error) === 'ENOENT' ? { kind: 'missing' } : { kind: 'corrupt', problem: 'unreadable' };
  }
  return decodeFile(data, scope);
}

function decodeFile(data: Buffer, scope: string): ReadResult {
  const newline = data.subarray(0, MAX_HEADER_LINE).indexOf(0x0a);
  if (newline === -1) return { kind: 'corrupt', problem: 'no-header' };
  const header = HEADER_LINE.exec(data.subarray(0, newline).toString('latin1'));
  if (header === null || header[1] !== MAGIC) return { kind: 'corrupt', problem: 'bad-header' };
  const metaLength = Number(header[3]);
  const bodyLength = Number(header[4]);
  if (data.length !== newline + 1 + metaLength + bodyLength) return { kind: 'corrupt', problem: 'wrong-length' };
  const metaBytes = data.subarray(newline + 1, newline + 1 + metaLength);
  const body = data.subarray(newline + 1 + metaLength);
  const [, magic, fileScope, , , digest] = header;
  if (digestOf(`${magic} ${fileScope} ${metaLength} ${bodyLength}`, metaBytes, body) !== digest) return { kind: 'corrupt', problem: 'wrong-hash' };
  if (fileScope !== scope) return { kind: 'foreign' };
  let meta: unknown;
  try {
    meta = JSON.parse(metaBytes.toString('utf8'));
  } catch {
    return { kind: 'corrupt', problem: 'bad-meta' };
  }
  if (!isMeta(meta)) return { kind: 'corrupt', problem: 'bad-meta' };
  return { kind: 'ok', meta, body: Buffer.from(body), bytes: data.length };
}

function isMeta(value: unknown): value is Meta {
  if (typeof value !== 'object' || value === null) return false;
  const { key, fetchedAt, headers, vary } = value as Record<string, unknown>;
  return (
    typeof key === 'string' &&
    typeof fetchedAt === 'string' &&
    // Both become response headers: exactly what this cache writes, nothing a header cannot carry.
    ISO_TIME.test(fetchedAt) &&
    !Number.isNaN(Date.parse(fetchedAt)) &&
    isRecordOf(headers, (v) => typeof v === 'string' && HEADER_VALUE.test(v)) &&
    Object.keys(headers as object).every((name) => (KEPT_HEADERS as readonly string[]).includes(name)) &&
    isRecordOf(vary, (v) => typeof v === 'string' || v === null)
  );
}

function isRecordOf(value: unknown, check: (v: unknown) => boolean): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every(check);
}

/** A request's path and query as the cache names it. */
function keyOf(pathAndQuery: string): string {
  return sha256(`request\n${pathAndQuery}`);
}

function fileNameOf(scope: string, key: string): string {
  return `${sha256(`${scope}\n${key}`)}${SUFFIX}`;
}

// ── HTTP caching headers ─────────────────────────────────────────────────────────────────

/** The directive names of a Cache-Control header, lower-case (arguments dropped). */
function cacheControl(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const text = Array.isArray(value) ? value.join(',') : value;
  return text
    .split(',')
    .map((part) => part.split('=')[0]?.trim().toLowerCase() ?? '')
    .filter((name) => name !== '');
}

function varyOf(value: string | string[] | undefined): string[] | '*' {
  if (value === undefined) return [];
  const names = (Array.isArray(value) ? value.join(',') : value)
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  return names.includes('*') ? '*' : [...new Set(names)].sort();
}

/**
 * The request's values of the headers the upstream varies on. Only headers the page sends
 * (and the allow-list passed) are recorded; a header the relay sets itself (the token's,
 * the User-Agent) is the same for every request and its value is never written down.
 */
function varyValues(names: string[], requestHeaders: IncomingHttpHeaders): Record<string, string | null> {
  const values: Record<string, string | null> = {};
  for (const name of names) values[name] = headerText(requestHeaders[name]);
  return values;
}

function sameVary(kept: Record<string, string | null>, requestHeaders: IncomingHttpHeaders): boolean {
  return Object.entries(kept).every(([name, value]) => headerText(requestHeaders[name]) === value);
}

function headerText(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EUNKNOWN';
}
