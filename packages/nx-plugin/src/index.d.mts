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
export { createPipelineProjects, deterministicArtifactsGlob, NAMES, stageCommand, stageProjectName } from "./projects.mjs";
