// @tbpipe/nx-plugin: turns every pipelines/<name>/pipeline.json into Nx projects.
//   <name>-<stage>:run   one stage (nx:run-commands running the stage package's bin), cached
//   <name>:all           every stage of the pipeline, then a summary (not cached)
//   <name>-<run>-<stage>:run  in a sweep ("runs"), each run's copy of the stages it changes and those downstream
//   pipeline:all         the default pipeline (plugin option `defaultPipeline`, or the only pipeline)
import { PipelineError } from './errors.mjs';
import { parsePipeline } from './pipeline.mjs';
import { createPipelineProjects } from './projects.mjs';
import { saveScanCache, withScanners } from './source-closure.mjs';
import { STARTED_AT_ENV } from './summary.mjs';
import { checkDistinctRunDirs } from './tasks.mjs';
import { readJson, readWorkspace } from './workspace.mjs';

export { PipelineError } from './errors.mjs';
export { parsePipeline, toKebab } from './pipeline.mjs';
export { createPipelineProjects, deterministicArtifactsGlob, hashPathsInput, NAMES, stageCommand, stagePaths, stageProjectName } from './projects.mjs';
export { hashPaths, HASH_CACHE_FILE } from './hash-paths.mjs';
export { resolvePipelinePath } from './paths.mjs';
export { readWorkspace } from './workspace.mjs';
export { checkDistinctRunDirs, runDirectories, stageTasks } from './tasks.mjs';
export { formatSummary, readSummary, STARTED_AT_ENV, summaryCommand } from './summary.mjs';

/**
 * @typedef {object} TbpipePluginOptions
 * @property {string} [defaultPipeline]  the pipeline `nx run pipeline:all` runs; default: the only pipeline, if there
 *                                       is exactly one
 */

/** The files the plugin reads, relative to the workspace root. */
export const PIPELINE_GLOB = 'pipelines/*/pipeline.json';

/**
 * Nx's createNodes hook (v2 signature: all matching files at once).
 * @param {readonly string[]} files workspace-relative paths matching {@link PIPELINE_GLOB}
 * @param {TbpipePluginOptions | undefined} options
 * @param {{ workspaceRoot: string }} context
 * @returns {Promise<Array<readonly [string, { projects: Record<string, import('./projects.mjs').NxProject> }]>>}
 */
export async function createPipelineNodes(files, options, context) {
  const workspace = readWorkspace(context.workspaceRoot);
  const sorted = [...files].map((f) => f.replace(/\\/g, '/')).sort();
  const pipelines = sorted.map((file) => parsePipeline(file, readJson(context.workspaceRoot, file), workspace));
  const names = pipelines.map((p) => p.name);
  const defaultPipeline = options?.defaultPipeline ?? (names.length === 1 ? names[0] : undefined);
  if (defaultPipeline !== undefined && !names.includes(defaultPipeline)) {
    throw new PipelineError(
      'PLUGIN_DEFAULT_PIPELINE',
      `nx.json: plugins[@tbpipe/nx-plugin].options.defaultPipeline is "${defaultPipeline}", expected ${names.length ? `one of ${names.join(', ')}` : `a folder pipelines/${defaultPipeline}/ with a pipeline.json`}`,
    );
  }
  checkDistinctRunDirs(pipelines);
  // The stages' source closures scan files synchronously; the lexers are loaded only if a file missing from the scan
  // cache needs them (then everything is computed again, from the in-memory caches).
  const results = await withScanners(() => createAllProjects(pipelines, workspace, defaultPipeline));
  saveScanCache(workspace);
  return results;
}

/**
 * @param {import('./pipeline.mjs').Pipeline[]} pipelines
 * @param {import('./workspace.mjs').Workspace} workspace
 * @param {string | undefined} defaultPipeline
 */
function createAllProjects(pipelines, workspace, defaultPipeline) {
  /** @type {Map<string, string>} project name → the file that made it */
  const owners = new Map();
  return pipelines.map((pipeline) => {
    const projects = createPipelineProjects(pipeline, workspace, { isDefault: pipeline.name === defaultPipeline });
    for (const project of Object.values(projects)) {
      const other = owners.get(project.name);
      if (other !== undefined || workspace.packages.has(project.name)) {
        throw new PipelineError(
          'PROJECT_NAME_TAKEN',
          `${pipeline.file}: makes Nx project "${project.name}", which ${other === pipeline.file ? 'another of its stages or runs also makes' : other ? `${other} also makes` : 'is a workspace package'}, expected unique names; rename the pipeline, the stage or the run`,
        );
      }
      owners.set(project.name, pipeline.file);
    }
    return /** @type {const} */ ([pipeline.file, { projects }]);
  });
}

/**
 * Nx's hook before it runs any task: puts the invocation's start time into the environment every task inherits, so
 * the summary at the end of `<pipeline>:all` can tell the stages that ran from those restored from the cache.
 * @param {TbpipePluginOptions | undefined} _options
 * @param {unknown} _context
 */
export function preTasksExecution(_options, _context) {
  process.env[STARTED_AT_ENV] = String(Date.now());
}

/** @type {readonly [string, typeof createPipelineNodes]} */
export const createNodesV2 = [PIPELINE_GLOB, createPipelineNodes];
/** Nx ≥ 21 reads `createNodes` with the same (v2) signature; older versions read `createNodesV2`. */
export const createNodes = createNodesV2;
export const name = '@tbpipe/nx-plugin';

