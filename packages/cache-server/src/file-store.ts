import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TEMP_SUFFIX } from '@tbpipe/core';
import { assertValidHash, type CacheEntry, type CacheStore, type PutOutcome } from './store.ts';

/** Options for {@link openFileStore}. */
export interface FileStoreOptions {
  /** The directory that holds one file per hash; created if missing. */
  dir: string;
  /** Temporary files older than this are debris of a crash and removed on open. Default 1 hour. */
  staleTempMillis?: number;
}

/** The directory, inside the store's, where uploads are written before they become visible. */
export const TEMP_DIR = '.uploads';

const DEFAULT_STALE_TEMP_MILLIS = 60 * 60 * 1000;

/**
 * A {@link CacheStore} on a local (or shared POSIX) file system: `<dir>/<hash>` holds the artifact exactly as Nx
 * uploaded it. Uploads stream into `<dir>/.uploads/` and are published with `link(2)`, which fails with `EEXIST`
 * when the hash is already there: unlike `rename(2)` it never replaces an entry, so of two concurrent uploads of one
 * hash exactly one wins and the other is told `'exists'`. Memory use is constant whatever the artifact size.
 *
 * @example
 * const store = await openFileStore({ dir: '/var/cache/tbpipe-nx' });
 */
export async function openFileStore(options: FileStoreOptions): Promise<CacheStore> {
  const dir = options.dir;
  const tempDir = join(dir, TEMP_DIR);
  await mkdir(tempDir, { recursive: true });
  await removeStaleTemps(tempDir, options.staleTempMillis ?? DEFAULT_STALE_TEMP_MILLIS);

  return {
    async get(hash: string): Promise<CacheEntry | undefined> {
      assertValidHash(hash);
      let handle;
      try {
        handle = await open(join(dir, hash), 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
      // Size from the open handle, not the path: the entry cannot change under us (entries are immutable, and an
      // evicted file stays readable through the handle).
      const { size } = await handle.stat();
      return { body: handle.createReadStream(), sizeBytes: size };
    },

    async put(hash: string, body: Readable): Promise<PutOutcome> {
      assertValidHash(hash);
      const path = join(dir, hash);
      // Cheap early answer so a duplicate upload is drained rather than written; link() below is what decides.
      if (await exists(path)) return 'exists';
      const temp = join(tempDir, `${hash}${TEMP_SUFFIX}${randomBytes(6).toString('hex')}`);
      try {
        // flush: fsync before close, so a power cut after link() cannot publish an empty or torn file.
        await pipeline(body, createWriteStream(temp, { flags: 'wx', flush: true }));
        await link(temp, path);
        return 'stored';
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
        throw err;
      } finally {
        await rm(temp, { force: true });
      }
    },
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Only old temporaries: another server process may share the directory and be mid-upload. */
async function removeStaleTemps(tempDir: string, staleTempMillis: number): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(tempDir)) {
    const path = join(tempDir, name);
    const info = await stat(path).catch(() => undefined);
    if (info && now - info.mtimeMs > staleTempMillis) await rm(path, { force: true });
  }
}
