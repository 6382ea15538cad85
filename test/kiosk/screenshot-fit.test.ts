// Bringing a screenshot within its bounds, against real JPEG encoders' behaviour: a
// capture that is too wide is scaled, one that is too large is re-encoded, then scaled.
import { describe, expect, it } from 'vitest';
import { jpegSize } from '../../kiosk/jpeg.ts';
import { fitScreenshot } from '../../kiosk/screenshot-fit.ts';

/** A minimal JPEG header of the given size, padded to `bytes` (what the fitter reads of it). */
function fakeJpeg(width: number, height: number, bytes: number): Buffer {
  const sof = Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03]);
  return Buffer.concat([sof, Buffer.alloc(Math.max(0, bytes - sof.length))]);
}

describe('jpegSize', () => {
  it('reads the frame header, and nothing from what is not a JPEG', () => {
    expect(jpegSize(fakeJpeg(1920, 1080, 100))).toEqual({ width: 1920, height: 1080 });
    expect(jpegSize(Buffer.from('not a jpeg at all'))).toBeUndefined();
    expect(jpegSize(Buffer.from([0xff, 0xd8]))).toBeUndefined();
  });
});

describe('fitScreenshot', () => {
  it('scales to maxWidth and keeps the first encoding that fits', async () => {
    const asked: [number, number][] = [];
    const shot = await fitScreenshot(
      (scale, quality) => {
        asked.push([scale, quality]);
        return Promise.resolve(fakeJpeg(Math.round(1920 * scale), Math.round(1080 * scale), 1000));
      },
      1920,
      { maxWidth: 1280, maxBytes: 5000 },
    );
    expect(asked).toEqual([[1280 / 1920, 80]]);
    expect(shot).toMatchObject({ width: 1280, height: 720 });
  });

  it('lowers the quality, then the size, until it fits', async () => {
    const asked: [number, number][] = [];
    // Bytes grow with pixels and quality, as real encoders' do.
    const shot = await fitScreenshot(
      (scale, quality) => {
        asked.push([Number(scale.toFixed(3)), quality]);
        const w = Math.round(1000 * scale);
        return Promise.resolve(fakeJpeg(w, w, w * quality));
      },
      1000,
      { maxWidth: 1000, maxBytes: 30_000 },
    );
    expect(asked).toEqual([
      [1, 80],
      [1, 60],
      [1, 40],
      [0.7, 80],
      [0.7, 60],
      [0.7, 40],
    ]);
    expect(shot.jpeg.length).toBeLessThanOrEqual(30_000);
    expect(shot.width).toBe(700);
  });

  it('narrows a capture wider than asked (a display scale above 1)', async () => {
    const shot = await fitScreenshot((scale) => Promise.resolve(fakeJpeg(Math.round(2 * 1000 * scale), 10, 100)), 1000, { maxWidth: 500, maxBytes: 5000 });
    expect(shot.width).toBe(500);
  });

  it('fails with a code when nothing fits, or the capture is no JPEG', async () => {
    await expect(fitScreenshot(() => Promise.resolve(fakeJpeg(1000, 1000, 10_000_000)), 1000, { maxWidth: 1000, maxBytes: 100 })).rejects.toMatchObject({
      code: 'E_SHELL_ACTION',
      message: 'screenshot-too-large',
    });
    await expect(fitScreenshot(() => Promise.resolve(Buffer.from('png?')), 1000, { maxWidth: 1000, maxBytes: 100 })).rejects.toMatchObject({ message: 'screenshot-not-jpeg' });
  });
});
