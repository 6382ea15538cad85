// The stream scrubber that keeps the API token out of response bodies, and the helpers
// that decide what to look for.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { credentialOf, textForms } from '../../core/secret-forms.ts';
import { SecretScrubber } from '../../server/secret-scrubber.ts';

const SECRET = 'c0ffee-SECRET-0123456789';
const R = '[redacted]';

/** Runs chunks through a scrubber for `secret` and returns everything it emitted. */
async function scrub(secret: string, chunks: readonly (string | Buffer)[]): Promise<Buffer> {
  const scrubber = new SecretScrubber(secret);
  const out: Buffer[] = [];
  scrubber.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = once(scrubber, 'end');
  for (const chunk of chunks) scrubber.write(chunk);
  scrubber.end();
  await ended;
  return Buffer.concat(out);
}

async function scrubText(secret: string, chunks: readonly string[]): Promise<string> {
  return (await scrub(secret, chunks)).toString('utf8');
}

/** `text` cut at the given offsets. */
function cut(text: string, ...offsets: number[]): string[] {
  const points = [0, ...offsets, text.length];
  return points.slice(1).map((end, i) => text.slice(points[i], end));
}

describe('SecretScrubber', () => {
  it('replaces the secret in a single chunk', async () => {
    expect(await scrubText(SECRET, [`{"auth":"Token ${SECRET}"}`])).toBe(`{"auth":"Token ${R}"}`);
  });

  it('replaces the secret split across two chunks at every offset', async () => {
    const text = `before->${SECRET}<-after`;
    const expected = `before->${R}<-after`;
    for (let offset = 0; offset <= text.length; offset++) {
      expect(await scrubText(SECRET, cut(text, offset)), `cut at ${offset}`).toBe(expected);
    }
  });

  it('replaces the secret split across three chunks at every pair of offsets within it', async () => {
    const text = `ab${SECRET}cd`;
    const expected = `ab${R}cd`;
    for (let first = 1; first < text.length; first++) {
      for (let second = first; second < text.length; second++) {
        expect(await scrubText(SECRET, cut(text, first, second)), `cuts at ${first}, ${second}`).toBe(expected);
      }
    }
  });

  it('replaces the secret fed one byte at a time', async () => {
    const text = `x${SECRET}y${SECRET}`;
    expect(await scrubText(SECRET, [...text])).toBe(`x${R}y${R}`);
  });

  it('replaces several occurrences: adjacent, at the start and at the end, at every cut', async () => {
    const text = `${SECRET}${SECRET} mid ${SECRET}`;
    const expected = `${R}${R} mid ${R}`;
    for (let offset = 0; offset <= text.length; offset++) {
      expect(await scrubText(SECRET, cut(text, offset)), `cut at ${offset}`).toBe(expected);
    }
  });

  it('finds a secret whose start repeats (a partial match that is not the real start)', async () => {
    const secret = 'aaaaaaaaaaab';
    const text = `${'a'.repeat(30)}b`;
    const expected = `${'a'.repeat(19)}${R}`;
    for (let offset = 0; offset <= text.length; offset++) {
      expect(await scrubText(secret, cut(text, offset)), `cut at ${offset}`).toBe(expected);
    }
  });

  it('passes text without the secret through unchanged, including near misses', async () => {
    const nearMisses = [
      SECRET.slice(0, -1),
      SECRET.slice(1),
      SECRET.toLowerCase(),
      `${SECRET.slice(0, 10)} ${SECRET.slice(10)}`,
      `prefix ${SECRET.slice(0, -1)}`,
    ];
    for (const text of nearMisses) {
      for (let offset = 0; offset <= text.length; offset++) {
        expect(await scrubText(SECRET, cut(text, offset)), `${text} cut at ${offset}`).toBe(text);
      }
    }
  });

  it('holds back a trailing partial match until the end, then emits it unchanged', async () => {
    const text = `data ${SECRET.slice(0, 12)}`;
    expect(await scrubText(SECRET, [text])).toBe(text);
    expect(await scrubText(SECRET, cut(text, 3, 8))).toBe(text);
  });

  it('passes arbitrary bytes (binary, multi-byte UTF-8 cut mid-character) through byte for byte', async () => {
    const bytes = Buffer.concat([Buffer.from('päivää 😀 €'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256))]);
    const chunks = [bytes.subarray(0, 3), bytes.subarray(3, 9), bytes.subarray(9, 1000), bytes.subarray(1000)];
    const out = await scrub(SECRET, chunks);
    expect(out.equals(bytes)).toBe(true);
  });

  it('emits nothing for nothing, and a short input as it is', async () => {
    expect((await scrub(SECRET, [])).length).toBe(0);
    expect(await scrubText(SECRET, ['ab'])).toBe('ab');
  });
});

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

describe('textForms', () => {
  it('is the secret alone when JSON would not change it', () => {
    expect(textForms('0123456789abcdef')).toEqual(['0123456789abcdef']);
  });

  it('adds the JSON-escaped form of a secret with quotes, backslashes or tabs', () => {
    expect(textForms('k="a\\b"')).toContain('k=\\"a\\\\b\\"');
    expect(textForms('a\tb')).toEqual(['a\tb', 'a\\tb']);
  });

  it('is one form for a token of letters, digits and -._~', () => {
    expect(textForms('AZaz09-._~AZaz09')).toEqual(['AZaz09-._~AZaz09']);
  });

  // A header value (tokens are ASCII) with every character some encoder escapes.
  const AWKWARD = 'k="a\\b/c<d>&e\'f+g\th`i';

  it("holds what Python's json.dumps, html.escape and Django's escape write (run for real)", () => {
    const script = [
      'import html, json, sys',
      'from django.utils.html import escape',
      'secret = sys.stdin.read()',
      'print(json.dumps([json.dumps(secret)[1:-1], html.escape(secret), str(escape(secret))]))',
    ].join('\n');
    const python = spawnSync('/usr/bin/python3', ['-c', script], { input: AWKWARD, encoding: 'utf8' });
    expect(python.stderr).toBe('');
    const forms = JSON.parse(python.stdout) as string[];
    expect(forms).toHaveLength(3);
    for (const form of forms) {
      expect(form).not.toBe(AWKWARD); // each really escapes something here
      expect(textForms(AWKWARD)).toContain(form);
    }
  });

  it('holds what PHP, Go and .NET write (their documented escaping)', () => {
    const forms = textForms(AWKWARD);
    expect(forms).toContain('k=\\"a\\\\b\\/c<d>&e\'f+g\\th`i'); // PHP json_encode
    expect(forms).toContain('k=\\"a\\\\b/c\\u003cd\\u003e\\u0026e\'f+g\\th`i'); // Go encoding/json
    expect(forms).toContain('k=\\u0022a\\\\b/c\\u003Cd\\u003E\\u0026e\\u0027f\\u002Bg\\th\\u0060i'); // .NET System.Text.Json
  });

  it('escapes beyond ASCII as the encoders do, should a secret hold such characters', () => {
    const forms = textForms('caf\u00e9-0123456789');
    expect(forms).toContain('caf\\u00e9-0123456789'); // Python (ensure_ascii), PHP
    expect(forms).toContain('caf\\u00E9-0123456789'); // .NET
  });
});
