import { createCanvas, loadImage } from '@napi-rs/canvas';

/** The first 8 bytes of every PNG file. */
export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Width and height from the IHDR chunk, which the PNG spec requires to come first. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Decoded RGBA pixels of a PNG, with lookups for tests. */
export interface Pixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
  /** [r, g, b] at (x, y). */
  at(x: number, y: number): [number, number, number];
  /** How many pixels in the rectangle [x0, x1) × [y0, y1) satisfy `test`. */
  count(x0: number, y0: number, x1: number, y1: number, test: (r: number, g: number, b: number) => boolean): number;
}

export async function decodePng(png: Uint8Array): Promise<Pixels> {
  const image = await loadImage(Buffer.from(png));
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const { data, width, height } = ctx.getImageData(0, 0, image.width, image.height);
  const at = (x: number, y: number): [number, number, number] => {
    const o = (y * width + x) * 4;
    return [data[o], data[o + 1], data[o + 2]];
  };
  const count: Pixels['count'] = (x0, y0, x1, y1, test) => {
    let n = 0;
    for (let y = Math.max(0, y0); y < Math.min(height, y1); y++) {
      for (let x = Math.max(0, x0); x < Math.min(width, x1); x++) {
        const o = (y * width + x) * 4;
        if (test(data[o], data[o + 1], data[o + 2])) n++;
      }
    }
    return n;
  };
  return { width, height, data, at, count };
}

/** matplotlib's `green` (#008000) and anti-aliased shades of it that are still clearly green. */
export const isGreen = (r: number, g: number, b: number) => g >= 100 && r <= 40 && b <= 40;
/** matplotlib's `red` (#ff0000) and clearly red anti-aliased shades. */
export const isRed = (r: number, g: number, b: number) => r >= 200 && g <= 60 && b <= 60;
/** Anything that is not (nearly) white. */
export const isInk = (r: number, g: number, b: number) => r < 240 || g < 240 || b < 240;
/** `#rrggbb` → [r, g, b]. */
export const rgbOf = (hex: string): [number, number, number] => {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
};
