/**
 * Check a parsed pipeline.json and resolve its stage packages.
 * @param {string} file path relative to the workspace root, `pipelines/<name>/pipeline.json`
 * @param {Record<string, unknown>} json the parsed document
 * @param {Workspace} workspace
 * @returns {Pipeline}
 * @example
 * const pipeline = parsePipeline('pipelines/fashion-mnist/pipeline.json', JSON.parse(text), readWorkspace(root));
 */
export function parsePipeline(file: string, json: Record<string, unknown>, workspace: Workspace): Pipeline;
/**
 * A sweep's run directory for one run: `{run}` replaced by its name.
 * @param {string} template
 * @param {string} run
 * @returns {string}
 */
export function fillRunDir(template: string, run: string): string;
/**
 * A stage's params in one run: its own params with the run's overrides applied (overridden ones keep their place,
 * new ones follow in the run's order).
 * @param {Stage} stage
 * @param {Run | undefined} run
 * @returns {Record<string, string | number | boolean>}
 */
export function runParams(stage: Stage, run: Run | undefined): Record<string, string | number | boolean>;
/**
 * The paths a stage's task reads through its params in one run: the stage's own, minus those the run overrides, plus
 * the run's.
 * @param {Stage} stage
 * @param {Run | undefined} run
 * @returns {Record<string, PathValue>}
 */
export function runPaths(stage: Stage, run: Run | undefined): Record<string, PathValue>;
/**
 * `batchSize` → `batch-size`.
 * @param {string} name
 * @returns {string}
 */
export function toKebab(name: string): string;
/** The placeholder of a sweep's `runDir` template. */
export const RUN_PLACEHOLDER: "{run}";
/** What `{run}` becomes in the run directory of the stages no run changes (no run name starts with `_`). */
export const SHARED_RUN: "_shared";
export type ParsedParam = {
    /**
     * what the command passes
     */
    value: string | number | boolean;
    /**
     * when the value names a file or folder
     */
    path?: import("./paths.mjs").PathValue | undefined;
};
export type Workspace = import("./workspace.mjs").Workspace;
export type WorkspacePackage = import("./workspace.mjs").WorkspacePackage;
export type PathValue = import("./paths.mjs").PathValue;
export type StagePackage = {
    /**
     * e.g. `@tbpipe/train`
     */
    name: string;
    /**
     * e.g. `packages/train`
     */
    dir: string;
    /**
     * the bin file relative to the workspace root, e.g. `packages/train/bin/tbpipe-train.mjs`
     */
    bin: string;
    /**
     * the event-file suffix the stage writes (`events.out.tfevents.*.<suffix>`): the package
     * name without scope, e.g. `train`
     */
    suffix: string;
    /**
     * extra files/folders (globs) the stage owns in the run directory, from its package.json
     * `tbpipe.runOutputs`
     */
    runOutputs: string[];
    /**
     * environment variables that change what the stage produces, from `tbpipe.env`
     */
    env: string[];
    /**
     * its declared options (`tbpipe.options`),
     * which params, inputs and runs overrides are checked against
     */
    options: import("./stage-options.mjs").StageOptions | undefined;
};
export type Stage = {
    name: string;
    package: StagePackage;
    /**
     * option name (camelCase) → upstream stage name, in file order
     */
    inputs: Record<string, string>;
    /**
     * option name → the file or folder an input names instead of a stage
     * (`{ "path": "data/preds.parquet" }`), resolved against the workspace; file order
     */
    fileInputs: Record<string, PathValue>;
    /**
     * option name (camelCase) → value, in file order; a path
     * param's path is already workspace-relative, an inline JSON value is its JSON text
     */
    params: Record<string, string | number | boolean>;
    /**
     * the params (of `params`) whose value names a file or folder
     */
    paths: Record<string, PathValue>;
    description: string | undefined;
};
export type Pipeline = {
    /**
     * the directory name under `pipelines/`
     */
    name: string;
    /**
     * e.g. `pipelines/fashion-mnist/pipeline.json`
     */
    file: string;
    /**
     * e.g. `pipelines/fashion-mnist`
     */
    dir: string;
    description: string | undefined;
    /**
     * TensorBoard run directory relative to the workspace root (default `runs/<name>`); in a
     * sweep, the one of the stages no run changes (`runDirTemplate` with `{run}` → `_shared`)
     */
    runDir: string;
    /**
     * in dependency order (every stage after the stages it reads)
     */
    stages: Stage[];
    /**
     * the runs of a sweep, in file order; empty for a plain pipeline
     */
    runs: Run[];
    /**
     * the stages each run gets its own copy of: every stage a run overrides and every stage
     * downstream of one, in dependency order; empty for a plain pipeline
     */
    runStages: string[];
    /**
     * in a sweep, each run's run directory with `{run}` for its name
     */
    runDirTemplate: string | undefined;
};
/**
 * One run of a sweep: a name and params overrides for some stages.
 */
export type Run = {
    /**
     * e.g. `lr-0.01`
     */
    name: string;
    /**
     * its TensorBoard run directory, e.g. `runs/lr-sweep/lr-0.01`
     */
    runDir: string;
    /**
     * stage → option → value, file order
     */
    overrides: Record<string, Record<string, string | number | boolean>>;
    /**
     * stage → the overrides that name a file or folder
     */
    paths: Record<string, Record<string, PathValue>>;
};
