// The forms in which upstreams write a token back (an echo of the request headers, a debug
// page, a redirect that carries it), built here with the encoders themselves, and an oracle
// that asks whether a page could get the credential back with the decoders it has. The
// oracle is written independently of core/secret-forms.ts (native decoders, no shared
// code), so that a test against it does not merely restate the matcher.
import { credentialOf } from '../../core/secret-forms.ts';

export interface Echo {
  name: string;
  text: string;
}

const hex = (code: number, upper: boolean) => (upper ? code.toString(16).toUpperCase() : code.toString(16)).padStart(2, '0');
const percentEvery = (text: string, upper = true) => [...Buffer.from(text)].map((byte) => `%${hex(byte, upper)}`).join('');
const unicodeEvery = (text: string, upper = false) =>
  [...text].map((c) => `\\u${(upper ? c.charCodeAt(0).toString(16).toUpperCase() : c.charCodeAt(0).toString(16)).padStart(4, '0')}`).join('');
const jsonInner = (text: string) => JSON.stringify(text).slice(1, -1);
const base64 = (text: string) => Buffer.from(text).toString('base64');
const base64url = (text: string) => Buffer.from(text).toString('base64url');

/** Every form of `headerValue` ("Token abc…") an upstream is known to write, each with a name for failures. */
export function echoesOf(headerValue: string): Echo[] {
  const credential = credentialOf(headerValue);
  const echoes: Echo[] = [
    { name: 'raw credential', text: credential },
    { name: 'raw header value', text: headerValue },
    { name: 'encodeURIComponent', text: encodeURIComponent(headerValue) },
    { name: 'form encoding (URLSearchParams)', text: new URLSearchParams({ auth: headerValue }).toString() },
    { name: 'every byte percent-encoded, upper-case hex', text: percentEvery(headerValue) },
    { name: 'every byte percent-encoded, lower-case hex', text: percentEvery(headerValue, false) },
    { name: 'percent-encoded twice (a URL in a query parameter)', text: encodeURIComponent(`/next?auth=${encodeURIComponent(headerValue)}`) },
    { name: 'JSON, every character \\u-escaped (lower-case hex)', text: unicodeEvery(headerValue) },
    { name: 'JSON, every character \\u-escaped (upper-case hex)', text: unicodeEvery(credential, true) },
    { name: 'JSON, mixed escapes', text: [...credential].map((c, i) => (i % 2 === 0 ? unicodeEvery(c) : jsonInner(c))).join('') },
    { name: 'JSON inside a JSON string (a logged request, escaped twice)', text: jsonInner(`{"auth":"${unicodeEvery(credential)}"}`) },
    { name: 'PHP json_encode (slashes escaped)', text: jsonInner(headerValue).replaceAll('/', '\\/') },
    { name: '.NET System.Text.Json (+ as \\u002B)', text: jsonInner(headerValue).replaceAll('+', '\\u002B') },
    { name: 'HTML decimal references', text: [...credential].map((c) => `&#${c.charCodeAt(0)};`).join('') },
    { name: 'HTML hex references', text: [...credential].map((c) => `&#x${c.charCodeAt(0).toString(16)};`).join('') },
    { name: 'HTML escaping', text: headerValue.replace(/[&<>"'+/]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;', '+': '&#43;', '/': '&#47;' })[c] ?? c) },
    { name: 'base64 of the credential', text: base64(credential) },
    { name: 'base64url of the credential', text: base64url(credential) },
    { name: 'base64 of the header value', text: base64(headerValue) },
    { name: 'base64url of the header value', text: base64url(headerValue) },
    { name: 'Basic base64(user:credential)', text: `Basic ${base64(`kiosk:${credential}`)}` },
    { name: 'base64 percent-encoded in a URL', text: encodeURIComponent(base64(`kiosk:${credential}`)) },
    { name: 'base64 in JSON by PHP', text: base64(`x${headerValue}`).replaceAll('/', '\\/') },
    { name: 'percent-encoding inside JSON, the percent signs \\u-escaped', text: percentEvery(credential).replaceAll('%', '\\u0025') },
  ];
  // Inside a longer base64 blob, at each byte alignment, in each alphabet.
  for (const prefix of ['', 'a', 'ab', 'abc', 'abcd', 'abcde']) {
    for (const suffix of ['', 'z', 'yz']) {
      echoes.push({ name: `base64 blob, ${prefix.length} bytes before, ${suffix.length} after`, text: base64(`${prefix}${credential}${suffix}`) });
      echoes.push({ name: `base64url blob of the header value, ${prefix.length} bytes before, ${suffix.length} after`, text: base64url(`${prefix}${headerValue}${suffix}`) });
    }
  }
  return echoes;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Each way a page could decode `text` once (its JSON.parse, decodeURIComponent, URLSearchParams, an HTML parser). */
function decodings(text: string): string[] {
  const out: string[] = [];
  out.push(text.replace(/%[0-9a-f]{2}/gi, (m) => String.fromCharCode(parseInt(m.slice(1), 16))));
  out.push(text.replaceAll('+', ' ').replace(/%[0-9a-f]{2}/gi, (m) => String.fromCharCode(parseInt(m.slice(1), 16))));
  out.push(
    text.replace(/"(?:[^"\\]|\\.)*"|(?:\\(?:u[0-9a-fA-F]{4}|["\\/bfnrt]))+/g, (m) => {
      try {
        return JSON.parse(m.startsWith('"') ? m : `"${m}"`) as string;
      } catch {
        return m;
      }
    }),
  );
  out.push(
    text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, name: string) =>
      name.startsWith('#x') || name.startsWith('#X')
        ? String.fromCharCode(parseInt(name.slice(2), 16))
        : name.startsWith('#')
          ? String.fromCharCode(Number(name.slice(1)))
          : (ENTITIES[name] ?? m),
    ),
  );
  return out.filter((decoded) => decoded !== text);
}

/** Does any base64 run in `text`, read from any of its first four characters, hold `secret`? */
function inBase64(text: string, secret: string): boolean {
  for (const [run] of text.matchAll(/[A-Za-z0-9+/_-]{16,}/g)) {
    for (let offset = 0; offset < 4; offset++) {
      if (Buffer.from(run.slice(offset), 'base64').toString('latin1').includes(secret)) return true;
    }
  }
  return false;
}

/**
 * Could a page get the credential of `headerValue` back from `text`, by up to three rounds
 * of the decoding it has at hand (and base64 at any offset)?
 */
export function recoverable(text: string, headerValue: string): boolean {
  const credential = credentialOf(headerValue);
  let layer = [text];
  for (let round = 0; round <= 3; round++) {
    if (layer.some((candidate) => candidate.includes(credential) || inBase64(candidate, credential))) return true;
    layer = [...new Set(layer.flatMap(decodings))].slice(0, 256);
  }
  return false;
}
