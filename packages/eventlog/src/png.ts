import { decode, encode } from 'fast-png';
import { eventlogError } from './errors.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Encode 8-bit interleaved pixels (row-major HWC; 1 = gray, 3 = RGB, 4 = RGBA channels) as PNG. PNG bytes differ
 * from Pillow's (zlib level, filters); the pixels are what TensorBoard shows and what tests compare.
 */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 2 | 3 | 4): Uint8Array {
  return encode({ width, height, data: pixels, channels, depth: 8 });
}

/** Decode a PNG to 8-bit interleaved pixels (`fast-png`), for tests and the dump CLI. */
export function decodePng(png: Uint8Array): { width: number; height: number; channels: number; data: Uint8Array } {
  const d = decode(png);
  if (d.depth !== 8) {
    throw eventlogError('EVENTLOG_PNG_DEPTH', `a ${d.depth}-bit PNG`, 'an 8-bit PNG', 'convert the image to 8 bits per channel');
  }
  return { width: d.width, height: d.height, channels: d.channels, data: d.data as Uint8Array };
}

/** Width, height and channel count of a PNG from its IHDR chunk, without decoding the pixels. */
export function readPngHeader(png: Uint8Array): { width: number; height: number; channels: number } {
  const isPng = png.length >= 26 && PNG_SIGNATURE.every((b, i) => png[i] === b) && String.fromCharCode(...png.subarray(12, 16)) === 'IHDR';
  if (!isPng) {
    const head = Buffer.from(png.subarray(0, 8)).toString('hex');
    throw eventlogError('EVENTLOG_NOT_PNG', `image bytes starting ${head || '(empty)'}`, 'a PNG (89504e470d0a1a0a, then IHDR)', 'pass the bytes of a PNG file (e.g. from @tbpipe/figures)');
  }
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const colorType = png[25];
  // PNG colour types: 0 gray, 2 RGB, 3 palette (shown as RGB), 4 gray+alpha, 6 RGBA.
  const channels = ({ 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 } as Record<number, number>)[colorType] ?? 3;
  return { width: view.getUint32(16), height: view.getUint32(20), channels };
}
