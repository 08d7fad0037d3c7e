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
  /** Instead of the confusion matrix above {@link MAX_MATRIX_CLASSES} classes. */
  confusedPairs: 'top confused pairs',
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

/** Most classes drawn as a confusion matrix (cells ≥ 22 px, names legible); above, the top confused pairs. */
export const MAX_MATRIX_CLASSES = 30;
/** Confused pairs listed above {@link MAX_MATRIX_CLASSES} classes. */
export const TOP_CONFUSED_PAIRS = 20;

/** One off-diagonal cell of the confusion matrix: test images of class `true` predicted as `predicted`. */
export interface ConfusedPair {
  true: number;
  predicted: number;
  count: number;
  /** `count` / the true class's test images. */
  fraction: number;
}

/** The `limit` largest off-diagonal cells, largest first (ties: lower true class, then lower predicted class). */
export function topConfusedPairs(metrics: Metrics, limit = TOP_CONFUSED_PAIRS): ConfusedPair[] {
  const pairs: ConfusedPair[] = [];
  metrics.confusionMatrix.forEach((row, t) => {
    const support = metrics.perClass[t]?.support ?? 0;
    row.forEach((count, p) => {
      if (p !== t && count > 0) pairs.push({ true: t, predicted: p, count, fraction: support === 0 ? 0 : count / support });
    });
  });
  pairs.sort((a, b) => b.count - a.count || a.true - b.true || a.predicted - b.predicted);
  return pairs.slice(0, limit);
}

/** The confusion figure for TensorBoard: its tag and PNG bytes. */
export interface ConfusionFigure {
  tag: string;
  png: Uint8Array;
}

/**
 * The confusion matrix as a labelled heat map (rows: true class, columns: predicted class) up to
 * {@link MAX_MATRIX_CLASSES} classes; above, a bar chart of the {@link TOP_CONFUSED_PAIRS} most frequent confusions
 * (`true → predicted`, count and share of the true class), tagged `top confused pairs`.
 */
export async function renderConfusionFigure(metrics: Metrics): Promise<ConfusionFigure> {
  // Imported on use: readers of predictions.arrow (the project stage) should not load a native canvas.
  const { renderHeatmap, renderBarChart } = await import('@tbpipe/figures');
  const accuracy = `accuracy ${(100 * metrics.accuracy).toFixed(1)} %`;
  if (metrics.classNames.length <= MAX_MATRIX_CLASSES) {
    const png = await renderHeatmap({
      matrix: metrics.confusionMatrix,
      rowLabels: metrics.classNames,
      colLabels: metrics.classNames,
      title: `Confusion matrix (${accuracy})`,
      xLabel: 'Predicted label',
      yLabel: 'True label',
    });
    return { tag: TAGS.confusionMatrix, png };
  }
  const pairs = topConfusedPairs(metrics);
  const names = metrics.classNames;
  const png = await renderBarChart({
    labels: pairs.length > 0 ? pairs.map((p) => `${names[p.true]} → ${names[p.predicted]}`) : ['(no confusions)'],
    values: pairs.length > 0 ? pairs.map((p) => p.count) : [0],
    valueTexts: pairs.length > 0 ? pairs.map((p) => `${p.count} (${(100 * p.fraction).toFixed(1)} %)`) : ['0'],
    title: `Top confused pairs, true → predicted (${accuracy})`,
    subtitle: `${names.length} classes: too many for a readable confusion matrix (metrics.json has it whole)`,
    xLabel: 'test images (share of the true class)',
  });
  return { tag: TAGS.confusedPairs, png };
}

/** The confusion matrix as a labelled heat map (rows: true class, columns: predicted class), PNG bytes. */
export async function renderConfusionMatrix(metrics: Metrics): Promise<Uint8Array> {
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

/** The top confused pairs as a Markdown table, appended to the per-class text above {@link MAX_MATRIX_CLASSES} classes. */
export function renderConfusedPairsMarkdown(metrics: Metrics): string {
  const cell = (text: string) => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rows = topConfusedPairs(metrics).map(
    (p) => `| ${cell(metrics.classNames[p.true])} | ${cell(metrics.classNames[p.predicted])} | ${p.count} | ${(100 * p.fraction).toFixed(1)} % |`,
  );
  return ['', `Top ${TOP_CONFUSED_PAIRS} confused pairs:`, '', '| true | predicted as | test images | share of the true class |', '| --- | --- | ---: | ---: |', ...rows, ''].join('\n');
}

/** What {@link writeReport} puts into TensorBoard. */
export interface ReportInput {
  runDir: string;
  classNames: readonly string[];
  /** One PR curve per class, in class order. */
  curves: readonly PrCurve[];
  metrics: Metrics;
  /** From {@link renderConfusionFigure}. */
  confusion: ConfusionFigure;
  hparams: Record<string, number | string>;
  /** Global step of the model (mini-batches trained): the x of the scalars, image and text. */
  step: number;
  /** Clock in seconds (tests pin it); default now. */
  now?: () => number;
}

/**
 * Replace this stage's TensorBoard output in `runDir`: one `.evaluate` event file with a PR curve per class
 * (tag = class name, step 0, like the tutorial's `add_pr_curve`), the confusion matrix image (or top confused pairs), the per-class table
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
    writer.addFigure(input.confusion.tag, input.confusion.png, input.step);
    let text = renderMetricsMarkdown(input.metrics);
    if (input.confusion.tag === TAGS.confusedPairs) text += renderConfusedPairsMarkdown(input.metrics);
    writer.addText(TAGS.perClassAccuracy, text, input.step);
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
