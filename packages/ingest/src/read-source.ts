import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { DataNotFoundError, GzipError } from './errors.ts';

const gunzipAsync = promisify(gunzip);

const truncatedGzip = (name: string, why: string) =>
  `gzip: ${name} ends before its gzip stream does (${why}), expected a complete gzip file; the file is truncated — download or copy it again`;
const corruptGzip = (name: string, why: string) =>
  `gzip: ${name} is not a valid gzip stream (${why}), expected a gzip-compressed IDX file; the file is damaged — download or copy it again`;
const unreadable = (path: string, why: string) =>
  `ingest: cannot read ${path} (${why}), expected a readable IDX file; check its permissions`;

/** One input file, read whole and decompressed if it was gzip. */
export interface SourceFile {
  /** Where it was read from. */
  path: string;
  /** Its base name, used in messages. */
  name: string;
  /** The IDX bytes (decompressed if the file was gzip). */
  bytes: Uint8Array;
  /** Whether the file was gzip-compressed (detected by magic, not by name). */
  gzip: boolean;
  /** Lower-case hex sha256 of the file's bytes as stored (compressed if gzip). */
  sha256: string;
  /** Size of the file as stored, in bytes. */
  fileBytes: number;
}

/** True if `bytes` starts with the gzip magic `1f 8b` (RFC 1952 §2.3.1). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Upper bound for the output chunk size hint: 256 MiB. */
const MAX_CHUNK_BYTES = 256 * 1024 * 1024;

/**
 * Decompress a whole gzip buffer on the libuv thread pool. Truncated and corrupt streams become a {@link GzipError}
 * naming `name`.
 */
export async function gunzipBytes(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  // The trailer's ISIZE (RFC 1952 §2.3.1: input size mod 2^32) sizes zlib's output chunk: with the default 16 KiB
  // chunk, every chunk is a round trip to the thread pool and decompression of the 26 MB training images takes twice
  // as long. It is only a hint, so a wrong value (multi-member or > 4 GiB) costs speed, never correctness.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const isize = bytes.length >= 18 ? view.getUint32(bytes.length - 4, true) : 0;
  const chunkSize = Math.min(Math.max(isize + 1, 64 * 1024), MAX_CHUNK_BYTES);
  try {
    const out = await gunzipAsync(bytes, { chunkSize });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'Z_BUF_ERROR') throw new GzipError('GZIP_TRUNCATED', truncatedGzip(name, e.message), { cause: err });
    throw new GzipError('GZIP_CORRUPT', corruptGzip(name, e.message), { cause: err });
  }
}

/** Read `path` whole, hash it, and gunzip it if its first bytes are the gzip magic (whatever its name). */
export async function readSourceFile(path: string): Promise<SourceFile> {
  let stored: Buffer;
  try {
    stored = await readFile(path);
  } catch (err) {
    throw new DataNotFoundError('DATA_UNREADABLE', unreadable(path, (err as NodeJS.ErrnoException).code ?? String(err)), {
      cause: err,
    });
  }
  const name = basename(path);
  const gzip = isGzip(stored);
  // Decompression runs on the thread pool; hash on this thread meanwhile.
  const decoded = gzip ? gunzipBytes(stored, name) : new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength);
  const sha256 = createHash('sha256').update(stored).digest('hex');
  const bytes = await decoded;
  return { path, name, bytes, gzip, sha256, fileBytes: stored.length };
}
