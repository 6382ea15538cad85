// The forms in which a secret must never reach the page, a response or a log line, derived
// once from each token and matched by one automaton. Three kinds of echo are covered:
//   - the credential (and the whole header value) as written, or escaped however an encoder
//     escapes it: percent-encoding (any characters, either hex case, `+` for a space), JSON
//     and JavaScript string escapes of any character (`\u0041`, `\/`), HTML character
//     references (`&#x27;`, `&quot;`). Rather than list each encoder's style, the text is
//     decoded (up to MAX_PASSES layers: a percent-encoded URL inside JSON, a URL encoded
//     twice) and the decoded text is searched, with every match mapped back to the bytes
//     that spell it;
//   - base64 and base64url of the credential and of the whole header value, also inside a
//     longer base64 blob (`Basic base64(user:token)`), where the secret starts at any byte
//     offset: each of the three alignments has a core of characters that do not depend on
//     the neighbouring bytes, and the cores are what is searched;
//   - any mix of the two (a base64 form percent-encoded in a URL, JSON-escaped by PHP).
// Out of scope, by design: a secret reversed, case-folded, split into pieces, or compressed
// without saying so (gzip without Content-Encoding). Forms shorter than MIN_FORM_LENGTH are
// not matched: they would match ordinary text.

/** Forms shorter than this are not matched (no false positives on short tokens). */
export const MIN_FORM_LENGTH = 12;
export const REDACTED = '[redacted]';
/** Layers of escaping undone: e.g. a URL percent-encoded twice, inside a JSON string. */
export const MAX_PASSES = 3;
/**
 * How many times longer than the secret its escaped spelling may be and still be found
 * across a stream's chunk boundary (see `window`): `\u0041` is 6 characters for one,
 * `&#x00041;` 10, two layers of percent-encoding 9, and one of `\u` over one of `%` 18.
 */
const EXPANSION_BOUND = 60;

/**
 * The part of a header value worth hiding: for "Token abc…" or "Bearer abc…" the credential
 * after the scheme (hiding it hides the whole value too), unless it is too short to be
 * told apart from ordinary text; then the whole value.
 */
export function credentialOf(headerValue: string): string {
  const credential = headerValue.trim().split(/\s+/).at(-1) ?? '';
  return credential.length >= MIN_FORM_LENGTH ? credential : headerValue;
}

/**
 * The base64 characters of `value` that are the same wherever it sits in a longer string
 * being encoded, for each of the three byte alignments: with `skip` bytes before it in its
 * first 3-byte group, the first 0, 2 or 3 characters also depend on the bytes before, and
 * the last one or two on the bytes after. Standard and URL alphabets; no padding.
 */
export function base64Cores(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const cores = new Set<string>();
  for (const skip of [0, 1, 2] as const) {
    const encoded = Buffer.concat([Buffer.alloc(skip), bytes]).toString('base64');
    const total = skip + bytes.length;
    const start = [0, 2, 3][skip]!;
    const end = Math.floor(total / 3) * 4 + [0, 1, 2][total % 3]!;
    const core = encoded.slice(start, end);
    cores.add(core);
    cores.add(core.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return [...cores];
}

/** Every literal to search for in decoded text, for one secret (a token header value, a key). */
export function needlesOf(secret: string): string[] {
  const credential = credentialOf(secret);
  const needles = new Set<string>([credential]);
  // Form encoding writes a space as "+" (a short credential keeps its scheme and space).
  if (credential.includes(' ')) needles.add(credential.replaceAll(' ', '+'));
  for (const value of new Set([credential, secret])) for (const core of base64Cores(value)) needles.add(core);
  return [...needles].filter((needle) => needle.length >= MIN_FORM_LENGTH);
}

/** A set of secrets, each matched in all its forms; secrets may be added at any time. */
export class Secrets {
  readonly #secrets = new Set<string>();
  #matcher: Matcher | undefined;

  constructor(secrets: Iterable<string> = []) {
    for (const secret of secrets) this.add(secret);
  }

  /** Adds a token's header value ("Token abc…") or any other secret (the launch key). */
  add(secret: string): this {
    if (!this.#secrets.has(secret)) {
      this.#secrets.add(secret);
      this.#matcher = undefined;
    }
    return this;
  }

  get size(): number {
    return this.#secrets.size;
  }

  /**
   * The longest run of characters one match may span: a stream scrubber holds back this
   * much so that a match cut by a chunk boundary is still seen whole.
   */
  get window(): number {
    return this.#compiled().longest * EXPANSION_BOUND;
  }

  /** Does any form of any secret occur in `text`? */
  foundIn(text: string): boolean {
    return this.#compiled().find(text, true).length > 0;
  }

  /** Where forms of the secrets occur in `text`: sorted, non-overlapping [start, end) ranges. */
  spans(text: string): [number, number][] {
    return this.#compiled().find(text, false);
  }

  /** `text` with every occurrence replaced by [redacted]. */
  redact(text: string): string {
    const spans = this.spans(text);
    if (spans.length === 0) return text;
    let result = '';
    let position = 0;
    for (const [start, end] of spans) {
      result += `${text.slice(position, start)}${REDACTED}`;
      position = end;
    }
    return result + text.slice(position);
  }

  #compiled(): Matcher {
    this.#matcher ??= new Matcher([...this.#secrets].flatMap(needlesOf));
    return this.#matcher;
  }
}

/** Longest upstream free text (a reset's reason) that a log line keeps. */
export const LOGGED_TEXT_MAX_CHARS = 200;

/**
 * Free text from an upstream on its way into a log line (a reset's `reason`, a command's):
 * the secrets' forms replaced, then cut to `maxChars`. Scrubbed before it is cut, so the cut
 * cannot leave the head of a secret behind.
 */
export function upstreamTextForLog(text: string, secrets: Secrets, maxChars = LOGGED_TEXT_MAX_CHARS): string {
  // Only the head can reach the line; a match that starts in it ends within `window`.
  const clean = secrets.redact(text.slice(0, maxChars + secrets.window));
  return clean.length > maxChars ? `${clean.slice(0, maxChars)}…` : clean;
}

// ── Decoding ─────────────────────────────────────────────────────────────────────────────

/** Text after one pass of decoding, and for each of its characters where it started in the input. */
interface Decoded {
  text: string;
  /** `origin[i]` is the input index of decoded character i; `origin[text.length]` the input's length. */
  origin: Int32Array;
}

const ESCAPE_START = /[\\%&]/;
const SHORT_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', "'": "'", b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const NAMED_REFERENCES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  sol: '/',
  bsol: '\\',
  plus: '+',
  equals: '=',
  percnt: '%',
};

function hexAt(text: string, at: number, digits: number): number {
  if (at + digits > text.length) return -1;
  let value = 0;
  for (let i = at; i < at + digits; i++) {
    const c = text.charCodeAt(i);
    const digit = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

/** The escape starting at `at`: its character and length, or undefined when there is none. */
function escapeAt(text: string, at: number): [string, number] | undefined {
  const c = text[at];
  if (c === '%') {
    const byte = hexAt(text, at + 1, 2);
    // A byte as one character: secrets are ASCII, so a multi-byte sequence never matches anyway.
    return byte < 0 ? undefined : [String.fromCharCode(byte), 3];
  }
  if (c === '\\') {
    const next = text[at + 1];
    if (next === 'u') {
      const unit = hexAt(text, at + 2, 4);
      return unit < 0 ? undefined : [String.fromCharCode(unit), 6];
    }
    if (next === 'x') {
      const byte = hexAt(text, at + 2, 2);
      return byte < 0 ? undefined : [String.fromCharCode(byte), 4];
    }
    const short = next === undefined ? undefined : SHORT_ESCAPES[next];
    return short === undefined ? undefined : [short, 2];
  }
  if (c === '&') {
    // Look no further than the longest reference we decode (&#x10ffff;), or the scan turns quadratic.
    let semicolon = -1;
    for (let i = at + 2; i < Math.min(text.length, at + 11); i++) {
      if (text.charCodeAt(i) === 59) {
        semicolon = i;
        break;
      }
    }
    if (semicolon === -1) return undefined;
    const name = text.slice(at + 1, semicolon);
    const length = semicolon - at + 1;
    const numeric = /^#(?:x([0-9a-f]{1,6})|([0-9]{1,7}))$/i.exec(name);
    if (numeric !== null) {
      const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : Number(numeric[2]);
      // One character per reference keeps the index map simple; beyond the BMP is never ASCII.
      return [code <= 0xffff ? String.fromCharCode(code) : '\ufffd', length];
    }
    const named = NAMED_REFERENCES[name];
    return named === undefined ? undefined : [named, length];
  }
  return undefined;
}

/** One pass of decoding, or undefined when `text` holds no escape. */
function decodeOnce(text: string): Decoded | undefined {
  const origin = new Int32Array(text.length + 1);
  const parts: string[] = [];
  let length = 0;
  let literalFrom = 0;
  let changed = false;
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    // Only \ % & start an escape.
    const escape = c === 92 || c === 37 || c === 38 ? escapeAt(text, i) : undefined;
    if (escape === undefined) {
      origin[length++] = i++;
      continue;
    }
    changed = true;
    if (i > literalFrom) parts.push(text.slice(literalFrom, i));
    parts.push(escape[0]);
    origin[length++] = i;
    i += escape[1];
    literalFrom = i;
  }
  if (!changed) return undefined;
  if (literalFrom < text.length) parts.push(text.slice(literalFrom));
  origin[length] = text.length;
  return { text: parts.join(''), origin: origin.subarray(0, length + 1) };
}

// ── Matching ─────────────────────────────────────────────────────────────────────────────

/**
 * Aho–Corasick over the needles' characters: one pass finds every needle, however many
 * there are, in time linear in the text. A character no needle contains sends the search
 * back to the root.
 */
class Matcher {
  /** Length of the longest needle. */
  readonly longest: number;
  readonly #classOf = new Uint8Array(128);
  readonly #classes: number;
  readonly #next: Int32Array;
  /** For each state, the length of the longest needle that ends there (0: none). */
  readonly #ends: Int32Array;

  constructor(needles: readonly string[]) {
    // Tokens are ASCII (the config schema refuses anything else); so is the launch key.
    const ascii = needles.filter((needle) => /^[\p{ASCII}]+$/u.test(needle));
    this.longest = Math.max(0, ...ascii.map((needle) => needle.length));
    let classes = 1;
    for (const needle of ascii) for (let i = 0; i < needle.length; i++) {
      const c = needle.charCodeAt(i);
      if (this.#classOf[c] === 0) this.#classOf[c] = classes++;
    }
    this.#classes = classes;

    // The trie.
    const children = [new Map<number, number>()];
    const ends: number[] = [0];
    for (const needle of ascii) {
      let state = 0;
      for (let i = 0; i < needle.length; i++) {
        const cls = this.#classOf[needle.charCodeAt(i)]!;
        let child = children[state]!.get(cls);
        if (child === undefined) {
          child = children.length;
          children.push(new Map<number, number>());
          ends.push(0);
          children[state]!.set(cls, child);
        }
        state = child;
      }
      ends[state] = Math.max(ends[state]!, needle.length);
    }

    // Failure links, breadth first, folded into a full transition table.
    const states = children.length;
    const next = new Int32Array(states * classes);
    const fail = new Int32Array(states);
    const queue: number[] = [];
    for (const [cls, child] of children[0]!) {
      next[cls] = child;
      queue.push(child);
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      ends[state] = Math.max(ends[state]!, ends[fail[state]!]!);
      for (let cls = 0; cls < classes; cls++) {
        const child = children[state]!.get(cls);
        if (child === undefined) {
          next[state * classes + cls] = next[fail[state]! * classes + cls]!;
        } else {
          next[state * classes + cls] = child;
          fail[child] = next[fail[state]! * classes + cls]!;
          queue.push(child);
        }
      }
    }
    this.#next = next;
    this.#ends = Int32Array.from(ends);
  }

  /** Matches in `text` and in each decoded layer of it, as merged ranges of `text`. */
  find(text: string, firstOnly: boolean): [number, number][] {
    if (this.longest === 0 || text.length < MIN_FORM_LENGTH) return [];
    const found: [number, number][] = [];
    this.#scan(text, undefined, found, firstOnly);
    let layer = text;
    let toInput: Int32Array | undefined;
    for (let pass = 0; pass < MAX_PASSES && !(firstOnly && found.length > 0) && ESCAPE_START.test(layer); pass++) {
      const decoded = decodeOnce(layer);
      if (decoded === undefined) break;
      const origin = toInput === undefined ? decoded.origin : decoded.origin.map((i) => toInput![i]!);
      this.#scan(decoded.text, origin, found, firstOnly);
      layer = decoded.text;
      toInput = origin;
    }
    return merge(found);
  }

  #scan(text: string, origin: Int32Array | undefined, found: [number, number][], firstOnly: boolean): void {
    const classOf = this.#classOf;
    const next = this.#next;
    const ends = this.#ends;
    const classes = this.#classes;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      state = next[state * classes + (c < 128 ? classOf[c]! : 0)]!;
      const length = ends[state]!;
      if (length === 0) continue;
      const start = i + 1 - length;
      found.push(origin === undefined ? [start, i + 1] : [origin[start]!, origin[i + 1]!]);
      if (firstOnly) return;
    }
  }
}

function merge(ranges: [number, number][]): [number, number][] {
  if (ranges.length < 2) return ranges;
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: [number, number][] = [ranges[0]!];
  for (const range of ranges.slice(1)) {
    const last = merged.at(-1)!;
    if (range[0] < last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push(range);
  }
  return merged;
}
