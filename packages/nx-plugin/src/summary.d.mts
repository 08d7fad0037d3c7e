/**
 * The `all` target's command: `node <plugin>/bin/tbpipe-summary.mjs pipelines/<p>/pipeline.json [--board <project>]`,
 * the bin relative to the workspace root when the plugin is inside it. `boardProject` is the Nx project whose `board`
 * target the summary names (`pipeline` for `pipeline:all`); without it, the pipeline's own.
 * @param {Pipeline} pipeline
 * @param {string} workspaceRoot absolute
 * @param {string} [boardProject]
 * @returns {string}
 */
export function summaryCommand(pipeline: Pipeline, workspaceRoot: string, boardProject?: string): string;
/**
 * The TensorBoard run directories of a pipeline (a sweep's runs; not the shared stages' folder).
 * @param {Pipeline} pipeline
 * @returns {string[]}
 */
export function pipelineRunDirs(pipeline: Pipeline): string[];
/**
 * What `<pipeline>:board` serves: the pipeline's run directory, or for a sweep the folder holding its runs.
 * @param {Pipeline} pipeline
 * @returns {string}
 */
export function boardLogdir(pipeline: Pipeline): string;
/**
 * @typedef {object} TaskReport
 * @property {string} label     `train`, or `lr-0.01/train` for a run's copy
 * @property {string | undefined} run
 * @property {'ran' | 'cached' | 'missing' | 'unknown'} status  `missing`: no artifacts; `unknown`: no start time
 * @property {number | undefined} seconds  how long the stage took when it ran, from its `volatile/*.json`
 *                              (`totalSeconds`, or `totalMillis` / 1000)
 * @property {number | undefined} accuracy  `accuracy` from its `metrics.json`, if it has one
 * @property {string} outDir
 */
/**
 * @typedef {object} Summary
 * @property {string} pipeline
 * @property {TaskReport[]} tasks  in dependency order
 * @property {string[]} runDirs   the TensorBoard run directories (a sweep's runs; not the shared stages' folder)
 * @property {string} logdir      what to pass to `tensorboard --logdir`
 * @property {string | undefined} boardProject the Nx project whose `board` target serves these runs
 *                              (`npx nx run <it>:board`); undefined where the workspace has no @tbpipe/board
 */
/**
 * Read what the stage tasks of a pipeline left in the workspace.
 * @param {string} root absolute workspace root
 * @param {Pipeline} pipeline
 * @param {number | undefined} startedAt the nx invocation's start (ms since the epoch); undefined: unknown
 * @param {string} [boardProject] the project whose `board` target to name; none: the summary names TensorBoard only
 * @returns {Summary}
 */
export function readSummary(root: string, pipeline: Pipeline, startedAt: number | undefined, boardProject?: string): Summary;
/**
 * The summary as lines of text.
 * @param {Summary} summary
 * @returns {string[]}
 */
export function formatSummary(summary: Summary): string[];
/**
 * The bin: `tbpipe-summary pipelines/<p>/pipeline.json`, run by `<p>:all` in the workspace root. Never fails the run
 * because of the summary itself: a problem is one line on stderr and exit code 0.
 * @param {string[]} argv
 * @param {NodeJS.ProcessEnv} env
 * @param {string} root
 * @returns {number} exit code
 */
export function main(argv: string[], env: NodeJS.ProcessEnv, root: string): number;
/**
 * Quote one argument for sh when it needs it (also used for the stage commands).
 * @param {string} arg
 * @returns {string}
 */
export function shellQuote(arg: string): string;
/** @typedef {import('./pipeline.mjs').Pipeline} Pipeline */
/** @typedef {import('./tasks.mjs').StageTask} StageTask */
/** The environment variable holding the start of the nx invocation, in milliseconds since the epoch. */
export const STARTED_AT_ENV: "TBPIPE_NX_STARTED_AT";
/** The summary's bin, an absolute path. */
export const SUMMARY_BIN: string;
export type TaskReport = {
    /**
     * `train`, or `lr-0.01/train` for a run's copy
     */
    label: string;
    run: string | undefined;
    /**
     * `missing`: no artifacts; `unknown`: no start time
     */
    status: "ran" | "cached" | "missing" | "unknown";
    /**
     * how long the stage took when it ran, from its `volatile/*.json`
     * (`totalSeconds`, or `totalMillis` / 1000)
     */
    seconds: number | undefined;
    /**
     * `accuracy` from its `metrics.json`, if it has one
     */
    accuracy: number | undefined;
    outDir: string;
};
export type Summary = {
    pipeline: string;
    /**
     * in dependency order
     */
    tasks: TaskReport[];
    /**
     * the TensorBoard run directories (a sweep's runs; not the shared stages' folder)
     */
    runDirs: string[];
    /**
     * what to pass to `tensorboard --logdir`
     */
    logdir: string;
    /**
     * the Nx project whose `board` target serves these runs
     * (`npx nx run <it>:board`); undefined where the workspace has no
     */
    boardProject: string | undefined;
};
export type Pipeline = import("./pipeline.mjs").Pipeline;
export type StageTask = import("./tasks.mjs").StageTask;
