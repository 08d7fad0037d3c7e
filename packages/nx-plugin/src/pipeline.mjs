// pipeline.json → a checked, normalised pipeline. Every message names the file and the JSON path of the bad field.
import { posix } from 'node:path';
import { describeValue, jsonPath, oneOf, PipelineError } from './errors.mjs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePipelinePath } from './paths.mjs';
import { acceptsInlineJson, checkFileInput, checkInput, checkParam, isKnownName, isPathParam, readStageOptions } from './stage-options.mjs';
import { isPlainObject } from './workspace.mjs';

/** @typedef {import('./workspace.mjs').Workspace} Workspace */
/** @typedef {import('./workspace.mjs').WorkspacePackage} WorkspacePackage */
/** @typedef {import('./paths.mjs').PathValue} PathValue */

/**
 * @typedef {object} StagePackage
 * @property {string} name        e.g. `@tbpipe/train`
 * @property {string} dir         e.g. `packages/train`
 * @property {string} bin         the bin file relative to the workspace root, e.g. `packages/train/bin/tbpipe-train.mjs`
 * @property {string} suffix      the event-file suffix the stage writes (`events.out.tfevents.*.<suffix>`): the package
 *                                name without scope, e.g. `train`
 * @property {string[]} runOutputs  extra files/folders (globs) the stage owns in the run directory, from its package.json
 *                                `tbpipe.runOutputs`
 * @property {string[]} env       environment variables that change what the stage produces, from `tbpipe.env`
 * @property {import('./stage-options.mjs').StageOptions | undefined} options  its declared options (`tbpipe.options`),
 *                                which params, inputs and runs overrides are checked against
 */

/**
 * @typedef {object} Stage
 * @property {string} name
 * @property {StagePackage} package
 * @property {Record<string, string>} inputs  option name (camelCase) → upstream stage name, in file order
 * @property {Record<string, PathValue>} fileInputs  option name → the file or folder an input names instead of a stage
 *                              (`{ "path": "data/preds.parquet" }`), resolved against the workspace; file order
 * @property {Record<string, string | number | boolean>} params  option name (camelCase) → value, in file order; a path
 *                              param's path is already workspace-relative, an inline JSON value is its JSON text
 * @property {Record<string, PathValue>} paths  the params (of `params`) whose value names a file or folder
 * @property {boolean} writesRunDir  false when pipeline.json says `"runDir": false`: no `--run-dir`, and nothing of the
 *                              run directory among its outputs
 * @property {string | undefined} description
 */

/**
 * @typedef {object} Pipeline
 * @property {string} name      the directory name under `pipelines/`
 * @property {string} file      e.g. `pipelines/fashion-mnist/pipeline.json`
 * @property {string} dir       e.g. `pipelines/fashion-mnist`
 * @property {string | undefined} description
 * @property {string} runDir    TensorBoard run directory relative to the workspace root (default `runs/<name>`); in a
 *                              sweep, the one of the stages no run changes (`runDirTemplate` with `{run}` → `_shared`)
 * @property {Stage[]} stages   in dependency order (every stage after the stages it reads)
 * @property {Run[]} runs       the runs of a sweep, in file order; empty for a plain pipeline
 * @property {string[]} runStages  the stages each run gets its own copy of: every stage a run overrides and every stage
 *                              downstream of one, in dependency order; empty for a plain pipeline
 * @property {string | undefined} runDirTemplate  in a sweep, each run's run directory with `{run}` for its name
 */

/**
 * One run of a sweep: a name and params overrides for some stages.
 * @typedef {object} Run
 * @property {string} name       e.g. `lr-0.01`
 * @property {string} runDir     its TensorBoard run directory, e.g. `runs/lr-sweep/lr-0.01`
 * @property {Record<string, Record<string, string | number | boolean>>} overrides  stage → option → value, file order
 * @property {Record<string, Record<string, PathValue>>} paths  stage → the overrides that name a file or folder
 */

const PIPELINE_FIELDS = ['$schema', 'name', 'description', 'runDir', 'stages', 'runs'];
const STAGE_FIELDS = ['package', 'description', 'runDir', 'inputs', 'params'];
/** Options every stage receives from the plugin; a param or input may not take these names. */
const RESERVED_OPTIONS = ['out', 'runDir', 'help'];
const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const OPTION = /^[a-z][a-zA-Z0-9]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A run's name becomes a folder (`artifacts/<p>/<run>/`, its run directory) and part of Nx project names. */
const RUN_NAME = /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/;
/** `artifacts/<p>/**\/volatile/**` is left out of every cache key, so no stage or run may be called that. */
const RESERVED_NAMES = ['volatile'];
/** The placeholder of a sweep's `runDir` template. */
export const RUN_PLACEHOLDER = '{run}';
/** What `{run}` becomes in the run directory of the stages no run changes (no run name starts with `_`). */
export const SHARED_RUN = '_shared';

/**
 * Check a parsed pipeline.json and resolve its stage packages.
 * @param {string} file path relative to the workspace root, `pipelines/<name>/pipeline.json`
 * @param {Record<string, unknown>} json the parsed document
 * @param {Workspace} workspace
 * @returns {Pipeline}
 * @example
 * const pipeline = parsePipeline('pipelines/fashion-mnist/pipeline.json', JSON.parse(text), readWorkspace(root));
 */
export function parsePipeline(file, json, workspace) {
  /**
   * @param {string} code
   * @param {Array<string | number>} path
   * @param {string} rest  `<seen>, expected <expected>[; what to do]`
   * @returns {never}
   */
  function fail(code, path, rest) {
    throw new PipelineError(code, `${file}: ${path.length ? `${jsonPath(path)} ` : ''}${rest}`);
  }
  const dir = posix.dirname(file);
  const name = posix.basename(dir);
  if (!NAME.test(name)) {
    fail('PIPELINE_NAME', [], `is in folder "${name}", expected a folder name of lowercase letters, digits and dashes`);
  }
  for (const key of Object.keys(json)) {
    if (!PIPELINE_FIELDS.includes(key)) fail('PIPELINE_FIELD', [key], `is not a known field, expected ${oneOf(PIPELINE_FIELDS)}`);
  }
  if (json.name !== undefined && json.name !== name) {
    fail('PIPELINE_NAME', ['name'], `is ${describeValue(json.name)}, expected "${name}" (the folder name); rename one of them`);
  }
  if (json.description !== undefined && typeof json.description !== 'string') {
    fail('PIPELINE_FIELD', ['description'], `is ${describeValue(json.description)}, expected a string`);
  }
  const runDir = json.runDir === undefined ? `runs/${name}` : json.runDir;
  // A sweep's runDir may hold the placeholder {run}; check the path with a run name in its place.
  const filled = typeof runDir === 'string' ? runDir.split(RUN_PLACEHOLDER).join('x') : runDir;
  if (typeof filled === 'string' && /[{}]/.test(filled)) {
    fail('PIPELINE_RUN_DIR', ['runDir'], `is ${describeValue(runDir)}, expected ${RUN_PLACEHOLDER} as the only placeholder (a sweep's runs fill it in)`);
  }
  if (typeof filled !== 'string' || !isInsideWorkspace(filled)) {
    fail('PIPELINE_RUN_DIR', ['runDir'], `is ${describeValue(runDir)}, expected a relative path inside the workspace such as "runs/${name}"`);
  }
  const normalizedFilled = posix.normalize(filled);
  if (normalizedFilled === 'artifacts' || normalizedFilled.startsWith('artifacts/')) {
    fail('PIPELINE_RUN_DIR', ['runDir'], `is ${describeValue(runDir)}, expected a folder outside artifacts/ (stage artifacts live there)`);
  }
  const rawStages = json.stages;
  if (!isPlainObject(rawStages) || Object.keys(rawStages).length === 0) {
    fail('PIPELINE_STAGES', ['stages'], `is ${isPlainObject(rawStages) ? 'empty' : describeValue(rawStages)}, expected an object of stages, e.g. { "ingest": { "package": "@tbpipe/ingest" } }`);
  }
  const stageNames = Object.keys(rawStages);
  /** @type {Map<string, WorkspacePackage>} */
  const packageUsers = new Map();
  /** @type {Stage[]} */
  const stages = [];
  for (const stageName of stageNames) {
    const raw = rawStages[stageName];
    const at = ['stages', stageName];
    if (!NAME.test(stageName)) {
      fail('STAGE_NAME', at, `is not a valid stage name, expected lowercase letters, digits and dashes, starting with a letter`);
    }
    if (RESERVED_NAMES.includes(stageName)) {
      fail('STAGE_NAME', at, `is reserved, expected another stage name (folders named volatile/ are left out of every cache key)`);
    }
    if (!isPlainObject(raw)) fail('STAGE_FIELD', at, `is ${describeValue(raw)}, expected an object with "package", "inputs" and "params"`);
    for (const key of Object.keys(raw)) {
      if (!STAGE_FIELDS.includes(key)) fail('STAGE_FIELD', [...at, key], `is not a known field, expected ${oneOf(STAGE_FIELDS)}`);
    }
    if (raw.description !== undefined && typeof raw.description !== 'string') {
      fail('STAGE_FIELD', [...at, 'description'], `is ${describeValue(raw.description)}, expected a string`);
    }

    const stagePackages = [...workspace.packages.values()].filter((p) => Object.keys(p.bins).length > 0).map((p) => p.name);
    if (typeof raw.package !== 'string') {
      fail('STAGE_PACKAGE', [...at, 'package'], `is ${describeValue(raw.package)}, expected a workspace package with a bin: ${oneOf(stagePackages)}`);
    }
    const pkg = workspace.packages.get(raw.package);
    if (!pkg) {
      fail('STAGE_PACKAGE', [...at, 'package'], `names package "${raw.package}", expected a workspace package with a bin: ${oneOf(stagePackages)}`);
    }
    if (raw.runDir !== undefined && raw.runDir !== false) {
      fail('STAGE_FIELD', [...at, 'runDir'], `is ${describeValue(raw.runDir)}, expected false (the stage writes no TensorBoard files) or no runDir (the pipeline's run directory)`);
    }
    const writesRunDir = raw.runDir !== false;
    const stagePackage = resolveStagePackage(workspace, /** @type {WorkspacePackage} */ (pkg), file, [...at, 'package']);
    if (!writesRunDir && stagePackage.options?.runDirRequired) {
      fail('STAGE_FIELD', [...at, 'runDir'], `is false, but ${raw.package} requires --run-dir (see ${stagePackage.options.file}), expected a stage that can run without a run directory; remove "runDir": false`);
    }
    // Stages of one package own the same files in the run directory (event-file suffix, runOutputs): one writer each.
    const used = writesRunDir ? packageUsers.get(raw.package) : undefined;
    if (used) {
      fail(
        'STAGE_PACKAGE',
        [...at, 'package'],
        `names package "${raw.package}" again (stage "${used.name}" uses it), expected each package once per pipeline among the stages that write the run directory, because they would own the same files there; set "runDir": false on one of them if it can run without one, or make a second pipeline`,
      );
    }
    if (writesRunDir) packageUsers.set(raw.package, /** @type {any} */ ({ name: stageName }));

    /** @type {Record<string, string>} */
    const inputs = {};
    /** @type {Record<string, PathValue>} */
    const fileInputs = {};
    if (raw.inputs !== undefined && !isPlainObject(raw.inputs)) {
      fail('STAGE_INPUTS', [...at, 'inputs'], `is ${describeValue(raw.inputs)}, expected an object of option name → upstream stage, e.g. { "data": "ingest" }`);
    }
    const others = stageNames.filter((s) => s !== stageName);
    for (const [option, upstream] of Object.entries(raw.inputs ?? {})) {
      const path = [...at, 'inputs', option];
      checkOptionName(fail, path, option);
      if (isPlainObject(upstream)) {
        // A file or folder instead of an upstream stage: { "path": "data/preds.parquet" }.
        const keys = Object.keys(upstream);
        if (keys.length !== 1 || keys[0] !== 'path' || typeof upstream.path !== 'string') {
          fail('STAGE_INPUT_PATH', path, `is an object with ${keys.length ? keys.map((k) => `"${k}"`).join(', ') : 'no field'}, expected { "path": "<file or folder relative to ${dir}/>" } or an upstream stage's name`);
        }
        checkFileInput(fail, stagePackage.options, path, option);
        fileInputs[option] = pathValue(fail, workspace, file, dir, [...path, 'path'], /** @type {string} */ (upstream.path));
        continue;
      }
      checkInput(fail, stagePackage.options, path, option);
      if (typeof upstream !== 'string' || !stageNames.includes(upstream) || upstream === stageName) {
        const seen = typeof upstream === 'string' ? `names stage "${upstream}"` : `is ${describeValue(upstream)}`;
        const why = upstream === stageName ? ' (a stage cannot read its own output)' : '';
        const expected = others.length ? oneOf(others) : 'another stage of this pipeline (it has none)';
        fail('STAGE_UNKNOWN_INPUT', path, `${seen}${why}, expected ${expected}`);
      }
      inputs[option] = /** @type {string} */ (upstream);
    }

    /** @type {Record<string, string | number | boolean>} */
    const params = {};
    /** @type {Record<string, PathValue>} */
    const paths = {};
    if (raw.params !== undefined && !isPlainObject(raw.params)) {
      fail('STAGE_PARAMS', [...at, 'params'], `is ${describeValue(raw.params)}, expected an object of option name → value, e.g. { "seed": 0 }`);
    }
    for (const [option, value] of Object.entries(raw.params ?? {})) {
      const path = [...at, 'params', option];
      checkOptionName(fail, path, option);
      if (option in inputs || option in fileInputs) fail('STAGE_PARAMS', path, `is also an input of this stage, expected each option once`);
      const parsed = parseParam(fail, workspace, file, dir, stagePackage.options, path, option, value);
      params[option] = parsed.value;
      if (parsed.path) paths[option] = parsed.path;
    }
    stages.push({
      name: stageName,
      package: stagePackage,
      inputs,
      fileInputs,
      params,
      paths,
      writesRunDir,
      description: /** @type {string | undefined} */ (raw.description),
    });
  }
  const sorted = sortStages(file, stages);
  const normalizedRunDir = posix.normalize(/** @type {string} */ (runDir)).replace(/\/$/, '');
  if (json.runs === undefined) {
    if (normalizedRunDir.includes(RUN_PLACEHOLDER)) {
      fail('PIPELINE_RUN_DIR', ['runDir'], `is ${describeValue(runDir)}, which holds ${RUN_PLACEHOLDER}, expected "runs" to name the runs that fill it in, or a runDir without ${RUN_PLACEHOLDER}`);
    }
    return { name, file, dir, description: /** @type {string | undefined} */ (json.description), runDir: normalizedRunDir, stages: sorted, runs: [], runStages: [], runDirTemplate: undefined };
  }
  const template = normalizedRunDir.includes(RUN_PLACEHOLDER) ? normalizedRunDir : `${normalizedRunDir}/${RUN_PLACEHOLDER}`;
  const { runs, runStages } = parseRuns(fail, json.runs, sorted, template, (path, options, option, value) =>
    parseParam(fail, workspace, file, dir, options, path, option, value),
  );
  return {
    name,
    file,
    dir,
    description: /** @type {string | undefined} */ (json.description),
    runDir: fillRunDir(template, SHARED_RUN),
    stages: sorted,
    runs,
    runStages,
    runDirTemplate: template,
  };
}

/**
 * A sweep's run directory for one run: `{run}` replaced by its name.
 * @param {string} template
 * @param {string} run
 * @returns {string}
 */
export function fillRunDir(template, run) {
  return template.split(RUN_PLACEHOLDER).join(run);
}

/**
 * Check a sweep's `runs` (run name → stage → param overrides) and find the stages each run gets its own copy of.
 * @param {(code: string, path: Array<string | number>, rest: string) => never} fail
 * @param {unknown} raw  the `runs` field
 * @param {Stage[]} stages  in dependency order
 * @param {string} template  the run directory with `{run}`
 * @param {(path: Array<string | number>, options: import('./stage-options.mjs').StageOptions | undefined, option: string, value: unknown) => ParsedParam} parse
 *   checks one override as {@link parseParam} does
 * @returns {{ runs: Run[], runStages: string[] }}
 */
function parseRuns(fail, raw, stages, template, parse) {
  const example = '{ "lr-0.01": { "train": { "learningRate": 0.01 } } }';
  if (!isPlainObject(raw) || Object.keys(raw).length === 0) {
    fail('PIPELINE_RUNS', ['runs'], `is ${isPlainObject(raw) ? 'empty' : describeValue(raw)}, expected an object of run name → stage → param overrides, e.g. ${example}`);
  }
  const byName = new Map(stages.map((s) => [s.name, s]));
  const stageNames = stages.map((s) => s.name);
  /** @type {Run[]} */
  const runs = [];
  for (const [runName, rawRun] of Object.entries(raw)) {
    const at = ['runs', runName];
    if (!RUN_NAME.test(runName)) {
      fail('RUN_NAME', at, `is not a valid run name, expected lowercase letters, digits, dots, dashes and underscores, starting and ending with a letter or digit`);
    }
    if (RESERVED_NAMES.includes(runName)) {
      fail('RUN_NAME', at, `is reserved, expected another run name (folders named volatile/ are left out of every cache key)`);
    }
    if (byName.has(runName)) {
      fail('RUN_NAME', at, `is also a stage name, expected run names that differ from stage names (a run's artifacts go to artifacts/<pipeline>/<run>/, beside the shared stages' artifacts/<pipeline>/<stage>/)`);
    }
    if (!isPlainObject(rawRun)) {
      fail('RUN_FIELD', at, `is ${describeValue(rawRun)}, expected an object of stage name → param overrides, e.g. { "train": { "learningRate": 0.01 } }`);
    }
    /** @type {Record<string, Record<string, string | number | boolean>>} */
    const overrides = {};
    /** @type {Record<string, Record<string, PathValue>>} */
    const runPaths = {};
    for (const [stageName, rawParams] of Object.entries(rawRun)) {
      const stage = byName.get(stageName);
      if (!stage) fail('RUN_UNKNOWN_STAGE', [...at, stageName], `names no stage, expected ${oneOf(stageNames)}`);
      if (!isPlainObject(rawParams)) {
        fail('RUN_PARAMS', [...at, stageName], `is ${describeValue(rawParams)}, expected an object of param name → value, e.g. { "learningRate": 0.01 }`);
      }
      /** @type {Record<string, string | number | boolean>} */
      const params = {};
      /** @type {Record<string, PathValue>} */
      const paths = {};
      for (const [option, value] of Object.entries(rawParams)) {
        const path = [...at, stageName, option];
        checkOptionName(fail, path, option);
        if (option in stage.inputs || option in stage.fileInputs) {
          fail('RUN_PARAMS', path, `is an input of stage "${stageName}", expected a param (a run changes params only)`);
        }
        const parsed = parse(path, stage.package.options, option, value);
        params[option] = parsed.value;
        if (parsed.path) paths[option] = parsed.path;
      }
      overrides[stageName] = params;
      runPaths[stageName] = paths;
    }
    runs.push({ name: runName, runDir: fillRunDir(template, runName), overrides, paths: runPaths });
  }
  // Each run gets its own copy of every stage some run overrides, and of every stage downstream of one.
  const overridden = new Set(runs.flatMap((r) => Object.entries(r.overrides).filter(([, p]) => Object.keys(p).length > 0).map(([s]) => s)));
  if (overridden.size === 0) {
    fail('PIPELINE_RUNS', ['runs'], `overrides no param, expected at least one run to override a stage's param, e.g. ${example}`);
  }
  /** @type {Set<string>} */
  const affected = new Set();
  for (const stage of stages) {
    if (overridden.has(stage.name) || Object.values(stage.inputs).some((up) => affected.has(up))) affected.add(stage.name);
  }
  const runStages = stages.filter((s) => affected.has(s.name)).map((s) => s.name);
  /** @type {Map<string, string>} effective params of the run's stages → run name */
  const seen = new Map();
  for (const run of runs) {
    const key = JSON.stringify(runStages.map((s) => sortedEntries(runParams(/** @type {Stage} */ (byName.get(s)), run))));
    const same = seen.get(key);
    if (same !== undefined) {
      fail('RUN_DUPLICATE', ['runs', run.name], `gives every stage the same params as run "${same}", expected each run to differ from the others in at least one param`);
    }
    seen.set(key, run.name);
  }
  return { runs, runStages };
}

/**
 * A stage's params in one run: its own params with the run's overrides applied (overridden ones keep their place,
 * new ones follow in the run's order).
 * @param {Stage} stage
 * @param {Run | undefined} run
 * @returns {Record<string, string | number | boolean>}
 */
export function runParams(stage, run) {
  return { ...stage.params, ...(run?.overrides[stage.name] ?? {}) };
}

/**
 * The paths a stage's task reads through its params in one run: the stage's own, minus those the run overrides, plus
 * the run's.
 * @param {Stage} stage
 * @param {Run | undefined} run
 * @returns {Record<string, PathValue>}
 */
export function runPaths(stage, run) {
  const overrides = run?.overrides[stage.name] ?? {};
  const own = Object.fromEntries(Object.entries(stage.paths).filter(([option]) => !(option in overrides)));
  return { ...own, ...(run?.paths[stage.name] ?? {}) };
}

/**
 * @typedef {object} ParsedParam
 * @property {string | number | boolean} value  what the command passes
 * @property {PathValue} [path]  when the value names a file or folder
 */

/**
 * Check one param (or a run's override) and turn it into its flag's value. A param marked `"format": "path"` names a
 * file or folder relative to the pipeline folder, unless its value is one of the names the stage declares
 * (`"x-names"`): the value becomes its workspace-relative path. One that accepts inline JSON (`"x-inline": "json"`) may be an object or an array: the value
 * becomes its JSON text.
 * @param {(code: string, path: Array<string | number>, rest: string) => never} fail
 * @param {Workspace} workspace
 * @param {string} file
 * @param {string} dir  the pipeline folder
 * @param {import('./stage-options.mjs').StageOptions | undefined} options
 * @param {Array<string | number>} path
 * @param {string} option
 * @param {unknown} value
 * @returns {ParsedParam}
 */
function parseParam(fail, workspace, file, dir, options, path, option, value) {
  if (isPathParam(options, option)) {
    if ((isPlainObject(value) || Array.isArray(value)) && acceptsInlineJson(options, option)) return { value: JSON.stringify(value) };
    if (typeof value === 'string' && !isKnownName(options, option, value)) {
      const resolved = pathValue(fail, workspace, file, dir, path, value);
      return { value: resolved.path, path: resolved };
    }
  }
  if (!isParamValue(value)) {
    const inline = acceptsInlineJson(options, option) ? ', a JSON object or array (given inline)' : '';
    fail('STAGE_PARAMS', path, `is ${describeValue(value)}, expected a string, a finite number${inline} or a boolean (each param becomes one CLI flag)`);
  }
  checkParam(fail, options, path, option, value);
  return { value: /** @type {string | number | boolean} */ (value) };
}

/**
 * Resolve a path written in pipeline.json; one that is absolute or leaves the workspace fails at once, one that names
 * nothing yet is kept with its problem (the stage reports it when asked to run: see paths.mjs).
 * @param {(code: string, path: Array<string | number>, rest: string) => never} fail
 * @param {Workspace} workspace
 * @param {string} file
 * @param {string} dir
 * @param {Array<string | number>} at  JSON path of the value
 * @param {string} value
 * @returns {PathValue}
 */
function pathValue(fail, workspace, file, dir, at, value) {
  const resolved = resolvePipelinePath(workspace.root, dir, value);
  if ('error' in resolved) return fail('STAGE_PATH', at, resolved.error);
  const readme = `${dir}/README.md`;
  const todo = existsSync(join(workspace.root, readme)) ? `make it as ${readme} says` : 'create it or correct the path';
  const problem = `${file}: ${jsonPath(at)} is ${JSON.stringify(value)}, which names nothing (no ${resolved.path}), expected a file or folder; ${todo}`;
  return { path: resolved.path, kind: resolved.kind, problem };
}

/**
 * @param {Record<string, unknown>} record
 * @returns {Array<[string, unknown]>}
 */
function sortedEntries(record) {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * @param {unknown} value
 * @returns {value is string | number | boolean}
 */
function isParamValue(value) {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

/**
 * @param {(code: string, path: Array<string | number>, rest: string) => never} fail
 * @param {Array<string | number>} path
 * @param {string} option
 */
function checkOptionName(fail, path, option) {
  if (!OPTION.test(option)) {
    fail('STAGE_OPTION_NAME', path, `is not a camelCase option name, expected letters and digits starting with a lowercase letter (it becomes --${toKebab(option)})`);
  }
  if (RESERVED_OPTIONS.includes(option)) {
    fail('STAGE_OPTION_NAME', path, `is reserved, expected a name other than ${RESERVED_OPTIONS.join(', ')} (the plugin passes --out and --run-dir itself)`);
  }
}

/**
 * @param {Workspace} workspace
 * @param {WorkspacePackage} pkg
 * @param {string} file
 * @param {Array<string | number>} at  JSON path of the `package` field naming it
 * @returns {StagePackage}
 */
function resolveStagePackage(workspace, pkg, file, at) {
  const manifest = `${pkg.dir}/package.json`;
  const base = pkg.name.replace(/^@[^/]+\//, '');
  const bins = Object.keys(pkg.bins);
  const binName = bins.length === 1 ? bins[0] : bins.find((b) => b === `tbpipe-${base}`);
  if (binName === undefined) {
    const seen = bins.length === 0 ? 'has no "bin"' : `has bins ${bins.join(', ')} and none is "tbpipe-${base}"`;
    throw new PipelineError('STAGE_PACKAGE_BIN', `${file}: ${jsonPath(at)} names package "${pkg.name}", which ${seen} in ${manifest}, expected a stage package with one bin (or one named "tbpipe-${base}")`);
  }
  const tbpipe = pkg.tbpipe;
  const runOutputs = stringList(manifest, ['tbpipe', 'runOutputs'], tbpipe.runOutputs, (s) => isInsideWorkspace(s), 'a glob relative to the run directory such as "projector_config.pbtxt"');
  const env = stringList(manifest, ['tbpipe', 'env'], tbpipe.env, (s) => ENV_NAME.test(s), 'an environment variable name');
  return { name: pkg.name, dir: pkg.dir, bin: pkg.bins[binName], suffix: base, runOutputs, env, options: readStageOptions(workspace, pkg) };
}

/**
 * @param {string} file
 * @param {Array<string | number>} path
 * @param {unknown} value
 * @param {(s: string) => boolean} valid
 * @param {string} expected
 * @returns {string[]}
 */
function stringList(file, path, value, valid, expected) {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new PipelineError('PACKAGE_TBPIPE', `${file}: ${jsonPath(path)} is ${describeValue(value)}, expected an array of strings`);
  value.forEach((item, i) => {
    if (typeof item !== 'string' || !valid(item)) {
      throw new PipelineError('PACKAGE_TBPIPE', `${file}: ${jsonPath([...path, i])} is ${describeValue(item)}, expected ${expected}`);
    }
  });
  return value;
}

/**
 * Order stages so each comes after the stages it reads, keeping file order otherwise; throw on a cycle.
 * @param {string} file
 * @param {Stage[]} stages
 * @returns {Stage[]}
 */
function sortStages(file, stages) {
  const byName = new Map(stages.map((s) => [s.name, s]));
  /** @type {Stage[]} */
  const out = [];
  /** @type {Map<string, 'visiting' | 'done'>} */
  const state = new Map();
  /** @type {string[]} */
  const trail = [];
  /** @param {Stage} stage */
  const visit = (stage) => {
    if (state.get(stage.name) === 'done') return;
    state.set(stage.name, 'visiting');
    trail.push(stage.name);
    for (const [option, upstream] of Object.entries(stage.inputs)) {
      if (state.get(upstream) === 'visiting') {
        const cycle = [...trail.slice(trail.indexOf(upstream)), upstream];
        throw new PipelineError(
          'PIPELINE_CYCLE',
          `${file}: ${jsonPath(['stages', stage.name, 'inputs', option])} names stage "${upstream}", which closes the cycle ${cycle.reverse().join(' → ')}, expected each stage to read only stages that do not read it; remove one of these inputs`,
        );
      }
      visit(/** @type {Stage} */ (byName.get(upstream)));
    }
    trail.pop();
    state.set(stage.name, 'done');
    out.push(stage);
  };
  for (const stage of stages) visit(stage);
  return out;
}

/**
 * A relative, normalised path (or glob) that stays inside the workspace.
 * @param {string} path
 * @returns {boolean}
 */
function isInsideWorkspace(path) {
  if (path === '' || path.startsWith('/') || path.includes('\\') || /^[A-Za-z]:/.test(path)) return false;
  const normalized = posix.normalize(path);
  return normalized !== '.' && normalized !== '..' && !normalized.startsWith('../') && !path.split('/').includes('..');
}

/**
 * `batchSize` → `batch-size`.
 * @param {string} name
 * @returns {string}
 */
export function toKebab(name) {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
