import { IMAGE_PIXELS } from '@tbpipe/ingest/contract';

/** Pixels per image: 1 channel × 28 × 28, ingest's image size. */
export { IMAGE_PIXELS };

/**
 * The 256 possible normalised values, computed in float32 step by step exactly as torchvision's
 * `ToTensor()` (`x / 255`) then `Normalize((0.5,), (0.5,))` (`(x - 0.5) / 0.5`) do, so batches are bit-identical to
 * the tutorial's. (Each double-precision operation rounded to float32 equals the float32 operation: 53 ≥ 2·24 + 2.)
 */
export const NORMALIZE_LUT: Float32Array = (() => {
  const lut = new Float32Array(256);
  for (let v = 0; v < 256; v++) lut[v] = Math.fround(Math.fround(Math.fround(v / 255) - 0.5) / 0.5);
  return lut;
})();

/**
 * Normalise uint8 pixels to float32 in [-1, 1]: `(x / 255 - 0.5) / 0.5`, the tutorial's transform. Layout is kept
 * (n × 784 row-major is NCHW for one channel).
 * @example const x = normalizeImages(images.subarray(0, 4 * 784)); predictor.predict(x, 4);
 */
export function normalizeImages(pixels: Uint8Array): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = NORMALIZE_LUT[pixels[i]!]!;
  return out;
}

/** The inverse of {@link normalizeImages}: [-1, 1] floats back to uint8 pixels (rounded, clamped). */
export function denormalizeImages(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    out[i] = Math.round(Math.min(1, Math.max(0, values[i]! * 0.5 + 0.5)) * 255);
  }
  return out;
}
