import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
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
