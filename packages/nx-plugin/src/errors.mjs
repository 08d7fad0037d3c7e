// Errors the plugin throws while reading pipeline.json and the workspace's packages. Nx prints the message under the
// plugin's name, so each one is a single line that starts with the file and the JSON path of the bad field.

/** A user-fixable problem in a pipeline.json, a stage package's package.json or the plugin's options. */
export class PipelineError extends Error {
  /**
   * @param {string} code stable machine-readable code, e.g. `PIPELINE_UNKNOWN_STAGE`
   * @param {string} message `<file>: <path> <seen>, expected <expected>[; <what to do>]`
   * @param {ErrorOptions} [options]
   */
  constructor(code, message, options) {
    super(message, options);
    this.name = 'PipelineError';
    /** @type {string} */
    this.code = code;
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * The JSON path of a field, in the dotted form people type: `stages.train.inputs.data`, `stages["my stage"]`,
 * `tbpipe.runOutputs[0]`.
 * @param {ReadonlyArray<string | number>} segments
 * @returns {string}
 */
export function jsonPath(segments) {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (IDENTIFIER.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/**
 * How a value looks in a message: strings quoted, other JSON as JSON, arrays and objects named by kind.
 * @param {unknown} value
 * @returns {string}
 */
export function describeValue(value) {
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return JSON.stringify(value);
}

/**
 * "one of a, b, c" (or "nothing" for an empty list) for the `expected …` part of a message.
 * @param {Iterable<string>} names
 * @returns {string}
 */
export function oneOf(names) {
  const list = [...names];
  if (list.length === 0) return 'nothing (there are none)';
  if (list.length === 1) return `"${list[0]}"`;
  return `one of ${list.join(', ')}`;
}
