import { MANIFEST_FILE, TbpipeError, verifyManifest, type Manifest } from '@tbpipe/core';
import { readImages } from '@tbpipe/ingest/contract';
import type { RunRecord } from '@tbpipe/train/predictor';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { INGEST_CONTRACT, INPUT_FILES, MAX_CLASSES, MIN_CLASSES, TRAIN_CONTRACT } from './contract.ts';
import { EvaluateError, evaluateError } from './errors.ts';

/** The test split in memory. */
export interface TestSet {
  /** count × height × width × channels uint8 pixels, row-major HWC. */
  images: Uint8Array;
  labels: Uint16Array;
  classNames: string[];
  count: number;
  height: number;
  width: number;
  channels: number;
  /** sha256 of `test.arrow` (from the ingest manifest). */
  sha256: string;
}

/** What the train stage's `run.json` tells about the model (the part this stage uses). */
export interface ModelInfo {
  /** `<modelDir>/model`, the TensorFlow.js LayersModel. */
  modelPath: string;
  /** The train stage's params (learning rate, momentum, batch size, epochs, seed, backend, …). */
  params: Partial<RunRecord['params']>;
  /** The backend training ran on. */
  backend: string | undefined;
  /** Mini-batches trained: the global step the model stands at. */
  steps: number;
  classNames: string[] | undefined;
  /** sha256 of `run.json` (from the train manifest). */
  runSha256: string;
}

interface InputDir {
  dir: string;
  flag: 'data' | 'model';
  stage: 'ingest' | 'train';
  contract: string;
}

const missingManifest = (d: InputDir, why: string, cause: unknown) =>
  evaluateError(
    'EVALUATE_INPUT_MISSING',
    `--${d.flag} ${d.dir} has no readable ${MANIFEST_FILE} (${why})`,
    `the ${d.stage} stage's output (${d.contract})`,
    `run tbpipe-${d.stage} first, or point --${d.flag} at its --out directory`,
    cause,
  );
const wrongContract = (d: InputDir, got: unknown) =>
  evaluateError(
    'EVALUATE_INPUT_CONTRACT',
    `--${d.flag} ${d.dir} holds ${JSON.stringify(got ?? null)} output`,
    `${d.contract} (the ${d.stage} stage's output)`,
    `point --${d.flag} at the ${d.stage} stage's --out directory (or rerun it with this version of tbpipe)`,
  );
const classCountOutOfRange = (path: string, count: number) =>
  evaluateError(
    'EVALUATE_CLASS_COUNT',
    `${path} has ${count} class names`,
    `${MIN_CLASSES} to ${MAX_CLASSES}`,
    count < MIN_CLASSES ? 'evaluate a dataset of at least two classes' : 'merge classes, or evaluate a subset of them',
  );
const emptyTestSet = (path: string) =>
  evaluateError('EVALUATE_NO_DATA', `${path} has 0 images`, 'at least 1', "check the ingest stage's input");
const classNamesMismatch = (dataDir: string, modelDir: string, test: string[], trained: string[]) =>
  evaluateError(
    'EVALUATE_CLASS_NAMES',
    `the model in ${modelDir} was trained on classes [${trained.join(', ')}] but ${dataDir} has [${test.join(', ')}]`,
    'the same classes in the same order',
    'evaluate the model on the dataset it was trained on',
  );
const badRunRecord = (path: string, why: string, cause?: unknown) =>
  evaluateError('EVALUATE_RUN_RECORD', `${path} is ${why}`, "the train stage's run record (JSON)", 'rerun the train stage', cause);

/**
 * Check an upstream directory before reading it: a manifest with the expected contract id, then every listed file
 * present with its recorded sha256. Each failure is one `evaluate:` line naming the flag and what to do.
 */
export async function checkInputDir(d: InputDir): Promise<Manifest> {
  let declared: unknown;
  try {
    declared = (JSON.parse(await readFile(join(d.dir, MANIFEST_FILE), 'utf8')) as { contract?: unknown }).contract;
  } catch (err) {
    throw missingManifest(d, (err as NodeJS.ErrnoException).code ?? 'not JSON', err);
  }
  if (declared !== d.contract) throw wrongContract(d, declared);
  return verifyManifest(d.dir, d.contract).catch(asEvaluateError);
}

/** Re-throw an upstream package's expected error under this stage's domain, so the CLI prints `evaluate: …`. */
export function asEvaluateError(err: unknown): never {
  if (!(err instanceof TbpipeError) || err instanceof EvaluateError) throw err;
  throw new EvaluateError(err.code, `evaluate: ${err.message.replace(/^[a-z]+: /, '')}`, { cause: err });
}

/**
 * Verify `--data` and read its test split, checking it is not empty and has 2 to 1 000 classes. The shape (height,
 * width, channels) and the class count come from the split's own metadata.
 */
export async function readTestSet(dataDir: string): Promise<TestSet> {
  const manifest = await checkInputDir({ dir: dataDir, flag: 'data', stage: 'ingest', contract: INGEST_CONTRACT });
  const path = join(dataDir, INPUT_FILES.testSet);
  const { images, labels, classNames, count, height, width, channels } = await readImages(path).catch(asEvaluateError);
  // readImages already checked the schema against its metadata and every label against the class names.
  if (count === 0) throw emptyTestSet(path);
  if (classNames.length < MIN_CLASSES || classNames.length > MAX_CLASSES) throw classCountOutOfRange(path, classNames.length);
  return { images, labels, classNames: [...classNames], count, height, width, channels, sha256: manifest.files[INPUT_FILES.testSet]?.sha256 ?? '' };
}

/** Verify `--model` and read its `run.json`. */
export async function readModelInfo(modelDir: string): Promise<ModelInfo> {
  const manifest = await checkInputDir({ dir: modelDir, flag: 'model', stage: 'train', contract: TRAIN_CONTRACT });
  const path = join(modelDir, INPUT_FILES.run);
  let run: Partial<RunRecord>;
  try {
    run = JSON.parse(await readFile(path, 'utf8')) as Partial<RunRecord>;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw badRunRecord(path, code ? `unreadable (${code})` : 'not JSON', err);
  }
  if (typeof run !== 'object' || run === null) throw badRunRecord(path, 'not an object');
  return {
    modelPath: join(modelDir, INPUT_FILES.model),
    params: run.params ?? {},
    backend: run.backend,
    steps: Number.isInteger(run.steps) ? run.steps! : 0,
    classNames: Array.isArray(run.classNames) ? run.classNames : undefined,
    runSha256: manifest.files[INPUT_FILES.run]?.sha256 ?? '',
  };
}

/** The model must have been trained on the same classes (names and order) as the test split it is evaluated on. */
export function checkSameClasses(dataDir: string, modelDir: string, test: TestSet, model: ModelInfo): void {
  const trained = model.classNames;
  if (trained && (trained.length !== test.classNames.length || trained.some((name, i) => name !== test.classNames[i]))) {
    throw classNamesMismatch(dataDir, modelDir, test.classNames, trained);
  }
}
