// Plain JavaScript on purpose: the Nx plugin (plain .mjs, no tsx) checks pipeline.json params with these same rules
// when Nx builds the graph, and the stages' CLI and library print the same words through them.

/**
 * The kebab-case CLI flag of a camelCase option name (`batchSize` → `batch-size`).
 * @param {string} name
 * @returns {string}
 */
export function toKebab(name) {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * The CLI flag of one option: its `x-flag` (directories: `dataDir` → `data`) or its name in kebab case.
 * @param {string} name
 * @param {OptionJsonSchema} schema
 * @returns {string}
 */
export function optionFlag(name, schema) {
  return schema['x-flag'] ?? toKebab(name);
}

/**
 * What an option accepts, in words, for `… expected <this>`: `an integer ≥ 1`, `a number ≥ 0 < 1`,
 * `one of auto, tensorflow, wasm, cpu`, `true or false`, `a non-empty string`.
 * @param {OptionJsonSchema} schema
 * @returns {string}
 */
export function describeExpected(schema) {
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.join(', ')}`;
  if (schema.type === 'boolean') return 'true or false';
  if (schema.type === 'integer' || schema.type === 'number') {
    return [schema.type === 'integer' ? 'an integer' : 'a number', ...describeBounds(schema)].join(' ');
  }
  return schema.minLength ? 'a non-empty string' : 'a string';
}

/**
 * A number's bounds in words, in order: `≥ 2`, `> 0`, `≤ 127`, `< 1` (none for an unbounded one).
 * @param {OptionJsonSchema} schema
 * @returns {string[]}
 */
export function describeBounds(schema) {
  return [
    schema.minimum !== undefined ? `≥ ${schema.minimum}` : '',
    schema.exclusiveMinimum !== undefined ? `> ${schema.exclusiveMinimum}` : '',
    schema.maximum !== undefined ? `≤ ${schema.maximum}` : '',
    schema.exclusiveMaximum !== undefined ? `< ${schema.exclusiveMaximum}` : '',
  ].filter(Boolean);
}

/**
 * Whether `value` satisfies one option's JSON Schema. Covers exactly the keywords the stages' schemas use (type,
 * enum, minimum/maximum and their exclusive forms, minLength); a test checks it agrees with the stages' valibot
 * schemas value by value.
 * @param {OptionJsonSchema} schema
 * @param {unknown} value
 * @returns {boolean}
 */
export function checkOptionValue(schema, value) {
  if (Array.isArray(schema.enum)) return schema.enum.includes(value);
  switch (schema.type) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string' && value.length >= (schema.minLength ?? 0);
    case 'integer':
    case 'number':
      return (
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (schema.type === 'number' || Number.isInteger(value)) &&
        (schema.minimum === undefined || value >= schema.minimum) &&
        (schema.exclusiveMinimum === undefined || value > schema.exclusiveMinimum) &&
        (schema.maximum === undefined || value <= schema.maximum) &&
        (schema.exclusiveMaximum === undefined || value < schema.exclusiveMaximum)
      );
    default:
      return true;
  }
}

/**
 * A value as an error message shows it: numbers as written, everything else as JSON (`"0"`, `"gpu"`).
 * @param {unknown} value
 * @returns {string}
 */
export function formatOptionValue(value) {
  return typeof value === 'number' ? String(value) : JSON.stringify(value) ?? String(value);
}

/**
 * The name in `names` closest to `name` (Damerau–Levenshtein distance, case-insensitive), if it is close enough to be
 * a likely typo: at most a third of the longer name's length, and at least 1 edit allowed.
 * @param {string} name
 * @param {Iterable<string>} names
 * @returns {string | undefined}
 */
export function closestName(name, names) {
  let best;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of names) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance && d <= Math.max(1, Math.floor(Math.max(name.length, candidate.length) / 3))) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
function editDistance(a, b) {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}

/**
 * @typedef {object} OptionJsonSchema  One option of a stage's generated `options.schema.json`.
 * @property {'string' | 'integer' | 'number' | 'boolean'} [type]
 * @property {readonly unknown[]} [enum]
 * @property {number} [minimum]
 * @property {number} [exclusiveMinimum]
 * @property {number} [maximum]
 * @property {number} [exclusiveMaximum]
 * @property {number} [minLength]
 * @property {unknown} [default]
 * @property {string} [description]
 * @property {'input' | 'output' | 'param'} [x-role]  input directory, output (directory), or param (default)
 * @property {string} [x-flag]  the CLI flag when it is not the kebab-case name
 * @property {string} [x-placeholder]  the value's name in `--help` (`<url>`) when the type's (`<n>`, `<x>`) will not do
 * @property {string} [x-default]  the default in words, where it depends on the machine (`~/.cache/tbpipe`)
 * @property {'path'} [format]  the value names a file or folder (core's `pathMetadata`): the Nx plugin resolves it
 *   relative to the pipeline folder, checks it exists and hashes its content into the stage's cache key
 * @property {'json'} [x-inline]  pipeline.json may give the value inline as a JSON object or array (passed as JSON text)
 * @property {string[]} [x-names]  values of a path option that are names the stage knows (built-ins), not paths
 */
