import type { Progress } from '@tbpipe/core';
import type { CnnPredictor } from '@tbpipe/train/predictor';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { CLASS_COUNT, FEATURE_COUNT, IMAGE_PIXELS } from './contract.ts';
import { evaluateError } from './errors.ts';

/** Forward-pass outputs for the whole test split. */
export interface Inference {
  /** count × 10 raw scores. */
  logits: Float32Array;
  /** count × 10 softmax probabilities. */
  probabilities: Float32Array;
  /** count × 84 penultimate activations. */
  features: Float32Array;
  /** Argmax of each row's logits, first index on ties (like `torch.max(outputs, 1)`). */
  predicted: Uint8Array;
}

/** Options of {@link runInference}. */
export interface InferenceOptions {
  /** Images per `predict` call (≥ 1); bounds the normalised batch held in memory. */
  batchSize: number;
  /** uint8 pixels → floats in [-1, 1], the transform the model was trained with (`@tbpipe/train`'s normalizeImages). */
  normalize: (pixels: Uint8Array) => Float32Array;
  progress?: Progress;
}

const wrongOutputs = (what: string, got: number, n: number, width: number) =>
  evaluateError(
    'EVALUATE_MODEL_OUTPUTS',
    `the model returned ${got} ${what} for ${n} images (${got / n} per image)`,
    `${width} per image`,
    'evaluate a model of the tutorial\'s network (10 classes, 84 features) saved by the train stage',
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
 * progress keep flowing. Checks the model's output widths and that every logit is finite.
 */
export async function runInference(predictor: CnnPredictor, images: Uint8Array, count: number, options: InferenceOptions): Promise<Inference> {
  const logits = new Float32Array(count * CLASS_COUNT);
  const probabilities = new Float32Array(count * CLASS_COUNT);
  const features = new Float32Array(count * FEATURE_COUNT);
  for (let start = 0; start < count; start += options.batchSize) {
    const n = Math.min(options.batchSize, count - start);
    const batch = options.normalize(images.subarray(start * IMAGE_PIXELS, (start + n) * IMAGE_PIXELS));
    const out = predictor.predict(batch, n);
    if (out.logits.length !== n * CLASS_COUNT) throw wrongOutputs('logits', out.logits.length, n, CLASS_COUNT);
    if (out.probabilities.length !== n * CLASS_COUNT) throw wrongOutputs('probabilities', out.probabilities.length, n, CLASS_COUNT);
    if (out.features.length !== n * FEATURE_COUNT) throw wrongOutputs('features', out.features.length, n, FEATURE_COUNT);
    logits.set(out.logits, start * CLASS_COUNT);
    probabilities.set(out.probabilities, start * CLASS_COUNT);
    features.set(out.features, start * FEATURE_COUNT);
    options.progress?.update(start + n);
    await yieldToEventLoop();
  }
  return { logits, probabilities, features, predicted: argmaxRows(logits, count) };
}

/** Row-wise argmax, first index on ties; throws if a row holds NaN or ±Infinity. */
export function argmaxRows(logits: Float32Array, count: number): Uint8Array {
  const predicted = new Uint8Array(count);
  for (let i = 0, row = 0; i < count; i++, row += CLASS_COUNT) {
    let best = 0;
    for (let c = 0; c < CLASS_COUNT; c++) {
      const z = logits[row + c];
      if (!Number.isFinite(z)) throw notFinite(i);
      if (z > logits[row + best]) best = c;
    }
    predicted[i] = best;
  }
  return predicted;
}
