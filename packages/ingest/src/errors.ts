import { TbpipeError } from '@tbpipe/core';

/**
 * Every stable `code` ingest throws, by error class. Programs may branch on these; tests check that each one is
 * reachable and that its message is exact.
 */
export const INGEST_ERROR_CODES = {
  IdxError: [
    'IDX_TOO_SHORT',
    'IDX_BAD_MAGIC',
    'IDX_BAD_DIMENSIONS',
    'IDX_TRUNCATED',
    'IDX_TRAILING_BYTES',
    'IDX_COUNT_MISMATCH',
    'IDX_LABEL_OUT_OF_RANGE',
    'IDX_SHAPE_MISMATCH',
  ],
  GzipError: ['GZIP_TRUNCATED', 'GZIP_CORRUPT'],
  DataNotFoundError: ['DATA_NOT_FOUND', 'DATA_INCOMPLETE', 'DATA_UNREADABLE'],
  DownloadError: ['DOWNLOAD_HTTP', 'DOWNLOAD_NETWORK', 'DOWNLOAD_TRUNCATED', 'DOWNLOAD_CHECKSUM', 'DOWNLOAD_NO_CHECKSUM'],
  CacheError: ['CACHE_CHECKSUM'],
  SourceError: [
    'SOURCE_PATH',
    'SOURCE_NO_IMAGES',
    'SOURCE_EMPTY_CLASS',
    'SOURCE_ONE_CLASS',
    'SOURCE_CLASSES',
    'SOURCE_COLUMN',
    'SOURCE_LABEL',
    'SOURCE_SPLIT',
    'SOURCE_FORMAT',
    'IMAGE_UNREADABLE',
    'IMAGE_SIZE_MISMATCH',
  ],
  /** Thrown by `readImages` as core's `ContractError`, besides core's own `SCHEMA_MISMATCH` and `ARTIFACT_*`. */
  ContractError: ['IMAGES_METADATA', 'IMAGES_LABEL_OUT_OF_RANGE'],
} as const;

type CodeOf<K extends keyof typeof INGEST_ERROR_CODES> = (typeof INGEST_ERROR_CODES)[K][number];

/**
 * Base class of every error ingest throws for a condition the user can fix (the CLI prints it as one line). `C`
 * narrows `code` to the subclass's own codes from {@link INGEST_ERROR_CODES}.
 */
export class IngestError<C extends string = string> extends TbpipeError {
  declare readonly code: C;
  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** An IDX file is malformed or inconsistent with its partner (magic, dimensions, length, counts, labels). */
export class IdxError extends IngestError<CodeOf<'IdxError'>> {}

/** A gzip-compressed input is truncated or corrupt. */
export class GzipError extends IngestError<CodeOf<'GzipError'>> {}

/** The four IDX files were not found (or not readable) anywhere ingest looked. */
export class DataNotFoundError extends IngestError<CodeOf<'DataNotFoundError'>> {}

/** A download failed: HTTP status, network, truncated body, checksum. Nothing is left in the cache. */
export class DownloadError extends IngestError<CodeOf<'DownloadError'>> {}

/** A file in the download cache no longer matches its published checksum. */
export class CacheError extends IngestError<CodeOf<'CacheError'>> {}

/**
 * A folder or table input is unusable: missing path, no images, an empty or single class, a missing column, a label
 * outside the class list, an unreadable image (with `--strict`), images of mixed sizes without `--image-size`.
 */
export class SourceError extends IngestError<CodeOf<'SourceError'>> {}
