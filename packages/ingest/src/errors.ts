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
  ],
  GzipError: ['GZIP_TRUNCATED', 'GZIP_CORRUPT'],
  DataNotFoundError: ['DATA_NOT_FOUND', 'DATA_INCOMPLETE', 'DATA_UNREADABLE'],
  DownloadError: ['DOWNLOAD_HTTP', 'DOWNLOAD_NETWORK', 'DOWNLOAD_TRUNCATED', 'DOWNLOAD_CHECKSUM', 'DOWNLOAD_NO_CHECKSUM'],
  CacheError: ['CACHE_CHECKSUM'],
  /** Thrown by `readImages` as core's `ContractError`, besides core's own `SCHEMA_MISMATCH` and `ARTIFACT_*`. */
  ContractError: ['IMAGES_METADATA', 'IMAGES_LABEL_OUT_OF_RANGE'],
} as const;

type CodeOf<K extends keyof typeof INGEST_ERROR_CODES> = (typeof INGEST_ERROR_CODES)[K][number];

/** Base class of every error ingest throws for a condition the user can fix (the CLI prints it as one line). */
export class IngestError extends TbpipeError {}

/** An IDX file is malformed or inconsistent with its partner (magic, dimensions, length, counts, labels). */
export class IdxError extends IngestError {
  declare readonly code: CodeOf<'IdxError'>;
  constructor(code: CodeOf<'IdxError'>, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A gzip-compressed input is truncated or corrupt. */
export class GzipError extends IngestError {
  declare readonly code: CodeOf<'GzipError'>;
  constructor(code: CodeOf<'GzipError'>, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The four IDX files were not found (or not readable) anywhere ingest looked. */
export class DataNotFoundError extends IngestError {
  declare readonly code: CodeOf<'DataNotFoundError'>;
  constructor(code: CodeOf<'DataNotFoundError'>, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A download failed: HTTP status, network, truncated body, checksum. Nothing is left in the cache. */
export class DownloadError extends IngestError {
  declare readonly code: CodeOf<'DownloadError'>;
  constructor(code: CodeOf<'DownloadError'>, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A file in the download cache no longer matches its published checksum. */
export class CacheError extends IngestError {
  declare readonly code: CodeOf<'CacheError'>;
  constructor(code: CodeOf<'CacheError'>, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
