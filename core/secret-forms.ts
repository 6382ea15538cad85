// The forms in which a secret must never reach the page, a response or a log line, derived
// once from each token and searched for in one place. Three kinds of echo are covered:
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
  const head = text.slice(0, maxChars + secrets.window);
  const clean = secrets.redact(head);
  return clean.length > maxChars || head.length < text.length ? `${clean.slice(0, maxChars)}…` : clean;
}

// ── Decoding ─────────────────────────────────────────────────────────────────────────────

/**
 * Text after one pass of decoding. Its characters map back to the input through the
 * escapes alone (between two escapes, one character is one character), so the map costs
 * nothing for text with few escapes and is only read when something matched.
 */
interface Decoded {
  text: string;
  /** For each escape, in order: where it starts in the decoded text, in the input, and its input length. */
  decodedAt: number[];
  inputAt: number[];
  inputLength: number[];
}

const ESCAPE_STARTS = /[\\%&]/g;
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
  // `&`: look no further than the longest reference decoded here (&#x10ffff;), or the scan turns quadratic.
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
    // One character per reference keeps the map simple; beyond the BMP is never ASCII.
    return [code <= 0xffff ? String.fromCharCode(code) : '\ufffd', length];
  }
  const named = NAMED_REFERENCES[name];
  return named === undefined ? undefined : [named, length];
}

/** One pass of decoding, or undefined when `text` holds no escape. */
function decodeOnce(text: string): Decoded | undefined {
  const decoded: Decoded = { text: '', decodedAt: [], inputAt: [], inputLength: [] };
  const parts: string[] = [];
  let length = 0;
  let literalFrom = 0;
  ESCAPE_STARTS.lastIndex = 0;
  for (let found = ESCAPE_STARTS.exec(text); found !== null; found = ESCAPE_STARTS.exec(text)) {
    const at = found.index;
    const escape = escapeAt(text, at);
    if (escape === undefined) continue;
    if (at > literalFrom) parts.push(text.slice(literalFrom, at));
    length += at - literalFrom;
    decoded.decodedAt.push(length);
    decoded.inputAt.push(at);
    decoded.inputLength.push(escape[1]);
    parts.push(escape[0]);
    length++;
    literalFrom = at + escape[1];
    ESCAPE_STARTS.lastIndex = literalFrom;
  }
  if (decoded.decodedAt.length === 0) return undefined;
  parts.push(text.slice(literalFrom));
  decoded.text = parts.join('');
  return decoded;
}

/** Where decoded character `index` (or the end, at text.length) came from in the pass's input. */
function inputIndex(decoded: Decoded, index: number): number {
  const { decodedAt, inputAt, inputLength } = decoded;
  // The last escape that starts at or before `index`.
  let low = 0;
  let high = decodedAt.length - 1;
  let escape = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (decodedAt[middle]! <= index) {
      escape = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  if (escape === -1) return index;
  if (decodedAt[escape] === index) return inputAt[escape]!;
  return inputAt[escape]! + inputLength[escape]! + (index - decodedAt[escape]! - 1);
}

// ── Matching ─────────────────────────────────────────────────────────────────────────────

/**
 * The needles searched for in the text and in each decoded layer of it. Each needle is a
 * native String search (Boyer–Moore–Horspool in V8: it skips ahead by up to a needle's
 * length), which for the few dozen needles of a kiosk beat one pass of an Aho–Corasick
 * automaton in JavaScript by ten times on a 4 KiB frame.
 */
class Matcher {
  readonly #needles: readonly string[];
  /** Length of the longest needle. */
  readonly longest: number;

  constructor(needles: readonly string[]) {
    // Tokens are ASCII (the config schema refuses anything else); so is the launch key.
    this.#needles = [...new Set(needles.filter((needle) => /^[\p{ASCII}]+$/u.test(needle)))];
    this.longest = Math.max(0, ...this.#needles.map((needle) => needle.length));
  }

  /** Matches in `text` and in each decoded layer of it, as merged ranges of `text`. */
  find(text: string, firstOnly: boolean): [number, number][] {
    if (this.longest === 0 || text.length < MIN_FORM_LENGTH) return [];
    const found: [number, number][] = [];
    let layer = text;
    /** The passes that made `layer`, innermost last. */
    const passes: Decoded[] = [];
    for (let pass = 0; ; pass++) {
      for (const needle of this.#needles) {
        for (let at = layer.indexOf(needle); at !== -1; at = layer.indexOf(needle, at + 1)) {
          let start = at;
          let end = at + needle.length;
          for (let i = passes.length - 1; i >= 0; i--) {
            start = inputIndex(passes[i]!, start);
            end = inputIndex(passes[i]!, end);
          }
          found.push([start, end]);
          if (firstOnly) return found;
        }
      }
      if (pass === MAX_PASSES) break;
      ESCAPE_STARTS.lastIndex = 0;
      if (!ESCAPE_STARTS.test(layer)) break;
      const decoded = decodeOnce(layer);
      if (decoded === undefined) break;
      passes.push(decoded);
      layer = decoded.text;
    }
    return merge(found);
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
