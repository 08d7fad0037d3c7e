import type { Progress } from '@tbpipe/core';
import type { CnnPredictor } from '@tbpipe/train/predictor';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { evaluateError } from './errors.ts';

/** Forward-pass outputs for the whole test split. */
export interface Inference {
  /** count × K raw scores. */
  logits: Float32Array;
  /** count × K softmax probabilities. */
  probabilities: Float32Array;
  /** count × D activations of the network's feature layer (the input of its last dense layer). */
  features: Float32Array;
  /** D, read from the model's outputs. */
  featureWidth: number;
  /** Argmax of each row's logits, first index on ties (like `torch.max(outputs, 1)`). */
  predicted: Uint16Array;
}

/** Options of {@link runInference}. */
export interface InferenceOptions {
  /** Classes K: the width the model's logits must have (the test split's class count). */
  classCount: number;
  /** Bytes per image (height × width × channels, HWC uint8). */
  imageBytes: number;
  /** Images per `predict` call (≥ 1); bounds the normalised batch held in memory. */
  batchSize: number;
  /**
   * uint8 pixels → the floats the model takes (`@tbpipe/train`'s normalizeImages: NHWC, the transform the model
   * was trained with).
   */
  normalize: (pixels: Uint8Array) => Float32Array;
  progress?: Progress;
}

const wrongOutputs = (what: string, got: number, n: number, width: string) =>
  evaluateError(
    'EVALUATE_MODEL_OUTPUTS',
    `the model returned ${got} ${what} for ${n} images (${got / n} per image)`,
    `${width} per image`,
    'evaluate the model on the dataset it was trained on (its last dense layer must output one logit per class)',
  );
const notFinite = (row: number) =>
  evaluateError(
    'EVALUATE_MODEL_NOT_FINITE',
    `the model's logits for test image ${row} are not finite`,
    'finite numbers',
    'retrain the model (its weights contain NaN or Infinity: training diverged)',
  );

/**
 * Run the model over every image, `batchSize` at a time, normalising each batch just before its forward pass
 * (the float32 copy of the whole split is never held). Yields to the event loop between batches so logs and
 * progress keep flowing. Checks the model's output widths — K logits and probabilities per image, the same
 * whole number D of features per image in every batch — and that every logit is finite.
 */
export async function runInference(predictor: CnnPredictor, images: Uint8Array, count: number, options: InferenceOptions): Promise<Inference> {
  const k = options.classCount;
  const px = options.imageBytes;
  const logits = new Float32Array(count * k);
  const probabilities = new Float32Array(count * k);
  let features = new Float32Array(0);
  let featureWidth = -1;
  for (let start = 0; start < count; start += options.batchSize) {
    const n = Math.min(options.batchSize, count - start);
    const batch = options.normalize(images.subarray(start * px, (start + n) * px));
    const out = predictor.predict(batch, n);
    if (out.logits.length !== n * k) throw wrongOutputs('logits', out.logits.length, n, `${k} (the class count)`);
    if (out.probabilities.length !== n * k) throw wrongOutputs('probabilities', out.probabilities.length, n, `${k} (the class count)`);
    if (featureWidth < 0) {
      // D comes from the model: its feature layer's width, the same for every image.
      featureWidth = out.features.length / n;
      if (!Number.isInteger(featureWidth) || featureWidth < 1) throw wrongOutputs('features', out.features.length, n, 'a whole number ≥ 1');
      features = new Float32Array(count * featureWidth);
    }
    if (out.features.length !== n * featureWidth) throw wrongOutputs('features', out.features.length, n, `${featureWidth} (as in the first batch)`);
    logits.set(out.logits, start * k);
    probabilities.set(out.probabilities, start * k);
    features.set(out.features, start * featureWidth);
    options.progress?.update(start + n);
    await yieldToEventLoop();
  }
  return { logits, probabilities, features, featureWidth: Math.max(featureWidth, 0), predicted: argmaxRows(logits, count, k) };
}

/**
 * Row-wise argmax of `count` rows of `width` scores, first index on ties (`torch.max`); throws if a row holds NaN or
 * ±Infinity (`notFiniteError` builds the error for a row).
 */
export function argmaxRows(scores: Float32Array, count: number, width: number, notFiniteError: (row: number) => Error = notFinite): Uint16Array {
  const predicted = new Uint16Array(count);
  for (let i = 0, row = 0; i < count; i++, row += width) {
    let best = 0;
    for (let c = 0; c < width; c++) {
      const z = scores[row + c];
      if (!Number.isFinite(z)) throw notFiniteError(i);
      if (z > scores[row + best]) best = c;
    }
    predicted[i] = best;
  }
  return predicted;
}
