// The stream scrubber that keeps the tokens out of response bodies: every form of them
// (core/secret-forms.ts), whole, whatever the chunking, with the body streamed through.
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Secrets } from '../../core/secret-forms.ts';
import { SecretScrubber } from '../../server/secret-scrubber.ts';
import { Rng } from '../support/rng.ts';
import { echoesOf, recoverable } from '../support/secret-echoes.ts';

const SECRET = 'c0ffee-SECRET-0123456789';
const R = '[redacted]';

/** Runs chunks through a scrubber for `secret` and returns everything it emitted. */
async function scrub(secret: string, chunks: readonly (string | Buffer)[], batchBytes?: number): Promise<Buffer> {
  const scrubber = new SecretScrubber(new Secrets([secret]), batchBytes === undefined ? {} : { batchBytes });
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

  it('counts what it replaced (the relay keeps no offline copy of a body that needed any), and nothing in a clean body', async () => {
    const count = async (chunks: readonly string[]) => {
      const scrubber = new SecretScrubber(new Secrets([SECRET]));
      scrubber.resume();
      const ended = once(scrubber, 'end');
      for (const chunk of chunks) scrubber.write(chunk);
      scrubber.end();
      await ended;
      return scrubber.redactions;
    };
    expect(await count(cut(`a ${SECRET} b ${SECRET}`, 5))).toBe(2);
    expect(await count([`clean ${SECRET.slice(0, -1)}`])).toBe(0);
  });

  it('emits nothing for nothing, and a short input as it is', async () => {
    expect((await scrub(SECRET, [])).length).toBe(0);
    expect(await scrubText(SECRET, ['ab'])).toBe('ab');
  });
});


describe('SecretScrubber, every form across chunk boundaries', () => {
  const token = `Bearer ${randomBytes(12).toString('base64')}+/${randomBytes(13).toString('base64')}`;
  const filler = (n: number) => 'a'.repeat(n);

  it('finds each encoded form whatever the chunk sizes, with scans small enough to cut it', async () => {
    // Small batches make the scrubber scan often, so the held-back window does the work.
    const window = new Secrets([token]).window;
    for (const echo of echoesOf(token)) {
      const text = `${filler(window + 100)}${echo.text}${filler(window + 100)}`;
      for (const size of [1, 7, 61, 1000, window - 1, window + 3]) {
        const chunks = Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));
        const out = (await scrub(token, chunks, 16)).toString('latin1');
        expect(recoverable(out, token), `${echo.name}, chunks of ${size}`).toBe(false);
        expect(out.startsWith(filler(window))).toBe(true);
      }
    }
  }, 60_000);

  it('finds a form cut at every offset between two chunks', async () => {
    const window = new Secrets([token]).window;
    for (const echo of echoesOf(token).slice(0, 12)) {
      const text = `${filler(window)}${echo.text}${filler(50)}`;
      for (let offset = window - 2; offset <= window + echo.text.length + 2; offset++) {
        const out = (await scrub(token, cut(text, offset), 16)).toString('latin1');
        expect(recoverable(out, token), `${echo.name}, cut at ${offset}`).toBe(false);
      }
    }
  }, 60_000);

  it('streams a large body through: output flows before the input ends, and binary passes byte for byte', async () => {
    const scrubber = new SecretScrubber(new Secrets([token]));
    const out: Buffer[] = [];
    scrubber.on('data', (chunk: Buffer) => out.push(chunk));
    const body = new Rng(9).bytes(4 * 1024 * 1024);
    for (let i = 0; i < body.length; i += 16 * 1024) scrubber.write(body.subarray(i, i + 16 * 1024));
    // Not held whole: all but the last batch is out before end().
    expect(Buffer.concat(out).length).toBeGreaterThan(body.length - 256 * 1024);
    const ended = once(scrubber, 'end');
    scrubber.end();
    await ended;
    expect(Buffer.concat(out).equals(body)).toBe(true);
  });
});
