/**
 * Nx's createNodes hook (v2 signature: all matching files at once).
 * @param {readonly string[]} files workspace-relative paths matching {@link PIPELINE_GLOB}
 * @param {TbpipePluginOptions | undefined} options
 * @param {{ workspaceRoot: string }} context
 * @returns {Promise<Array<readonly [string, { projects: Record<string, import('./projects.mjs').NxProject> }]>>}
 */
export function createPipelineNodes(files: readonly string[], options: TbpipePluginOptions | undefined, context: {
    workspaceRoot: string;
}): Promise<Array<readonly [string, {
    projects: Record<string, import("./projects.mjs").NxProject>;
}]>>;
/**
 * Nx's hook before it runs any task: puts the invocation's start time into the environment every task inherits, so
 * the summary at the end of `<pipeline>:all` can tell the stages that ran from those restored from the cache.
 * @param {TbpipePluginOptions | undefined} _options
 * @param {unknown} _context
 */
export function preTasksExecution(_options: TbpipePluginOptions | undefined, _context: unknown): void;
export { PipelineError } from "./errors.mjs";
export { readWorkspace } from "./workspace.mjs";
/**
 * @typedef {object} TbpipePluginOptions
 * @property {string} [defaultPipeline]  the pipeline `nx run pipeline:all` runs; default: the only pipeline, if there
 *                                       is exactly one
 */
/** The files the plugin reads, relative to the workspace root. */
export const PIPELINE_GLOB: "pipelines/*/pipeline.json";
/** @type {readonly [string, typeof createPipelineNodes]} */
export const createNodesV2: readonly [string, typeof createPipelineNodes];
/** Nx ≥ 21 reads `createNodes` with the same (v2) signature; older versions read `createNodesV2`. */
export const createNodes: readonly [string, typeof createPipelineNodes];
export const name: "@tbpipe/nx-plugin";
export type TbpipePluginOptions = {
    /**
     * the pipeline `nx run pipeline:all` runs; default: the only pipeline, if there
     *   is exactly one
     */
    defaultPipeline?: string | undefined;
};
export { parsePipeline, toKebab } from "./pipeline.mjs";
export { createPipelineProjects, deterministicArtifactsGlob, hashPathsInput, NAMES, stageCommand, stagePaths, stageProjectName } from "./projects.mjs";
export { hashPaths, HASH_CACHE_FILE } from "./hash-paths.mjs";
export { resolvePipelinePath } from "./paths.mjs";
export { checkDistinctRunDirs, runDirectories, stageTasks } from "./tasks.mjs";
export { formatSummary, readSummary, STARTED_AT_ENV, summaryCommand } from "./summary.mjs";
