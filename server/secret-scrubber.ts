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
