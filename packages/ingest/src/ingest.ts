import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import { MANIFEST_FILE, removeTempDebris, resolveStageOptions, silentLogger, writeFileAtomic, writeManifest, type Logger, type Manifest, type StageInput } from '@tbpipe/core';
import { INGEST_CONTRACT, TEST_FILE, TRAIN_FILE } from './contract.ts';
import { DATASETS, IDX_FILES, IDX_ROLES, type ChecksumTable, type DatasetName, type IdxRole } from './datasets.ts';
import { DEFAULT_CACHE_DIR, INGEST_STAGE } from './options.ts';
import { checkSplit, decodeIdxImages, decodeIdxLabels } from './idx.ts';
import { IdxError } from './errors.ts';
import { encodeImages } from './images.ts';
import { locateData, type DataSource } from './locate.ts';
import { readSourceFile, type SourceFile } from './read-source.ts';

/** Options of {@link ingest}: the stage's declared options ({@link INGEST_STAGE}) and what only a library caller passes. */
export type IngestOptions = StageInput<typeof INGEST_STAGE.options> & {
  /** Base URLs to download from, in order; default the dataset's published mirrors. `mirror` wins if both given. */
  mirrors?: readonly string[];
  /** Published checksums of the four `.gz` files; default the dataset's table (for tests and private mirrors). */
  checksums?: ChecksumTable;
  /** System package directories to search; default the dataset's (Debian's `/usr/share/datasets/fashion-mnist`). */
  systemDirs?: readonly string[];
  /** Environment for the dataset's directory variable (`FASHION_MNIST_DIR`…); default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** `fetch` for downloads; default the global one. */
  fetch?: typeof fetch;
  /** pino logger; silent by default. */
  logger?: Logger;
};

/** Every default of {@link IngestOptions}: the schema's, plus the machine's cache root. `undefined` means "the dataset's own". */
export const DEFAULT_INGEST_OPTIONS = {
  ...(v.getDefaults(INGEST_STAGE.options) as { dataset: DatasetName; offline: boolean }),
  cacheDir: DEFAULT_CACHE_DIR,
  mirrors: undefined as readonly string[] | undefined,
  checksums: undefined as ChecksumTable | undefined,
  systemDirs: undefined as readonly string[] | undefined,
  logger: silentLogger as Logger,
};

/** What {@link ingest} did. */
export interface IngestResult {
  outDir: string;
  dataset: DatasetName;
  /** Where the IDX files came from. */
  source: { kind: DataSource; dir: string; files: Record<IdxRole, string> };
  /** Images per split. */
  rows: { train: number; test: number };
  classNames: string[];
  /** The manifest as written (contract `tbpipe.ingest/v2`). */
  manifest: Manifest;
}

interface Split {
  images: SourceFile;
  labels: SourceFile;
}

/** Decode and check one split; nothing is written. */
function decodeSplit(split: Split, classNames: readonly string[], dataset: string) {
  const images = decodeIdxImages(split.images.bytes, split.images.name);
  const labels = decodeIdxLabels(split.labels.bytes, split.labels.name);
  checkSplit({ count: images.count, name: split.images.name }, { values: labels, name: split.labels.name }, classNames.length, dataset);
  return { images: images.pixels, labels, count: images.count, classNames: [...classNames], height: images.height, width: images.width, channels: 1 };
}

/**
 * The ingest stage: find the dataset's four IDX files (see {@link locateData} for the order), check them (magic,
 * 28×28, lengths, one label per image, labels < number of classes), and write `train.arrow` and `test.arrow`
 * (schema {@link ImagesSchema}) and then `manifest.json` (contract `tbpipe.ingest/v2`) into `outDir`.
 *
 * Every input is read and checked, and both tables encoded, before anything in `outDir` is touched, so bad input
 * leaves `outDir` as it was; the previous manifest is removed before the new files are renamed into place, so a
 * crash midway never leaves a manifest that vouches for a mix of old and new files.
 * @throws {IngestError} subclasses with stable codes (see `INGEST_ERROR_CODES`); {@link UsageError} for an option outside its schema (an unknown dataset).
 * @example
 * const result = await ingest({ outDir: 'artifacts/fashion-mnist/ingest' });
 * result.rows; // { train: 60000, test: 10000 }
 */
export async function ingest(options: IngestOptions): Promise<IngestResult> {
  const opts = { ...DEFAULT_INGEST_OPTIONS, ...resolveStageOptions(INGEST_STAGE, withoutUndefined(options)) };
  const spec = DATASETS[opts.dataset];
  const log = opts.logger.child({ stage: 'ingest' });
  const started = performance.now();

  const located = await locateData({
    dataset: spec,
    dataDir: opts.dataDir,
    env: opts.env ?? process.env,
    systemDirs: opts.systemDirs ?? spec.systemDirs,
    cacheDir: join(opts.cacheDir, spec.name),
    download: !opts.offline,
    mirrors: opts.mirror !== undefined ? [opts.mirror] : (opts.mirrors ?? spec.mirrors),
    checksums: opts.checksums ?? spec.checksums,
    logger: log,
    fetch: opts.fetch,
  });
  log.info({ source: located.source, dir: located.dir }, 'found IDX files');

  const read = await Promise.all(IDX_ROLES.map((role) => readSourceFile(located.files[role])));
  const sources = Object.fromEntries(IDX_ROLES.map((role, i) => [role, read[i]!])) as Record<IdxRole, SourceFile>;
  const train = decodeSplit({ images: sources.trainImages, labels: sources.trainLabels }, spec.classNames, spec.name);
  const test = decodeSplit({ images: sources.testImages, labels: sources.testLabels }, spec.classNames, spec.name);
  checkSameShape(train, sources.trainImages.name, test, sources.testImages.name);
  const trainBytes = encodeImages(train, spec.name);
  const testBytes = encodeImages(test, spec.name);
  const decodedMillis = performance.now() - started;

  // From here on outDir changes. The old manifest goes first: its presence must always mean "complete".
  await rm(join(opts.outDir, MANIFEST_FILE), { force: true });
  // A run killed mid-write leaves `.train.arrow.tmp-…`; Nx would cache it with the outputs.
  await removeTempDebris(opts.outDir);
  await Promise.all([writeFileAtomic(join(opts.outDir, TRAIN_FILE), trainBytes), writeFileAtomic(join(opts.outDir, TEST_FILE), testBytes)]);
  const info = {
    dataset: spec.name,
    classNames: [...spec.classNames],
    classCount: spec.classNames.length,
    imageHeight: train.height,
    imageWidth: train.width,
    imageChannels: train.channels,
    rows: { train: train.count, test: test.count },
    sources: Object.fromEntries(
      IDX_ROLES.map((role) => [IDX_FILES[role], { file: sources[role].name, sha256: sources[role].sha256, bytes: sources[role].fileBytes }]),
    ),
  };
  // Facts that vary between machines and runs (where the data was found, timings) stay out of the manifest.
  const volatile = {
    source: located.source,
    dir: located.dir,
    files: located.files,
    decodeMillis: Math.round(decodedMillis),
    totalMillis: Math.round(performance.now() - started),
  };
  await writeFileAtomic(join(opts.outDir, 'volatile', 'ingest.json'), `${JSON.stringify(volatile, null, 2)}\n`);
  const manifest = await writeManifest(opts.outDir, INGEST_CONTRACT, [TRAIN_FILE, TEST_FILE], info);
  log.info({ train: train.count, test: test.count, millis: Math.round(performance.now() - started) }, 'ingest done');
  return {
    outDir: opts.outDir,
    dataset: spec.name,
    source: { kind: located.source, dir: located.dir, files: located.files },
    rows: { train: train.count, test: test.count },
    classNames: [...spec.classNames],
    manifest,
  };
}

/** Both splits must hold images of one size: the table's schema has one width. */
function checkSameShape(train: { height: number; width: number }, trainName: string, test: { height: number; width: number }, testName: string): void {
  if (train.height !== test.height || train.width !== test.width) {
    throw new IdxError(
      'IDX_SHAPE_MISMATCH',
      `idx: images of ${test.height}×${test.width} in ${testName}, expected ${train.height}×${train.width} as in ${trainName}; both splits must come from one dataset`,
    );
  }
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, value]) => value !== undefined)) as T;
}
