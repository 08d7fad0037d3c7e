import { randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The suffix of temporary files; anything matching it in an artifact directory is debris from a crash. */
export const TEMP_SUFFIX = '.tmp-';

/**
 * Write `data` to `path` atomically: a temporary file in the same directory, fsync, then rename. A crash at any
 * moment leaves either the old file or the new one, never a half-written file that a later stage (or the Nx
 * cache) could take for real. Parent directories are created.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}${TEMP_SUFFIX}${randomBytes(6).toString('hex')}`);
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => {});
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/**
 * Atomically replace a whole directory: `fill` writes into a fresh temporary sibling, which is then renamed over
 * `dir` (the old one is removed only after the new one is complete).
 */
export async function replaceDirAtomic(dir: string, fill: (tempDir: string) => Promise<void>): Promise<void> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const temp = join(parent, `.${basename(dir)}${TEMP_SUFFIX}${randomBytes(6).toString('hex')}`);
  const old = `${temp}-old`;
  await mkdir(temp, { recursive: true });
  try {
    await fill(temp);
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    throw err;
  }
  await rename(dir, old).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  await rename(temp, dir);
  await rm(old, { recursive: true, force: true });
}

/**
 * Delete the debris of atomic writes that a crash (kill -9, power loss) interrupted: every `.<name>.tmp-…` file or
 * directory anywhere under `dir`. A stage calls it on its own output directory before writing, so the debris is never
 * cached by Nx, listed in a manifest or mistaken for output. A missing `dir` is not an error.
 * N.B. only for a directory one process writes at a time: another writer's in-progress temp file would go too.
 * @returns the deleted paths, sorted.
 */
export async function removeTempDebris(dir: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw err;
  }
  const removed: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.name.startsWith('.') && entry.name.includes(TEMP_SUFFIX)) {
      await rm(path, { recursive: true, force: true });
      removed.push(path);
    } else if (entry.isDirectory()) {
      removed.push(...(await removeTempDebris(path)));
    }
  }
  return removed.sort();
}
