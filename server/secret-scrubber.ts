// Removes every form of the secrets (core/secret-forms.ts) from a byte stream, even when a
// form is split across chunks. The relay runs upstream responses through it: an API that
// echoes request headers (a debug page, a misconfigured endpoint) must still not hand the
// token to the page, however it escapes or encodes it.
//
// The stream is scanned in batches of at least `batchBytes`, and the last `secrets.window`
// bytes of each batch are held back for the next, so that a match cut by a chunk boundary
// is seen whole. A response therefore reaches the page in pieces of about `batchBytes` (or
// whole, when it is shorter): fine for the REST API behind /api, which the page reads
// whole; not meant for event streams.
import { Transform, type TransformCallback } from 'node:stream';
import { REDACTED, type Secrets } from '../core/secret-forms.ts';

const REPLACEMENT = Buffer.from(REDACTED);
export const SCRUB_BATCH_BYTES = 64 * 1024;

export class SecretScrubber extends Transform {
  readonly #secrets: Secrets;
  readonly #batchBytes: number;
  #held: Buffer[] = [];
  #heldBytes = 0;
  #redactions = 0;

  constructor(secrets: Secrets, { batchBytes = SCRUB_BATCH_BYTES }: { batchBytes?: number } = {}) {
    super();
    this.#secrets = secrets;
    this.#batchBytes = batchBytes;
  }

  /** How many matches were replaced so far: a body that needed any is not what the upstream meant to send. */
  get redactions(): number {
    return this.#redactions;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#held.push(chunk);
    this.#heldBytes += chunk.length;
    // Scanning on every small chunk would rescan the held-back window each time.
    if (this.#heldBytes >= this.#batchBytes + this.#secrets.window) this.#scan(false);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.#scan(true);
    callback();
  }

  #scan(final: boolean): void {
    const data = this.#held.length === 1 ? this.#held[0]! : Buffer.concat(this.#held);
    // Latin-1 maps each byte to one character, so text offsets are byte offsets; the
    // secrets are ASCII, which reads the same in Latin-1 and UTF-8.
    const spans = this.#secrets.spans(data.toString('latin1'));
    let cut = final ? data.length : Math.max(0, data.length - this.#secrets.window);
    let position = 0;
    for (const [start, end] of spans) {
      // A match that begins in the held-back part is found again, whole, in the next batch.
      if (start >= cut) break;
      if (start > position) this.push(data.subarray(position, start));
      this.push(REPLACEMENT);
      this.#redactions++;
      position = end;
      cut = Math.max(cut, end);
    }
    if (cut > position) this.push(data.subarray(position, cut));
    const rest = data.subarray(cut);
    // A copy: the rest must not pin the whole batch in memory.
    this.#held = rest.length === 0 ? [] : [Buffer.from(rest)];
    this.#heldBytes = rest.length;
  }
}
