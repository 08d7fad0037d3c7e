import { readTable, writeTableAtomic } from '@tbpipe/core';
import { FixedSizeList, makeData, RecordBatch, Struct, Table, type Data, type DataType, type Vector } from 'apache-arrow';
import { CLASS_COUNT, FEATURE_COUNT, PredictionsSchema } from './contract.ts';
import { evaluateError } from './errors.ts';

/** The rows of `predictions.arrow` as typed arrays (see {@link PredictionsSchema} for the meaning of each column). */
export interface Predictions {
  count: number;
  /** Row of each image in the ingest stage's `test.arrow`. */
  index: Uint32Array;
  label: Uint8Array;
  predicted: Uint8Array;
  /** count × 10 softmax probabilities, row-major. */
  probabilities: Float32Array;
  /** count × 84 penultimate activations, row-major. */
  features: Float32Array;
}

const lengthMismatch = (what: string, got: number, want: number) =>
  evaluateError('EVALUATE_PREDICTIONS_SHAPE', `${what} has ${got} values`, `${want}`, 'pass arrays for the same rows');
const badPredictionsFile = (path: string, seen: string, expected: string) =>
  evaluateError('EVALUATE_PREDICTIONS_INVALID', `${path} has ${seen}`, expected, 'rerun the evaluate stage to rebuild it');

function fixedSizeList(field: number, values: Float32Array, count: number): Data {
  const type = PredictionsSchema.fields[field].type as FixedSizeList;
  const child = makeData({ type: type.children[0].type, length: values.length, nullCount: 0, data: values });
  return makeData({ type, length: count, nullCount: 0, child });
}

/** Build the Arrow table of {@link PredictionsSchema} (one record batch, no copies of the typed arrays). */
export function predictionsToTable(p: Predictions): Table {
  const n = p.count;
  if (p.index.length !== n) throw lengthMismatch('index', p.index.length, n);
  if (p.label.length !== n) throw lengthMismatch('label', p.label.length, n);
  if (p.predicted.length !== n) throw lengthMismatch('predicted', p.predicted.length, n);
  if (p.probabilities.length !== n * CLASS_COUNT) throw lengthMismatch('probabilities', p.probabilities.length, n * CLASS_COUNT);
  if (p.features.length !== n * FEATURE_COUNT) throw lengthMismatch('features', p.features.length, n * FEATURE_COUNT);
  const [index, label, predicted] = [p.index, p.label, p.predicted].map((data, i) =>
    makeData({ type: PredictionsSchema.fields[i].type, length: n, nullCount: 0, data }),
  );
  const children = [index, label, predicted, fixedSizeList(3, p.probabilities, n), fixedSizeList(4, p.features, n)];
  const batch = new RecordBatch(PredictionsSchema, makeData({ type: new Struct(PredictionsSchema.fields), length: n, nullCount: 0, children }));
  return new Table(PredictionsSchema, [batch]);
}

/** Write `predictions.arrow` atomically (Arrow IPC file format, {@link PredictionsSchema}). */
export async function writePredictions(path: string, predictions: Predictions): Promise<void> {
  await writeTableAtomic(path, predictionsToTable(predictions));
}

/** The column's values across all record batches, `width` values per row. */
function columnValues<T extends Uint8Array | Uint32Array | Float32Array>(
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
    out.set((leaf.values as T).subarray(0, chunk.length * width), row * width);
    row += chunk.length;
  }
  return out;
}

/**
 * Read `predictions.arrow`, checking it at the boundary: the schema and contract id ({@link PredictionsSchema}; a
 * mismatch is a `ContractError` listing every difference), no nulls, labels and predictions in [0, 10). The data
 * is trusted after that.
 * @example const { count, features, label } = await readPredictions('artifacts/fashion-mnist/evaluate/predictions.arrow');
 */
export async function readPredictions(path: string): Promise<Predictions> {
  const table = await readTable(path, PredictionsSchema);
  const col = (name: string) => table.getChild(name)!;
  const predictions: Predictions = {
    count: table.numRows,
    index: columnValues(col('index'), (n) => new Uint32Array(n), 1, path, 'index'),
    label: columnValues(col('label'), (n) => new Uint8Array(n), 1, path, 'label'),
    predicted: columnValues(col('predicted'), (n) => new Uint8Array(n), 1, path, 'predicted'),
    probabilities: columnValues(col('probabilities'), (n) => new Float32Array(n), CLASS_COUNT, path, 'probabilities'),
    features: columnValues(col('features'), (n) => new Float32Array(n), FEATURE_COUNT, path, 'features'),
  };
  for (const name of ['label', 'predicted'] as const) {
    const values = predictions[name];
    for (let i = 0; i < values.length; i++) {
      if (values[i] >= CLASS_COUNT) {
        throw badPredictionsFile(path, `${name} ${values[i]} at row ${i}`, `a class in [0, ${CLASS_COUNT})`);
      }
    }
  }
  return predictions;
}
