import { createProgress, MANIFEST_FILE, removeTempDebris, writeFileAtomic, writeManifest, type Manifest } from '@tbpipe/core';
import type { BackendName } from '@tbpipe/train/predictor';
import { availableParallelism, cpus } from 'node:os';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CLASS_COUNT, EVALUATE_CONTRACT, EVALUATE_FILES } from './contract.ts';
import { runInference, type Inference } from './inference.ts';
import { checkSameClasses, readModelInfo, readTestSet } from './inputs.ts';
import { computeMetrics, describeClassAccuracy, type Metrics } from './metrics.ts';
import { resolveEvaluateOptions, type EvaluateOptions } from './options.ts';
import { computeClassPrCurves, type PrCurve } from './pr-curve.ts';
import { writePredictions } from './predictions.ts';
import { hparamsFromModel, renderConfusionMatrix, writeReport } from './report.ts';

export { DEFAULT_EVALUATE_OPTIONS } from './options.ts';
export type { EvaluateOptions } from './options.ts';

/** What {@link evaluate} returns. */
export interface EvaluateResult {
  outDir: string;
  /** The backend inference ran on. */
  backend: BackendName;
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
  inferenceSeconds: number;
  imagesPerSecond: number;
  prCurveMillis: number;
  backend: BackendName;
  host: { cpuModel: string; cpus: number; node: string };
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Evaluate the train stage's model on the ingest stage's test split, as the tutorial's "Assessing trained models
 * with TensorBoard" section does: predictions for every test image (`predictions.arrow`), accuracy, loss and
 * per-class accuracy/precision/recall/F1/average precision with the confusion matrix (`metrics.json`), and in
 * TensorBoard one PR curve per class (computed exactly as torch's `add_pr_curve`), the confusion matrix, the
 * per-class table, accuracy and loss scalars and an hparams entry. Writes `manifest.json` last.
 * @throws {UsageError} bad options; {@link EvaluateError} inputs that are missing, of the wrong contract, or do not
 *   fit together (class count, class names, image size), or a model whose outputs are wrong or not finite.
 * @example
 * const result = await evaluate({ dataDir: 'artifacts/fashion-mnist/ingest', modelDir: 'artifacts/fashion-mnist/train',
 *   outDir: 'artifacts/fashion-mnist/evaluate', runDir: 'runs/fashion_mnist_experiment_1' });
 * console.log(result.metrics.accuracy, result.metrics.perClass.map((c) => c.accuracy));
 */
export async function evaluate(options: EvaluateOptions): Promise<EvaluateResult> {
  const startedAt = new Date();
  const startMs = performance.now();
  const o = resolveEvaluateOptions(options);
  const log = o.logger.child({ stage: 'evaluate' });

  const test = await readTestSet(o.dataDir);
  const model = await readModelInfo(o.modelDir);
  checkSameClasses(o.dataDir, o.modelDir, test, model);
  // Loaded lazily: tfjs is only needed once the inputs are known to be good.
  const train = await import('@tbpipe/train/predictor');
  const load = o.loadPredictor ?? train.loadCnnPredictor;
  const predictor = await load(model.modelPath, { backend: o.backend });
  let inferenceSeconds: number;
  let inference: Inference;
  try {
    log.info({ backend: predictor.backend, requested: o.backend, images: test.count, batchSize: o.batchSize }, 'model loaded');
    const progress = createProgress({ label: 'evaluate', total: test.count, unit: 'images', logger: log });
    const t0 = performance.now();
    inference = await runInference(predictor, test.images, test.count, { batchSize: o.batchSize, normalize: train.normalizeImages, progress });
    inferenceSeconds = (performance.now() - t0) / 1000;
    progress.done();
  } finally {
    predictor.dispose();
  }

  const t1 = performance.now();
  const prCurves = computeClassPrCurves(test.labels, inference.probabilities, CLASS_COUNT, o.numThresholds);
  const prCurveMillis = performance.now() - t1;
  const metrics = computeMetrics({ labels: test.labels, predicted: inference.predicted, probabilities: inference.probabilities, logits: inference.logits, classNames: test.classNames });
  for (const line of describeClassAccuracy(metrics)) log.info(line);
  log.info({ accuracy: metrics.accuracy, loss: metrics.loss }, 'test metrics');

  // A manifest left by an earlier run must not vouch for the files about to be replaced.
  await rm(join(o.outDir, MANIFEST_FILE), { force: true });
  // A run killed mid-write leaves `.predictions.arrow.tmp-…`; Nx would cache it with the outputs.
  await removeTempDebris(o.outDir);
  await mkdir(o.outDir, { recursive: true });
  await writePredictions(join(o.outDir, EVALUATE_FILES.predictions), {
    count: test.count,
    index: Uint32Array.from({ length: test.count }, (_, i) => i),
    label: test.labels,
    predicted: inference.predicted,
    probabilities: inference.probabilities,
    features: inference.features,
  });
  await writeFileAtomic(join(o.outDir, EVALUATE_FILES.metrics), json(metrics));

  const eventFile = await writeReport({
    runDir: o.runDir,
    classNames: test.classNames,
    curves: prCurves,
    metrics,
    confusionPng: await renderConfusionMatrix(metrics),
    hparams: hparamsFromModel(model),
    step: model.steps,
  });

  const timings: EvaluateTimings = {
    startedAt: startedAt.toISOString(),
    totalSeconds: round3((performance.now() - startMs) / 1000),
    inferenceSeconds: round3(inferenceSeconds),
    imagesPerSecond: round3(test.count / Math.max(inferenceSeconds, 1e-9)),
    prCurveMillis: round3(prCurveMillis),
    backend: predictor.backend,
    host: { cpuModel: cpus()[0]?.model.trim() ?? 'unknown', cpus: availableParallelism(), node: process.version },
  };
  await writeFileAtomic(join(o.outDir, EVALUATE_FILES.timings), json(timings));
  const manifest = await writeManifest(o.outDir, EVALUATE_CONTRACT, [EVALUATE_FILES.predictions, EVALUATE_FILES.metrics], {
    images: test.count,
    accuracy: metrics.accuracy,
    loss: metrics.loss,
    numThresholds: prCurves[0]?.numThresholds ?? o.numThresholds,
    backend: predictor.backend,
    classNames: test.classNames,
    testSha256: test.sha256,
    modelRunSha256: model.runSha256,
  });
  log.info({ accuracy: metrics.accuracy, loss: metrics.loss, imagesPerSecond: timings.imagesPerSecond, eventFile }, 'evaluate done');
  return { outDir: o.outDir, backend: predictor.backend, metrics, prCurves, eventFile, manifest };
}
