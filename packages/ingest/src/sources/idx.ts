import { join } from 'node:path';
import type { Logger } from '@tbpipe/core';
import { classNamesOption } from '../class-names.ts';
import { DATASETS, IDX_FILES, IDX_ROLES, type ChecksumTable, type DatasetName, type IdxRole } from '../datasets.ts';
import { IdxError } from '../errors.ts';
import { checkSplit, decodeIdxImages, decodeIdxLabels } from '../idx.ts';
import { locateData, type LocatedData } from '../locate.ts';
import { readSourceFile, type SourceFile } from '../read-source.ts';
import type { LoadedData } from './loaded.ts';

/** What the IDX source reads: the dataset's search options and the class names override. */
export interface IdxSourceOptions {
  dataset: DatasetName;
  dataDir?: string;
  cacheDir: string;
  offline: boolean;
  mirror?: string;
  mirrors?: readonly string[];
  checksums?: ChecksumTable;
  systemDirs?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
  fetch?: typeof fetch;
  classNames?: string;
  classNamesFile?: string;
  logger: Logger;
}

interface Split {
  images: SourceFile;
  labels: SourceFile;
}

/** Decode and check one split; nothing is written. */
function decodeSplit(split: Split, classNames: readonly string[], what: string) {
  const images = decodeIdxImages(split.images.bytes, split.images.name);
  const labels = decodeIdxLabels(split.labels.bytes, split.labels.name);
  checkSplit({ count: images.count, name: split.images.name }, { values: labels, name: split.labels.name }, classNames.length, what);
  return { images: images.pixels, labels, count: images.count, classNames: [...classNames], height: images.height, width: images.width, channels: 1 };
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

/**
 * `--source idx`: find the dataset's four IDX files (see {@link locateData} for the order), check them (magic,
 * dimensions, lengths, one label per image, labels < number of classes) and return both splits. Images keep the
 * size the files declare; class names are the dataset's unless `--class-names` / `--class-names-file` give others.
 */
export async function loadIdx(o: IdxSourceOptions): Promise<LoadedData & { located: LocatedData }> {
  const spec = DATASETS[o.dataset];
  const custom = await classNamesOption(o);
  const classNames = custom ?? [...spec.classNames];
  const located = await locateData({
    dataset: spec,
    dataDir: o.dataDir,
    env: o.env ?? process.env,
    systemDirs: o.systemDirs ?? spec.systemDirs,
    cacheDir: join(o.cacheDir, spec.name),
    download: !o.offline,
    mirrors: o.mirror !== undefined ? [o.mirror] : (o.mirrors ?? spec.mirrors),
    checksums: o.checksums ?? spec.checksums,
    logger: o.logger,
    fetch: o.fetch,
  });
  o.logger.info({ source: located.source, dir: located.dir }, 'found IDX files');

  const read = await Promise.all(IDX_ROLES.map((role) => readSourceFile(located.files[role])));
  const sources = Object.fromEntries(IDX_ROLES.map((role, i) => [role, read[i]!])) as Record<IdxRole, SourceFile>;
  const what = custom ? (o.classNames !== undefined ? '--class-names' : '--class-names-file') : spec.name;
  const train = decodeSplit({ images: sources.trainImages, labels: sources.trainLabels }, classNames, what);
  const test = decodeSplit({ images: sources.testImages, labels: sources.testLabels }, classNames, what);
  checkSameShape(train, sources.trainImages.name, test, sources.testImages.name);
  return {
    dataset: spec.name,
    classNames,
    shape: { height: train.height, width: train.width, channels: 1 },
    train,
    test,
    info: {
      sources: Object.fromEntries(
        IDX_ROLES.map((role) => [IDX_FILES[role], { file: sources[role].name, sha256: sources[role].sha256, bytes: sources[role].fileBytes }]),
      ),
    },
    volatile: { source: located.source, dir: located.dir, files: located.files },
    skipped: [],
    located,
  };
}
