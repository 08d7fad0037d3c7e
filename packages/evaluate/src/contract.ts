import { CONTRACT_KEY } from '@tbpipe/core';
import { CLASS_COUNT, IMAGE_PIXELS, INGEST_CONTRACT, TEST_FILE } from '@tbpipe/ingest/contract';
import { Field, FixedSizeList, Float32, Schema, Uint32, Uint8 } from 'apache-arrow';

/** Contract id of the evaluate stage's output directory (its `manifest.json`). */
export const EVALUATE_CONTRACT = 'tbpipe.evaluate/v1';

/** Contract id of `predictions.arrow`; bump on any schema change. */
export const PREDICTIONS_CONTRACT = 'tbpipe.predictions/v1';

/** Contract ids of the upstream directories this stage reads (ingest's is its own export). */
export { INGEST_CONTRACT };
// N.B. a literal, not `@tbpipe/train/predictor`'s export: that entry loads TensorFlow.js, which evaluate imports
// lazily, only once its inputs are known to be good.
export const TRAIN_CONTRACT = 'tbpipe.train/v1';

/** Classes the tutorial's network predicts (width of `probabilities`): ingest's class count. */
export { CLASS_COUNT };

/** Penultimate activations per image (fc2's 84 outputs after ReLU; width of `features`). */
export const FEATURE_COUNT = 84;

/** Pixels per image the network takes (1 × 28 × 28): ingest's image size. */
export { IMAGE_PIXELS };

/** File names inside the evaluate stage's `outDir`. */
export const EVALUATE_FILES = {
  predictions: 'predictions.arrow',
  metrics: 'metrics.json',
  /** Durations and rates: differ from run to run, so never hashed or cached as outputs. */
  volatile: 'volatile',
  timings: 'volatile/timings.json',
} as const;

/** The upstream files this stage reads, relative to `--data` and `--model`. */
export const INPUT_FILES = {
  testSet: TEST_FILE,
  model: 'model',
  run: 'run.json',
} as const;

/**
 * `predictions.arrow`: one row per test image, in test-split order, none nullable.
 * - `index`: the row of the image in the ingest stage's `test.arrow`.
 * - `label`: the true class, in [0, 10).
 * - `predicted`: argmax of the logits (first index on ties, like `torch.max(outputs, 1)`).
 * - `probabilities`: softmax of the logits, float32, 10 per row (sum ≈ 1).
 * - `features`: the 84 penultimate activations (after fc2's ReLU), the learned features the projection stage embeds.
 */
export const PredictionsSchema = new Schema(
  [
    new Field('index', new Uint32(), false),
    new Field('label', new Uint8(), false),
    new Field('predicted', new Uint8(), false),
    new Field('probabilities', new FixedSizeList(CLASS_COUNT, new Field('item', new Float32(), false)), false),
    new Field('features', new FixedSizeList(FEATURE_COUNT, new Field('item', new Float32(), false)), false),
  ],
  new Map([[CONTRACT_KEY, PREDICTIONS_CONTRACT]]),
);
