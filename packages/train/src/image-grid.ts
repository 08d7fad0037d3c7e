import { makeImageGrid as gridOfPixels, type ImageShape, type RgbImage } from '@tbpipe/figures';
import { denormalizeImages } from './normalize.ts';

export type { RgbImage };

const TUTORIAL: ImageShape = { height: 28, width: 28, channels: 1 };

/**
 * torchvision's `make_grid(images)` with its defaults (up to 8 per row, 2-px padding of value 0, grey repeated to
 * RGB), from normalised [-1, 1] images: 4 images give 122 × 32, the tutorial's `four_fashion_mnist_images`.
 * N.B. unlike the tutorial, the grid is de-normalised (`x / 2 + 0.5`) before it becomes pixels: torch's `add_image`
 * multiplies the [-1, 1] floats by 255 and casts to uint8, which garbles every negative value (the dark half of
 * each garment and the whole background), so TensorBoard showed a mangled picture. Padding stays black.
 * The grid itself is `@tbpipe/figures`' `makeImageGrid` (any size, grey or RGB).
 * @param images count × H × W × C normalised floats (NHWC, what the engine takes; for one channel also NCHW).
 * @param shape the images' size and channels; default 28 × 28 × 1.
 */
export function makeImageGrid(images: Float32Array, perRow = 8, padding = 2, shape: ImageShape = TUTORIAL): RgbImage {
  return gridOfPixels(denormalizeImages(images), shape, perRow, padding);
}
