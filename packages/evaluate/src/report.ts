import { removeRunFiles } from '@tbpipe/eventlog';
import type { ModelInfo } from './inputs.ts';
import { renderMetricsMarkdown, type Metrics } from './metrics.ts';
import type { PrCurve } from './pr-curve.ts';

/** The suffix of this stage's event files in the run directory. */
export const EVENT_FILE_SUFFIX = '.evaluate';

/**
 * The hparams sub-run: a fixed name (torch's default is the wall time) so a rerun replaces it and the run
 * directory's layout is deterministic. `package.json`'s `tbpipe.runOutputs` declares it for Nx.
 */
export const HPARAMS_RUN = 'hparams';

/** TensorBoard tags. PR curves are tagged with the class names, as in the tutorial. */
export const TAGS = {
  confusionMatrix: 'confusion matrix',
  perClassAccuracy: 'per-class accuracy',
  accuracy: 'test accuracy',
  loss: 'test loss',
} as const;

/** Metric tags of the HPARAMS tab (torch's documented `hparam/` convention). */
export const HPARAM_METRICS = { accuracy: 'hparam/accuracy', loss: 'hparam/loss' } as const;

/** The tutorial logs its PR curves at `global_step=0`. */
const PR_CURVE_STEP = 0;

/** Delete what a previous run of this stage wrote into `runDir` (its `.evaluate` files and the hparams sub-run). */
export function removeRunOutputs(runDir: string): Promise<string[]> {
  return removeRunFiles(runDir, { suffix: EVENT_FILE_SUFFIX, names: [HPARAMS_RUN] });
}

/** The hyperparameters shown in the HPARAMS tab, named like torch users name them; absent ones are left out. */
export function hparamsFromModel(model: ModelInfo): Record<string, number | string> {
  const p = model.params;
  const entries: [string, number | string | undefined][] = [
    ['lr', p.learningRate],
    ['momentum', p.momentum],
    ['batch_size', p.batchSize],
    ['epochs', p.epochs],
    ['seed', p.seed],
    ['init', p.init],
    // The backend that ran (what `auto` resolved to): results are reproducible per backend, not across them.
    ['backend', model.backend ?? p.backend],
  ];
  return Object.fromEntries(entries.filter((e): e is [string, number | string] => e[1] !== undefined && e[1] !== null));
}

/** The confusion matrix as a labelled heat map (rows: true class, columns: predicted class), PNG bytes. */
export async function renderConfusionMatrix(metrics: Metrics): Promise<Uint8Array> {
  // Imported on use: readers of predictions.arrow (the project stage) should not load a native canvas.
  const { renderHeatmap } = await import('@tbpipe/figures');
  return renderHeatmap({
    matrix: metrics.confusionMatrix,
    rowLabels: metrics.classNames,
    colLabels: metrics.classNames,
    title: `Confusion matrix (accuracy ${(100 * metrics.accuracy).toFixed(1)} %)`,
    xLabel: 'Predicted label',
    yLabel: 'True label',
  });
}

/** What {@link writeReport} puts into TensorBoard. */
export interface ReportInput {
  runDir: string;
  classNames: readonly string[];
  /** One PR curve per class, in class order. */
  curves: readonly PrCurve[];
  metrics: Metrics;
  /** From {@link renderConfusionMatrix}. */
  confusionPng: Uint8Array;
  hparams: Record<string, number | string>;
  /** Global step of the model (mini-batches trained): the x of the scalars, image and text. */
  step: number;
  /** Clock in seconds (tests pin it); default now. */
  now?: () => number;
}

/**
 * Replace this stage's TensorBoard output in `runDir`: one `.evaluate` event file with a PR curve per class
 * (tag = class name, step 0, like the tutorial's `add_pr_curve`), the confusion matrix image, the per-class table
 * as text and the test accuracy and loss as scalars; and the `hparams/` sub-run linking the training params to
 * accuracy and loss. Resolves when every file is closed.
 * @returns the event file's path.
 */
export async function writeReport(input: ReportInput): Promise<string> {
  const { SummaryWriter, stableEventFileName } = await import('@tbpipe/eventlog');
  await removeRunOutputs(input.runDir);
  // A fixed name (also in hparams/): an Nx cache restore overwrites it rather than leaving a newer run's file beside it.
  const writer = new SummaryWriter(input.runDir, {
    filenameSuffix: EVENT_FILE_SUFFIX,
    fileName: stableEventFileName(EVENT_FILE_SUFFIX),
    ...(input.now ? { now: input.now } : {}),
  });
  try {
    input.curves.forEach((c, i) => {
      writer.addPrCurveRaw(
        input.classNames[i],
        c.truePositives,
        c.falsePositives,
        c.trueNegatives,
        c.falseNegatives,
        c.precision,
        c.recall,
        PR_CURVE_STEP,
        c.numThresholds,
      );
    });
    writer.addFigure(TAGS.confusionMatrix, input.confusionPng, input.step);
    writer.addText(TAGS.perClassAccuracy, renderMetricsMarkdown(input.metrics), input.step);
    writer.addScalar(TAGS.accuracy, input.metrics.accuracy, input.step);
    writer.addScalar(TAGS.loss, input.metrics.loss, input.step);
    await writer.addHparams(
      input.hparams,
      { [HPARAM_METRICS.accuracy]: input.metrics.accuracy, [HPARAM_METRICS.loss]: input.metrics.loss },
      { runName: HPARAMS_RUN },
    );
  } finally {
    await writer.close();
  }
  return writer.filePath;
}
