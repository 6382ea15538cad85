// Removes a secret from a byte stream, even when it is split across chunks. The relay
// runs upstream responses through it: an API that echoes request headers (a debug page,
// a misconfigured endpoint) must still not hand the token to the page.
import { Transform, type TransformCallback } from 'node:stream';

const REPLACEMENT = Buffer.from('[redacted]');

export class SecretScrubber extends Transform {
  readonly #needle: Buffer;
  #tail: Buffer = Buffer.alloc(0);

  constructor(secret: string) {
    super();
    this.#needle = Buffer.from(secret, 'utf8');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const data = this.#tail.length === 0 ? chunk : Buffer.concat([this.#tail, chunk]);
    let position = 0;
    for (let found = data.indexOf(this.#needle, position); found !== -1; found = data.indexOf(this.#needle, position)) {
      if (found > position) this.push(data.subarray(position, found));
      this.push(REPLACEMENT);
      position = found + this.#needle.length;
    }
    // No whole match remains; a partial one can only start in the last needle-1 bytes.
    const cut = Math.max(position, data.length - (this.#needle.length - 1));
    if (cut > position) this.push(data.subarray(position, cut));
    this.#tail = Buffer.from(data.subarray(cut));
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.#tail.length > 0) this.push(this.#tail);
    callback();
  }
}

/**
 * The part of a header value worth hiding: for "Token abc…" or "Bearer abc…" the credential
 * after the scheme (hiding it hides the whole value too), unless it is too short to be
 * told apart from ordinary text; then the whole value.
 */
export function credentialOf(headerValue: string): string {
  const credential = headerValue.trim().split(/\s+/).at(-1) ?? '';
  return credential.length >= 12 ? credential : headerValue;
}

/** A character as JSON \u escapes (one per UTF-16 unit): `\u00e9`, or `\u00E9` with `upper`. */
function unicodeEscape(char: string, upper = false): string {
  let escaped = '';
  for (let i = 0; i < char.length; i++) {
    const hex = char.charCodeAt(i).toString(16).padStart(4, '0');
    escaped += `\\u${upper ? hex.toUpperCase() : hex}`;
  }
  return escaped;
}

/** JSON string content as JavaScript (and Django REST framework) write it: only what must be escaped. */
function jsonMinimal(secret: string): string {
  return JSON.stringify(secret).slice(1, -1);
}

/**
 * How common servers write a header value back into a body: an echo of the request
 * headers (a debug endpoint, an error page) is how a token usually leaks, and each
 * encoder escapes a little differently. A token of letters, digits and `-._~` has one form.
 */
const ENCODERS: readonly ((secret: string) => string)[] = [
  // JavaScript, Django REST framework (UNICODE_JSON): quotes, backslashes and control characters.
  jsonMinimal,
  // Python's json.dumps (ensure_ascii): also every character beyond ASCII, as \u00e9.
  (s) => jsonMinimal(s).replace(/[^\p{ASCII}]/gu, (c) => unicodeEscape(c)),
  // PHP's json_encode: also "/" as "\/", and beyond ASCII as \u00e9.
  (s) => jsonMinimal(s).replaceAll('/', '\\/').replace(/[^\p{ASCII}]/gu, (c) => unicodeEscape(c)),
  // Go's encoding/json: also <, > and & (HTML-safe), as \u003c.
  (s) => jsonMinimal(s).replace(/[<>&]/g, (c) => unicodeEscape(c)),
  // .NET's System.Text.Json: also " < > & ' + ` and beyond ASCII, as \u0022 (upper-case hex).
  (s) => jsonMinimal(s).replaceAll('\\"', '"').replace(/["<>&'+`]|[^\p{ASCII}]/gu, (c) => unicodeEscape(c, true)),
  // HTML escaping (Django's escape, Python's html.escape): & < > " '.
  (s) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' })[c] ?? c),
];

/** The forms a secret takes in a body: as is, and as the common encoders write it. */
export function textForms(secret: string): string[] {
  return [...new Set([secret, ...ENCODERS.map((encode) => encode(secret))])];
}

/** Every form in which any of these token header values must not reach the page. */
export function secretForms(headerValues: readonly string[]): string[] {
  return [...new Set(headerValues.flatMap((value) => textForms(credentialOf(value))))];
}
