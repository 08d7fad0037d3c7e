import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import { MANIFEST_FILE, removeTempDebris, resolveStageOptions, silentLogger, writeFileAtomic, writeManifest, type Logger, type Manifest, type StageInput } from '@tbpipe/core';
import { INGEST_CONTRACT, TEST_FILE, TRAIN_FILE, type ImageShape } from './contract.ts';
import type { ChecksumTable, DatasetName, IdxRole } from './datasets.ts';
import { SourceError } from './errors.ts';
import { encodeImages } from './images.ts';
import type { DataSource, LocatedData } from './locate.ts';
import { DEFAULT_CACHE_DIR, INGEST_STAGE } from './options.ts';
import type { SkippedImage } from './sources/decode-all.ts';
import { loadIdx } from './sources/idx.ts';
import type { LoadedData } from './sources/loaded.ts';

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
  ...(v.getDefaults(INGEST_STAGE.options) as {
    source: 'idx' | 'folder' | 'table';
    dataset: DatasetName;
    offline: boolean;
    testFraction: number;
    seed: number;
    imageColumn: string;
    labelColumn: string;
    strict: boolean;
  }),
  cacheDir: DEFAULT_CACHE_DIR,
  mirrors: undefined as readonly string[] | undefined,
  checksums: undefined as ChecksumTable | undefined,
  systemDirs: undefined as readonly string[] | undefined,
  logger: silentLogger as Logger,
};

/** What {@link ingest} did. */
export interface IngestResult {
  outDir: string;
  /** `--source`: idx, folder or table. */
  input: 'idx' | 'folder' | 'table';
  /** The dataset's name: an IDX dataset's, or the folder's / table's base name. */
  dataset: string;
  /** With `--source idx`: where the IDX files came from. */
  source?: { kind: DataSource; dir: string; files: Record<IdxRole, string> };
  /** Images per split. */
  rows: { train: number; test: number };
  classNames: string[];
  /** Height, width and channels of every image. */
  shape: ImageShape;
  /** Images left out because they could not be decoded (folder and table; never with `strict`). */
  skipped: SkippedImage[];
  /** The manifest as written (contract `tbpipe.ingest/v2`). */
  manifest: Manifest;
}

/** How many skipped images the manifest and the log name. */
const SKIPPED_LISTED = 10;

/**
 * The ingest stage: read a labelled image set — IDX files (`--source idx`, see {@link loadIdx}), a folder of class
 * folders ({@link loadFolder}) or an Arrow/Parquet table ({@link loadTable}) — and write `train.arrow` and
 * `test.arrow` (schema `tbpipe.images/v2`, see {@link imagesSchema}) and then `manifest.json` (contract
 * `tbpipe.ingest/v2`) into `outDir`.
 *
 * Every input is read and checked, and both tables encoded, before anything in `outDir` is touched, so bad input
 * leaves `outDir` as it was; the previous manifest is removed before the new files are renamed into place, so a
 * crash midway never leaves a manifest that vouches for a mix of old and new files.
 * @throws {IngestError} subclasses with stable codes (see `INGEST_ERROR_CODES`); {@link UsageError} for an option outside its schema.
 * @example
 * const result = await ingest({ outDir: 'artifacts/fashion-mnist/ingest' });
 * result.rows; // { train: 60000, test: 10000 }
 * await ingest({ outDir: 'artifacts/mine/ingest', source: 'folder', path: 'data/pets', imageSize: '64x64', channels: 3 });
 */
export async function ingest(options: IngestOptions): Promise<IngestResult> {
  const opts = { ...DEFAULT_INGEST_OPTIONS, ...resolveStageOptions(INGEST_STAGE, withoutUndefined(options)) };
  const log = opts.logger.child({ stage: 'ingest' });
  const started = performance.now();

  const sourceOptions = { ...opts, logger: log };
  // The folder and table sources load on demand: they bring sharp (libvips) and hyparquet, ~45 modules and a native
  // library that an IDX run never uses (see the README's performance section).
  const loaded: LoadedData & { located?: LocatedData } =
    opts.source === 'folder'
      ? await (await import('./sources/folder.ts')).loadFolder(sourceOptions)
      : opts.source === 'table'
        ? await (await import('./sources/table.ts')).loadTable(sourceOptions)
        : await loadIdx(sourceOptions);
  const { train, test, classNames, shape } = loaded;
  if (opts.source !== 'idx' && (train.count === 0 || test.count === 0)) {
    const empty = train.count === 0 ? 'training' : 'test';
    throw new SourceError(
      'SOURCE_SPLIT',
      `${opts.source}: the ${empty} split of ${opts.path} has 0 images (train ${train.count}, test ${test.count}), expected at least one in each; ` +
        'give the input images for both splits, or split one set with --test-fraction above 0',
    );
  }
  if (loaded.skipped.length > 0) {
    log.warn(
      { skipped: loaded.skipped.length, first: loaded.skipped.slice(0, SKIPPED_LISTED).map((s) => `${s.name}: ${s.reason}`) },
      `skipped ${loaded.skipped.length} unreadable images (--strict makes this an error)`,
    );
  }
  const trainBytes = encodeImages(train, loaded.dataset);
  const testBytes = encodeImages(test, loaded.dataset);
  const decodedMillis = performance.now() - started;

  // From here on outDir changes. The old manifest goes first: its presence must always mean "complete".
  await rm(join(opts.outDir, MANIFEST_FILE), { force: true });
  // A run killed mid-write leaves `.train.arrow.tmp-…`; Nx would cache it with the outputs.
  await removeTempDebris(opts.outDir);
  await Promise.all([writeFileAtomic(join(opts.outDir, TRAIN_FILE), trainBytes), writeFileAtomic(join(opts.outDir, TEST_FILE), testBytes)]);
  const info = {
    ...(opts.source === 'idx' ? {} : { source: opts.source }),
    dataset: loaded.dataset,
    classNames,
    classCount: classNames.length,
    imageHeight: shape.height,
    imageWidth: shape.width,
    imageChannels: shape.channels,
    rows: { train: train.count, test: test.count },
    ...loaded.info,
    ...(opts.source === 'idx'
      ? {}
      : { skipped: { count: loaded.skipped.length, first: loaded.skipped.slice(0, SKIPPED_LISTED).map((s) => ({ image: s.name, reason: s.reason })) } }),
  };
  // Facts that vary between machines and runs (where the data was found, timings) stay out of the manifest.
  const volatile = {
    ...loaded.volatile,
    decodeMillis: Math.round(decodedMillis),
    totalMillis: Math.round(performance.now() - started),
  };
  await writeFileAtomic(join(opts.outDir, 'volatile', 'ingest.json'), `${JSON.stringify(volatile, null, 2)}\n`);
  const manifest = await writeManifest(opts.outDir, INGEST_CONTRACT, [TRAIN_FILE, TEST_FILE], info);
  log.info({ train: train.count, test: test.count, millis: Math.round(performance.now() - started) }, 'ingest done');
  const located = loaded.located;
  return {
    outDir: opts.outDir,
    input: opts.source,
    dataset: loaded.dataset,
    ...(located ? { source: { kind: located.source, dir: located.dir, files: located.files } } : {}),
    rows: { train: train.count, test: test.count },
    classNames: [...classNames],
    shape,
    skipped: loaded.skipped,
    manifest,
  };
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, value]) => value !== undefined)) as T;
}
