// The forms a secret is matched in (core/secret-forms.ts). Every echo an upstream writes is
// found and redacted so that the page's own decoders cannot get the credential back (the
// oracle in test/support/secret-echoes.ts is independent of the matcher); ordinary text,
// near misses and short secrets are left alone; the work stays linear in the input.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base64Cores, credentialOf, MIN_FORM_LENGTH, needlesOf, REDACTED, Secrets, upstreamTextForLog } from '../../core/secret-forms.ts';
import { Rng } from '../support/rng.ts';
import { echoesOf, recoverable } from '../support/secret-echoes.ts';

/** Token styles: Django REST framework's hex, a base64 credential with + / =, one with quotes and a backslash. */
const TOKENS = {
  django: `Token ${randomBytes(20).toString('hex')}`,
  base64: `Bearer ${randomBytes(12).toString('base64')}+/${randomBytes(13).toString('base64')}`,
  quoted: `Signature keyId="kiosk",sig="${randomBytes(16).toString('hex')}\\x"`,
  shortCredential: 'Token 0123456789a',
};

describe('credentialOf', () => {
  it('takes the credential after the scheme when it is long enough to be told apart', () => {
    expect(credentialOf('Token 0123456789abcdef')).toBe('0123456789abcdef');
    expect(credentialOf('Bearer   eyJhbGciOiJIUzI1NiJ9.e30.x  ')).toBe('eyJhbGciOiJIUzI1NiJ9.e30.x');
    expect(credentialOf('Token 0123456789ab')).toBe('0123456789ab'); // exactly 12
  });

  it('keeps the whole value when the credential is short', () => {
    expect(credentialOf('Token 0123456789a')).toBe('Token 0123456789a'); // 11
    expect(credentialOf('Token abc')).toBe('Token abc');
  });

  it('keeps a value without a scheme as it is', () => {
    expect(credentialOf('0123456789abcdef')).toBe('0123456789abcdef');
  });

  it('hides the whole value too: the value contains its credential', () => {
    for (const value of ['Token 0123456789abcdef', 'Token abc', 'Bearer x.y.zzzzzzzzzzzz']) {
      expect(value).toContain(credentialOf(value));
    }
  });
});

describe('the escaping each encoder documents', () => {
  // A header value (tokens are ASCII) with every character some encoder escapes; its
  // credential is short, so the whole value is the secret.
  const AWKWARD = 'k="a\\b/c<d>&e\'f+g\th`i';

  it('holds what PHP, Go and .NET write', () => {
    const secrets = new Secrets([AWKWARD]);
    for (const form of [
      'k=\\"a\\\\b\\/c<d>&e\'f+g\\th`i', // PHP json_encode
      'k=\\"a\\\\b/c\\u003cd\\u003e\\u0026e\'f+g\\th`i', // Go encoding/json
      'k=\\u0022a\\\\b/c\\u003Cd\\u003E\\u0026e\\u0027f\\u002Bg\\th\\u0060i', // .NET System.Text.Json
    ]) {
      expect(secrets.redact(`{"echo":"${form}"}`)).toBe(`{"echo":"${REDACTED}"}`);
    }
  });
});

describe('every form an upstream writes a token back in', () => {
  for (const [style, token] of Object.entries(TOKENS)) {
    it(`is found and redacted beyond recovery, inside longer text (${style} token)`, () => {
      const secrets = new Secrets([token]);
      for (const echo of echoesOf(token)) {
        for (const text of [`before ${echo.text} after`, `{"debug":{"headers":"${echo.text}"},"n":1}`, echo.text]) {
          // The oracle agrees the echo leaks the token; the matcher must find it and leave nothing to recover.
          expect(recoverable(text, token), `${echo.name} is a real leak`).toBe(true);
          expect(secrets.foundIn(text), echo.name).toBe(true);
          const redacted = secrets.redact(text);
          expect(recoverable(redacted, token), `${echo.name}: ${redacted}`).toBe(false);
          expect(redacted).toContain(REDACTED);
        }
      }
    });
  }

  it('is replaced exactly: the text around it is kept byte for byte', () => {
    const token = TOKENS.base64;
    const credential = credentialOf(token);
    const secrets = new Secrets([token]);
    const rng = new Rng(7);
    const forms = [
      credential,
      encodeURIComponent(credential),
      [...credential].map((c) => `%${c.charCodeAt(0).toString(16)}`).join(''),
      [...credential].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
      [...credential].map((c) => `&#${c.charCodeAt(0)};`).join(''),
    ];
    for (const form of forms) {
      for (let i = 0; i < 20; i++) {
        // Around it, printable text without escapes (an escape could legitimately join the match).
        const before = rng.ascii(rng.int(30)).replace(/[\\%&]/g, '.');
        const after = rng.ascii(rng.int(30)).replace(/[\\%&]/g, '.');
        expect(secrets.redact(`${before}${form}${after}`)).toBe(`${before}${REDACTED}${after}`);
      }
    }
  });

  it("holds what Python's json, html, urllib and base64 and Django's escape write (run for real)", () => {
    const script = [
      'import base64, html, json, sys, urllib.parse',
      'from django.utils.html import escape',
      'value = sys.stdin.read()',
      'credential = value.split()[-1]',
      'print(json.dumps([',
      '  json.dumps({"authorization": value}), json.dumps({"a": value}, ensure_ascii=True), html.escape(value), str(escape(value)),',
      '  urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value), urllib.parse.urlencode({"next": "/x?auth=" + urllib.parse.quote(value)}),',
      '  base64.b64encode(("kiosk:" + credential).encode()).decode(), base64.urlsafe_b64encode(value.encode()).decode(),',
      '  repr({"auth": value}),',
      ']))',
    ].join('\n');
    for (const token of [TOKENS.base64, TOKENS.quoted]) {
      const python = spawnSync('/usr/bin/python3', ['-c', script], { input: token, encoding: 'utf8' });
      expect(python.stderr).toBe('');
      const outputs = JSON.parse(python.stdout) as string[];
      expect(outputs).toHaveLength(10);
      const secrets = new Secrets([token]);
      for (const output of outputs) {
        expect(secrets.foundIn(output), output).toBe(true);
        expect(recoverable(secrets.redact(output), token), output).toBe(false);
      }
    }
  });
});

describe('base64 inside a longer blob', () => {
  it('has, for each byte alignment, a core that every encoding of the blob contains', () => {
    const rng = new Rng(42);
    for (let i = 0; i < 300; i++) {
      const secret = rng.ascii(rng.range(MIN_FORM_LENGTH, 64));
      const before = rng.bytes(rng.int(8));
      const after = rng.bytes(rng.int(8));
      const blob = Buffer.concat([before, Buffer.from(secret), after]);
      const cores = base64Cores(secret);
      // The core of this alignment in each alphabet; it is as long as the secret allows.
      expect(cores.some((core) => blob.toString('base64').includes(core) && core.length >= Math.floor((secret.length * 4) / 3) - 4)).toBe(true);
      expect(cores.some((core) => blob.toString('base64url').includes(core))).toBe(true);
      expect(new Secrets([secret]).foundIn(`x-blob: ${blob.toString('base64')};`)).toBe(true);
    }
  });
});

describe('what is not matched', () => {
  it('forms shorter than 12 characters: a short secret matches nothing, however often it appears', () => {
    const secrets = new Secrets(['abc', 'Token 01234']);
    expect(secrets.foundIn('abc Token 01234 abcabc')).toBe(false);
    expect(secrets.redact('abc Token 01234')).toBe('abc Token 01234');
    for (const token of Object.values(TOKENS)) for (const needle of needlesOf(token)) expect(needle.length).toBeGreaterThanOrEqual(MIN_FORM_LENGTH);
  });

  it('ordinary text, JSON and binary data with escapes in it (no false positives)', () => {
    const secrets = new Secrets(Object.values(TOKENS));
    const rng = new Rng(3);
    const samples = [
      JSON.stringify({ events: Array.from({ length: 200 }, (_, i) => ({ id: i, title: `Événement n°${i} & "fête"`, url: `/api/events/${i}/?q=a%20b+c` })) }),
      '<p>Opening hours &amp; directions: &#x27;City Hall&#x27;</p>',
      rng.bytes(256 * 1024).toString('latin1'),
      Buffer.from(rng.bytes(64 * 1024)).toString('base64'),
    ];
    for (const sample of samples) expect(secrets.spans(sample)).toEqual([]);
  });

  it('near misses, and the echoes kept out of scope: reversed, case-folded, split', () => {
    const token = TOKENS.django;
    const credential = credentialOf(token);
    const secrets = new Secrets([token]);
    const misses = [
      credential.slice(1),
      credential.slice(0, -1),
      `${credential.slice(0, 20)}X${credential.slice(21)}`,
      [...credential].reverse().join(''),
      credential.toUpperCase(),
      `${credential.slice(0, 20)} ${credential.slice(20)}`,
    ];
    for (const miss of misses) expect(secrets.foundIn(`x ${miss} y`), miss).toBe(false);
  });
});

describe('the work', () => {
  // A quadratic scan would take minutes here and fail on the test timeout; linear takes well under a second.
  it('stays linear on input made of escape starts, partial escapes and nested escapes', () => {
    const secrets = new Secrets(Object.values(TOKENS));
    const inputs = ['\\"%&'.repeat(250_000), '%2'.repeat(300_000), '&#x4'.repeat(250_000), '\\\\u0025'.repeat(120_000), '&amp;amp;'.repeat(100_000)];
    for (const input of inputs) expect(secrets.spans(input)).toEqual([]);
  });

  it('finds a secret added after the set was first used (the logger reads it on every line)', () => {
    const secrets = new Secrets();
    const token = TOKENS.django;
    expect(secrets.foundIn(token)).toBe(false);
    secrets.add(token);
    expect(secrets.foundIn(token)).toBe(true);
  });
});

describe('upstreamTextForLog', () => {
  const token = TOKENS.base64;
  const secrets = new Secrets([token]);

  it('scrubs every form, then cuts to the limit', () => {
    for (const echo of echoesOf(token)) {
      const logged = upstreamTextForLog(`maintenance: ${echo.text}`, secrets);
      expect(recoverable(logged, token), echo.name).toBe(false);
      expect(logged.length).toBeLessThanOrEqual(201);
    }
    expect(upstreamTextForLog('scheduled maintenance', secrets)).toBe('scheduled maintenance');
  });

  it('scrubs before it cuts, so no head of a secret is left at the cut', () => {
    const credential = credentialOf(token);
    for (let at = 180; at <= 205; at++) {
      const logged = upstreamTextForLog(`${'.'.repeat(at)}${credential}${'.'.repeat(300)}`, secrets, 200);
      expect(logged.length).toBeLessThanOrEqual(201);
      expect(logged.replace(/[.…]/g, '')).toBe(REDACTED.slice(0, Math.max(0, 200 - at)));
    }
  });

  it('keeps a long text to the limit, marked as cut', () => {
    expect(upstreamTextForLog('x'.repeat(500), secrets, 200)).toBe(`${'x'.repeat(200)}…`);
  });
});
