/**
 * The JSON path of a field, in the dotted form people type: `stages.train.inputs.data`, `stages["my stage"]`,
 * `tbpipe.runOutputs[0]`.
 * @param {ReadonlyArray<string | number>} segments
 * @returns {string}
 */
export function jsonPath(segments: ReadonlyArray<string | number>): string;
/**
 * How a value looks in a message: strings quoted, other JSON as JSON, arrays and objects named by kind.
 * @param {unknown} value
 * @returns {string}
 */
export function describeValue(value: unknown): string;
/**
 * "one of a, b, c" (or "nothing" for an empty list) for the `expected …` part of a message.
 * @param {Iterable<string>} names
 * @returns {string}
 */
export function oneOf(names: Iterable<string>): string;
/** A user-fixable problem in a pipeline.json, a stage package's package.json or the plugin's options. */
export class PipelineError extends Error {
    /**
     * @param {string} code stable machine-readable code, e.g. `PIPELINE_UNKNOWN_STAGE`
     * @param {string} message `<file>: <path> <seen>, expected <expected>[; <what to do>]`
     * @param {ErrorOptions} [options]
     */
    constructor(code: string, message: string, options?: ErrorOptions);
    /** @type {string} */
    code: string;
}
