// Writes predictions "made elsewhere" as a Parquet file in the layout pandas/pyarrow write (the external predictions
// contract of `tbpipe-evaluate --predictions`, see packages/evaluate/README.md):
//   index          int64                  row of the image in the test split
//   label          int64                  true class index
//   probabilities  list<element: double>  softmax outputs, K per row (list<float> with --float32)
//   features       list<element: float>   D learned features per row (left out with --no-features)
// key-value metadata `tbpipe.classNames` = the class names as a JSON array (left out with --no-class-names).
// That is what `pq.write_table(pa.Table.from_pandas(df).replace_schema_metadata({...}), path)` writes for a DataFrame
// whose cells hold NumPy arrays (pyarrow's 3-level LIST: optional group (LIST) { repeated group list { optional
// element } }), minus pandas' own `pandas` / `ARROW:schema` metadata, which the reader does not need.
//
//   npx tsx scripts/make-predictions-parquet.ts --from artifacts/fashion-mnist/evaluate/predictions.arrow --out data/preds.parquet
//   npx tsx scripts/make-predictions-parquet.ts --synthetic 2000 --classes 10 --features 16 --out data/preds.parquet
//     [--limit N] [--seed 0] [--float32] [--no-features] [--no-class-names] [--class-names a,b,c]
//
// --from reads an evaluate predictions.arrow (tbpipe.predictions/v2), e.g. to evaluate a model's predictions as if
// they came from PyTorch. --synthetic makes N seeded rows (K classes, D clustered features, ~80 % accuracy) for
// fixtures and CI, where no model has run. Deterministic: the same arguments give the same bytes (snappy, one row group).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import { createRandom } from '@tbpipe/core';
import { readPredictions } from '@tbpipe/evaluate/contract';

/** Predictions as the external contract's columns (row-major floats). */
export interface PredictionColumns {
  count: number;
  classNames?: readonly string[];
  index?: ArrayLike<number>;
  label: ArrayLike<number> | readonly string[];
  /** count × K */
  probabilities: Float32Array | Float64Array;
  classCount: number;
  /** count × D */
  features?: Float32Array;
  featureWidth?: number;
}

/** Options of {@link encodePredictionsParquet}. */
export interface EncodeOptions {
  /** list<float> instead of pandas' default list<double> for the probabilities. */
  float32?: boolean;
  /** Extra key-value metadata (e.g. tbpipe.hparams). */
  metadata?: Record<string, string>;
}

const rows = (values: ArrayLike<number>, count: number, width: number) =>
  Array.from({ length: count }, (_, i) => Array.from({ length: width }, (_, j) => values[i * width + j]));

/** pyarrow's 3-level LIST schema elements for a list<element: type> column. */
const listColumn = (name: string, type: 'FLOAT' | 'DOUBLE') =>
  [
    { name, repetition_type: 'OPTIONAL', num_children: 1, converted_type: 'LIST' },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    { name: 'element', type, repetition_type: 'OPTIONAL' },
  ] as const;

/** Encode predictions as Parquet bytes in pandas/pyarrow's layout (see the header of this file). */
export function encodePredictionsParquet(p: PredictionColumns, options: EncodeOptions = {}): Uint8Array {
  const stringLabels = typeof (p.label as ArrayLike<unknown>)[0] === 'string';
  const columnData: { name: string; data: unknown[] }[] = [];
  const schema: Record<string, unknown>[] = [];
  if (p.index) {
    columnData.push({ name: 'index', data: Array.from(p.index, (i) => BigInt(i)) });
    schema.push({ name: 'index', type: 'INT64', repetition_type: 'OPTIONAL' });
  }
  columnData.push({ name: 'label', data: stringLabels ? Array.from(p.label as readonly string[]) : Array.from(p.label as ArrayLike<number>, (l) => BigInt(l)) });
  schema.push(stringLabels ? { name: 'label', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' } : { name: 'label', type: 'INT64', repetition_type: 'OPTIONAL' });
  columnData.push({ name: 'probabilities', data: rows(p.probabilities, p.count, p.classCount) });
  schema.push(...listColumn('probabilities', options.float32 ? 'FLOAT' : 'DOUBLE'));
  if (p.features && p.featureWidth) {
    columnData.push({ name: 'features', data: rows(p.features, p.count, p.featureWidth) });
    schema.push(...listColumn('features', 'FLOAT'));
  }
  const kvMetadata = Object.entries({ ...(p.classNames ? { 'tbpipe.classNames': JSON.stringify(p.classNames) } : {}), ...options.metadata }).map(([key, value]) => ({ key, value }));
  const writer = new ByteWriter();
  parquetWrite({
    writer,
    columnData: columnData as never,
    schema: [{ name: 'schema', num_children: columnData.length }, ...schema] as never,
    kvMetadata,
    rowGroupSize: 1_000_000,
    statistics: false,
  });
  return new Uint8Array(writer.getBuffer());
}

/**
 * `count` seeded predictions for `classes` classes: label i % K, the right class most probable ~80 % of the time,
 * features clustered by the predicted class (so a projection shows clusters).
 */
export function syntheticPredictions(count: number, classes: number, featureWidth: number, seed = 0): PredictionColumns {
  const random = createRandom(seed);
  const label = Uint16Array.from({ length: count }, (_, i) => i % classes);
  const probabilities = new Float64Array(count * classes);
  const features = new Float32Array(count * featureWidth);
  for (let i = 0; i < count; i++) {
    const top = random() < 0.8 ? label[i] : Math.floor(random() * classes);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += probabilities[i * classes + c] = Math.exp((c === top ? 3 : 0) + random());
    for (let c = 0; c < classes; c++) probabilities[i * classes + c] /= sum;
    for (let f = 0; f < featureWidth; f++) features[i * featureWidth + f] = Math.max(0, (f % classes === top ? 2 : 0) + random() - 0.3);
  }
  const classNames = Array.from({ length: classes }, (_, c) => `class ${c}`);
  return { count, classNames, index: Uint32Array.from({ length: count }, (_, i) => i), label, probabilities, classCount: classes, features, featureWidth };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      synthetic: { type: 'string' },
      classes: { type: 'string', default: '10' },
      features: { type: 'string', default: '16' },
      seed: { type: 'string', default: '0' },
      limit: { type: 'string' },
      out: { type: 'string' },
      float32: { type: 'boolean', default: false },
      'no-features': { type: 'boolean', default: false },
      'no-class-names': { type: 'boolean', default: false },
      'class-names': { type: 'string' },
    },
  });
  if (!values.out || (values.from === undefined) === (values.synthetic === undefined)) {
    console.error('usage: make-predictions-parquet.ts (--from predictions.arrow | --synthetic N [--classes K] [--features D] [--seed S]) --out FILE.parquet [--limit N] [--float32] [--no-features] [--no-class-names] [--class-names a,b,c]');
    process.exit(2);
  }
  let p: PredictionColumns;
  if (values.from) {
    const r = await readPredictions(values.from);
    p = { count: r.count, classNames: r.classNames, index: r.index, label: r.label, probabilities: r.probabilities, classCount: r.classNames.length, features: r.features, featureWidth: r.featureWidth };
  } else {
    p = syntheticPredictions(Number(values.synthetic), Number(values.classes), Number(values.features), Number(values.seed));
  }
  if (values.limit !== undefined) {
    const n = Math.min(p.count, Number(values.limit));
    p = {
      ...p,
      count: n,
      index: p.index && Array.from(p.index).slice(0, n),
      label: Array.from(p.label as ArrayLike<number>).slice(0, n),
      probabilities: p.probabilities.slice(0, n * p.classCount),
      features: p.features?.slice(0, n * (p.featureWidth ?? 0)),
    };
  }
  if (values['no-features']) p = { ...p, features: undefined, featureWidth: undefined };
  if (values['class-names']) p = { ...p, classNames: values['class-names'].split(',') };
  if (values['no-class-names']) p = { ...p, classNames: undefined };
  const bytes = encodePredictionsParquet(p, { float32: values.float32 });
  await mkdir(dirname(values.out), { recursive: true });
  await writeFile(values.out, bytes);
  console.log(`${values.out}: ${p.count} predictions, ${p.classCount} classes, ${p.featureWidth && p.features ? `${p.featureWidth} features` : 'no features'}, ${bytes.length} bytes`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
