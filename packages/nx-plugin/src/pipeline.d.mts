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
 * `batchSize` → `batch-size`.
 * @param {string} name
 * @returns {string}
 */
export function toKebab(name: string): string;
export type Workspace = import("./workspace.mjs").Workspace;
export type WorkspacePackage = import("./workspace.mjs").WorkspacePackage;
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
};
export type Stage = {
    name: string;
    package: StagePackage;
    /**
     * option name (camelCase) → upstream stage name, in file order
     */
    inputs: Record<string, string>;
    /**
     * option name (camelCase) → value, in file order
     */
    params: Record<string, string | number | boolean>;
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
     * TensorBoard run directory relative to the workspace root (default `runs/<name>`)
     */
    runDir: string;
    /**
     * in dependency order (every stage after the stages it reads)
     */
    stages: Stage[];
};
