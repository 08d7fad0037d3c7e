import * as v from 'valibot';
import { inputDir, outputDir, pathParam, resolveStageOptions, silentLogger, type Logger, type StageInput, type StageOutput, type StageSpec } from '@tbpipe/core';
import type { BackendChoice, LoadCnnPredictor } from '@tbpipe/train/predictor';

/** The TensorFlow.js backends inference may ask for; `auto` picks the fastest that loads. */
export const BACKEND_CHOICES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const satisfies readonly BackendChoice[];

/** The evaluate stage's options, declared once: CLI flags and `--help`, {@link EvaluateOptions}, pipeline.json's params. */
export const EVALUATE_STAGE = {
  package: '@tbpipe/evaluate',
  bin: 'tbpipe-evaluate',
  summary: `Evaluates the trained network on the test split, as the tutorial's "Assessing trained models with TensorBoard":
predictions for every test image, accuracy and per-class metrics, and one PR curve per class. Or evaluates
predictions made elsewhere (--predictions FILE, Arrow IPC or Parquet), with or without the test split.`,
  notes: 'Exit codes: 0 done, 1 expected failure (missing or mismatched inputs), 2 bad usage, 70 bug.',
  options: v.object({
    dataDir: v.optional(inputDir('data', "the ingest stage's output: test.arrow + manifest.json (tbpipe.ingest/v2); required with --model, optional with --predictions (then counts and labels are checked against it)")),
    modelDir: v.optional(inputDir('model', "the train stage's output: model/ + run.json + manifest.json (tbpipe.train/v1); or give --predictions")),
    predictions: v.optional(
      pathParam(
        `predictions made elsewhere, instead of --model: an Arrow IPC or Parquet file with columns
label (int or class name), probabilities (list<float>[K], rows sum to 1) and
optionally index, predicted, features (list<float>[D]); class names from its
tbpipe.classNames metadata, --class-names or --data`,
      ),
    ),
    classNames: v.optional(
      v.pipe(v.string(), v.minLength(1), v.description('with --predictions: the class names, comma-separated ("cat,dog") or a JSON array; wins over the file\'s metadata')),
    ),
    outDir: outputDir(
      'out',
      `this stage's artifact directory:
predictions.arrow  one row per test image (tbpipe.predictions/v2):
                     index Uint32, label and predicted Uint8 (Uint16 above
                     256 classes), probabilities FixedSizeList<Float32>[K],
                     features FixedSizeList<Float32>[D] (the input of the
                     last dense layer; absent if external predictions lack it)
metrics.json       accuracy, loss (mean cross-entropy), per class: accuracy,
                   precision, recall, F1, average precision, support; macro
                   averages; confusion matrix [true][predicted]; class names
volatile/          timings.json: durations, images/s (not cached)
manifest.json      tbpipe.evaluate/v2, sha256 of the files above but volatile/`,
    ),
    runDir: outputDir(
      'run-dir',
      `TensorBoard run directory; replaces this stage's earlier output there:
events.out.tfevents.*.evaluate  PR curves (one per class, tagged with its name,
                   step 0), image "confusion matrix" (up to 30 classes; above,
                   "top confused pairs"), text "per-class accuracy",
                   scalars "test accuracy" and "test loss" (at the model's step)
hparams/           the train params (lr, momentum, batch_size, epochs, seed, init,
                   backend; or an external file's tbpipe.hparams) with
                   hparam/accuracy and hparam/loss (HPARAMS tab)`,
    ),
    numThresholds: v.optional(
      v.pipe(v.number(), v.integer(), v.minValue(2), v.maxValue(127), v.description("thresholds per PR curve (127 is torch's default and maximum)")),
      127,
    ),
    batchSize: v.optional(
      v.pipe(v.number(), v.integer(), v.minValue(1), v.description('test images per forward pass; memory only, results do not change')),
      1000,
    ),
    backend: v.optional(v.pipe(v.picklist(BACKEND_CHOICES), v.description('TensorFlow.js backend; auto: the fastest that loads (tensorflow → wasm → cpu)')), 'auto'),
  }),
} as const satisfies StageSpec;

/** Options of {@link evaluate}: the stage's declared options ({@link EVALUATE_STAGE}) and what only a library caller passes. */
export type EvaluateOptions = StageInput<typeof EVALUATE_STAGE.options> & {
  /** pino logger; silent by default. */
  logger?: Logger;
  /** Loads the model; default `@tbpipe/train`'s `loadCnnPredictor`. Tests and other engines inject their own. */
  loadPredictor?: LoadCnnPredictor;
};

/** The resolved options: every default applied and validated. */
export type ResolvedEvaluateOptions = StageOutput<typeof EVALUATE_STAGE.options> & { logger: Logger; loadPredictor?: LoadCnnPredictor };

/** Every default of the evaluate stage, from its schema (pipelines/fashion-mnist/pipeline.json repeats numThresholds). */
export const DEFAULT_EVALUATE_OPTIONS = v.getDefaults(EVALUATE_STAGE.options) as { numThresholds: number; batchSize: number; backend: BackendChoice };

/** Apply the schema's defaults and validate; throws a one-line `UsageError` naming the flag. */
export function resolveEvaluateOptions(options: EvaluateOptions): ResolvedEvaluateOptions {
  return { logger: silentLogger, ...resolveStageOptions(EVALUATE_STAGE, options) } as ResolvedEvaluateOptions;
}
