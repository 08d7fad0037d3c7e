import { CONTRACT_KEY, writeManifest, writeTableAtomic } from '@tbpipe/core';
import { INGEST_CONTRACT as INGEST_EXPORT, TEST_FILE } from '@tbpipe/ingest';
import { Field, FixedSizeBinary, makeData, RecordBatch, Schema, Struct, Table, Uint8 } from 'apache-arrow';
import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { INGEST_CONTRACT, INPUT_FILES } from '../src/contract.ts';
import { evaluate } from '../src/evaluate.ts';
import type { EvaluateOptions } from '../src/options.ts';
import { readPredictions } from '../src/predictions.ts';
import { fakeLoader, FASHION_CLASSES, makeIngestDir, makeTrainDir, runRecord, stripedImages } from './helpers/fixtures.ts';

let root: string;
let dataDir: string;
let modelDir: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tbpipe-evaluate-inputs-'));
  dataDir = await makeIngestDir(join(root, 'ingest'), stripedImages(10));
  modelDir = await makeTrainDir(join(root, 'train'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const run = (overrides: Partial<EvaluateOptions>) =>
  evaluate({ dataDir, modelDir, outDir: join(root, 'out'), runDir: join(root, 'runs'), loadPredictor: fakeLoader(), ...overrides });

test("the upstream contract ids and file names are the ingest stage's own", () => {
  assert.equal(INGEST_CONTRACT, INGEST_EXPORT);
  assert.equal(INPUT_FILES.testSet, TEST_FILE);
});

test('a --data directory without a manifest is one evaluate: line saying which stage to run', async () => {
  const empty = join(root, 'empty');
  await mkdir(empty, { recursive: true });
  await assert.rejects(run({ dataDir: empty }), {
    code: 'EVALUATE_INPUT_MISSING',
    message: `evaluate: --data ${empty} has no readable manifest.json (ENOENT), expected the ingest stage's output (tbpipe.ingest/v2); run tbpipe-ingest first, or point --data at its --out directory`,
  });
});

test('a --model directory holding another stage’s output names both contracts', async () => {
  await assert.rejects(run({ modelDir: dataDir }), {
    code: 'EVALUATE_INPUT_CONTRACT',
    message: `evaluate: --model ${dataDir} holds "tbpipe.ingest/v2" output, expected tbpipe.train/v1 (the train stage's output); point --model at the train stage's --out directory (or rerun it with this version of tbpipe)`,
  });
});

test('a test split changed after ingest wrote it fails its manifest check', async () => {
  const dir = await makeIngestDir(join(root, 'tampered'), stripedImages(10));
  await appendFile(join(dir, TEST_FILE), 'x');
  await assert.rejects(run({ dataDir: dir }), (err: Error & { code: string }) => {
    assert.equal(err.code, 'ARTIFACT_TAMPERED');
    assert.match(err.message, new RegExp(`^evaluate: ${join(dir, TEST_FILE)} has sha256 [0-9a-f]{12}… \\(\\d+ bytes\\), expected`));
    return true;
  });
});

test('a model whose network outputs 10 classes is refused on a 12-class test split before inference', async () => {
  const classNames = [...FASHION_CLASSES, 'Hat', 'Scarf'];
  const dir = await makeIngestDir(join(root, 'twelve'), { ...stripedImages(12, 1, 12), classNames });
  let predicted = 0;
  await assert.rejects(
    run({ dataDir: dir, modelDir: await makeTrainDir(join(root, 'train-12'), runRecord({ classNames })), loadPredictor: fakeLoader({ networkClasses: 10, classes: 12, onPredict: () => predicted++ }) }),
    {
      code: 'EVALUATE_MODEL_OUTPUTS',
      message: `evaluate: the model in --model ${join(root, 'train-12')} outputs 10 classes but --data ${dir} has 12, expected one output per class of the test split; evaluate the model on the dataset it was trained on`,
    },
  );
  assert.equal(predicted, 0);
});

test('a test split of one class, or of more than 1 000, is refused with the class count', async () => {
  const dir = await makeIngestDir(join(root, 'one-class'), { ...stripedImages(3, 1, 1), classNames: ['only'] });
  await assert.rejects(run({ dataDir: dir }), {
    code: 'EVALUATE_CLASS_COUNT',
    message: `evaluate: ${join(dir, TEST_FILE)} has 1 class names, expected 2 to 1000; evaluate a dataset of at least two classes`,
  });
});

test('a model trained on other classes than the test split is refused with both lists', async () => {
  const digits = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
  const dir = await makeIngestDir(join(root, 'digits'), { ...stripedImages(10), classNames: digits });
  await assert.rejects(run({ dataDir: dir }), {
    code: 'EVALUATE_CLASS_NAMES',
    message: `evaluate: the model in ${modelDir} was trained on classes [${FASHION_CLASSES.join(', ')}] but ${dir} has [${digits.join(', ')}], expected the same classes in the same order; evaluate the model on the dataset it was trained on`,
  });
});

test('a model trained on 28 × 28 grey images is refused on 32 × 32 RGB images, naming both sizes', async () => {
  const shape = { height: 32, width: 32, channels: 3 };
  const dir = await makeIngestDir(join(root, 'rgb'), { ...stripedImages(10, 1, 10, shape), shape });
  await assert.rejects(run({ dataDir: dir }), {
    code: 'EVALUATE_MODEL_INPUT',
    message: `evaluate: the model in --model ${modelDir} takes 28 × 28 × 1 images but --data ${dir} has 32 × 32 × 3, expected the image size the model was trained on; evaluate the model on the dataset it was trained on`,
  });
});

test('a test split that is not an images table is refused at the schema boundary', async () => {
  const dir = join(root, 'not-images');
  const schema = new Schema([new Field('image', new FixedSizeBinary(1024), false), new Field('label', new Uint8(), false)], new Map([[CONTRACT_KEY, 'fmnist.images/v1']]));
  const image = makeData({ type: schema.fields[0].type, length: 1, nullCount: 0, data: new Uint8Array(1024) });
  const label = makeData({ type: schema.fields[1].type, length: 1, nullCount: 0, data: new Uint8Array(1) });
  await writeTableAtomic(join(dir, TEST_FILE), new Table(schema, [new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 1, nullCount: 0, children: [image, label] }))]));
  await writeManifest(dir, INGEST_CONTRACT, [TEST_FILE]);
  await assert.rejects(run({ dataDir: dir }), (err: Error & { code: string }) => {
    assert.equal(err.code, 'SCHEMA_MISMATCH');
    assert.match(err.message, new RegExp(`^evaluate: ${join(dir, TEST_FILE)} does not match tbpipe.images/v2: contract fmnist.images/v1 instead of tbpipe.images/v2`));
    return true;
  });
});

test('a model returning 12 logits per image for 10 classes, or features of uneven width, is refused before anything is written', async () => {
  const out = join(root, 'not-written');
  await assert.rejects(run({ outDir: out, loadPredictor: fakeLoader({ classes: 12, networkClasses: 10 }) }), {
    code: 'EVALUATE_MODEL_OUTPUTS',
    message: 'evaluate: the model returned 120 logits for 10 images (12 per image), expected 10 (the class count) per image; evaluate the model on the dataset it was trained on (its last dense layer must output one logit per class)',
  });
  let calls = 0;
  const uneven: EvaluateOptions['loadPredictor'] = async (dir, o) => {
    const inner = await fakeLoader()(dir, o);
    return { ...inner, backend: inner.backend, network: inner.network, predict: (x, n) => ({ ...inner.predict(x, n), features: new Float32Array(n * (calls++ === 0 ? 84 : 80)) }) };
  };
  await assert.rejects(run({ outDir: out, batchSize: 5, loadPredictor: uneven }), {
    message: 'evaluate: the model returned 400 features for 5 images (80 per image), expected 84 (as in the first batch) per image; evaluate the model on the dataset it was trained on (its last dense layer must output one logit per class)',
  });
  await assert.rejects(readdir(out), { code: 'ENOENT' });
});

test('the feature width comes from the model: 100 features per image are written as FixedSizeList[100]', async () => {
  const o = { outDir: join(root, 'wide-features'), loadPredictor: fakeLoader({ features: 100 }) };
  await run(o);
  const p = await readPredictions(join(o.outDir, 'predictions.arrow'));
  assert.equal(p.featureWidth, 100);
  assert.equal(p.features!.length, 10 * 100);
});

test('a model whose logits are NaN (diverged training) is refused with the first bad image', async () => {
  const nanLoader: EvaluateOptions['loadPredictor'] = async (dir, o) => {
    const inner = await fakeLoader()(dir, o);
    return { ...inner, backend: inner.backend, network: inner.network, predict: (x, n) => ({ ...inner.predict(x, n), logits: new Float32Array(n * 10).fill(Number.NaN) }) };
  };
  await assert.rejects(run({ loadPredictor: nanLoader }), {
    code: 'EVALUATE_MODEL_NOT_FINITE',
    message: "evaluate: the model's logits for test image 0 are not finite, expected finite numbers; retrain the model (its weights contain NaN or Infinity: training diverged)",
  });
});

test('options out of range are usage errors naming the flag', async () => {
  await assert.rejects(run({ numThresholds: 128 }), { code: 'USAGE', message: '--num-thresholds is 128, expected an integer ≥ 2 ≤ 127' });
  await assert.rejects(run({ batchSize: 0 }), { code: 'USAGE', message: '--batch-size is 0, expected an integer ≥ 1' });
  await assert.rejects(run({ backend: 'gpu' as never }), { code: 'USAGE', message: '--backend is "gpu", expected one of auto, tensorflow, wasm, cpu' });
  await assert.rejects(run({ runDir: '' }), { code: 'USAGE', message: '--run-dir is required' });
});
