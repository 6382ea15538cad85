// Brings a screenshot within its bounds: at most maxWidth wide, at most maxBytes long.
// The capture is re-encoded at falling JPEG quality, then scaled down, until it fits;
// each shell supplies only its own way of capturing at a scale and quality.
import { KioskError } from '../core/errors.ts';
import { jpegSize } from './jpeg.ts';
import type { Screenshot, ScreenshotRequest } from './shell.ts';

const QUALITIES = [80, 60, 40] as const;
const SHRINK = 0.7;
/** Narrower than this, a screenshot shows nothing worth sending. */
const MIN_WIDTH = 64;

/** `capture(scale, quality)`: a JPEG of the screen at `scale` (1 = the screen's own width). */
export async function fitScreenshot(
  capture: (scale: number, quality: number) => Promise<Buffer>,
  screenWidth: number,
  { maxWidth, maxBytes }: ScreenshotRequest,
): Promise<Screenshot> {
  const takenAt = new Date();
  let scale = Math.min(1, maxWidth / Math.max(1, screenWidth));
  while (scale * screenWidth >= MIN_WIDTH) {
    for (const quality of QUALITIES) {
      const jpeg = await capture(scale, quality);
      const size = jpegSize(jpeg);
      if (size === undefined) throw new KioskError('E_SHELL_ACTION', 'screenshot-not-jpeg');
      // A display scale above 1 makes the capture wider than asked: scale down to suit.
      if (size.width > maxWidth) {
        scale *= maxWidth / size.width;
        break;
      }
      if (jpeg.length <= maxBytes) return { jpeg, width: size.width, height: size.height, takenAt };
      if (quality === QUALITIES[QUALITIES.length - 1]) scale *= SHRINK;
    }
  }
  throw new KioskError('E_SHELL_ACTION', 'screenshot-too-large');
}
