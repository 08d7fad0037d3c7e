// Writes a predictions Parquet file in the layout a PyTorch user exports with pandas/pyarrow, for the
// external-predictions pipeline (evaluate --predictions, then project):
//   index          uint32 (int64 here)           row number
//   label          int64                         the true class
//   probabilities  list<float>[K]                softmax output, rows sum to 1
//   features       list<float>[D]                the model's penultimate-layer activations
// key-value metadata `tbpipe.classNames` (JSON array) and `tbpipe.hparams` (JSON object), as
// `pq.write_table(table.replace_schema_metadata({...}))` writes them.
//
//   npx tsx pipelines/external-predictions/make-predictions.ts [--out pipelines/external-predictions/data/predictions.parquet]
//       [--rows 10000] [--seed 0] [--from artifacts/fashion-mnist/evaluate/predictions.arrow]
//
// Without --from the predictions are synthetic, from a seeded "model" that is right about 80 % of the time and confuses
// the classes FashionMNIST's models confuse (shirt/T-shirt/pullover/coat, sneaker/sandal/ankle boot); its features are
// class centroids plus noise, so the projections show clusters. With --from, the tutorial pipeline's own predictions
// (evaluate's predictions.arrow) are converted, as if they had been made elsewhere. Deterministic: same arguments,
// same bytes.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRandom } from '@tbpipe/core';
import { tableFromIPC } from 'apache-arrow';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';

/** FashionMNIST's class names, by label. */
export const CLASS_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** Classes a FashionMNIST model mixes up, by label: each row's confusable classes. */
const CONFUSED: number[][] = [[6, 2, 3], [3], [4, 6, 0], [0, 1, 4], [2, 6], [7, 9], [0, 2, 4], [5, 9], [], [7, 5]];

/** Width of the synthetic features. */
export const FEATURE_WIDTH = 32;

/** Predictions as plain rows, before encoding. */
export interface PredictionRows {
  label: number[];
  probabilities: number[][];
  features?: number[][];
  classNames: string[];
  hparams: Record<string, number | string>;
}

/** `rows` seeded synthetic predictions over FashionMNIST's ten classes. */
export function syntheticPredictions(rows: number, seed = 0): PredictionRows {
  const rand = createRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const k = CLASS_NAMES.length;
  const centroids = CLASS_NAMES.map(() => Array.from({ length: FEATURE_WIDTH }, () => 3 * gauss()));
  const label: number[] = [];
  const probabilities: number[][] = [];
  const features: number[][] = [];
  for (let i = 0; i < rows; i++) {
    const y = i % k;
    // The class the "model" leans to: usually the true one, else one it is known to confuse it with.
    const confusable = CONFUSED[y]!;
    const lean = rand() < 0.8 || confusable.length === 0 ? y : confusable[Math.floor(rand() * confusable.length)]!;
    const logits = Array.from({ length: k }, (_, c) => gauss() + (c === lean ? 4 : confusable.includes(c) ? 1.5 : 0));
    const max = Math.max(...logits);
    const exp = logits.map((l) => Math.exp(l - max));
    const sum = exp.reduce((a, b) => a + b, 0);
    label.push(y);
    probabilities.push(exp.map((e) => Math.fround(e / sum)));
    features.push(centroids[lean]!.map((m) => Math.fround(Math.max(0, m + gauss()))));
  }
  return { label, probabilities, features, classNames: [...CLASS_NAMES], hparams: { model: 'synthetic', seed } };
}

/** evaluate's predictions.arrow (tbpipe.predictions/v2) as rows, to replay a real model's outputs. */
export async function predictionsFromArrow(path: string): Promise<PredictionRows> {
  const table = tableFromIPC(await readFile(path));
  const classNames = JSON.parse(table.schema.metadata.get('tbpipe.classNames') ?? JSON.stringify(CLASS_NAMES)) as string[];
  const rows = (name: string) => {
    const column = table.getChild(name);
    return column ? Array.from({ length: table.numRows }, (_, i) => Array.from(column.get(i) as ArrayLike<number>)) : undefined;
  };
  return {
    label: Array.from(table.getChild('label')!.toArray() as ArrayLike<number>, Number),
    probabilities: rows('probabilities')!,
    features: rows('features'),
    classNames,
    hparams: { model: 'tutorial', source: path },
  };
}

/** A LIST<FLOAT> column's schema, as pyarrow writes `list<float>`. */
const floatList = (name: string) => [
  { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', type: 'FLOAT', repetition_type: 'OPTIONAL' },
];

/** Encode predictions as Parquet bytes. */
export function encodePredictions(p: PredictionRows): Uint8Array {
  const n = p.label.length;
  const columns = [
    { name: 'index', data: Array.from({ length: n }, (_, i) => BigInt(i)), schema: [{ name: 'index', type: 'INT64', repetition_type: 'OPTIONAL' }] },
    { name: 'label', data: p.label.map((l) => BigInt(l)), schema: [{ name: 'label', type: 'INT64', repetition_type: 'OPTIONAL' }] },
    { name: 'probabilities', data: p.probabilities, schema: floatList('probabilities') },
    ...(p.features ? [{ name: 'features', data: p.features, schema: floatList('features') }] : []),
  ];
  const writer = new ByteWriter();
  parquetWrite({
    writer,
    columnData: columns.map(({ name, data }) => ({ name, data })) as never,
    schema: [{ name: 'schema', num_children: columns.length }, ...columns.flatMap((c) => c.schema)] as never,
    kvMetadata: [
      { key: 'tbpipe.classNames', value: JSON.stringify(p.classNames) },
      { key: 'tbpipe.hparams', value: JSON.stringify(p.hparams) },
    ],
    statistics: false,
  });
  return new Uint8Array(writer.getBuffer());
}

/** Where the pipeline reads it, relative to the workspace root. */
export const DEFAULT_OUT = 'pipelines/external-predictions/data/predictions.parquet';

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: join(dirname(fileURLToPath(import.meta.url)), 'data', 'predictions.parquet') },
      rows: { type: 'string', default: '10000' },
      seed: { type: 'string', default: '0' },
      from: { type: 'string' },
    },
  });
  const rows = Number(values.rows);
  if (!Number.isInteger(rows) || rows < 1) throw new Error(`make-predictions: --rows is ${JSON.stringify(values.rows)}, expected an integer ≥ 1`);
  const predictions = values.from ? await predictionsFromArrow(values.from) : syntheticPredictions(rows, Number(values.seed));
  await mkdir(dirname(values.out), { recursive: true });
  await writeFile(values.out, encodePredictions(predictions));
  process.stderr.write(`make-predictions: ${predictions.label.length} rows, ${predictions.classNames.length} classes → ${values.out}\n`);
}
