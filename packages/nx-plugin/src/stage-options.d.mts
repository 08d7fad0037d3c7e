/** @typedef {import('@tbpipe/core/option-rules').OptionJsonSchema} OptionJsonSchema */
/**
 * @typedef {object} StageOptions
 * @property {string} packageName
 * @property {string} file  the schema file, relative to the workspace root
 * @property {Map<string, OptionJsonSchema>} params  param name → schema
 * @property {Map<string, OptionJsonSchema>} inputs  input name as pipeline.json writes it (the flag, camelCase) → schema
 */
/**
 * The options a stage package declares, or `undefined` when its package.json names no `tbpipe.options` file (then
 * params are passed through unchecked, as flags).
 * @param {import('./workspace.mjs').Workspace} workspace
 * @param {import('./workspace.mjs').WorkspacePackage} pkg
 * @returns {StageOptions | undefined}
 */
export function readStageOptions(workspace: import("./workspace.mjs").Workspace, pkg: import("./workspace.mjs").WorkspacePackage): StageOptions | undefined;
/**
 * Check one param (of a stage, or a run's override) against the stage's schema.
 * @param {(code: string, path: Array<string | number>, rest: string) => never} fail
 * @param {StageOptions | undefined} options
 * @param {Array<string | number>} path  JSON path of the param
 * @param {string} name
 * @param {unknown} value
 */
export function checkParam(fail: (code: string, path: Array<string | number>, rest: string) => never, options: StageOptions | undefined, path: Array<string | number>, name: string, value: unknown): void;
/**
 * Check one input name against the stage's declared input directories.
 * @param {(code: string, path: Array<string | number>, rest: string) => never} fail
 * @param {StageOptions | undefined} options
 * @param {Array<string | number>} path
 * @param {string} name
 */
export function checkInput(fail: (code: string, path: Array<string | number>, rest: string) => never, options: StageOptions | undefined, path: Array<string | number>, name: string): void;
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
export function checkFileInput(fail: (code: string, path: Array<string | number>, rest: string) => never, options: StageOptions | undefined, path: Array<string | number>, name: string): "input" | "param" | undefined;
/**
 * Whether a param of the stage names a file or folder (its schema has `"format": "path"`).
 * @param {StageOptions | undefined} options
 * @param {string} name
 * @returns {boolean}
 */
export function isPathParam(options: StageOptions | undefined, name: string): boolean;
/**
 * Whether a path param's value is one of the names the stage knows instead of a path (`"x-names"`: train's built-in
 * networks); any other value of a path param is a path.
 */
export function isKnownName(options: StageOptions | undefined, name: string, value: string): boolean;
/**
 * Whether a path param may be given inline in pipeline.json as a JSON object or array (`"x-inline": "json"`).
 * @param {StageOptions | undefined} options
 * @param {string} name
 * @returns {boolean}
 */
export function acceptsInlineJson(options: StageOptions | undefined, name: string): boolean;
export type OptionJsonSchema = import("@tbpipe/core/option-rules").OptionJsonSchema;
export type StageOptions = {
    packageName: string;
    /**
     * the schema file, relative to the workspace root
     */
    file: string;
    /**
     * param name → schema
     */
    params: Map<string, OptionJsonSchema>;
    /**
     * input name as pipeline.json writes it (the flag, camelCase) → schema
     */
    inputs: Map<string, OptionJsonSchema>;
};
