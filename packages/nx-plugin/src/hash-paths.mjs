// The content hash of the files and folders pipeline.json names (data files, network specs), for Nx's runtime input
// `node <plugin>/bin/tbpipe-hash-paths.mjs <path>…` (see paths.mjs for why a runtime input). Nx hashes the printed
// text into the stage's cache key, so any change of content — also in a git-ignored file — reruns the stage.
//
// A folder of images can hold 70 000 files; reading them all on every `nx run` would cost seconds. As git does, a file
// whose size, modification time, change time and inode are what they were last time keeps its recorded sha256: the
// records live in `.nx/workspace-data/tbpipe-path-hashes.json` (a cache: deleting it, or `nx reset`, costs one full read).
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';

/** Where the stat records live, relative to the workspace root. */
export const HASH_CACHE_FILE = '.nx/workspace-data/tbpipe-path-hashes.json';

/**
 * @typedef {[size: number, mtimeMs: number, ctimeMs: number, ino: number, sha256: string]} StatRecord
 */

/**
 * Hash each path: one line `<sha256> <path>` (folders: over their files' relative paths and contents, sorted), or
 * `missing <path>`. Paths are relative to `cwd` (the workspace root, where Nx runs runtime inputs).
 * @param {string[]} paths
 * @param {string} cwd
 * @param {{ cacheFile?: string }} [options]  the stat records' file, relative to `cwd` (default {@link HASH_CACHE_FILE})
 * @returns {string[]}
 */
export function hashPaths(paths, cwd, options = {}) {
  const cacheFile = join(cwd, options.cacheFile ?? HASH_CACHE_FILE);
  /** @type {Record<string, StatRecord>} */
  let previous = {};
  try {
    previous = JSON.parse(readFileSync(cacheFile, 'utf8'));
  } catch {
    previous = {};
  }
  /** @type {Record<string, StatRecord>} */
  const next = {};
  let changed = false;
  /** @param {string} rel */
  const fileHash = (rel) => {
    const stat = statSync(join(cwd, rel));
    const old = previous[rel];
    if (old && old[0] === stat.size && old[1] === stat.mtimeMs && old[2] === stat.ctimeMs && old[3] === stat.ino) {
      next[rel] = old;
      return old[4];
    }
    const sha = createHash('sha256').update(readFileSync(join(cwd, rel))).digest('hex');
    next[rel] = [stat.size, stat.mtimeMs, stat.ctimeMs, stat.ino, sha];
    changed = true;
    return sha;
  };
  const lines = paths.map((path) => {
    let stat;
    try {
      stat = statSync(join(cwd, path));
    } catch {
      return `missing ${path}`;
    }
    if (!stat.isDirectory()) return `${fileHash(path)} ${path}`;
    const hash = createHash('sha256');
    for (const file of listFiles(cwd, path)) hash.update(`${posix.relative(path, file)}\0${fileHash(file)}\n`);
    return `${hash.digest('hex')} ${path}/`;
  });
  // Keep the records of paths other stages hash too; only rewrite the file when something was read afresh.
  if (changed) {
    const merged = { ...previous, ...next };
    try {
      mkdirSync(join(cacheFile, '..'), { recursive: true });
      const tmp = `${cacheFile}.tmp-${process.pid}`;
      writeFileSync(tmp, JSON.stringify(merged));
      renameSync(tmp, cacheFile);
    } catch {
      // A read-only workspace still gets correct hashes, just without the shortcut next time.
    }
  }
  return lines;
}

/**
 * Every file under a folder, as workspace-relative paths with `/`, sorted (byte order) so the hash does not depend on
 * the order the file system lists them in.
 * @param {string} cwd
 * @param {string} dir
 * @returns {string[]}
 */
function listFiles(cwd, dir) {
  /** @type {string[]} */
  const out = [];
  /** @param {string} rel */
  const walk = (rel) => {
    for (const entry of readdirSync(join(cwd, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile() || entry.isSymbolicLink()) out.push(child);
    }
  };
  walk(dir.replace(/\/$/, ''));
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The bin's main: prints {@link hashPaths}'s lines; exit code 0 (a missing path is a line, not a failure, so Nx can
 * still hash the task, which then fails with the plugin's own message).
 * @param {string[]} argv
 * @param {string} cwd
 * @returns {number}
 */
export function main(argv, cwd) {
  process.stdout.write(`${hashPaths(argv, cwd).join('\n')}\n`);
  return 0;
}
