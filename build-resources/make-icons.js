#!/usr/bin/env node
// npm run icons: every icon the installers need, from the one source image icon.svg.
//
//   icons/NxN.png  Linux (AppImage, deb, rpm install them into the hicolor theme)
//   icon.ico       Windows (the exe, NSIS and MSI): BMP entries up to 128 px, PNG at 256 px
//   icon.icns      macOS (the app bundle and the dmg)
//   icon.png       1024 px, for anything else that asks
//   icon.sha256    the source's hash, so a test notices icons older than icon.svg
//
// Debian's Chromium rasterises the SVG (the same engine that shows the kiosk). The outputs
// are committed: packaging machines need no browser, and electron-builder passes finished
// .ico/.icns files through instead of downloading its icon converter.
/* global document, Image */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const here = import.meta.dirname;
const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512];
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
// Apple's icon types: PNG payloads, including the @2x variants.
const ICNS_TYPES = [
  ['icp4', 16], ['icp5', 32], ['icp6', 64], ['ic07', 128], ['ic08', 256], ['ic09', 512], ['ic10', 1024],
  ['ic11', 32], ['ic12', 64], ['ic13', 256], ['ic14', 512],
];
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

const svg = readFileSync(path.join(here, 'icon.svg'), 'utf8');
const sizes = [...new Set([...LINUX_SIZES, ...ICO_SIZES, ...ICNS_TYPES.map(([, size]) => size), 1024])].sort((a, b) => a - b);

/** RGBA pixels of the SVG drawn at size×size (straight alpha, rows top to bottom). */
async function rasterise(page, size) {
  const base64 = await page.evaluate(
    async ({ source, size: edge }) => {
      const image = new Image(edge, edge);
      image.src = `data:image/svg+xml;base64,${btoa(source)}`;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = edge;
      canvas.height = edge;
      const context = canvas.getContext('2d', { colorSpace: 'srgb' });
      context.drawImage(image, 0, 0, edge, edge);
      const { data } = context.getImageData(0, 0, edge, edge);
      let binary = '';
      for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
      return btoa(binary);
    },
    { source: svg, size },
  );
  return Buffer.from(base64, 'base64');
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A plain 8-bit RGBA PNG: the same bytes from the same pixels, whatever the browser's encoder does. */
function encodePng(rgba, size) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter method, no interlace
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    const offset = y * (size * 4 + 1);
    rows[offset] = 0; // filter: none
    rgba.copy(rows, offset + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(rows, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A 32-bit BMP icon image (BGRA, bottom-up, then an all-clear AND mask): what every Windows tool reads. */
function encodeIcoBitmap(rgba, size) {
  const header = Buffer.alloc(40);
  const maskRow = Math.ceil(size / 32) * 4;
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(size, 4);
  header.writeInt32LE(size * 2, 8); // colour rows plus mask rows
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  header.writeUInt32LE(size * size * 4 + maskRow * size, 20);
  const pixels = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const from = (y * size + x) * 4;
      const to = ((size - 1 - y) * size + x) * 4;
      pixels[to] = rgba[from + 2];
      pixels[to + 1] = rgba[from + 1];
      pixels[to + 2] = rgba[from];
      pixels[to + 3] = rgba[from + 3];
    }
  }
  return Buffer.concat([header, pixels, Buffer.alloc(maskRow * size)]);
}

function encodeIco(images) {
  const directory = Buffer.alloc(6 + images.length * 16);
  directory.writeUInt16LE(1, 2); // type: icon
  directory.writeUInt16LE(images.length, 4);
  let offset = directory.length;
  images.forEach(({ size, data }, index) => {
    const entry = 6 + index * 16;
    directory[entry] = size >= 256 ? 0 : size;
    directory[entry + 1] = size >= 256 ? 0 : size;
    directory.writeUInt16LE(1, entry + 4); // planes
    directory.writeUInt16LE(32, entry + 6); // bits per pixel
    directory.writeUInt32LE(data.length, entry + 8);
    directory.writeUInt32LE(offset, entry + 12);
    offset += data.length;
  });
  return Buffer.concat([directory, ...images.map((image) => image.data)]);
}

function encodeIcns(entries) {
  const parts = entries.map(({ type, data }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(8 + parts.reduce((sum, part) => sum + part.length, 0), 4);
  return Buffer.concat([head, ...parts]);
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
const pixels = new Map();
try {
  const page = await browser.newPage();
  for (const size of sizes) pixels.set(size, await rasterise(page, size));
} finally {
  await browser.close();
}
const png = new Map([...pixels].map(([size, rgba]) => [size, encodePng(rgba, size)]));

const iconDir = path.join(here, 'icons');
rmSync(iconDir, { recursive: true, force: true });
mkdirSync(iconDir);
for (const size of LINUX_SIZES) writeFileSync(path.join(iconDir, `${size}x${size}.png`), png.get(size));
writeFileSync(path.join(here, 'icon.png'), png.get(1024));
writeFileSync(
  path.join(here, 'icon.ico'),
  encodeIco(ICO_SIZES.map((size) => ({ size, data: size >= 256 ? png.get(size) : encodeIcoBitmap(pixels.get(size), size) }))),
);
writeFileSync(path.join(here, 'icon.icns'), encodeIcns(ICNS_TYPES.map(([type, size]) => ({ type, data: png.get(size) }))));
writeFileSync(path.join(here, 'icon.sha256'), `${createHash('sha256').update(svg).digest('hex')}  icon.svg\n`);
process.stdout.write(`icons written to ${path.relative(process.cwd(), here) || '.'}: ${LINUX_SIZES.length} PNG sizes, icon.ico, icon.icns, icon.png\n`);
