import * as v from 'valibot';
import { inputDir, outputDir, pathParam, resolveStageOptions, silentLogger, type Logger, type StageInput, type StageOutput, type StageSpec } from '@tbpipe/core';
import type { BackendChoice, CreateCnnTrainer, InitScheme, OptimizerName } from './engine/types.ts';
import { BUILTIN_NETWORKS } from './network/builtins.ts';

/** Most images a `predictions vs. actuals` figure draws (4 rows of 4, 1200 × 1352 px). */
export const MAX_FIGURE_IMAGES = 16;

/** Images per row of a `predictions vs. actuals` figure: the tutorial's row of 4; more wrap into further rows. */
export const FIGURE_COLUMNS = 4;

export const BACKEND_CHOICES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const satisfies readonly BackendChoice[];
export const INIT_SCHEMES = ['pytorch', 'glorot'] as const satisfies readonly InitScheme[];
export const OPTIMIZERS = ['sgd', 'adam'] as const satisfies readonly OptimizerName[];
/** `--threads`: strings, so the CLI flag and pipeline.json read the same (`"threads": "2"`). */
export const THREADS_CHOICES = ['auto', '1', '2'] as const;

const integer = (min: number, description: string, max?: number) =>
  max === undefined
    ? v.pipe(v.number(), v.integer(), v.minValue(min), v.description(description))
    : v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max), v.description(description));

/**
 * The train stage's options, declared once: CLI flags and `--help`, {@link TrainOptions}, pipeline.json's params,
 * `options.schema.json`. The defaults are the tutorial's values (pipelines/fashion-mnist/pipeline.json repeats them).
 */
export const TRAIN_STAGE = {
  package: '@tbpipe/train',
  bin: 'tbpipe-train',
  summary: `Trains a network given as a JSON layer list (default: the CNN of PyTorch's "Visualizing models, data, and
training with TensorBoard") with TensorFlow.js on the images the ingest stage wrote, any size and channel count:
SGD with momentum (or Adam) on mini-batches of the training set, reshuffled every epoch from the seed.`,
  notes: `Rerunning after an interruption (Ctrl-C, a crash) resumes from the last checkpoint when the data and the
params that shape training are the same, and ends with the same files as an uninterrupted run.
Exit codes: 0 done, 1 expected failure (bad data, divergence, interrupted), 2 bad usage, 70 bug.`,
  options: v.object({
    dataDir: inputDir('data', "the ingest stage's output: train.arrow + manifest.json (tbpipe.ingest/v2)"),
    outDir: outputDir(
      'out',
      `this stage's artifact directory:
model/            TensorFlow.js LayersModel (model.json + weights) + network.json
history.arrow     step: Int32, loss: Float32 (tbpipe.train.history/v1)
run.json          params, network, seed, backend, steps, final loss, class names
volatile/         timings.json: durations, steps/s, host (not cached)
manifest.json     tbpipe.train/v1, sha256 of every file above but volatile/
checkpoint/       only while running or after an interruption`,
    ),
    runDir: outputDir(
      'run-dir',
      `TensorBoard run directory; this stage writes one events.out.tfevents.*.train
file (previous .train files are replaced): scalar "training loss", image
"four_fashion_mnist_images", figures "predictions vs. actuals", the graph,
histograms "weights/<param>" and "gradients/<param>"`,
    ),
    network: v.optional(
      pathParam(
        `the network: a built-in (${BUILTIN_NETWORKS.join(', ')}),
a JSON layer-list file, or (in pipeline.json) an inline object;
input shape and class count come from the data`,
        { inline: true, names: BUILTIN_NETWORKS },
      ),
      'tutorial',
    ),
    epochs: v.optional(integer(1, 'passes over the training set'), 1),
    batchSize: v.optional(integer(1, 'images per mini-batch'), 4),
    optimizer: v.optional(v.pipe(v.picklist(OPTIMIZERS), v.description('torch.optim.SGD or torch.optim.Adam, as PyTorch defines them')), 'sgd'),
    learningRate: v.optional(v.pipe(v.number(), v.gtValue(0), v.description('learning rate')), 0.001),
    // Momentum 1 never forgets a gradient and blows up.
    momentum: v.optional(v.pipe(v.number(), v.minValue(0), v.ltValue(1), v.description('SGD momentum')), 0.9),
    nesterov: v.optional(v.pipe(v.boolean(), v.description('SGD: Nesterov momentum')), false),
    weightDecay: v.optional(v.pipe(v.number(), v.minValue(0), v.description('L2 penalty added to the gradient (g + wd·w), SGD and Adam')), 0),
    beta1: v.optional(v.pipe(v.number(), v.minValue(0), v.ltValue(1), v.description("Adam's β1")), 0.9),
    beta2: v.optional(v.pipe(v.number(), v.minValue(0), v.ltValue(1), v.description("Adam's β2")), 0.999),
    eps: v.optional(v.pipe(v.number(), v.gtValue(0), v.description("Adam's ε")), 1e-8),
    seed: v.optional(integer(0, 'weight init and shuffle seed', 2 ** 32 - 1), 0),
    init: v.optional(v.pipe(v.picklist(INIT_SCHEMES), v.description('weight initialisation')), 'pytorch'),
    backend: v.optional(
      v.pipe(
        v.picklist(BACKEND_CHOICES),
        v.description('TensorFlow.js backend; auto: the fastest that loads, tensorflow → wasm → cpu;\nthe one used is logged and recorded in run.json'),
      ),
      'auto',
    ),
    threads: v.optional(
      v.pipe(
        v.picklist(THREADS_CHOICES),
        v.description(
          'threads per training step of the fused engine: 2 splits each mini-batch between this thread\nand a worker (same result up to float summation order); auto: 2 when the batch is ≥ 32,\ntwo cores are available and the network has no batch norm; the count used is logged',
        ),
      ),
      'auto',
    ),
    logEverySteps: v.optional(integer(1, 'mini-batches per "training loss" point and figure'), 1000),
    histograms: v.optional(
      v.pipe(
        v.boolean(),
        v.description('weight and gradient histograms of every parameter with each loss point (tags weights/<name>,\ngradients/<name>, torch parameter names)'),
      ),
      true,
    ),
    figureImages: v.optional(
      integer(
        1,
        `images of the batch in each "predictions vs. actuals" figure (the first ones, like the tutorial's
plot_classes_preds), in rows of ${FIGURE_COLUMNS}; at most the batch size is drawn`,
        MAX_FIGURE_IMAGES,
      ),
      4,
    ),
    checkpointEverySteps: v.optional(integer(1, 'mini-batches between checkpoints in <out>/checkpoint/'), 5000),
    maxSteps: v.optional(
      v.pipe(v.number(), v.integer(), v.minValue(1), v.description('stop after n mini-batches in total, for smoke runs and tests'), v.metadata({ 'x-default': 'no limit' })),
    ),
    // Cross-entropy over 10 classes is ln 10 ≈ 2.3 at initialisation and falls from there; 1e4 needs logits 1e4
    // apart, which no converging run comes near. A diverging network need not reach NaN: at learning rate 10 the loss
    // climbs to ~1e15, then its ReLUs die and it sits at a finite ~12.7 for good.
    maxLoss: v.optional(
      v.pipe(v.number(), v.gtValue(0), v.description('divergence bound: stop (exit 1) when a mini-batch loss exceeds it or is NaN\n(cross-entropy over 10 classes starts at ln 10 ≈ 2.3)')),
      1e4,
    ),
  }),
} as const satisfies StageSpec;

/** Options of {@link train}: the stage's declared options ({@link TRAIN_STAGE}) and what only a library caller passes. */
export type TrainOptions = StageInput<typeof TRAIN_STAGE.options> & {
  /** pino logger; silent by default. */
  logger?: Logger;
  /** Aborting stops training after the current mini-batch with a `TrainAbortedError`; the checkpoint is kept. */
  signal?: AbortSignal;
  /** Called after every mini-batch with its global step (0-based) and loss; for progress UIs and tests. */
  onStep?: (step: number, loss: number) => void;
  /** The engine factory; default the package's engine (`src/engine`). Tests inject a small fake. */
  createTrainer?: CreateCnnTrainer;
};

/** The resolved options: every default applied and validated; `maxSteps` is `Infinity` when not given. */
export type ResolvedTrainOptions = StageOutput<typeof TRAIN_STAGE.options> & { maxSteps: number; logger: Logger } & Pick<
    TrainOptions,
    'signal' | 'onStep' | 'createTrainer'
  >;

/** Every default of the train stage, from its schema, plus no step limit. */
export const DEFAULT_TRAIN_OPTIONS = {
  ...(v.getDefaults(TRAIN_STAGE.options) as Omit<StageOutput<typeof TRAIN_STAGE.options>, 'dataDir' | 'outDir' | 'runDir' | 'maxSteps'>),
  maxSteps: Number.POSITIVE_INFINITY,
};

/** Apply the schema's defaults and validate; throws a one-line `UsageError` naming the flag. */
export function resolveTrainOptions(options: TrainOptions): ResolvedTrainOptions {
  const resolved = resolveStageOptions(TRAIN_STAGE, options);
  return { logger: silentLogger, ...resolved, maxSteps: resolved.maxSteps ?? Number.POSITIVE_INFINITY } as ResolvedTrainOptions;
}
