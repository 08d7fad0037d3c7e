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
export function hashPaths(paths: string[], cwd: string, options?: {
    cacheFile?: string;
}): string[];
/**
 * The bin's main: prints {@link hashPaths}'s lines; exit code 0 (a missing path is a line, not a failure, so Nx can
 * still hash the task, which then fails with the plugin's own message).
 * @param {string[]} argv
 * @param {string} cwd
 * @returns {number}
 */
export function main(argv: string[], cwd: string): number;
/** Where the stat records live, relative to the workspace root. */
export const HASH_CACHE_FILE: ".nx/workspace-data/tbpipe-path-hashes.json";
export type StatRecord = [size: number, mtimeMs: number, ctimeMs: number, ino: number, sha256: string];
