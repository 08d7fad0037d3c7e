import { parseNumberFlag, silentLogger, UsageError, type Logger, type NumberRule } from '@tbpipe/core';
import type { BackendChoice, LoadCnnPredictor } from '@tbpipe/train/predictor';

/** Options of {@link evaluate}. Every pipeline param is a camelCase option and a kebab-case CLI flag. */
export interface EvaluateOptions {
  /** The ingest stage's output directory (`--data`): `test.arrow` + `manifest.json` (`tbpipe.ingest/v1`). */
  dataDir: string;
  /** The train stage's output directory (`--model`): `model/`, `run.json` + `manifest.json` (`tbpipe.train/v1`). */
  modelDir: string;
  /** This stage's artifact directory (`--out`): `predictions.arrow`, `metrics.json`, `volatile/`, `manifest.json`. */
  outDir: string;
  /** The TensorBoard run directory (`--run-dir`); this stage's event files end in `.evaluate`, plus `hparams/`. */
  runDir: string;
  /** Thresholds per PR curve, integer in [2, 127]. Default 127 (torch's default and maximum). */
  numThresholds?: number;
  /** Test images per forward pass; integer ≥ 1. Bounds memory only: results do not depend on it. Default 1000. */
  batchSize?: number;
  /** TensorFlow.js backend for inference: `auto` (default: tensorflow → wasm → cpu), `tensorflow`, `wasm`, `cpu`. */
  backend?: BackendChoice;
  /** pino logger; silent by default. */
  logger?: Logger;
  /** Loads the model; default `@tbpipe/train`'s `loadCnnPredictor`. Tests and other engines inject their own. */
  loadPredictor?: LoadCnnPredictor;
}

/** The resolved options: every default applied and validated. */
export type ResolvedEvaluateOptions = Required<Omit<EvaluateOptions, 'loadPredictor'>> & Pick<EvaluateOptions, 'loadPredictor'>;

/** Every default of the evaluate stage in one place (pipelines/fashion-mnist/pipeline.json repeats numThresholds). */
export const DEFAULT_EVALUATE_OPTIONS = {
  numThresholds: 127,
  batchSize: 1000,
  backend: 'auto' as BackendChoice,
} as const;

/** The numeric params, their CLI flags and valid ranges: one table for the CLI and the library. */
export const NUMERIC_PARAMS = {
  numThresholds: { flag: 'num-thresholds', rule: { integer: true, min: 2, max: 127 } },
  batchSize: { flag: 'batch-size', rule: { integer: true, min: 1 } },
} as const satisfies Record<string, { flag: string; rule: NumberRule }>;

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

/** The directory options and their flags, all required. */
const DIRECTORIES = [
  ['dataDir', 'data'],
  ['modelDir', 'model'],
  ['outDir', 'out'],
  ['runDir', 'run-dir'],
] as const;

/** Check `--backend` against its choices. */
export function parseBackend(raw: string): BackendChoice {
  if (!(BACKEND_CHOICES as readonly string[]).includes(raw)) {
    throw new UsageError(`--backend is ${JSON.stringify(raw)}, expected one of ${BACKEND_CHOICES.join(', ')}`);
  }
  return raw as BackendChoice;
}

/** Apply {@link DEFAULT_EVALUATE_OPTIONS} and validate; throws a one-line `UsageError` naming the flag. */
export function resolveEvaluateOptions(options: EvaluateOptions): ResolvedEvaluateOptions {
  for (const [key, flag] of DIRECTORIES) {
    if (typeof options[key] !== 'string' || options[key] === '') throw new UsageError(`--${flag} is required`);
  }
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as EvaluateOptions;
  const merged = { ...DEFAULT_EVALUATE_OPTIONS, logger: silentLogger, ...defined };
  for (const [key, { flag, rule }] of Object.entries(NUMERIC_PARAMS)) {
    const value = merged[key as keyof typeof NUMERIC_PARAMS];
    // core prints the value with JSON.stringify, which turns NaN and Infinity into "null".
    parseNumberFlag(flag, Number.isFinite(value) ? value : String(value), rule);
  }
  parseBackend(merged.backend);
  return merged;
}
