// A QR code drawn as one SVG path (no canvas, no data: URL): crisp at any size, dark on
// light whatever the theme, with the four-module quiet zone scanners need.
import { generate } from 'lean-qr/nano';
import { useMemo } from 'react';

const QUIET = 4;

/** The dark modules of `text`'s QR code as an SVG path in module units, and the code's size. */
export function qrPath(text: string): { size: number; d: string } {
  const code = generate(text);
  let d = '';
  for (let y = 0; y < code.size; y++) {
    for (let x = 0; x < code.size; x++) {
      if (!code.get(x, y)) continue;
      // Runs of dark modules in a row become one rectangle.
      let run = 1;
      while (x + run < code.size && code.get(x + run, y)) run++;
      d += `M${x + QUIET} ${y + QUIET}h${run}v1h-${run}z`;
      x += run - 1;
    }
  }
  return { size: code.size + 2 * QUIET, d };
}

export function QrCode({ text, label }: { text: string; label: string }) {
  const { size, d } = useMemo(() => qrPath(text), [text]);
  return (
    <svg className="qr" data-testid="qr" viewBox={`0 0 ${size} ${size}`} role="img" aria-label={label} shapeRendering="crispEdges">
      <rect width={size} height={size} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
