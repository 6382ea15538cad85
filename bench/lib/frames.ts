// Raw WebSocket frames (RFC 6455 §5.2), well-formed or not, for the fuzzers: the ws
// library refuses to write a malformed frame, so the fuzzers write bytes themselves.
import { createHash, randomBytes } from 'node:crypto';

export const OP = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface FrameSpec {
  fin?: boolean;
  /** RSV1..3 as the top three bits of a 3-bit number. */
  rsv?: number;
  opcode: number;
  payload: Buffer;
  /** A 4-byte masking key (clients must mask, servers must not). */
  mask?: Buffer | null;
  /** Claim this payload length instead of the real one (a lie). */
  claimLength?: bigint;
}

export function encodeFrame({ fin = true, rsv = 0, opcode, payload, mask = null, claimLength }: FrameSpec): Buffer {
  const length = claimLength ?? BigInt(payload.length);
  let header: Buffer;
  const first = (fin ? 0x80 : 0) | ((rsv & 0x7) << 4) | (opcode & 0xf);
  const maskBit = mask === null ? 0 : 0x80;
  if (length < 126n) {
    header = Buffer.from([first, maskBit | Number(length)]);
  } else if (length < 65536n) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = maskBit | 126;
    header.writeUInt16BE(Number(length), 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(length & 0xffffffffffffffffn, 2);
  }
  if (mask === null) return Buffer.concat([header, payload]);
  const masked = Buffer.from(payload);
  for (let i = 0; i < masked.length; i++) masked[i] = (masked[i] ?? 0) ^ (mask[i % 4] ?? 0);
  return Buffer.concat([header, mask, masked]);
}

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key. */
export function acceptKey(key: string): string {
  return createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
}

export function newSocketKey(): string {
  return randomBytes(16).toString('base64');
}
