/**
 * Resolve a path written in pipeline.json (relative to the pipeline folder) against the workspace, and look at what is
 * there. Returns a problem text (`<seen>, expected <expected>`) instead when the path is absolute or leaves the
 * workspace, which no stage could be cached with.
 * @param {string} workspaceRoot absolute
 * @param {string} pipelineDir e.g. `pipelines/x`
 * @param {string} value as written
 * @returns {{ path: string, kind: 'file' | 'folder' | undefined } | { error: string }}
 */
export function resolvePipelinePath(workspaceRoot: string, pipelineDir: string, value: string): {
    path: string;
    kind: "file" | "folder" | undefined;
} | {
    error: string;
};
/**
 * The `{workspaceRoot}/…` fileset of a path: the file, or every file under the folder.
 * @param {PathValue} value
 * @returns {string}
 */
export function pathFileset(value: PathValue): string;
/**
 * A bin of this package as a command word: relative to the workspace root when the plugin is inside it (so the command,
 * and with it the cache key, is the same on every machine), else absolute.
 * @param {string} workspaceRoot
 * @param {string} bin absolute
 * @returns {string}
 */
export function pluginBin(workspaceRoot: string, bin: string): string;
/**
 * A path a stage reads, resolved when Nx builds the graph.
 * @typedef {object} PathValue
 * @property {string} path   relative to the workspace root, normalised, e.g. `pipelines/x/data/preds.parquet`
 * @property {'file' | 'folder' | undefined} kind  what is there now; undefined when nothing is
 * @property {string} problem  the one-line error for when nothing is there (the stage's command prints it and fails)
 */
/** The hashing bin, an absolute path. */
export const HASH_PATHS_BIN: string;
/** The bin a stage's command becomes when a path it reads is missing: prints the problem, exits 1. */
export const MISSING_PATH_BIN: string;
/**
 * A path a stage reads, resolved when Nx builds the graph.
 */
export type PathValue = {
    /**
     * relative to the workspace root, normalised, e.g. `pipelines/x/data/preds.parquet`
     */
    path: string;
    /**
     * what is there now; undefined when nothing is
     */
    kind: "file" | "folder" | undefined;
    /**
     * the one-line error for when nothing is there (the stage's command prints it and fails)
     */
    problem: string;
};
