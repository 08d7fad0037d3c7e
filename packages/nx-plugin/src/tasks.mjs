// A checked pipeline → the stage tasks Nx runs: one per stage for a plain pipeline; for a sweep, one per stage no run
// changes (shared by every run) plus, for each run, its own copy of every stage it changes and of everything downstream.
import { posix } from 'node:path';
import { PipelineError } from './errors.mjs';
import { runParams, runPaths, SHARED_RUN } from './pipeline.mjs';

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
export function stageTasks(pipeline) {
  const perRun = new Set(pipeline.runStages);
  /** @type {StageTask[]} */
  const tasks = [];
  /** @type {Map<string, StageTask>} `<run>/<stage>` or `/<stage>` → task */
  const byKey = new Map();
  /**
   * @param {string} stageName
   * @param {string | undefined} run
   * @returns {StageTask}
   */
  const upstreamTask = (stageName, run) =>
    /** @type {StageTask} */ (byKey.get(perRun.has(stageName) ? `${run}/${stageName}` : `/${stageName}`));
  for (const stage of pipeline.stages) {
    const runs = perRun.has(stage.name) ? pipeline.runs : [undefined];
    for (const run of runs) {
      const runName = run?.name;
      const segments = runName === undefined ? [stage.name] : [runName, stage.name];
      /** @type {Record<string, string>} */
      const inputDirs = {};
      /** @type {string[]} */
      const upstreamProjects = [];
      for (const [option, upstream] of Object.entries(stage.inputs)) {
        const up = upstreamTask(upstream, runName);
        inputDirs[option] = up.outDir;
        if (!upstreamProjects.includes(up.project)) upstreamProjects.push(up.project);
      }
      const task = {
        stage: { ...stage, params: runParams(stage, run), paths: runPaths(stage, run) },
        run: runName,
        label: segments.join('/'),
        project: [pipeline.name, ...segments].join('-'),
        root: posix.join(pipeline.dir, ...segments),
        outDir: posix.join('artifacts', pipeline.name, ...segments),
        runDir: run === undefined ? pipeline.runDir : run.runDir,
        inputDirs,
        upstreamProjects,
      };
      byKey.set(`${runName ?? ''}/${stage.name}`, task);
      tasks.push(task);
    }
  }
  return tasks;
}

/**
 * The TensorBoard run directories a pipeline's tasks write into: one for a plain pipeline; for a sweep, one per run
 * plus the shared stages' one (only if some stage is shared).
 * @param {Pipeline} pipeline
 * @returns {Array<{ dir: string, run: string | undefined }>}  `run` is the run's name, `_shared`, or undefined
 */
export function runDirectories(pipeline) {
  if (pipeline.runs.length === 0) return [{ dir: pipeline.runDir, run: undefined }];
  const shared = pipeline.stages.length > pipeline.runStages.length ? [{ dir: pipeline.runDir, run: SHARED_RUN }] : [];
  return [...shared, ...pipeline.runs.map((r) => ({ dir: r.runDir, run: r.name }))];
}

/**
 * Reject two pipelines, or two runs, whose TensorBoard run directories are the same or one inside the other: each
 * stage's cached outputs include `<runDir>/**` globs, so a shared or nested folder would let one pipeline's cache
 * entries capture and later overwrite another's event files. (Artifact folders cannot collide: they are
 * `artifacts/<pipeline>/…` and a run may not take a stage's name.)
 * @param {Pipeline[]} pipelines
 */
export function checkDistinctRunDirs(pipelines) {
  /** @type {Array<{ dir: string, run: string | undefined, pipeline: Pipeline }>} */
  const seen = [];
  for (const pipeline of pipelines) {
    for (const entry of runDirectories(pipeline)) {
      for (const other of seen) {
        const relation =
          other.dir === entry.dir
            ? 'is also'
            : entry.dir.startsWith(`${other.dir}/`)
              ? `is inside "${other.dir}",`
              : other.dir.startsWith(`${entry.dir}/`)
                ? `contains "${other.dir}",`
                : undefined;
        if (relation === undefined) continue;
        const mine =
          entry.run === undefined
            ? `runDir is "${entry.dir}"`
            : `runDir gives ${describeRun(entry.run)} the run directory "${entry.dir}"`;
        const theirs = `${other.run === undefined ? '' : `${describeRun(other.run)} of `}${other.pipeline === pipeline ? 'this pipeline' : other.pipeline.file}`;
        throw new PipelineError(
          'RUN_DIR_TAKEN',
          `${pipeline.file}: ${mine}, which ${relation} the run directory of ${theirs}, expected every pipeline and every run its own run directory, none inside another; change runDir`,
        );
      }
      seen.push({ ...entry, pipeline });
    }
  }
}

/**
 * @param {string} run
 * @returns {string}
 */
function describeRun(run) {
  return run === SHARED_RUN ? 'the shared stages' : `run "${run}"`;
}
