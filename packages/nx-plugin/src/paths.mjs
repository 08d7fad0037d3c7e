// Stage inputs and params that name a file or folder instead of an upstream stage: `"inputs": { "predictions":
// { "path": "data/preds.parquet" } }`, or a param whose option is marked `"format": "path"` (core's pathParam), such as
// train's `"network": "net.json"`. The path is relative to the pipeline's folder; the stage gets it relative to the
// workspace root (its command runs there), and its content goes into the stage's cache key.
//
// Why a runtime input besides the `{workspaceRoot}/…` fileset: Nx hashes only the files of its file map, which leaves
// out git-ignored files (checked with Nx 24.0.6: editing an ignored file named by a fileset input kept the task
// cached), and data files are usually ignored (`pipelines/*/data/`). `bin/tbpipe-hash-paths.mjs` hashes their content
// instead; the fileset stays for tracked files and for `nx show target … inputs`.
import { statSync } from 'node:fs';
import { isAbsolute, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A path a stage reads, resolved when Nx builds the graph.
 * @typedef {object} PathValue
 * @property {string} path   relative to the workspace root, normalised, e.g. `pipelines/x/data/preds.parquet`
 * @property {'file' | 'folder' | undefined} kind  what is there now; undefined when nothing is
 * @property {string} problem  the one-line error for when nothing is there (the stage's command prints it and fails)
 */

/** The hashing bin, an absolute path. */
export const HASH_PATHS_BIN = fileURLToPath(new URL('../bin/tbpipe-hash-paths.mjs', import.meta.url));
/** The bin a stage's command becomes when a path it reads is missing: prints the problem, exits 1. */
export const MISSING_PATH_BIN = fileURLToPath(new URL('../bin/tbpipe-missing-path.mjs', import.meta.url));

/**
 * Resolve a path written in pipeline.json (relative to the pipeline folder) against the workspace, and look at what is
 * there. Returns a problem text (`<seen>, expected <expected>`) instead when the path is absolute or leaves the
 * workspace, which no stage could be cached with.
 * @param {string} workspaceRoot absolute
 * @param {string} pipelineDir e.g. `pipelines/x`
 * @param {string} value as written
 * @returns {{ path: string, kind: 'file' | 'folder' | undefined } | { error: string }}
 */
export function resolvePipelinePath(workspaceRoot, pipelineDir, value) {
  if (value === '' || isAbsolute(value) || value.includes('\\') || /^[A-Za-z]:/.test(value)) {
    return { error: `is ${JSON.stringify(value)}, expected a path relative to the pipeline folder ${pipelineDir}/ (Nx hashes files inside the workspace only)` };
  }
  const path = posix.normalize(posix.join(pipelineDir, value)).replace(/\/$/, '');
  if (path === '.' || path === '..' || path.startsWith('../')) {
    return { error: `is ${JSON.stringify(value)}, which leaves the workspace (${path}), expected a path inside it, relative to ${pipelineDir}/ (Nx hashes files inside the workspace only)` };
  }
  /** @type {'file' | 'folder' | undefined} */
  let kind;
  try {
    const stat = statSync(join(workspaceRoot, path));
    kind = stat.isDirectory() ? 'folder' : 'file';
  } catch {
    kind = undefined;
  }
  return { path, kind };
}

/**
 * The `{workspaceRoot}/…` fileset of a path: the file, or every file under the folder.
 * @param {PathValue} value
 * @returns {string}
 */
export function pathFileset(value) {
  return value.kind === 'folder' ? `{workspaceRoot}/${value.path}/**/*` : `{workspaceRoot}/${value.path}`;
}

/**
 * A bin of this package as a command word: relative to the workspace root when the plugin is inside it (so the command,
 * and with it the cache key, is the same on every machine), else absolute.
 * @param {string} workspaceRoot
 * @param {string} bin absolute
 * @returns {string}
 */
export function pluginBin(workspaceRoot, bin) {
  const rel = relative(workspaceRoot, bin).split(sep).join('/');
  return rel.startsWith('../') || isAbsolute(rel) ? bin : rel;
}
