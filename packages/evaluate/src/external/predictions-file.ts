import { CLASS_NAMES_KEY, FEATURE_LAYER_KEY, MAX_CLASSES, MIN_CLASSES } from '../contract.ts';
import { evaluateError } from '../errors.ts';
import { argmaxRows } from '../inference.ts';
import type { Predictions } from '../predictions.ts';
import { openPredictionsFile, type Cell, type ListCell, type RawTable } from './raw-table.ts';

/**
 * Column names of the external predictions contract (see the README, "Predictions made elsewhere"). `label` and
 * `probabilities` are required; the others optional.
 */
export const EXTERNAL_COLUMNS = {
  index: 'index',
  label: 'label',
  probabilities: 'probabilities',
  predicted: 'predicted',
  features: 'features',
} as const;

/** Schema metadata keys an external file may carry besides `tbpipe.classNames`. */
export const EXTERNAL_METADATA = {
  /** A JSON object of hyperparameters (numbers, strings, booleans) for the HPARAMS tab. */
  hparams: 'tbpipe.hparams',
  /** The global step the predictions were made at (a decimal integer): the x of the scalars and the figure. */
  step: 'tbpipe.step',
} as const;

/** How far a row of probabilities may sum from 1 (float32 softmax outputs sum to 1 within ~1e-6). */
export const SUM_TOLERANCE = 1e-3;

/** A predictions file, checked and in the shapes evaluate writes (`featureLayer`: its `tbpipe.featureLayer` metadata). */
export interface ExternalPredictions extends Predictions {
  path: string;
  format: RawTable['format'];
  /** sha256 of the file's bytes as read. */
  sha256: string;
  /** Where the class names came from. */
  classNamesFrom: 'flag' | 'file' | 'data' | 'width';
  hparams: Record<string, number | string>;
  step: number;
}

/** Options of {@link readExternalPredictions}. */
export interface ExternalOptions {
  /** `--class-names`: wins over the file's metadata. */
  classNames?: readonly string[];
  /** The test split's class names when `--data` is given: used when neither the flag nor the file has any. */
  dataClassNames?: readonly string[];
}

const bad = (path: string, seen: string, expected: string, todo: string) =>
  evaluateError('EVALUATE_PREDICTIONS_FILE', `--predictions ${path} ${seen}`, expected, todo);

const where = (name: string, row: number) => `column "${name}" row ${row}`;

/** A cell as an integer, or undefined when it is not one. */
function integer(cell: Cell): number | undefined {
  const n = typeof cell === 'bigint' ? Number(cell) : cell;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
}

function parseClassNames(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Class names: `--class-names`, else the file's metadata, else the data's, else `0 … K-1` from the width. */
function resolveClassNames(t: RawTable, options: ExternalOptions, width: number): Pick<ExternalPredictions, 'classNames' | 'classNamesFrom'> {
  if (options.classNames) return { classNames: [...options.classNames], classNamesFrom: 'flag' };
  const fromFile = parseClassNames(t.metadata.get(CLASS_NAMES_KEY));
  if (fromFile !== undefined) {
    if (!Array.isArray(fromFile) || !fromFile.every((c) => typeof c === 'string')) {
      throw bad(
        t.path,
        `has metadata ${CLASS_NAMES_KEY} = ${JSON.stringify(t.metadata.get(CLASS_NAMES_KEY)).slice(0, 80)}`,
        'a JSON array of class names',
        `store json.dumps(class_names) under ${CLASS_NAMES_KEY}, or pass --class-names`,
      );
    }
    return { classNames: fromFile as string[], classNamesFrom: 'file' };
  }
  if (options.dataClassNames) return { classNames: [...options.dataClassNames], classNamesFrom: 'data' };
  return { classNames: Array.from({ length: width }, (_, c) => String(c)), classNamesFrom: 'width' };
}

/** Class indices of a label-like column: integers in [0, K), or class names from the list. */
function classIndices(t: RawTable, name: string, classNames: readonly string[]): Uint16Array {
  const cells = t.scalars(name);
  const byName = new Map(classNames.map((c, i) => [c, i]));
  const out = new Uint16Array(cells.length);
  const k = classNames.length;
  cells.forEach((cell, row) => {
    const asName = typeof cell === 'string' ? byName.get(cell) : undefined;
    const value = asName ?? integer(cell);
    if (value === undefined || value < 0 || value >= k) {
      const shown = typeof cell === 'string' ? JSON.stringify(cell) : String(cell);
      const list = k <= 12 ? `[${classNames.join(', ')}]` : `[${classNames.slice(0, 10).join(', ')}, … ${k - 10} more]`;
      throw bad(
        t.path,
        `${where(name, row)} is ${shown}, outside the class list`,
        `a class index in [0, ${k}) or a name in ${list}`,
        'check the labels against the class names (--class-names or the file\'s tbpipe.classNames metadata)',
      );
    }
    out[row] = value;
  });
  return out;
}

/** A list column as one row-major Float32Array, every row `width` finite values. */
function floatRows(t: RawTable, name: string, width: number, widthMeaning: string, cells: ListCell[] = t.lists(name)): Float32Array {
  const out = new Float32Array(cells.length * width);
  cells.forEach((cell, row) => {
    if (cell === null || cell === undefined || typeof cell !== 'object' || typeof cell.length !== 'number') {
      throw bad(t.path, `${where(name, row)} is ${cell === undefined || cell === null ? 'null' : typeof cell}`, `a list of ${width} numbers`, `fill every row of ${name}`);
    }
    if (cell.length !== width) {
      throw bad(t.path, `${where(name, row)} has ${cell.length} values`, `${width} (${widthMeaning})`, `write ${width} values in every row of ${name}`);
    }
    for (let c = 0; c < width; c++) {
      const v = Number(cell[c] ?? Number.NaN);
      if (!Number.isFinite(v)) {
        throw bad(t.path, `${where(name, row)} holds ${v} at position ${c}`, 'finite numbers', `drop or fix the rows with NaN/Infinity in ${name}`);
      }
      out[row * width + c] = v;
    }
  });
  return out;
}

/** Every row a probability distribution: values in [0, 1] summing to 1 ± {@link SUM_TOLERANCE}. */
function checkDistributions(t: RawTable, probabilities: Float32Array, count: number, k: number): void {
  for (let row = 0; row < count; row++) {
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const p = probabilities[row * k + c];
      if (p < 0 || p > 1 + SUM_TOLERANCE) {
        throw bad(t.path, `${where('probabilities', row)} holds ${p} at position ${c}`, 'probabilities in [0, 1]', 'write softmax outputs, not logits (torch.softmax(logits, dim=1))');
      }
      sum += p;
    }
    if (!(Math.abs(sum - 1) <= SUM_TOLERANCE)) {
      throw bad(
        t.path,
        `${where('probabilities', row)} sums to ${Number(sum.toPrecision(6))}`,
        `1 ± ${SUM_TOLERANCE}`,
        'write softmax outputs, not logits or one-vs-rest scores (torch.softmax(logits, dim=1))',
      );
    }
  }
}

/** Hyperparameters from the file's `tbpipe.hparams` metadata (numbers and strings kept; booleans as strings). */
function readHparams(t: RawTable): Record<string, number | string> {
  const text = t.metadata.get(EXTERNAL_METADATA.hparams);
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad(t.path, `has metadata ${EXTERNAL_METADATA.hparams} = ${text.slice(0, 80)}`, 'a JSON object of numbers and strings', `store json.dumps({"lr": 0.001, …}) under ${EXTERNAL_METADATA.hparams}`);
  }
  const out: Record<string, number | string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'number' && Number.isFinite(v)) out[key] = v;
    else if (typeof v === 'string') out[key] = v;
    else if (typeof v === 'boolean') out[key] = String(v);
  }
  return out;
}

/**
 * Read and check predictions made elsewhere (the external predictions contract: README, "Predictions made
 * elsewhere"). Every check fails with one line naming the file and the column (and row), what was seen and what was
 * expected, before anything is written: a missing `label` or `probabilities` column, class names that are not 2 to
 * 1 000 strings, a probabilities row whose width differs from the class count, NaN or ±Infinity, a value outside
 * [0, 1] or a row not summing to 1 ± 0.001, a label (or `predicted`) outside the class list, an `index` that is not a
 * row number, features of unequal widths.
 * @example const p = await readExternalPredictions('preds.parquet', { classNames: ['cat', 'dog'] });
 */
export async function readExternalPredictions(path: string, options: ExternalOptions = {}): Promise<ExternalPredictions> {
  const t = await openPredictionsFile(path);
  const expected = `columns ${EXTERNAL_COLUMNS.label} and ${EXTERNAL_COLUMNS.probabilities} (optional: index, predicted, features)`;
  for (const name of [EXTERNAL_COLUMNS.label, EXTERNAL_COLUMNS.probabilities]) {
    if (!t.columns.includes(name)) {
      throw bad(t.path, `has no column "${name}" (it has ${t.columns.map((c) => `"${c}"`).join(', ') || 'none'})`, expected, 'rename the columns to the contract\'s names (see the evaluate README)');
    }
  }
  if (t.numRows === 0) throw bad(t.path, 'has 0 rows', 'at least 1 prediction', 'export the predictions of a non-empty test set');
  const present = Object.values(EXTERNAL_COLUMNS).filter((c) => t.columns.includes(c));
  await t.load(present);

  const probabilityCells = t.lists(EXTERNAL_COLUMNS.probabilities);
  const firstWidth = probabilityCells[0]?.length ?? 0;
  const names = resolveClassNames(t, options, firstWidth);
  const k = names.classNames.length;
  if (k < MIN_CLASSES || k > MAX_CLASSES) {
    const source = names.classNamesFrom === 'width' ? `${k} probabilities per row (the class count)` : `${k} class names (from the ${names.classNamesFrom === 'flag' ? '--class-names flag' : names.classNamesFrom})`;
    throw bad(t.path, `has ${source}`, `${MIN_CLASSES} to ${MAX_CLASSES} classes`, 'evaluate a classifier of 2 to 1 000 classes');
  }
  const widthMeaning = names.classNamesFrom === 'width' ? 'as in row 0' : `the class count, from ${names.classNamesFrom === 'flag' ? '--class-names' : names.classNamesFrom === 'file' ? `the file's ${CLASS_NAMES_KEY}` : '--data'}`;
  const probabilities = floatRows(t, EXTERNAL_COLUMNS.probabilities, k, widthMeaning, probabilityCells);
  checkDistributions(t, probabilities, t.numRows, k);
  const label = classIndices(t, EXTERNAL_COLUMNS.label, names.classNames);
  const predicted = t.columns.includes(EXTERNAL_COLUMNS.predicted)
    ? classIndices(t, EXTERNAL_COLUMNS.predicted, names.classNames)
    : argmaxRows(probabilities, t.numRows, k);

  let index: Uint32Array;
  if (t.columns.includes(EXTERNAL_COLUMNS.index)) {
    index = new Uint32Array(t.numRows);
    t.scalars(EXTERNAL_COLUMNS.index).forEach((cell, row) => {
      const i = integer(cell);
      if (i === undefined || i < 0 || i > 0xffffffff) {
        throw bad(t.path, `${where(EXTERNAL_COLUMNS.index, row)} is ${String(cell)}`, 'a row number (integer ≥ 0)', 'write the test-set row of each prediction, or leave the column out');
      }
      index[row] = i;
    });
  } else {
    index = Uint32Array.from({ length: t.numRows }, (_, i) => i);
  }

  const result: ExternalPredictions = {
    path,
    format: t.format,
    sha256: t.sha256,
    count: t.numRows,
    ...names,
    index,
    label,
    predicted,
    probabilities,
    featureWidth: 0,
    hparams: readHparams(t),
    step: 0,
  };
  if (t.columns.includes(EXTERNAL_COLUMNS.features)) {
    const cells = t.lists(EXTERNAL_COLUMNS.features);
    const width = cells[0]?.length ?? 0;
    if (width < 1) throw bad(t.path, `${where(EXTERNAL_COLUMNS.features, 0)} is ${cells[0] ? 'empty' : 'null'}`, 'a list of D ≥ 1 numbers', 'write the same number of features in every row, or leave the column out');
    result.features = floatRows(t, EXTERNAL_COLUMNS.features, width, 'as in row 0', cells);
    result.featureWidth = width;
    const layer = t.metadata.get(FEATURE_LAYER_KEY);
    if (layer) result.featureLayer = layer;
  }
  const stepText = t.metadata.get(EXTERNAL_METADATA.step);
  if (stepText !== undefined) {
    if (!/^(0|[1-9][0-9]*)$/.test(stepText)) throw bad(t.path, `has metadata ${EXTERNAL_METADATA.step} = ${JSON.stringify(stepText)}`, 'a decimal integer ≥ 0', 'store the training step as a string, e.g. "15000"');
    result.step = Number(stepText);
  }
  return result;
}
