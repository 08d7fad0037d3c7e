/**
 * The Nx project name of a stage: `<pipeline>-<stage>`, e.g. `fashion-mnist-train`.
 * @param {string} pipeline
 * @param {string} stage
 * @returns {string}
 */
export function stageProjectName(pipeline: string, stage: string): string;
/**
 * The glob, relative to the workspace root, of the upstream artifact files a stage's hash covers: every file under
 * `artifacts/<pipeline>/` except anything inside a `volatile/` folder. Nx matches it against the outputs of the tasks
 * the stage depends on, as workspace-relative paths; `!(volatile)` turns into an exclusion of `…/volatile/**`.
 * Event files live in the run directory, outside `artifacts/`, so they never count either.
 * @param {string} pipeline
 * @returns {string}
 */
export function deterministicArtifactsGlob(pipeline: string): string;
/**
 * The shell command of a stage: `node <bin> --out artifacts/<p>/<stage> --run-dir <runDir> --<input> artifacts/<p>/<up>
 * … --<input> <path> … --<param> <value> …`: inputs that name stages, then inputs that name files (workspace-relative),
 * then params, each group in file order (a path param's value is workspace-relative too). A boolean param is a bare switch: `--<param>` when true,
 * `--no-<param>` when false (core's runStageCli reads both, so false overrides a default of true).
 * In a sweep, `task` (from `stageTasks`) gives a run's own folders: `artifacts/<p>/<run>/<stage>`, its run directory and
 * its upstream tasks' folders.
 * @param {Pipeline} pipeline
 * @param {Stage} stage
 * @param {Pick<StageTask, 'outDir' | 'runDir' | 'inputDirs'>} [task]
 * @returns {string}
 */
export function stageCommand(pipeline: Pipeline, stage: Stage, task?: Pick<StageTask, "outDir" | "runDir" | "inputDirs">): string;
/**
 * The paths (file inputs and path params) a stage's task reads, in command order, without repeats.
 * @param {Stage} stage
 * @returns {import('./paths.mjs').PathValue[]}
 */
export function stagePaths(stage: Stage): import("./paths.mjs").PathValue[];
/**
 * The runtime input that hashes the content of the paths a stage reads (`node <plugin>/bin/tbpipe-hash-paths.mjs
 * <path>…`; why not only a fileset: see paths.mjs).
 * @param {string} workspaceRoot
 * @param {string[]} paths workspace-relative
 * @returns {{ runtime: string }}
 */
export function hashPathsInput(workspaceRoot: string, paths: string[]): {
    runtime: string;
};
/**
 * The `board` target's command: `node <@tbpipe/board's bin> --logdir <the pipeline's run directory>` (a sweep: the
 * folder holding its runs), or undefined when the workspace has no board package.
 * @param {Pipeline} pipeline
 * @param {Workspace} workspace
 * @returns {string | undefined}
 */
export function boardCommand(pipeline: Pipeline, workspace: Workspace): string | undefined;
/**
 * Nx projects for one pipeline, keyed by project root.
 * @param {Pipeline} pipeline
 * @param {Workspace} workspace
 * @param {{ isDefault?: boolean }} [options]
 * @returns {Record<string, NxProject>}
 */
export function createPipelineProjects(pipeline: Pipeline, workspace: Workspace, options?: {
    isDefault?: boolean;
}): Record<string, NxProject>;
/** @typedef {import('./pipeline.mjs').Pipeline} Pipeline */
/** @typedef {import('./pipeline.mjs').Stage} Stage */
/** @typedef {import('./workspace.mjs').Workspace} Workspace */
/** @typedef {import('./tasks.mjs').StageTask} StageTask */
/**
 * An Nx project configuration as this plugin makes it (the parts of Nx's `ProjectConfiguration` it sets).
 * @typedef {object} NxProject
 * @property {string} name
 * @property {string} root
 * @property {string[]} tags
 * @property {string[]} [implicitDependencies]
 * @property {{ description: string, technologies: string[] }} metadata
 * @property {Record<string, Record<string, any>>} targets
 */
/** Target names and fixed tools; everything else is derived from pipeline.json and the stage packages. */
export const NAMES: Readonly<{
    /** the target that runs one stage */
    stageTarget: "run";
    /** the target that runs a whole pipeline */
    pipelineTarget: "all";
    /** the project that stands for the default pipeline: `nx run pipeline:all` */
    defaultPipelineProject: "pipeline";
    /** the target that serves a pipeline's runs with tbpipe-board: `nx run pipeline:board` */
    boardTarget: "board";
    /** the package whose bin serves them */
    boardPackage: "@tbpipe/board";
    /** npm packages every stage command loads besides its own dependencies (the bins register tsx) */
    runtimeTools: string[];
}>;
export type Pipeline = import("./pipeline.mjs").Pipeline;
export type Stage = import("./pipeline.mjs").Stage;
export type Workspace = import("./workspace.mjs").Workspace;
export type StageTask = import("./tasks.mjs").StageTask;
/**
 * An Nx project configuration as this plugin makes it (the parts of Nx's `ProjectConfiguration` it sets).
 */
export type NxProject = {
    name: string;
    root: string;
    tags: string[];
    implicitDependencies?: string[] | undefined;
    metadata: {
        description: string;
        technologies: string[];
    };
    targets: Record<string, Record<string, any>>;
};
