import { badInput } from './errors.ts';
import type { ImageShape } from './predictions-figure.ts';

/** An RGB image, row-major height × width × 3 uint8 (HWC). */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * torchvision's `make_grid(images)` with its defaults (up to 8 per row, 2-px padding of value 0, grey repeated to
 * RGB as `make_grid` does for one-channel images) from raw uint8 images of any size, grey or RGB: four 28 × 28 grey
 * images give 122 × 32, the tutorial's `four_fashion_mnist_images`; 3-channel images keep their colours.
 * @param pixels count × height × width × channels uint8, row-major HWC (what the images table holds).
 */
export function makeImageGrid(pixels: Uint8Array, shape: ImageShape, perRow = 8, padding = 2): RgbImage {
  const { height: h, width: w, channels: c } = shape;
  const bytes = h * w * c;
  if ((c !== 1 && c !== 3) || !(h >= 1 && w >= 1) || pixels.length === 0 || pixels.length % bytes !== 0) {
    throw badInput(`${pixels.length} bytes of ${h} × ${w} × ${c} images`, 'a positive multiple of height × width × channels (1 or 3)', 'pass raw HWC uint8 images with their shape');
  }
  const count = pixels.length / bytes;
  const columns = Math.min(perRow, count);
  const rows = Math.ceil(count / columns);
  const width = columns * (w + padding) + padding;
  const height = rows * (h + padding) + padding;
  const data = new Uint8Array(width * height * 3);
  for (let n = 0; n < count; n++) {
    const left = (n % columns) * (w + padding) + padding;
    const top = Math.floor(n / columns) * (h + padding) + padding;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const src = n * bytes + (y * w + x) * c;
        const o = ((top + y) * width + left + x) * 3;
        if (c === 1) {
          data[o] = data[o + 1] = data[o + 2] = pixels[src];
        } else {
          data[o] = pixels[src];
          data[o + 1] = pixels[src + 1];
          data[o + 2] = pixels[src + 2];
        }
      }
    }
  }
  return { data, width, height };
}
