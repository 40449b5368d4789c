// An indexed-colour PNG (colour type 3, 8 bits per pixel): every pixel is exactly one of the palette's colours, and
// the file is small. Compressed with zlib (node:zlib, the reference deflate, native) in its run-length strategy: a
// bird's-eye view is mostly runs of background, which RLE codes 25 times faster than the default strategy, and
// smaller (a 100k-point 640 x 640 view: 0.6 ms and 7.9 KB against 15 ms and 9.7 KB, bench/report-stages.bench.mjs).
import { constants, crc32, deflateSync } from 'node:zlib';
import type { Rgb } from './colors.js';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const MAX_PALETTE = 256;

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** The PNG of a `width` x `height` image of palette indices (row-major, top row first). */
export function encodeIndexedPng(
  width: number,
  height: number,
  pixels: Uint8Array,
  palette: readonly Rgb[],
): Uint8Array {
  if (palette.length === 0 || palette.length > MAX_PALETTE)
    throw new RangeError('a PNG palette holds 1 to 256 colours');
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 3, 0, 0, 0], 8); // 8 bits, indexed, deflate, no filter method variants, no interlace
  const plte = new Uint8Array(palette.length * 3);
  palette.forEach((rgb, i) => plte.set(rgb, i * 3));
  // Each row is prefixed with its filter type: 0 (none). Indexed images compress best unfiltered.
  const raw = new Uint8Array((width + 1) * height);
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const parts = [
    SIGNATURE,
    chunk('IHDR', header),
    chunk('PLTE', plte),
    chunk('IDAT', deflateSync(raw, { strategy: constants.Z_RLE })),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
