import { denormalizeImages } from './normalize.ts';

/** An RGB image, row-major height × width × 3 uint8 (HWC). */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

const SIDE = 28;

/**
 * torchvision's `make_grid(images)` with its defaults (up to 8 per row, 2-px padding of value 0, grey repeated to
 * RGB), from normalised [-1, 1] images: 4 images give 122 × 32, the tutorial's `four_fashion_mnist_images`.
 * N.B. unlike the tutorial, the grid is de-normalised (`x / 2 + 0.5`) before it becomes pixels: torch's `add_image`
 * multiplies the [-1, 1] floats by 255 and casts to uint8, which garbles every negative value (the dark half of
 * each garment and the whole background), so TensorBoard showed a mangled picture. Padding stays black.
 * @param images count × 784 normalised floats (NCHW, one channel).
 */
export function makeImageGrid(images: Float32Array, perRow = 8, padding = 2): RgbImage {
  const count = images.length / (SIDE * SIDE);
  const columns = Math.min(perRow, count);
  const rows = Math.ceil(count / columns);
  const cell = SIDE + padding;
  const width = columns * cell + padding;
  const height = rows * cell + padding;
  const pixels = denormalizeImages(images);
  const data = new Uint8Array(width * height * 3);
  for (let n = 0; n < count; n++) {
    const left = (n % columns) * cell + padding;
    const top = Math.floor(n / columns) * cell + padding;
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const v = pixels[n * SIDE * SIDE + y * SIDE + x]!;
        const o = ((top + y) * width + left + x) * 3;
        data[o] = v;
        data[o + 1] = v;
        data[o + 2] = v;
      }
    }
  }
  return { data, width, height };
}
