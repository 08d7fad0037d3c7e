// A checked pipeline → Nx project configurations: one project per stage (so a stage's params, which Nx hashes as part
// of its project's configuration, never touch another stage's hash) and one per pipeline with an `all` target.
import { HASH_PATHS_BIN, MISSING_PATH_BIN, pathFileset, pluginBin } from './paths.mjs';
import { stageSources } from './source-closure.mjs';
import { toKebab } from './pipeline.mjs';
import { stageTasks } from './tasks.mjs';
import { boardLogdir, shellQuote, summaryCommand } from './summary.mjs';

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
export const NAMES = Object.freeze({
  /** the target that runs one stage */
  stageTarget: 'run',
  /** the target that runs a whole pipeline */
  pipelineTarget: 'all',
  /** the project that stands for the default pipeline: `nx run pipeline:all` */
  defaultPipelineProject: 'pipeline',
  /** the target that serves a pipeline's runs with tbpipe-board: `nx run pipeline:board` */
  boardTarget: 'board',
  /** the package whose bin serves them */
  boardPackage: '@tbpipe/board',
  /** npm packages every stage command may load besides its own dependencies (the bins fall back to tsx) */
  runtimeTools: ['tsx'],
});

/**
 * The Nx project name of a stage: `<pipeline>-<stage>`, e.g. `fashion-mnist-train`.
 * @param {string} pipeline
 * @param {string} stage
 * @returns {string}
 */
export function stageProjectName(pipeline, stage) {
  return `${pipeline}-${stage}`;
}

/**
 * The glob, relative to the workspace root, of the upstream artifact files a stage's hash covers: every file under
 * `artifacts/<pipeline>/` except anything inside a `volatile/` folder. Nx matches it against the outputs of the tasks
 * the stage depends on, as workspace-relative paths; `!(volatile)` turns into an exclusion of `…/volatile/**`.
 * Event files live in the run directory, outside `artifacts/`, so they never count either.
 * @param {string} pipeline
 * @returns {string}
 */
export function deterministicArtifactsGlob(pipeline) {
  return `artifacts/${pipeline}/**/!(volatile)/**`;
}

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
export function stageCommand(pipeline, stage, task) {
  const outDir = task?.outDir ?? `artifacts/${pipeline.name}/${stage.name}`;
  const args = ['node', stage.package.bin, '--out', outDir];
  if (stage.writesRunDir !== false) args.push('--run-dir', task?.runDir ?? pipeline.runDir);
  for (const [option, upstream] of Object.entries(stage.inputs)) {
    args.push(`--${toKebab(option)}`, task?.inputDirs[option] ?? `artifacts/${pipeline.name}/${upstream}`);
  }
  for (const [option, file] of Object.entries(stage.fileInputs)) args.push(`--${toKebab(option)}`, file.path);
  for (const [option, value] of Object.entries(stage.params)) {
    if (value === false) args.push(`--no-${toKebab(option)}`);
    else args.push(`--${toKebab(option)}`);
    if (typeof value !== 'boolean') args.push(String(value));
  }
  return args.map(shellQuote).join(' ');
}

/**
 * The paths (file inputs and path params) a stage's task reads, in command order, without repeats.
 * @param {Stage} stage
 * @returns {import('./paths.mjs').PathValue[]}
 */
export function stagePaths(stage) {
  const all = [...Object.values(stage.fileInputs), ...Object.values(stage.paths)];
  return all.filter((p, i) => all.findIndex((q) => q.path === p.path) === i);
}

/**
 * The runtime input that hashes the content of the paths a stage reads (`node <plugin>/bin/tbpipe-hash-paths.mjs
 * <path>…`; why not only a fileset: see paths.mjs).
 * @param {string} workspaceRoot
 * @param {string[]} paths workspace-relative
 * @returns {{ runtime: string }}
 */
export function hashPathsInput(workspaceRoot, paths) {
  return { runtime: ['node', pluginBin(workspaceRoot, HASH_PATHS_BIN), ...paths].map(shellQuote).join(' ') };
}

/**
 * The `board` target's command: `node <@tbpipe/board's bin> --logdir <the pipeline's run directory>` (a sweep: the
 * folder holding its runs), or undefined when the workspace has no board package.
 * @param {Pipeline} pipeline
 * @param {Workspace} workspace
 * @returns {string | undefined}
 */
export function boardCommand(pipeline, workspace) {
  const board = workspace.packages.get(NAMES.boardPackage);
  const bin = board && Object.values(board.bins)[0];
  if (!bin) return undefined;
  return ['node', bin, '--logdir', boardLogdir(pipeline)].map(shellQuote).join(' ');
}

/**
 * Nx projects for one pipeline, keyed by project root.
 * @param {Pipeline} pipeline
 * @param {Workspace} workspace
 * @param {{ isDefault?: boolean }} [options]
 * @returns {Record<string, NxProject>}
 */
export function createPipelineProjects(pipeline, workspace, options = {}) {
  /** @type {Record<string, NxProject>} */
  const projects = {};
  // One task per stage; in a sweep, each run's own copies of the stages it changes and of those downstream.
  const tasks = stageTasks(pipeline);
  const stageProjects = tasks.map((t) => t.project);
  // Not cached: after the stages, print what ran, what came from the cache, the test accuracy and the run directory.
  const allTarget = (/** @type {string} */ description, /** @type {string} */ project) => ({
    executor: 'nx:run-commands',
    options: { command: summaryCommand(pipeline, workspace.root, project), cwd: '{workspaceRoot}' },
    cache: false,
    inputs: [],
    dependsOn: [{ projects: stageProjects, target: NAMES.stageTarget }],
    metadata: { description },
  });
  // Serves the run directory until stopped: never cached, continuous (extra args reach the bin: `-- --port 6007`).
  const board = boardCommand(pipeline, workspace);
  /** @type {(description: string) => Record<string, Record<string, any>>} */
  const boardTargets = (description) =>
    board
      ? {
          [NAMES.boardTarget]: {
            executor: 'nx:run-commands',
            options: { command: board, cwd: '{workspaceRoot}' },
            cache: false,
            continuous: true,
            inputs: [],
            metadata: { description },
          },
        }
      : {};
  for (const task of tasks) {
    projects[task.root] = createStageProject(pipeline, task.stage, workspace, task.root, task);
  }
  projects[pipeline.dir] = {
    name: pipeline.name,
    root: pipeline.dir,
    tags: ['tbpipe:pipeline'],
    metadata: { description: pipeline.description ?? `pipeline ${pipeline.name}`, technologies: ['tbpipe'] },
    targets: {
      [NAMES.pipelineTarget]: allTarget(
        `Run every stage of ${pipeline.name} (${tasks.map((t) => t.label).join(', ')}), then print a summary`,
        pipeline.name,
      ),
      ...boardTargets(`Serve ${boardLogdir(pipeline)} with tbpipe-board (TensorBoard without Python) until stopped`),
    },
  };
  if (options.isDefault) {
    // Nx needs a distinct root per project; `pipelines/` itself holds nothing else.
    const root = pipeline.dir.replace(/\/[^/]+$/, '');
    projects[root] = {
      name: NAMES.defaultPipelineProject,
      root,
      tags: ['tbpipe:pipeline'],
      metadata: { description: `the default pipeline, ${pipeline.name}`, technologies: ['tbpipe'] },
      // The same as <name>:all, not a dependency on it: Nx prints the output of the task you asked for in full and
      // collapses its dependencies' to one line, so the summary must come from this project's own task.
      targets: {
        [NAMES.pipelineTarget]: allTarget(`Run the default pipeline (${pipeline.name}), then print a summary`, NAMES.defaultPipelineProject),
        ...boardTargets(`Serve the default pipeline's runs (${boardLogdir(pipeline)}) with tbpipe-board until stopped`),
      },
    };
  }
  return projects;
}

/**
 * @param {Pipeline} pipeline
 * @param {Stage} stage  with the task's params
 * @param {Workspace} workspace
 * @param {string} root
 * @param {StageTask} task  its project name, folders and upstream projects
 * @returns {NxProject}
 */
function createStageProject(pipeline, stage, workspace, root, task) {
  // The files its bin actually loads (other packages through their narrow entry points), not whole packages.
  const sources = stageSources(workspace, stage.package, NAMES.runtimeTools);
  const upstream = [...new Set(Object.values(stage.inputs))];
  const runDir = task.runDir;
  // Files and folders pipeline.json names (data, a network spec): hashed by content. One that is missing turns the
  // command into one that prints the problem and fails, so other pipelines' projects still build (paths.mjs).
  const paths = stagePaths(stage);
  const missing = paths.filter((p) => p.kind === undefined).map((p) => p.problem);
  const command = missing.length
    ? ['node', pluginBin(workspace.root, MISSING_PATH_BIN), ...missing].map(shellQuote).join(' ')
    : stageCommand(pipeline, stage, task);
  const present = paths.filter((p) => p.kind !== undefined);
  return {
    name: task.project,
    root,
    tags: ['tbpipe:stage', `tbpipe:pipeline:${pipeline.name}`],
    // Graph edges to the stage's package, so `nx graph` and `nx affected` see that editing it touches this stage.
    implicitDependencies: [stage.package.name],
    metadata: {
      description: stage.description ?? `${pipeline.name}: stage ${task.label} (${stage.package.name})`,
      technologies: ['tbpipe'],
    },
    targets: {
      [NAMES.stageTarget]: {
        executor: 'nx:run-commands',
        options: { command, cwd: '{workspaceRoot}' },
        cache: true,
        dependsOn: task.upstreamProjects.length ? [{ projects: task.upstreamProjects, target: NAMES.stageTarget }] : [],
        inputs: [
          // Exactly the workspace files the stage's bin loads, with each involved package.json and declared runtime
          // file: an edit to another stage's implementation is not among them (see source-closure.mjs) …
          ...sources.files.map((file) => `{workspaceRoot}/${file}`),
          // … the npm packages those files import or their packages declare (not the whole lockfile), and Node.
          { externalDependencies: sources.externalDependencies },
          { runtime: 'node --version' },
          ...stage.package.env.map((name) => ({ env: name })),
          // The files and folders pipeline.json names, by content (git-ignored ones too: see paths.mjs).
          ...present.map(pathFileset),
          ...(present.length ? [hashPathsInput(workspace.root, present.map((p) => p.path))] : []),
          // Upstream artifacts by content, without volatile/ (timings, hosts) and without event files, so an upstream
          // rerun that writes the same bytes stops the rerun there. Only direct upstream stages: a stage reads
          // nothing else, and they are exactly its dependsOn.
          ...(upstream.length ? [{ dependentTasksOutputFiles: deterministicArtifactsGlob(pipeline.name) }] : []),
        ],
        // A stage with "runDir": false writes nothing there, so no run-directory glob: a cache entry of it must never
        // capture (and a restore rewrite) another stage's files of the same package.
        outputs: [
          `{workspaceRoot}/${task.outDir}`,
          ...(stage.writesRunDir !== false
            ? [
                `{workspaceRoot}/${runDir}/**/events.out.tfevents.*.${stage.package.suffix}`,
                ...stage.package.runOutputs.map((glob) => `{workspaceRoot}/${runDir}/${glob}`),
              ]
            : []),
        ],
        metadata: {
          description: `${stage.package.name} → ${task.outDir}${stage.writesRunDir !== false ? ` and ${runDir}` : ''}`,
          technologies: ['tbpipe'],
        },
      },
    },
  };
}
