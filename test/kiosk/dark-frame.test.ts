// The dark screen's screenshot: a JPEG any decoder reads as the stated size, every pixel black.
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { darkFrame } from '../../kiosk/dark-frame.ts';
import { jpegSize } from '../../kiosk/jpeg.ts';

describe('darkFrame', () => {
  it.each([
    [1, 1],
    [8, 8],
    [9, 7],
    [3, 1000],
    [1280, 720],
    [1920, 1080],
    [3840, 2160],
  ])('%dx%d decodes to that size, all black, and is small', (width, height) => {
    const data = darkFrame(width, height);
    expect(jpegSize(data)).toEqual({ width, height });
    const image = jpeg.decode(data, { useTArray: true, maxMemoryUsageInMB: 256 });
    expect([image.width, image.height]).toEqual([width, height]);
    let brightest = 0;
    for (let i = 0; i < image.data.length; i += 4) brightest = Math.max(brightest, image.data[i] ?? 255, image.data[i + 1] ?? 255, image.data[i + 2] ?? 255);
    expect(brightest).toBe(0);
    // Two bits a block: far under any screenshot.maxBytes.
    expect(data.length).toBeLessThan(200 + (width * height) / 256);
  });

  it.each([
    [0, 1],
    [1, 0],
    [1.5, 2],
    [70_000, 10],
  ])('refuses %dx%d', (width, height) => {
    expect(() => darkFrame(width, height)).toThrow(RangeError);
  });
});
