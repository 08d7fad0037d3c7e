import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, rmdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createProgress, silentLogger, TEMP_SUFFIX, type Logger } from '@tbpipe/core';
import { IDX_FILES, IDX_ROLES, type ChecksumTable, type IdxRole, type KnownFile } from './datasets.ts';
import { DownloadError } from './errors.ts';
import { gunzipBytes } from './read-source.ts';

const fix = 'pass --mirror <url> for another mirror, or --data <dir> with the four files';
const networkFailed = (url: string, why: string) =>
  `download: cannot fetch ${url} (${why}), expected an HTTP response; check the network, or ${fix}`;
const httpFailed = (url: string, status: number, text: string) =>
  `download: ${url} answered HTTP ${status}${text ? ` ${text}` : ''}, expected 200; the mirror may have moved — ${fix}`;
const truncatedBody = (url: string, got: number, want: number | undefined, why: string) =>
  `download: ${url} ended after ${got} of ${want ?? 'an unknown number of'} bytes (${why}), expected the whole file; nothing was cached — run again to retry`;
const checksumFailed = (url: string, { what, got, want }: ChecksumMismatch) =>
  `download: ${url} has ${what} ${got}, expected ${want}; the mirror served a different or damaged file and nothing was cached — retry, or ${fix}`;
const noChecksum = (file: string) =>
  `download: no published sha256 or md5 for ${file}, expected one in the checksum table; refusing an unverifiable download — pass --data <dir> with the files`;

/** Options for {@link downloadDataset}. */
export interface DownloadOptions {
  /** Base URLs tried in order for each file (a trailing `/` is added if missing). */
  mirrors: readonly string[];
  /** Checksums by role; every one present is verified, and a sha256 or md5 is required. */
  checksums: ChecksumTable;
  /** The dataset's cache directory; verified files are moved here, nothing else is ever written here. */
  cacheDir: string;
  logger?: Logger;
  /** Injected `fetch` (default: the global one). */
  fetch?: typeof fetch;
}

/** A checksum that did not match: which one, what was computed, what was published. */
export interface ChecksumMismatch {
  what: 'sha256' | 'md5' | 'decompressed sha256';
  got: string;
  want: string;
}

/**
 * Check `bytes` (a whole published `.gz` file) against every checksum in `known`; the first mismatch, or undefined.
 * @param name the file's name or URL, for a gzip error while checking `contentSha256`.
 */
export async function findChecksumMismatch(bytes: Uint8Array, known: KnownFile, name: string): Promise<ChecksumMismatch | undefined> {
  if (known.sha256) {
    const got = createHash('sha256').update(bytes).digest('hex');
    if (got !== known.sha256) return { what: 'sha256', got, want: known.sha256 };
  }
  if (known.md5) {
    const got = createHash('md5').update(bytes).digest('hex');
    if (got !== known.md5) return { what: 'md5', got, want: known.md5 };
  }
  if (known.contentSha256) {
    const got = createHash('sha256').update(await gunzipBytes(bytes, name)).digest('hex');
    if (got !== known.contentSha256) return { what: 'decompressed sha256', got, want: known.contentSha256 };
  }
  return undefined;
}

/** rmdir `dir` and its parents up to and including `top`, stopping at the first that is not empty. */
async function removeEmptyDirs(dir: string, top: string): Promise<void> {
  for (let d = resolve(dir); ; d = dirname(d)) {
    try {
      await rmdir(d);
    } catch {
      return;
    }
    if (d === resolve(top) || dirname(d) === d) return;
  }
}

/** Fetch `url` into `path` (a fresh file), then verify it; throws {@link DownloadError}, leaving `path` possibly partial. */
async function fetchVerified(url: string, path: string, known: KnownFile, fetchImpl: typeof fetch, logger: Logger): Promise<void> {
  let response: Response;
  try {
    // identity: a server that gzip-encodes the .gz again would otherwise be decoded by fetch and fail the checksum.
    response = await fetchImpl(url, { redirect: 'follow', headers: { 'accept-encoding': 'identity' } });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new DownloadError('DOWNLOAD_NETWORK', networkFailed(url, cause?.code ?? cause?.message ?? (err as Error).message), { cause: err });
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => {});
    throw new DownloadError('DOWNLOAD_HTTP', httpFailed(url, response.status, response.statusText));
  }
  const lengthHeader = response.headers.get('content-length');
  const expected = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
  const progress = expected ? createProgress({ label: url, total: expected, unit: 'bytes', logger }) : undefined;
  const handle = await open(path, 'wx');
  let got = 0;
  try {
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        await handle.write(chunk);
        got += chunk.length;
        progress?.update(got);
      }
    } catch (err) {
      const cause = (err as { cause?: { message?: string } }).cause;
      throw new DownloadError('DOWNLOAD_TRUNCATED', truncatedBody(url, got, expected, cause?.message ?? (err as Error).message), { cause: err });
    }
    if (expected !== undefined && got !== expected) {
      throw new DownloadError('DOWNLOAD_TRUNCATED', truncatedBody(url, got, expected, 'body shorter than Content-Length'));
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  progress?.done();
  const mismatch = await findChecksumMismatch(await readFile(path), known, url);
  if (mismatch) throw new DownloadError('DOWNLOAD_CHECKSUM', checksumFailed(url, mismatch));
}

/**
 * Download the four `.gz` files of a dataset into `cacheDir`, verifying each against its published checksums. Files
 * are fetched into a temporary directory inside `cacheDir` and moved in only after all four verified, so a failed
 * download (HTTP error, dropped connection, wrong checksum) leaves the cache as it was. Each file is tried on every
 * mirror in turn; the error of the last attempt is thrown.
 * @returns the cached files' paths by role.
 * @throws {DownloadError} `DOWNLOAD_HTTP`, `DOWNLOAD_NETWORK`, `DOWNLOAD_TRUNCATED`, `DOWNLOAD_CHECKSUM`,
 *   `DOWNLOAD_NO_CHECKSUM`.
 */
export async function downloadDataset(options: DownloadOptions): Promise<Record<IdxRole, string>> {
  const logger = options.logger ?? silentLogger;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const mirrors = options.mirrors.map((m) => (m.endsWith('/') ? m : `${m}/`));
  for (const role of IDX_ROLES) {
    const known = options.checksums[role];
    if (!known?.sha256 && !known?.md5) throw new DownloadError('DOWNLOAD_NO_CHECKSUM', noChecksum(`${IDX_FILES[role]}.gz`));
  }
  if (mirrors.length === 0) throw new RangeError('downloadDataset: no mirrors given');
  // mkdir returns the first directory it created: remove it again on failure so a failed download leaves no trace.
  const created = await mkdir(options.cacheDir, { recursive: true });
  const staging = join(options.cacheDir, `.download${TEMP_SUFFIX}${randomBytes(6).toString('hex')}`);
  await mkdir(staging);
  try {
    for (const role of IDX_ROLES) {
      const file = `${IDX_FILES[role]}.gz`;
      let lastError: unknown;
      for (const mirror of mirrors) {
        const url = new URL(file, mirror).href;
        const path = join(staging, file);
        try {
          logger.info({ url }, 'downloading');
          await fetchVerified(url, path, options.checksums[role], fetchImpl, logger);
          lastError = undefined;
          break;
        } catch (err) {
          lastError = err;
          await rm(path, { force: true });
          logger.warn({ url, code: (err as DownloadError).code }, 'download failed');
        }
      }
      if (lastError) throw lastError;
    }
    const files = {} as Record<IdxRole, string>;
    for (const role of IDX_ROLES) {
      const file = `${IDX_FILES[role]}.gz`;
      files[role] = join(options.cacheDir, file);
      await rename(join(staging, file), files[role]);
    }
    return files;
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    if (created) await removeEmptyDirs(options.cacheDir, created);
    throw err;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
