import { ContractError, CONTRACT_KEY, expectSchema, readTable, writeTableAtomic } from '@tbpipe/core';
import { FixedSizeList, makeData, RecordBatch, Schema, Struct, Table, type Data, type DataType, type Vector } from 'apache-arrow';
import { toLabelArray } from '@tbpipe/ingest/contract';
import { CLASS_NAMES_KEY, FEATURE_LAYER_KEY, MAX_CLASSES, MIN_CLASSES, PREDICTIONS_CONTRACT, predictionsSchema } from './contract.ts';
import { evaluateError } from './errors.ts';

/** The rows of `predictions.arrow` as typed arrays (see {@link predictionsSchema} for the meaning of each column). */
export interface Predictions {
  count: number;
  /** Class names by index; K = their count is the width of `probabilities`. */
  classNames: string[];
  /** Row of each image in the ingest stage's `test.arrow` (or in the external predictions file). */
  index: Uint32Array;
  /** True class per row, in [0, K); widened to Uint16 whatever the stored type, so consumers have one type. */
  label: Uint16Array;
  /** Predicted class per row, in [0, K). */
  predicted: Uint16Array;
  /** count × K softmax probabilities, row-major. */
  probabilities: Float32Array;
  /** count × featureWidth learned features, row-major; absent when the predictions carry none. */
  features?: Float32Array;
  /** Width D of `features` (0 without features). */
  featureWidth: number;
  /** The layer whose outputs the features are (e.g. `fc2`), when known. */
  featureLayer?: string;
}

const lengthMismatch = (what: string, got: number, want: number | string) =>
  evaluateError('EVALUATE_PREDICTIONS_SHAPE', `${what} has ${got} values`, `${want}`, 'pass arrays for the same rows');
const badPredictionsFile = (path: string, seen: string, expected: string) =>
  evaluateError('EVALUATE_PREDICTIONS_INVALID', `${path} has ${seen}`, expected, 'rerun the evaluate stage to rebuild it');

function fixedSizeList(type: FixedSizeList, values: Float32Array, count: number): Data {
  const child = makeData({ type: type.children[0].type, length: values.length, nullCount: 0, data: values });
  return makeData({ type, length: count, nullCount: 0, child });
}

/** What {@link predictionsToTable} takes: {@link Predictions}, labels in either unsigned type. */
export type PredictionsInput = Omit<Predictions, 'label' | 'predicted' | 'featureWidth'> & {
  label: Uint8Array | Uint16Array;
  predicted: Uint8Array | Uint16Array;
};

/** Build the Arrow table of {@link predictionsSchema} (one record batch, no copies of the float arrays). */
export function predictionsToTable(p: PredictionsInput): Table {
  const n = p.count;
  const k = p.classNames.length;
  if (p.index.length !== n) throw lengthMismatch('index', p.index.length, n);
  if (p.label.length !== n) throw lengthMismatch('label', p.label.length, n);
  if (p.predicted.length !== n) throw lengthMismatch('predicted', p.predicted.length, n);
  if (p.probabilities.length !== n * k) throw lengthMismatch('probabilities', p.probabilities.length, n * k);
  const featureWidth = p.features === undefined ? undefined : n === 0 ? 0 : p.features.length / n;
  if (featureWidth !== undefined && !Number.isInteger(featureWidth)) {
    throw lengthMismatch('features', p.features!.length, `a multiple of ${n} (D per row)`);
  }
  const schema = predictionsSchema(p.classNames, featureWidth, p.featureLayer);
  const labels = toLabelArray(p.label, k);
  let predictedValues = toLabelArray(p.predicted, k);
  // apache-arrow 21's IPC writer garbles a column whose buffer another column already uses (seen with label ===
  // predicted): give predicted its own copy then.
  if (predictedValues.buffer === labels.buffer) predictedValues = predictedValues.slice();
  const [index, label, predicted] = [p.index, labels, predictedValues].map((data, i) =>
    makeData({ type: schema.fields[i].type, length: n, nullCount: 0, data }),
  );
  const children = [index, label, predicted, fixedSizeList(schema.fields[3].type as FixedSizeList, p.probabilities, n)];
  if (p.features) children.push(fixedSizeList(schema.fields[4].type as FixedSizeList, p.features, n));
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children }));
  return new Table(schema, [batch]);
}

/** Write `predictions.arrow` atomically (Arrow IPC file format, {@link predictionsSchema}). */
export async function writePredictions(path: string, predictions: PredictionsInput): Promise<void> {
  await writeTableAtomic(path, predictionsToTable(predictions));
}

/** The column's values across all record batches, `width` values per row. */
function columnValues<T extends Uint8Array | Uint16Array | Uint32Array | Float32Array>(
  vector: Vector<DataType>,
  make: (n: number) => T,
  width: number,
  path: string,
  name: string,
): T {
  const out = make(vector.length * width);
  let row = 0;
  for (const chunk of vector.data) {
    if (chunk.nullCount > 0) throw badPredictionsFile(path, `${chunk.nullCount} null ${name} values`, 'no nulls');
    const leaf = width === 1 ? chunk : chunk.children[0];
    if (leaf.nullCount > 0) throw badPredictionsFile(path, `${leaf.nullCount} null ${name} values`, 'no nulls');
    // arrow-js slices `values` to the chunk (the offsets only address validity bitmaps), so values start at 0.
    out.set(leaf.values.subarray(0, chunk.length * width), row * width);
    row += chunk.length;
  }
  return out;
}

/** The class names of a predictions file's metadata, or a one-line error naming the key. */
function classNamesOf(table: Table, path: string): string[] {
  let names: unknown;
  try {
    names = JSON.parse(table.schema.metadata.get(CLASS_NAMES_KEY) ?? 'null');
  } catch {
    names = null;
  }
  if (!Array.isArray(names) || names.length < MIN_CLASSES || names.length > MAX_CLASSES || !names.every((c) => typeof c === 'string')) {
    throw new ContractError(
      'SCHEMA_MISMATCH',
      `contract: ${path} has ${CLASS_NAMES_KEY} = ${JSON.stringify(table.schema.metadata.get(CLASS_NAMES_KEY) ?? null)}, ` +
        `expected a JSON array of ${MIN_CLASSES}…${MAX_CLASSES} class names; rebuild it with the evaluate stage.`,
    );
  }
  return names as string[];
}

/**
 * Read `predictions.arrow`, checking it at the boundary: the contract id, the class names in its metadata, the
 * fields against {@link predictionsSchema}`(classNames, D)` (D read from the `features` column's type; the column
 * may be absent), no nulls, labels and predictions in [0, K). A mismatch is a `ContractError` listing every
 * difference. The data is trusted after that.
 * @example const { count, features, featureWidth, label, classNames } = await readPredictions('artifacts/fashion-mnist/evaluate/predictions.arrow');
 */
export async function readPredictions(path: string): Promise<Predictions> {
  const table = await readTable(path);
  // Another contract (v1, or not a predictions table): its id is the difference to report (the v2 fields depend on
  // metadata such a file may not have).
  if (table.schema.metadata.get(CONTRACT_KEY) !== PREDICTIONS_CONTRACT) {
    expectSchema(table, new Schema(table.schema.fields, new Map([[CONTRACT_KEY, PREDICTIONS_CONTRACT]])), path);
  }
  const classNames = classNamesOf(table, path);
  const featuresField = table.schema.fields.find((f) => f.name === 'features');
  const featureType = featuresField?.type;
  if (featuresField && !(featureType instanceof FixedSizeList)) {
    throw new ContractError(
      'SCHEMA_MISMATCH',
      `contract: ${path} has features: ${String(featureType)}, expected FixedSizeList[D]<Float32>; rebuild it with the evaluate stage.`,
    );
  }
  const featureWidth = featureType instanceof FixedSizeList ? featureType.listSize : undefined;
  expectSchema(table, predictionsSchema(classNames, featureWidth), path);
  const featureLayer = table.schema.metadata.get(FEATURE_LAYER_KEY);
  const k = classNames.length;
  const col = (name: string) => table.getChild(name)!;
  const label = columnValues(col('label'), (n) => new Uint16Array(n), 1, path, 'label');
  const predicted = columnValues(col('predicted'), (n) => new Uint16Array(n), 1, path, 'predicted');
  for (const [name, values] of [['label', label], ['predicted', predicted]] as const) {
    for (let i = 0; i < values.length; i++) {
      if (values[i] >= k) throw badPredictionsFile(path, `${name} ${values[i]} at row ${i}`, `a class in [0, ${k})`);
    }
  }
  const predictions: Predictions = {
    count: table.numRows,
    classNames,
    index: columnValues(col('index'), (n) => new Uint32Array(n), 1, path, 'index'),
    label,
    predicted,
    probabilities: columnValues(col('probabilities'), (n) => new Float32Array(n), k, path, 'probabilities'),
    featureWidth: featureWidth ?? 0,
  };
  if (featureWidth !== undefined) predictions.features = columnValues(col('features'), (n) => new Float32Array(n), featureWidth, path, 'features');
  if (featureLayer !== undefined && featureWidth !== undefined) predictions.featureLayer = featureLayer;
  return predictions;
}
