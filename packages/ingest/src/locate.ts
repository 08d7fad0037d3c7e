import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger, type Logger } from '@tbpipe/core';
import { IDX_FILES, IDX_ROLES, type ChecksumTable, type DatasetSpec, type IdxRole } from './datasets.ts';
import { downloadDataset, findChecksumMismatch, type ChecksumMismatch } from './download.ts';
import { CacheError, DataNotFoundError } from './errors.ts';

const ALL_FILES = IDX_ROLES.map((r) => `${IDX_FILES[r]}(.gz)`).join(', ');
const incomplete = (dir: string, via: string, missing: string[], fixIt: string) =>
  `ingest: ${dir} (${via}) has no ${missing.join(', ')}, expected all four IDX files (${ALL_FILES}); ${fixIt}`;
const notFound = (dataset: DatasetSpec, looked: string[], offline: boolean) =>
  `ingest: ${dataset.name} not found in ${looked.join(', ')}, expected its four IDX files (${ALL_FILES}); ` +
  `pass --data <dir> or set ${dataset.envVar}${dataset.installHint ? `, or ${dataset.installHint}` : ''}` +
  `${offline ? ', or drop --offline to download it' : ''}`;
const cacheDamaged = (path: string, { what, got, want }: ChecksumMismatch) =>
  `cache: ${path} has ${what} ${got}, expected ${want} (as published); the cached file was damaged or replaced — delete it to download it again`;

/** Where the four files were found. */
export type DataSource = 'option' | 'env' | 'system' | 'cache' | 'download';

/** The result of {@link locateData}. */
export interface LocatedData {
  /** How the files were found: `--data`, the environment variable, a system package, the cache, or a download. */
  source: DataSource;
  /** The directory holding them. */
  dir: string;
  /** Path of each file (`.gz` preferred over raw when both exist). */
  files: Record<IdxRole, string>;
}

/** Options for {@link locateData}; ingest fills them from its own options and the dataset table. */
export interface LocateOptions {
  dataset: DatasetSpec;
  /** An explicit directory (`--data`): used if given, and an error if incomplete (no fall-through). */
  dataDir?: string;
  /** The environment to read `dataset.envVar` from. */
  env: Readonly<Record<string, string | undefined>>;
  /** System package directories, tried in order. */
  systemDirs: readonly string[];
  /** This dataset's download cache (`<cacheDir>/<dataset>`). */
  cacheDir: string;
  /** Whether to download when nothing local is found. */
  download: boolean;
  mirrors: readonly string[];
  checksums: ChecksumTable;
  logger?: Logger;
  fetch?: typeof fetch;
}

/** Whether `path` is a file; absent is false, but a directory we may not read is an error, not "missing". */
async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw err;
  }
}

/** Find the four files in `dir`, each as `<name>.gz` or `<name>`; report which are missing. */
export async function findIdxFiles(dir: string): Promise<{ files: Partial<Record<IdxRole, string>>; missing: string[] }> {
  const files: Partial<Record<IdxRole, string>> = {};
  const missing: string[] = [];
  for (const role of IDX_ROLES) {
    const base = join(dir, IDX_FILES[role]);
    if (await isFile(`${base}.gz`)) files[role] = `${base}.gz`;
    else if (await isFile(base)) files[role] = base;
    else missing.push(`${IDX_FILES[role]}(.gz)`);
  }
  return { files, missing };
}

/**
 * Find a dataset's four IDX files, in this order: `dataDir`; the directory in the dataset's environment variable
 * (`FASHION_MNIST_DIR`, `MNIST_DIR`, `KMNIST_DIR`); system package directories (Debian's
 * `/usr/share/datasets/fashion-mnist`); the download cache; a download from the dataset's mirrors into the cache.
 * An explicit directory (option or environment variable) must hold all four files: a mistake there is reported,
 * not silently replaced by another copy. Files in the cache are checked against their published checksums.
 * @throws {DataNotFoundError} `DATA_INCOMPLETE` (explicit directory lacks files), `DATA_NOT_FOUND` (nowhere, and
 *   downloading is off); {@link CacheError}; the download's errors.
 */
export async function locateData(options: LocateOptions): Promise<LocatedData> {
  const { dataset } = options;
  const logger = options.logger ?? silentLogger;
  const explicit: Array<[DataSource, string | undefined, string, string]> = [
    ['option', options.dataDir, '--data', 'point --data at the directory that holds them'],
    ['env', options.env[dataset.envVar] || undefined, dataset.envVar, `fix or unset ${dataset.envVar}`],
  ];
  for (const [source, dir, via, fixIt] of explicit) {
    if (dir === undefined) continue;
    const { files, missing } = await findIdxFiles(dir);
    if (missing.length > 0) throw new DataNotFoundError('DATA_INCOMPLETE', incomplete(dir, via, missing, fixIt));
    return { source, dir, files: files as Record<IdxRole, string> };
  }
  const looked: string[] = [];
  for (const dir of options.systemDirs) {
    const { files, missing } = await findIdxFiles(dir);
    if (missing.length === 0) return { source: 'system', dir, files: files as Record<IdxRole, string> };
    looked.push(dir);
  }
  const cached = await findIdxFiles(options.cacheDir);
  if (cached.missing.length === 0) {
    for (const role of IDX_ROLES) {
      const path = cached.files[role]!;
      const mismatch = await findChecksumMismatch(await readFile(path), options.checksums[role], path);
      if (mismatch) throw new CacheError('CACHE_CHECKSUM', cacheDamaged(path, mismatch));
    }
    return { source: 'cache', dir: options.cacheDir, files: cached.files as Record<IdxRole, string> };
  }
  looked.push(`${options.cacheDir} (cache)`);
  if (!options.download || options.mirrors.length === 0) {
    throw new DataNotFoundError('DATA_NOT_FOUND', notFound(dataset, looked, !options.download));
  }
  logger.info({ dataset: dataset.name, cacheDir: options.cacheDir }, 'not found locally; downloading');
  const files = await downloadDataset({
    mirrors: options.mirrors,
    checksums: options.checksums,
    cacheDir: options.cacheDir,
    logger,
    fetch: options.fetch,
  });
  return { source: 'download', dir: options.cacheDir, files };
}
