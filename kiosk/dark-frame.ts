// The screenshot of a dark screen: a JPEG of the given size, every pixel black, written
// directly (no pixels to encode). While the display is off the screen shows nothing,
// whatever the page's document holds, so that is what the shell reports.
//
// Baseline JPEG, one grey component: a quantisation table whose DC step is 128, so the
// first block's DC of -1024 (black, level-shifted) is exactly -8; every later block repeats
// it (difference 0) and has no AC coefficients (end of block at once).
const DC_STEP = 128;

export function darkFrame(width: number, height: number): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 0xffff || height > 0xffff) {
    throw new RangeError(`darkFrame: ${width}x${height} is no JPEG size`);
  }
  const quant = [0xff, 0xdb, 0x00, 0x43, 0x00, DC_STEP, ...new Array<number>(63).fill(1)];
  const frame = [0xff, 0xc0, 0x00, 0x0b, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x01, 0x01, 0x11, 0x00];
  // DC table: category 0 → "0", category 4 → "10". AC table: end of block → "0".
  const dcTable = [0x00, 1, 1, ...new Array<number>(14).fill(0), 0x00, 0x04];
  const acTable = [0x10, 1, ...new Array<number>(15).fill(0), 0x00];
  const huffman = [0xff, 0xc4, 0x00, 2 + dcTable.length + acTable.length, ...dcTable, ...acTable];
  const scan = [0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00];
  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
  return Buffer.concat([Buffer.from([0xff, 0xd8, ...quant, ...frame, ...huffman, ...scan]), entropy(blocks), Buffer.from([0xff, 0xd9])]);
}

/** The scan: the first block "10" (category 4) "0111" (-8) "0" (EOB), then "00" per block. */
function entropy(blocks: number): Buffer {
  const bits = 7 + 2 * (blocks - 1);
  const bytes = Buffer.alloc(Math.ceil(bits / 8));
  // 1001110 then zeros: the first byte is 0b1001110x.
  bytes[0] = 0b10011100;
  // Pad the last byte with 1 bits, as the standard asks.
  const used = bits % 8;
  if (used !== 0) bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) | (0xff >> used);
  // One byte of padding ones can only be 0xff if the whole byte were padding: never here.
  return bytes;
}
