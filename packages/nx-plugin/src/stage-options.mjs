// A stage package's declared options (its generated options.schema.json, named by package.json `tbpipe.options`), and
// the graph-time check of pipeline.json's params, inputs and runs overrides against them. Reads JSON only: the stage's
// TypeScript spec is never loaded here, so Nx's graph build pays no tsx start-up.
import { checkOptionValue, closestName, describeExpected } from '@tbpipe/core/option-rules';
import { describeValue, oneOf, PipelineError } from './errors.mjs';
import { readJson } from './workspace.mjs';

/** @typedef {import('@tbpipe/core/option-rules').OptionJsonSchema} OptionJsonSchema */

/**
 * @typedef {object} StageOptions
 * @property {string} packageName
 * @property {string} file  the schema file, relative to the workspace root
 * @property {Map<string, OptionJsonSchema>} params  param name → schema
 * @property {Map<string, OptionJsonSchema>} inputs  input name as pipeline.json writes it (the flag, camelCase) → schema
 * @property {boolean} runDirRequired  whether the stage cannot run without `--run-dir` (its schema requires `runDir`)
 */

/**
 * The options a stage package declares, or `undefined` when its package.json names no `tbpipe.options` file (then
 * params are passed through unchecked, as flags).
 * @param {import('./workspace.mjs').Workspace} workspace
 * @param {import('./workspace.mjs').WorkspacePackage} pkg
 * @returns {StageOptions | undefined}
 */
export function readStageOptions(workspace, pkg) {
  // Read once per package per workspace snapshot: every stage of every pipeline using the package asks.
  let memo = optionsMemo.get(workspace);
  if (memo === undefined) optionsMemo.set(workspace, (memo = new Map()));
  if (!memo.has(pkg.name)) memo.set(pkg.name, readStageOptionsFile(workspace, pkg));
  return memo.get(pkg.name);
}

/** @type {WeakMap<import('./workspace.mjs').Workspace, Map<string, StageOptions | undefined>>} */
const optionsMemo = new WeakMap();

/**
 * @param {import('./workspace.mjs').Workspace} workspace
 * @param {import('./workspace.mjs').WorkspacePackage} pkg
 * @returns {StageOptions | undefined}
 */
function readStageOptionsFile(workspace, pkg) {
  const declared = pkg.tbpipe.options;
  if (declared === undefined) return undefined;
  const manifest = `${pkg.dir}/package.json`;
  if (typeof declared !== 'string') {
    throw new PipelineError('PACKAGE_TBPIPE', `${manifest}: tbpipe.options is ${describeValue(declared)}, expected the path of the stage's options.schema.json`);
  }
  const file = `${pkg.dir}/${declared}`;
  const schema = readJson(workspace.root, file);
  /** @type {Map<string, OptionJsonSchema>} */
  const params = new Map();
  /** @type {Map<string, OptionJsonSchema>} */
  const inputs = new Map();
  for (const [name, option] of Object.entries(schema.properties ?? {})) {
    const role = option['x-role'] ?? 'param';
    if (role === 'param') params.set(name, option);
    else if (role === 'input') inputs.set(camelCase(option['x-flag'] ?? name), option);
  }
  const runDirRequired = Array.isArray(schema.required) && schema.required.includes('runDir');
  return { packageName: pkg.name, file, params, inputs, runDirRequired };
}

/**
 * Check one param (of a stage, or a run's override) against the stage's schema.
 * @param {(code: string, path: Array<string | number>, rest: string) => never} fail
 * @param {StageOptions | undefined} options
 * @param {Array<string | number>} path  JSON path of the param
 * @param {string} name
 * @param {unknown} value
 */
export function checkParam(fail, options, path, name, value) {
  if (!options) return;
  const schema = options.params.get(name);
  if (!schema) fail('STAGE_UNKNOWN_PARAM', path, unknownName('an option', options, name, options.params.keys()));
  else if (!checkOptionValue(schema, value)) fail('STAGE_PARAM_VALUE', path, `is ${describeValue(value)}, expected ${describeExpected(schema)} (see ${options.file})`);
}

/**
 * Check one input name against the stage's declared input directories.
 * @param {(code: string, path: Array<string | number>, rest: string) => never} fail
 * @param {StageOptions | undefined} options
 * @param {Array<string | number>} path
 * @param {string} name
 */
export function checkInput(fail, options, path, name) {
  if (options && !options.inputs.has(name)) fail('STAGE_UNKNOWN_INPUT_OPTION', path, unknownName('an input', options, name, options.inputs.keys()));
}

/**
 * Check an input that names a file or folder (`{ "path": … }`): it may feed a declared input directory or a param
 * marked as a path (`"format": "path"`, core's pathParam). Returns the option's role, or `undefined` when the stage
 * declares no options (then anything goes, as a flag).
 * @param {(code: string, path: Array<string | number>, rest: string) => never} fail
 * @param {StageOptions | undefined} options
 * @param {Array<string | number>} path
 * @param {string} name
 * @returns {'input' | 'param' | undefined}
 */
export function checkFileInput(fail, options, path, name) {
  if (!options) return undefined;
  if (options.inputs.has(name)) return 'input';
  if (isPathParam(options, name)) return 'param';
  const names = [...options.inputs.keys(), ...[...options.params.keys()].filter((n) => isPathParam(options, n))];
  return fail('STAGE_UNKNOWN_INPUT_OPTION', path, unknownName('an input or a path param', options, name, names));
}

/**
 * Whether a param of the stage names a file or folder (its schema has `"format": "path"`).
 * @param {StageOptions | undefined} options
 * @param {string} name
 * @returns {boolean}
 */
export function isPathParam(options, name) {
  return options?.params.get(name)?.format === 'path';
}

/**
 * Whether a path param's value is one of the names the stage knows instead of a path (`"x-names"`: train's built-in
 * networks); any other value of a path param is a path.
 * @param {StageOptions | undefined} options
 * @param {string} name
 * @param {string} value
 * @returns {boolean}
 */
export function isKnownName(options, name, value) {
  return options?.params.get(name)?.['x-names']?.includes(value) ?? false;
}

/**
 * Whether a path param may be given inline in pipeline.json as a JSON object or array (`"x-inline": "json"`).
 * @param {StageOptions | undefined} options
 * @param {string} name
 * @returns {boolean}
 */
export function acceptsInlineJson(options, name) {
  return options?.params.get(name)?.['x-inline'] === 'json';
}

/**
 * `is not an option of @tbpipe/train; did you mean learningRate?` (or the list when nothing is close).
 * @param {string} what
 * @param {StageOptions} options
 * @param {string} name
 * @param {Iterable<string>} names
 */
function unknownName(what, options, name, names) {
  const list = [...names];
  const near = closestName(name, list);
  return near
    ? `is not ${what} of ${options.packageName}; did you mean ${near}?`
    : `is not ${what} of ${options.packageName}, expected ${oneOf(list)}`;
}

/**
 * `run-dir` → `runDir`.
 * @param {string} flag
 */
function camelCase(flag) {
  return flag.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
}
