import { createProgress, MANIFEST_FILE, removeTempDebris, UsageError, writeFileAtomic, writeManifest, type Logger, type Manifest } from '@tbpipe/core';
import type { BackendName } from '@tbpipe/train/predictor';
import { availableParallelism, cpus } from 'node:os';
import { mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { EVALUATE_CONTRACT, EVALUATE_FILES } from './contract.ts';
import { evaluateError } from './errors.ts';
import { readExternalPredictions } from './external/predictions-file.ts';
import { runInference } from './inference.ts';
import { checkSameClasses, readModelInfo, readTestSet, type TestSet } from './inputs.ts';
import { computeMetrics, describeClassAccuracy, type Metrics } from './metrics.ts';
import { resolveEvaluateOptions, type EvaluateOptions, type ResolvedEvaluateOptions } from './options.ts';
import { computeClassPrCurves, type PrCurve } from './pr-curve.ts';
import { writePredictions } from './predictions.ts';
import { hparamsFromModel, renderConfusionFigure, writeReport } from './report.ts';

export { DEFAULT_EVALUATE_OPTIONS } from './options.ts';
export type { EvaluateOptions } from './options.ts';

/** Where the predictions came from: the train stage's model run here, or a file made elsewhere. */
export type PredictionSource = BackendName | 'external';

/** What {@link evaluate} returns. */
export interface EvaluateResult {
  outDir: string;
  /** The backend inference ran on, or `external` for `--predictions`. */
  backend: PredictionSource;
  metrics: Metrics;
  /** One PR curve per class, in class order (what TensorBoard's PR CURVES tab shows). */
  prCurves: PrCurve[];
  /** The `.evaluate` event file written into `runDir`. */
  eventFile: string;
  manifest: Manifest;
}

/** `volatile/timings.json`: facts that differ from run to run. Never hashed, never part of the manifest. */
export interface EvaluateTimings {
  startedAt: string;
  totalSeconds: number;
  /** Model inference (0 for external predictions, where `readSeconds` is the file's reading and checking). */
  inferenceSeconds: number;
  imagesPerSecond: number;
  readSeconds?: number;
  prCurveMillis: number;
  backend: PredictionSource;
  host: { cpuModel: string; cpus: number; node: string };
}

/** Everything the outputs are made of, whichever way the predictions were obtained. */
interface Outcome {
  count: number;
  classNames: string[];
  index: Uint32Array;
  labels: Uint16Array;
  predicted: Uint16Array;
  probabilities: Float32Array;
  logits?: Float32Array;
  features?: Float32Array;
  featureLayer?: string;
  hparams: Record<string, number | string>;
  step: number;
  backend: PredictionSource;
  inferenceSeconds: number;
  readSeconds?: number;
  /** Manifest `info` entries describing the inputs. */
  info: Record<string, unknown>;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** `--class-names`: a JSON array, or names separated by commas. */
export function parseClassNamesFlag(text: string): string[] {
  const trimmed = text.trim();
  let names: unknown = trimmed.split(',').map((s) => s.trim());
  if (trimmed.startsWith('[')) {
    try {
      names = JSON.parse(trimmed);
    } catch {
      names = null;
    }
  }
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string' || n === '')) {
    throw new UsageError(`--class-names is ${JSON.stringify(text)}, expected names separated by commas or a JSON array of non-empty strings`);
  }
  return names as string[];
}

/** The train stage's model run over the test split. */
async function fromModel(o: ResolvedEvaluateOptions & { dataDir: string; modelDir: string }, log: Logger): Promise<Outcome> {
  const test = await readTestSet(o.dataDir);
  const model = await readModelInfo(o.modelDir);
  checkSameClasses(o.dataDir, o.modelDir, test, model);
  // Loaded lazily: tfjs is only needed once the inputs are known to be good.
  const train = await import('@tbpipe/train/predictor');
  const load = o.loadPredictor ?? train.loadCnnPredictor;
  const predictor = await load(model.modelPath, { backend: o.backend });
  const k = test.classNames.length;
  try {
    checkModelFitsData(o.modelDir, o.dataDir, predictor.network as NetworkFacts | undefined, test);
    log.info({ backend: predictor.backend, requested: o.backend, images: test.count, batchSize: o.batchSize, classes: k }, 'model loaded');
    const progress = createProgress({ label: 'evaluate', total: test.count, unit: 'images', logger: log });
    const t0 = performance.now();
    const inference = await runInference(predictor, test.images, test.count, {
      classCount: k,
      imageBytes: test.height * test.width * test.channels,
      batchSize: o.batchSize,
      normalize: train.normalizeImages,
      progress,
    });
    progress.done();
    return {
      count: test.count,
      classNames: test.classNames,
      index: Uint32Array.from({ length: test.count }, (_, i) => i),
      labels: test.labels,
      predicted: inference.predicted,
      probabilities: inference.probabilities,
      logits: inference.logits,
      features: inference.features,
      featureLayer: featureLayerName(predictor.network as NetworkFacts | undefined),
      hparams: hparamsFromModel(model),
      step: model.steps,
      backend: predictor.backend,
      inferenceSeconds: (performance.now() - t0) / 1000,
      info: { testSha256: test.sha256, modelRunSha256: model.runSha256 },
    };
  } finally {
    predictor.dispose();
  }
}

/** What evaluate reads of the predictor's network (train's `ResolvedNetwork`): its input, classes and layers. */
interface NetworkFacts {
  input: { height: number; width: number; channels: number };
  classCount: number;
  featureLayer: number;
  layers: readonly { scope: string; params: readonly unknown[] }[];
}

/** The model must take the test split's images and output its class count: checked before any inference. */
function checkModelFitsData(modelDir: string, dataDir: string, network: NetworkFacts | undefined, test: TestSet): void {
  if (!network) return;
  const { height, width, channels } = network.input;
  if (height !== test.height || width !== test.width || channels !== test.channels) {
    throw evaluateError(
      'EVALUATE_MODEL_INPUT',
      `the model in --model ${modelDir} takes ${height} × ${width} × ${channels} images but --data ${dataDir} has ${test.height} × ${test.width} × ${test.channels}`,
      'the image size the model was trained on',
      'evaluate the model on the dataset it was trained on',
    );
  }
  if (network.classCount !== test.classNames.length) {
    throw evaluateError(
      'EVALUATE_MODEL_OUTPUTS',
      `the model in --model ${modelDir} outputs ${network.classCount} classes but --data ${dataDir} has ${test.classNames.length}`,
      'one output per class of the test split',
      'evaluate the model on the dataset it was trained on',
    );
  }
}

/**
 * The name of the layer whose outputs are the features (the input of the last dense layer): the nearest layer
 * before it that has parameters, e.g. the tutorial's `fc2` (its ReLU in between has none).
 */
export function featureLayerName(network: NetworkFacts | undefined): string | undefined {
  if (!network) return undefined;
  for (let i = network.featureLayer - 1; i >= 0; i--) if (network.layers[i]?.params.length) return network.layers[i].scope;
  return undefined;
}

/** With `--data` beside `--predictions`: the same number of rows, and each label the test split's at its index. */
function checkAgainstTestSet(path: string, dataDir: string, test: TestSet, index: Uint32Array, labels: Uint16Array): void {
  if (index.length !== test.count) {
    throw evaluateError(
      'EVALUATE_PREDICTIONS_DATA',
      `--predictions ${path} has ${index.length} rows but --data ${dataDir} has ${test.count} test images`,
      'one prediction per test image',
      'export predictions for the whole test split, or leave out --data',
    );
  }
  for (let row = 0; row < index.length; row++) {
    const i = index[row];
    if (i >= test.count || labels[row] !== test.labels[i]) {
      const seen = i >= test.count ? `index ${i}` : `label ${labels[row]} (${test.classNames[labels[row]]})`;
      const expected = i >= test.count ? `a test row in [0, ${test.count})` : `label ${test.labels[i]} (${test.classNames[test.labels[i]]}), the test split's at index ${i}`;
      throw evaluateError(
        'EVALUATE_PREDICTIONS_DATA',
        `--predictions ${path} row ${row} has ${seen}`,
        expected,
        'export the predictions in test-split order (or with an index column), for the same dataset as --data',
      );
    }
  }
}

/** Predictions made elsewhere (`--predictions FILE`), checked, and against `--data` when given. */
async function fromFile(o: ResolvedEvaluateOptions & { predictions: string }, log: Logger): Promise<Outcome> {
  const t0 = performance.now();
  const test = o.dataDir ? await readTestSet(o.dataDir) : undefined;
  const p = await readExternalPredictions(o.predictions, {
    classNames: o.classNames === undefined ? undefined : parseClassNamesFlag(o.classNames),
    dataClassNames: test?.classNames,
  });
  if (test && o.dataDir) {
    if (p.classNames.length !== test.classNames.length || p.classNames.some((c, i) => c !== test.classNames[i])) {
      throw evaluateError(
        'EVALUATE_CLASS_NAMES',
        `--predictions ${o.predictions} has classes [${p.classNames.join(', ')}] (from ${p.classNamesFrom === 'flag' ? '--class-names' : 'its metadata'}) but --data ${o.dataDir} has [${test.classNames.join(', ')}]`,
        'the same classes in the same order',
        'export predictions for the dataset given as --data, or leave out --data',
      );
    }
    checkAgainstTestSet(o.predictions, o.dataDir, test, p.index, p.label);
  }
  log.info({ file: o.predictions, format: p.format, rows: p.count, classes: p.classNames.length, classNamesFrom: p.classNamesFrom, features: p.featureWidth }, 'predictions read');
  return {
    count: p.count,
    classNames: p.classNames,
    index: p.index,
    labels: p.label,
    predicted: p.predicted,
    probabilities: p.probabilities,
    features: p.features,
    featureLayer: p.featureLayer,
    hparams: { model: 'external', predictions: basename(o.predictions), ...p.hparams },
    step: p.step,
    backend: 'external',
    inferenceSeconds: 0,
    readSeconds: (performance.now() - t0) / 1000,
    info: { predictionsFile: o.predictions, predictionsSha256: p.sha256, ...(test ? { testSha256: test.sha256 } : {}) },
  };
}

/**
 * Evaluate the train stage's model on the ingest stage's test split, as the tutorial's "Assessing trained models
 * with TensorBoard" section does — or predictions made elsewhere (`predictions`: an Arrow IPC or Parquet file, see
 * the README's external predictions contract): predictions for every test image (`predictions.arrow`), accuracy,
 * loss and per-class accuracy/precision/recall/F1/average precision with the confusion matrix (`metrics.json`), and
 * in TensorBoard one PR curve per class (computed exactly as torch's `add_pr_curve`), the confusion matrix (top
 * confused pairs above 30 classes), the per-class table, accuracy and loss scalars and an hparams entry. The class
 * count (2 to 1 000), image shape and feature width all come from the data and the model. Writes `manifest.json` last.
 * @throws {UsageError} bad options; {@link EvaluateError} inputs that are missing, of the wrong contract, or do not
 *   fit together (class count, class names, image size), a model whose outputs are wrong or not finite, or an
 *   external predictions file that breaks its contract.
 * @example
 * const result = await evaluate({ dataDir: 'artifacts/fashion-mnist/ingest', modelDir: 'artifacts/fashion-mnist/train',
 *   outDir: 'artifacts/fashion-mnist/evaluate', runDir: 'runs/fashion_mnist_experiment_1' });
 * console.log(result.metrics.accuracy, result.metrics.perClass.map((c) => c.accuracy));
 * await evaluate({ predictions: 'preds.parquet', outDir: 'out/evaluate', runDir: 'runs/external' });
 */
export async function evaluate(options: EvaluateOptions): Promise<EvaluateResult> {
  const startedAt = new Date();
  const startMs = performance.now();
  const o = resolveEvaluateOptions(options);
  const log = o.logger.child({ stage: 'evaluate' });
  if (o.predictions !== undefined && o.modelDir !== undefined) {
    throw new UsageError('--model and --predictions are both given, expected one of them (a model to run, or predictions made elsewhere)');
  }
  if (o.classNames !== undefined && o.predictions === undefined) {
    throw new UsageError('--class-names is given without --predictions, expected it only with --predictions (a model takes its classes from --data)');
  }
  let outcome: Outcome;
  if (o.predictions !== undefined) {
    outcome = await fromFile({ ...o, predictions: o.predictions }, log);
  } else {
    if (o.modelDir === undefined) throw new UsageError('--model is required (or --predictions, for predictions made elsewhere)');
    if (o.dataDir === undefined) throw new UsageError('--data is required with --model');
    outcome = await fromModel({ ...o, dataDir: o.dataDir, modelDir: o.modelDir }, log);
  }

  const t1 = performance.now();
  const prCurves = computeClassPrCurves(outcome.labels, outcome.probabilities, outcome.classNames.length, o.numThresholds);
  const prCurveMillis = performance.now() - t1;
  const metrics = computeMetrics({ labels: outcome.labels, predicted: outcome.predicted, probabilities: outcome.probabilities, logits: outcome.logits, classNames: outcome.classNames });
  for (const line of describeClassAccuracy(metrics)) log.info(line);
  log.info({ accuracy: metrics.accuracy, loss: metrics.loss }, 'test metrics');

  // A manifest left by an earlier run must not vouch for the files about to be replaced.
  await rm(join(o.outDir, MANIFEST_FILE), { force: true });
  // A run killed mid-write leaves `.predictions.arrow.tmp-…`; Nx would cache it with the outputs.
  await removeTempDebris(o.outDir);
  await mkdir(o.outDir, { recursive: true });
  await writePredictions(join(o.outDir, EVALUATE_FILES.predictions), {
    count: outcome.count,
    classNames: outcome.classNames,
    index: outcome.index,
    label: outcome.labels,
    predicted: outcome.predicted,
    probabilities: outcome.probabilities,
    features: outcome.features,
    featureLayer: outcome.featureLayer,
  });
  await writeFileAtomic(join(o.outDir, EVALUATE_FILES.metrics), json(metrics));

  const confusion = await renderConfusionFigure(metrics);
  const eventFile = await writeReport({
    runDir: o.runDir,
    classNames: outcome.classNames,
    curves: prCurves,
    metrics,
    confusion,
    hparams: outcome.hparams,
    step: outcome.step,
  });

  const inferenceSeconds = outcome.inferenceSeconds;
  const timings: EvaluateTimings = {
    startedAt: startedAt.toISOString(),
    totalSeconds: round3((performance.now() - startMs) / 1000),
    inferenceSeconds: round3(inferenceSeconds),
    imagesPerSecond: inferenceSeconds > 0 ? round3(outcome.count / inferenceSeconds) : 0,
    ...(outcome.readSeconds === undefined ? {} : { readSeconds: round3(outcome.readSeconds) }),
    prCurveMillis: round3(prCurveMillis),
    backend: outcome.backend,
    host: { cpuModel: cpus()[0]?.model.trim() ?? 'unknown', cpus: availableParallelism(), node: process.version },
  };
  await writeFileAtomic(join(o.outDir, EVALUATE_FILES.timings), json(timings));
  const manifest = await writeManifest(o.outDir, EVALUATE_CONTRACT, [EVALUATE_FILES.predictions, EVALUATE_FILES.metrics], {
    images: outcome.count,
    accuracy: metrics.accuracy,
    loss: metrics.loss,
    numThresholds: prCurves[0]?.numThresholds ?? o.numThresholds,
    backend: outcome.backend,
    classNames: outcome.classNames,
    ...outcome.info,
  });
  log.info({ accuracy: metrics.accuracy, loss: metrics.loss, imagesPerSecond: timings.imagesPerSecond, eventFile }, 'evaluate done');
  return { outDir: o.outDir, backend: outcome.backend, metrics, prCurves, eventFile, manifest };
}
