import { CONTRACT_KEY, writeTableAtomic } from '@tbpipe/core';
import { Field, FixedSizeList, Float32, Schema, Table, Uint32, Uint8, makeData, RecordBatch, Struct } from 'apache-arrow';
import { FASHION_CLASSES } from './helpers/fixtures.ts';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { predictionsSchema } from '../src/contract.ts';
import { predictionsToTable, readPredictions, writePredictions, type Predictions } from '../src/predictions.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tbpipe-predictions-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sample(count: number): Predictions {
  return {
    count,
    classNames: FASHION_CLASSES,
    index: Uint32Array.from({ length: count }, (_, i) => 1000 + i),
    label: Uint16Array.from({ length: count }, (_, i) => i % 10),
    predicted: Uint16Array.from({ length: count }, (_, i) => (i * 3) % 10),
    probabilities: Float32Array.from({ length: count * 10 }, (_, i) => (i % 10) / 45),
    features: Float32Array.from({ length: count * 84 }, (_, i) => i / 7),
    featureWidth: 84,
  };
}

const PredictionsSchema = predictionsSchema(FASHION_CLASSES, 84);

/** A table with `schema` whose columns are all zeros, for corrupt-file tests. */
function zeroTable(schema: Schema, count: number): Table {
  const children = schema.fields.map((f) => {
    if (f.type instanceof FixedSizeList) {
      const child = makeData({ type: f.type.children[0].type, length: count * f.type.listSize, nullCount: 0, data: new Float32Array(count * f.type.listSize) });
      return makeData({ type: f.type, length: count, nullCount: 0, child });
    }
    return makeData({ type: f.type, length: count, nullCount: 0, data: new (f.type.ArrayType as Uint8ArrayConstructor)(count) });
  });
  return new Table(schema, [new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: count, nullCount: 0, children }))]);
}

test('predictions.arrow round-trips: write then read gives the same typed arrays', async () => {
  const p = sample(25);
  const path = join(dir, 'round-trip.arrow');
  await writePredictions(path, p);
  assert.deepEqual(await readPredictions(path), p);
});

test('a file of several record batches reads back as one contiguous set of rows', async () => {
  const a = predictionsToTable(sample(3));
  const b = predictionsToTable({ ...sample(4), index: Uint32Array.from([7, 8, 9, 10]) });
  const path = join(dir, 'batches.arrow');
  await writeTableAtomic(path, a.concat(b));
  const p = await readPredictions(path);
  assert.equal(p.count, 7);
  assert.deepEqual(Array.from(p.index), [1000, 1001, 1002, 7, 8, 9, 10]);
  assert.deepEqual(p.features!.subarray(3 * 84), sample(4).features);
});

test('the schema is the documented one: five non-null columns, the contract id and the class names', () => {
  assert.deepEqual(
    PredictionsSchema.fields.map((f) => `${f.name}: ${String(f.type)}${f.nullable ? '?' : ''}`),
    ['index: Uint32', 'label: Uint8', 'predicted: Uint8', 'probabilities: FixedSizeList[10]<Float32>', 'features: FixedSizeList[84]<Float32>'],
  );
  assert.equal(PredictionsSchema.metadata.get(CONTRACT_KEY), 'tbpipe.predictions/v2');
  assert.equal(PredictionsSchema.metadata.get('tbpipe.classNames'), JSON.stringify(FASHION_CLASSES));
});

test('K and D come from the data: 300 classes store labels as Uint16, 12 features as FixedSizeList[12], none as no column', () => {
  const names = Array.from({ length: 300 }, (_, i) => `c${i}`);
  assert.deepEqual(
    predictionsSchema(names, 12).fields.map((f) => `${f.name}: ${String(f.type)}`),
    ['index: Uint32', 'label: Uint16', 'predicted: Uint16', 'probabilities: FixedSizeList[300]<Float32>', 'features: FixedSizeList[12]<Float32>'],
  );
  assert.deepEqual(predictionsSchema(['a', 'b'], undefined).fields.map((f) => f.name), ['index', 'label', 'predicted', 'probabilities']);
});

test('300 classes without features round-trip, labels widened to Uint16 on reading', async () => {
  const names = Array.from({ length: 300 }, (_, i) => `c${i}`);
  const count = 4;
  const p: Predictions = {
    count,
    classNames: names,
    index: Uint32Array.from([0, 1, 2, 3]),
    label: Uint16Array.from([0, 299, 257, 3]),
    predicted: Uint16Array.from([1, 299, 256, 3]),
    probabilities: new Float32Array(count * 300).fill(1 / 300),
    featureWidth: 0,
  };
  const path = join(dir, 'wide.arrow');
  await writePredictions(path, p);
  assert.deepEqual(await readPredictions(path), p);
});

test('a v1 file (another contract id) is refused with the exact message', async () => {
  const path = join(dir, 'v1.arrow');
  const schema = new Schema(PredictionsSchema.fields, new Map([[CONTRACT_KEY, 'tbpipe.predictions/v1']]));
  await writeTableAtomic(path, zeroTable(schema, 2));
  await assert.rejects(readPredictions(path), {
    name: 'ContractError',
    code: 'SCHEMA_MISMATCH',
    message: `contract: ${path} does not match tbpipe.predictions/v2: contract tbpipe.predictions/v1 instead of tbpipe.predictions/v2; rebuild it with the producing stage (or rerun the pipeline).`,
  });
});

test('a file with 12 probabilities per row for 10 class names lists the difference', async () => {
  const path = join(dir, 'twelve.arrow');
  const fields = [
    new Field('index', new Uint32(), false),
    new Field('label', new Uint8(), false),
    new Field('predicted', new Uint8(), false),
    new Field('probabilities', new FixedSizeList(12, new Field('item', new Float32(), false)), false),
  ];
  await writeTableAtomic(path, zeroTable(new Schema(fields, PredictionsSchema.metadata), 2));
  await assert.rejects(readPredictions(path), {
    message: `contract: ${path} does not match tbpipe.predictions/v2: field 3 is probabilities: FixedSizeList[12]<Float32>, expected probabilities: FixedSizeList[10]<Float32>; rebuild it with the producing stage (or rerun the pipeline).`,
  });
});

test('a predicted class outside [0, 10) is refused with its row', async () => {
  const path = join(dir, 'bad-class.arrow');
  const p = sample(5);
  p.predicted[3] = 11;
  await writePredictions(path, p);
  await assert.rejects(readPredictions(path), {
    code: 'EVALUATE_PREDICTIONS_INVALID',
    message: `evaluate: ${path} has predicted 11 at row 3, expected a class in [0, 10); rerun the evaluate stage to rebuild it`,
  });
});

test('a missing or non-Arrow file is one line naming it', async () => {
  await assert.rejects(readPredictions(join(dir, 'nope.arrow')), { code: 'ARTIFACT_MISSING' });
  const junk = join(dir, 'junk.arrow');
  await writeFile(junk, 'not arrow');
  await assert.rejects(readPredictions(junk), { code: 'ARTIFACT_CORRUPT' });
});

test('arrays of the wrong length are refused before anything is written', () => {
  assert.throws(() => predictionsToTable({ ...sample(2), probabilities: new Float32Array(10) }), {
    message: 'evaluate: probabilities has 10 values, expected 20; pass arrays for the same rows',
  });
  assert.throws(() => predictionsToTable({ ...sample(2), features: new Float32Array(85) }), {
    message: 'evaluate: features has 85 values, expected a multiple of 2 (D per row); pass arrays for the same rows',
  });
});

test('label and predicted given as the same array are written as two intact columns', async () => {
  const p = sample(6);
  const shared = Uint8Array.from(p.label); // stored as is for 10 classes: both columns would share one buffer
  const path = join(dir, 'shared.arrow');
  await writePredictions(path, { ...p, label: shared, predicted: shared });
  const back = await readPredictions(path);
  assert.deepEqual(back.predicted, p.label);
  assert.deepEqual(back.label, p.label);
});
