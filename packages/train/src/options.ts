import { parseNumberFlag, silentLogger, UsageError, type Logger, type NumberRule } from '@tbpipe/core';
import type { BackendChoice, CreateCnnTrainer, InitScheme } from './engine/types.ts';

/** Options of {@link train}. Every pipeline param is a camelCase option and a kebab-case CLI flag. */
export interface TrainOptions {
  /** The ingest stage's output directory (`--data`): `train.arrow` + `manifest.json` (`tbpipe.ingest/v1`). */
  dataDir: string;
  /** This stage's artifact directory (`--out`): `model/`, `history.arrow`, `run.json`, `volatile/`, `manifest.json`. */
  outDir: string;
  /** The TensorBoard run directory (`--run-dir`); this stage's event files end in `.train`. */
  runDir: string;
  /** Passes over the training set; integer ≥ 1. Default 1 (the tutorial). */
  epochs?: number;
  /** Images per mini-batch; integer ≥ 1. Default 4. */
  batchSize?: number;
  /** SGD learning rate, > 0. Default 0.001. */
  learningRate?: number;
  /** SGD momentum in [0, 1). Default 0.9. */
  momentum?: number;
  /** Seeds weight initialisation and the per-epoch shuffle; integer ≥ 0. Default 0. */
  seed?: number;
  /** Weight initialisation: `pytorch` (default) or `glorot`. */
  init?: InitScheme;
  /** `auto` (default) picks the fastest TensorFlow.js backend that loads: `tensorflow` → `wasm` → `cpu`. */
  backend?: BackendChoice;
  /** Mini-batches per `training loss` point and `predictions vs. actuals` figure; integer ≥ 1. Default 1000. */
  logEverySteps?: number;
  /**
   * Log weight and gradient histograms of every parameter with each `training loss` point (tags `weights/<name>`,
   * `gradients/<name>`, torch parameter names). Default true; CLI `--histograms true|false`.
   */
  histograms?: boolean;
  /**
   * Images of the batch drawn in each `predictions vs. actuals` figure (the first ones, like the tutorial's
   * `plot_classes_preds`, which draws `np.arange(4)`); integer 1–16, at most the batch size is drawn. Default 4.
   * Figures of more than 4 wrap into rows of 4, so the cost of a log point does not grow with the batch size.
   */
  figureImages?: number;
  /** Mini-batches between checkpoints in `outDir/checkpoint/`; integer ≥ 1. Default 5000. */
  checkpointEverySteps?: number;
  /** Stop after this many mini-batches in total (smoke runs, tests); integer ≥ 1. Default: no limit. */
  maxSteps?: number;
  /**
   * Divergence bound: a mini-batch loss above it (or NaN/±Infinity) stops the run with a `TrainDivergedError`;
   * > 0. Default 1e4. Cross-entropy over 10 classes is ln 10 ≈ 2.3 at initialisation and falls from there; 1e4
   * needs logits 1e4 apart, which no converging run comes near. A diverging network need not reach NaN: at
   * learning rate 10 the loss climbs to ~1e15, then its ReLUs die and it sits at a finite ~12.7 for good.
   */
  maxLoss?: number;
  /** pino logger; silent by default. */
  logger?: Logger;
  /** Aborting stops training after the current mini-batch with a `TrainAbortedError`; the checkpoint is kept. */
  signal?: AbortSignal;
  /** Called after every mini-batch with its global step (0-based) and loss; for progress UIs and tests. */
  onStep?: (step: number, loss: number) => void;
  /** The engine factory; default the package's engine (`src/engine`). Tests inject a small fake. */
  createTrainer?: CreateCnnTrainer;
}

/** The resolved options: every default applied and validated. */
export type ResolvedTrainOptions = Required<Omit<TrainOptions, 'signal' | 'onStep' | 'createTrainer'>> &
  Pick<TrainOptions, 'signal' | 'onStep' | 'createTrainer'>;

/** Every default of the train stage, the tutorial's values (pipelines/fashion-mnist/pipeline.json repeats them). */
export const DEFAULT_TRAIN_OPTIONS = {
  epochs: 1,
  batchSize: 4,
  learningRate: 0.001,
  momentum: 0.9,
  seed: 0,
  init: 'pytorch' as InitScheme,
  backend: 'auto' as BackendChoice,
  logEverySteps: 1000,
  histograms: true,
  figureImages: 4,
  checkpointEverySteps: 5000,
  maxSteps: Number.POSITIVE_INFINITY,
  maxLoss: 1e4,
} as const;

/** Most images a `predictions vs. actuals` figure draws (4 rows of 4, 1200 × 1352 px). */
export const MAX_FIGURE_IMAGES = 16;

/** Images per row of a `predictions vs. actuals` figure: the tutorial's row of 4; more wrap into further rows. */
export const FIGURE_COLUMNS = 4;

/** The numeric params, their CLI flags and valid ranges: one table for the CLI and the library. */
export const NUMERIC_PARAMS = {
  epochs: { flag: 'epochs', rule: { integer: true, min: 1 } },
  batchSize: { flag: 'batch-size', rule: { integer: true, min: 1 } },
  learningRate: { flag: 'learning-rate', rule: { min: 0, exclusiveMin: true } },
  momentum: { flag: 'momentum', rule: { min: 0 } },
  seed: { flag: 'seed', rule: { integer: true, min: 0, max: 2 ** 32 - 1 } },
  logEverySteps: { flag: 'log-every-steps', rule: { integer: true, min: 1 } },
  figureImages: { flag: 'figure-images', rule: { integer: true, min: 1, max: MAX_FIGURE_IMAGES } },
  checkpointEverySteps: { flag: 'checkpoint-every-steps', rule: { integer: true, min: 1 } },
  maxSteps: { flag: 'max-steps', rule: { integer: true, min: 1 } },
  maxLoss: { flag: 'max-loss', rule: { min: 0, exclusiveMin: true } },
} as const satisfies Record<string, { flag: string; rule: NumberRule }>;

/** The boolean params and their CLI flags, given as `--<flag> true|false` (pipeline.json passes values). */
export const BOOLEAN_PARAMS = {
  histograms: { flag: 'histograms' },
} as const satisfies Record<string, { flag: string }>;

/** Parse a `true`/`false` flag value (a one-line `UsageError` naming the flag otherwise). */
export function parseBooleanFlag(flag: string, raw: string): boolean {
  return parseChoice(flag, raw, ['true', 'false'] as const) === 'true';
}

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow', 'wasm', 'cpu'];
export const INIT_SCHEMES: readonly InitScheme[] = ['pytorch', 'glorot'];

/** Check a string param against its allowed values (message names the flag, the value and the choices). */
export function parseChoice<T extends string>(flag: string, raw: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(raw)) {
    throw new UsageError(`--${flag} is ${JSON.stringify(raw)}, expected one of ${choices.join(', ')}`);
  }
  return raw as T;
}

/** Apply {@link DEFAULT_TRAIN_OPTIONS} and validate; throws a one-line `UsageError` naming the flag. */
export function resolveTrainOptions(options: TrainOptions): ResolvedTrainOptions {
  for (const [key, flag] of [
    ['dataDir', 'data'],
    ['outDir', 'out'],
    ['runDir', 'run-dir'],
  ] as const) {
    if (typeof options[key] !== 'string' || options[key] === '') throw new UsageError(`--${flag} is required`);
  }
  const merged = { ...DEFAULT_TRAIN_OPTIONS, logger: silentLogger, ...dropUndefined(options) };
  for (const [key, { flag, rule }] of Object.entries(NUMERIC_PARAMS)) {
    const value = merged[key as keyof typeof NUMERIC_PARAMS];
    if (key === 'maxSteps' && value === Number.POSITIVE_INFINITY) continue;
    // core prints the value with JSON.stringify, which turns NaN and Infinity into "null".
    parseNumberFlag(flag, Number.isFinite(value) ? value : String(value), rule);
  }
  // parseNumberFlag has no exclusive maximum; momentum 1 never forgets a gradient and blows up.
  if (merged.momentum >= 1) throw new UsageError(`--momentum is ${merged.momentum}, expected a number ≥ 0 and < 1`);
  for (const [key, { flag }] of Object.entries(BOOLEAN_PARAMS)) {
    const value = merged[key as keyof typeof BOOLEAN_PARAMS];
    if (typeof value !== 'boolean') throw new UsageError(`--${flag} is ${JSON.stringify(value)}, expected true or false`);
  }
  parseChoice('backend', merged.backend, BACKEND_CHOICES);
  parseChoice('init', merged.init, INIT_SCHEMES);
  return merged;
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
