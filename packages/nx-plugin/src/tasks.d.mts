/** @typedef {import('./pipeline.mjs').Pipeline} Pipeline */
/** @typedef {import('./pipeline.mjs').Stage} Stage */
/**
 * One stage as Nx runs it: in a sweep, one of a run's copies or the shared one.
 * @typedef {object} StageTask
 * @property {Stage} stage        with the run's params (its own params, the run's overrides applied) and their paths
 * @property {string | undefined} run  the run it belongs to; undefined for a plain pipeline's stage or a shared one
 * @property {string} label       how the summary names it: `train`, or `lr-0.01/train` for a run's copy
 * @property {string} project     Nx project name: `<pipeline>-<stage>`, or `<pipeline>-<run>-<stage>`
 * @property {string} root        Nx project root: `pipelines/<pipeline>/<stage>`, or `pipelines/<pipeline>/<run>/<stage>`
 * @property {string} outDir      `artifacts/<pipeline>/<stage>`, or `artifacts/<pipeline>/<run>/<stage>`
 * @property {string} runDir      the TensorBoard run directory it writes into
 * @property {Record<string, string>} inputDirs  option → the artifact folder of the upstream task it reads, file order
 * @property {string[]} upstreamProjects  the Nx projects of those upstream tasks, without repeats
 */
/**
 * The stage tasks of a pipeline in dependency order (each after the tasks it reads; a sweep's run copies of one
 * stage in run order).
 * @param {Pipeline} pipeline
 * @returns {StageTask[]}
 */
export function stageTasks(pipeline: Pipeline): StageTask[];
/**
 * The TensorBoard run directories a pipeline's tasks write into: one for a plain pipeline; for a sweep, one per run
 * plus the shared stages' one (only if some stage is shared).
 * @param {Pipeline} pipeline
 * @returns {Array<{ dir: string, run: string | undefined }>}  `run` is the run's name, `_shared`, or undefined
 */
export function runDirectories(pipeline: Pipeline): Array<{
    dir: string;
    run: string | undefined;
}>;
/**
 * Reject two pipelines, or two runs, whose TensorBoard run directories are the same or one inside the other: each
 * stage's cached outputs include `<runDir>/**` globs, so a shared or nested folder would let one pipeline's cache
 * entries capture and later overwrite another's event files. (Artifact folders cannot collide: they are
 * `artifacts/<pipeline>/…` and a run may not take a stage's name.)
 * @param {Pipeline[]} pipelines
 */
export function checkDistinctRunDirs(pipelines: Pipeline[]): void;
export type Pipeline = import("./pipeline.mjs").Pipeline;
export type Stage = import("./pipeline.mjs").Stage;
/**
 * One stage as Nx runs it: in a sweep, one of a run's copies or the shared one.
 */
export type StageTask = {
    /**
     * with the run's params (its own params, the run's overrides applied) and their paths
     */
    stage: Stage;
    /**
     * the run it belongs to; undefined for a plain pipeline's stage or a shared one
     */
    run: string | undefined;
    /**
     * how the summary names it: `train`, or `lr-0.01/train` for a run's copy
     */
    label: string;
    /**
     * Nx project name: `<pipeline>-<stage>`, or `<pipeline>-<run>-<stage>`
     */
    project: string;
    /**
     * Nx project root: `pipelines/<pipeline>/<stage>`, or `pipelines/<pipeline>/<run>/<stage>`
     */
    root: string;
    /**
     * `artifacts/<pipeline>/<stage>`, or `artifacts/<pipeline>/<run>/<stage>`
     */
    outDir: string;
    /**
     * the TensorBoard run directory it writes into
     */
    runDir: string;
    /**
     * option → the artifact folder of the upstream task it reads, file order
     */
    inputDirs: Record<string, string>;
    /**
     * the Nx projects of those upstream tasks, without repeats
     */
    upstreamProjects: string[];
};
