import { CONTRACT_KEY } from '@tbpipe/core';
import { CLASS_NAMES_KEY, INGEST_CONTRACT, labelType, TEST_FILE } from '@tbpipe/ingest/contract';
import { Field, FixedSizeList, Float32, Schema, Uint32 } from 'apache-arrow';

/** Contract id of the evaluate stage's output directory (its `manifest.json`). */
export const EVALUATE_CONTRACT = 'tbpipe.evaluate/v2';

/** Contract id of `predictions.arrow`; bump on any schema change. */
export const PREDICTIONS_CONTRACT = 'tbpipe.predictions/v2';

/** Contract ids of the upstream directories this stage reads (ingest's is its own export). */
export { INGEST_CONTRACT };
// N.B. a literal, not `@tbpipe/train/predictor`'s export: that entry loads TensorFlow.js, which evaluate imports
// lazily, only once its inputs are known to be good.
export const TRAIN_CONTRACT = 'tbpipe.train/v1';

/** Schema metadata key of `predictions.arrow` holding the class names (a JSON array): ingest's key. */
export { CLASS_NAMES_KEY };

/**
 * Schema metadata key of `predictions.arrow` naming the layer whose output the features are (e.g. `fc2`, the
 * tutorial's), when known: the project stage puts it in its figure titles.
 */
export const FEATURE_LAYER_KEY = 'tbpipe.featureLayer';

/** Fewest and most classes the stage evaluates (a PR curve and a confusion-matrix row per class). */
export const MIN_CLASSES = 2;
export const MAX_CLASSES = 1000;

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

const floats = (width: number) => new FixedSizeList(width, new Field('item', new Float32(), false));

/**
 * The schema of `predictions.arrow` (`tbpipe.predictions/v2`) for these classes and `featureWidth` features per
 * row (`undefined`: no `features` column, as when evaluating external predictions that carry none). None nullable:
 * - `index` Uint32: the row of the image in the ingest stage's `test.arrow` (or in the external predictions file).
 * - `label` and `predicted`: the true class and argmax of the logits (first index on ties, like
 *   `torch.max(outputs, 1)`), in the narrowest unsigned int holding the class count (Uint8 up to 256 classes).
 * - `probabilities` FixedSizeList(K, Float32): softmax of the logits, K = the class count (rows sum to ≈ 1).
 * - `features` FixedSizeList(D, Float32): the network's feature layer (the input of its last dense layer; the
 *   tutorial's fc2 after ReLU, D = 84), the learned features the project stage embeds.
 *
 * Schema metadata: the contract id, the class names (`tbpipe.classNames`, a JSON array of K strings) and, when
 * known, the feature layer's name (`tbpipe.featureLayer`).
 */
export function predictionsSchema(classNames: readonly string[], featureWidth: number | undefined, featureLayer?: string): Schema {
  const k = classNames.length;
  const fields = [
    new Field('index', new Uint32(), false),
    new Field('label', labelType(k), false),
    new Field('predicted', labelType(k), false),
    new Field('probabilities', floats(k), false),
  ];
  if (featureWidth !== undefined) fields.push(new Field('features', floats(featureWidth), false));
  const metadata = new Map([
    [CONTRACT_KEY, PREDICTIONS_CONTRACT],
    [CLASS_NAMES_KEY, JSON.stringify(classNames)],
  ]);
  if (featureWidth !== undefined && featureLayer !== undefined) metadata.set(FEATURE_LAYER_KEY, featureLayer);
  return new Schema(fields, metadata);
}
