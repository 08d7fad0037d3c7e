// The summary `nx run <pipeline>:all` ends with: per stage task whether it ran in this nx invocation or came from the
// cache and how long it took, the test accuracy, the TensorBoard run directories and the command that opens them.
//
// Ran or cached: the plugin's preTasksExecution hook puts the invocation's start time into the environment of every
// task (TBPIPE_NX_STARTED_AT); the summary, a non-cached task after all stages, compares it with the modification time
// of each stage's manifest.json (written last by every stage). A stage that ran wrote it after the start; Nx restores a
// cache entry with the files' original modification times (checked with Nx 24.0.6), and leaves untouched outputs that
// already match, so a cached stage's manifest is older than the start.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePipeline } from './pipeline.mjs';
import { runDirectories, stageTasks } from './tasks.mjs';
import { readJson, readWorkspace } from './workspace.mjs';

/** @typedef {import('./pipeline.mjs').Pipeline} Pipeline */
/** @typedef {import('./tasks.mjs').StageTask} StageTask */

/** The environment variable holding the start of the nx invocation, in milliseconds since the epoch. */
export const STARTED_AT_ENV = 'TBPIPE_NX_STARTED_AT';

/** The summary's bin, an absolute path. */
export const SUMMARY_BIN = fileURLToPath(new URL('../bin/tbpipe-summary.mjs', import.meta.url));

/**
 * The `all` target's command: `node <plugin>/bin/tbpipe-summary.mjs pipelines/<p>/pipeline.json [--board <project>]`,
 * the bin relative to the workspace root when the plugin is inside it. `boardProject` is the Nx project whose `board`
 * target the summary names (`pipeline` for `pipeline:all`); without it, the pipeline's own.
 * @param {Pipeline} pipeline
 * @param {string} workspaceRoot absolute
 * @param {string} [boardProject]
 * @returns {string}
 */
export function summaryCommand(pipeline, workspaceRoot, boardProject) {
  const rel = relative(workspaceRoot, SUMMARY_BIN).split(sep).join('/');
  const bin = rel.startsWith('../') || isAbsolute(rel) ? SUMMARY_BIN : rel;
  const board = boardProject && boardProject !== pipeline.name ? ['--board', boardProject] : [];
  return ['node', bin, pipeline.file, ...board].map(shellQuote).join(' ');
}

/**
 * The TensorBoard run directories of a pipeline (a sweep's runs; not the shared stages' folder).
 * @param {Pipeline} pipeline
 * @returns {string[]}
 */
export function pipelineRunDirs(pipeline) {
  const dirs = runDirectories(pipeline);
  return (pipeline.runs.length === 0 ? dirs : dirs.filter((d) => pipeline.runs.some((r) => r.name === d.run))).map((d) => d.dir);
}

/**
 * What `<pipeline>:board` serves: the pipeline's run directory, or for a sweep the folder holding its runs.
 * @param {Pipeline} pipeline
 * @returns {string}
 */
export function boardLogdir(pipeline) {
  const dirs = pipelineRunDirs(pipeline);
  return dirs.length === 1 ? dirs[0] : commonParent(dirs);
}

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
export function readSummary(root, pipeline, startedAt, boardProject) {
  const tasks = stageTasks(pipeline).map((task) => {
    const finishedAt = finishTime(join(root, task.outDir));
    /** @type {TaskReport['status']} */
    const status =
      finishedAt === undefined ? 'missing' : startedAt === undefined ? 'unknown' : finishedAt >= startedAt ? 'ran' : 'cached';
    const metrics = readJsonFile(join(root, task.outDir, 'metrics.json'));
    return {
      label: task.label,
      run: task.run,
      status,
      seconds: stageSeconds(join(root, task.outDir, 'volatile')),
      accuracy: typeof metrics?.accuracy === 'number' ? metrics.accuracy : undefined,
      outDir: task.outDir,
    };
  });
  const runDirs = pipelineRunDirs(pipeline);
  return { pipeline: pipeline.name, tasks, runDirs, logdir: commonParent(runDirs), boardProject };
}

/**
 * The summary as lines of text.
 * @param {Summary} summary
 * @returns {string[]}
 */
export function formatSummary(summary) {
  const count = (/** @type {string} */ status) => summary.tasks.filter((t) => t.status === status).length;
  const ran = count('ran');
  const cached = count('cached');
  const head =
    count('unknown') > 0
      ? `${summary.tasks.length} stages (ran or cached unknown: ${STARTED_AT_ENV} is not set, run it through nx)`
      : `${ran} ${ran === 1 ? 'stage' : 'stages'} ran, ${cached} restored from the Nx cache`;
  const width = Math.max(...summary.tasks.map((t) => t.label.length));
  const lines = [`tbpipe · ${summary.pipeline}: ${head}; each time is how long the stage took when it ran`];
  for (const t of summary.tasks) {
    lines.push(`  ${t.label.padEnd(width)}  ${t.status.padEnd(7)}${seconds(t.seconds).padStart(8)}`);
  }
  const scored = summary.tasks.filter((t) => t.accuracy !== undefined);
  if (scored.length === 1) {
    lines.push(`  test accuracy   ${/** @type {number} */ (scored[0].accuracy).toFixed(4)} (${scored[0].outDir}/metrics.json)`);
  } else if (scored.length > 1) {
    const byRun = new Set(scored.map((t) => t.run)).size === scored.length && scored.every((t) => t.run !== undefined);
    const labels = scored.map((t) => (byRun ? /** @type {string} */ (t.run) : t.label));
    const w = Math.max(...labels.map((l) => l.length));
    scored.forEach((t, i) => {
      lines.push(`  ${i === 0 ? 'test accuracy' : ''.padEnd(13)}   ${labels[i].padEnd(w)}  ${/** @type {number} */ (t.accuracy).toFixed(4)}`);
    });
  }
  lines.push(`  TensorBoard     ${summary.runDirs.join(', ')}`);
  if (summary.boardProject) {
    // Our own viewer first (no Python needed), TensorBoard second.
    lines.push(`  open with       npx nx run ${summary.boardProject}:board`);
    lines.push(`                  tensorboard --logdir ${summary.logdir}`);
  } else {
    lines.push(`  open with       tensorboard --logdir ${summary.logdir}`);
  }
  return lines;
}

/**
 * The bin: `tbpipe-summary pipelines/<p>/pipeline.json`, run by `<p>:all` in the workspace root. Never fails the run
 * because of the summary itself: a problem is one line on stderr and exit code 0.
 * @param {string[]} argv
 * @param {NodeJS.ProcessEnv} env
 * @param {string} root
 * @returns {number} exit code
 */
export function main(argv, env, root) {
  const boardAt = argv.indexOf('--board');
  const boardProject = boardAt === -1 ? undefined : argv[boardAt + 1];
  const rest = boardAt === -1 ? argv : argv.filter((_, i) => i !== boardAt && i !== boardAt + 1);
  if (rest.length !== 1 || rest[0].startsWith('-') || (boardAt !== -1 && !boardProject)) {
    process.stderr.write('usage: tbpipe-summary pipelines/<name>/pipeline.json [--board <project>]   (run by nx run <name>:all, from the workspace root)\n');
    return 2;
  }
  try {
    const file = rest[0];
    const workspace = readWorkspace(root);
    const pipeline = parsePipeline(file, readJson(root, file), workspace);
    const startedAt = Number(env[STARTED_AT_ENV]);
    // The board line only where `<project>:board` exists, i.e. the workspace has the board package.
    const board = workspace.packages.has('@tbpipe/board') ? (boardProject ?? pipeline.name) : undefined;
    const summary = readSummary(root, pipeline, Number.isFinite(startedAt) && startedAt > 0 ? startedAt : undefined, board);
    process.stdout.write(`\n${formatSummary(summary).join('\n')}\n`);
  } catch (error) {
    process.stderr.write(`tbpipe-summary: no summary (${/** @type {Error} */ (error).message})\n`);
  }
  return 0;
}

/**
 * When a stage finished: the modification time of its manifest.json (written last), else of its newest file.
 * @param {string} dir
 * @returns {number | undefined}
 */
function finishTime(dir) {
  try {
    return statSync(join(dir, 'manifest.json')).mtimeMs;
  } catch {
    if (!existsSync(dir)) return undefined;
    let newest = /** @type {number | undefined} */ (undefined);
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const mtime = statSync(join(entry.parentPath ?? /** @type {any} */ (entry).path, entry.name)).mtimeMs;
      if (newest === undefined || mtime > newest) newest = mtime;
    }
    return newest;
  }
}

/**
 * @param {string} volatileDir
 * @returns {number | undefined}
 */
function stageSeconds(volatileDir) {
  let names;
  try {
    names = readdirSync(volatileDir).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return undefined;
  }
  for (const name of names) {
    const json = readJsonFile(join(volatileDir, name));
    if (typeof json?.totalSeconds === 'number') return json.totalSeconds;
    if (typeof json?.totalMillis === 'number') return json.totalMillis / 1000;
  }
  return undefined;
}

/**
 * @param {string} file
 * @returns {Record<string, any> | undefined}
 */
function readJsonFile(file) {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * @param {number | undefined} value
 * @returns {string}
 */
function seconds(value) {
  if (value === undefined) return '—';
  return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} s`;
}

/**
 * The deepest folder holding every run directory: for one, its parent (`runs/x` → `runs`).
 * @param {string[]} dirs
 * @returns {string}
 */
function commonParent(dirs) {
  if (dirs.length === 0) return '.';
  if (dirs.length === 1) return posix.dirname(dirs[0]);
  const split = dirs.map((d) => d.split('/'));
  const out = [];
  for (let i = 0; split.every((s) => i < s.length - 1 && s[i] === split[0][i]); i++) out.push(split[0][i]);
  return out.length ? out.join('/') : '.';
}

/**
 * Quote one argument for sh when it needs it (also used for the stage commands).
 * @param {string} arg
 * @returns {string}
 */
export function shellQuote(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
