// The forms in which a token must never reach the page or a log line, derived from its
// header value: the credential itself and the ways common encoders write it back.
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
