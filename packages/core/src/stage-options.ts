import * as v from 'valibot';
import { toJsonSchema } from '@valibot/to-json-schema';
import { UsageError } from './errors.ts';
import { describeExpected, formatOptionValue, optionFlag, type OptionJsonSchema } from './option-rules.mjs';

/** An option's part in a stage: an upstream artifact directory it reads, something it writes, or a tuning param. */
export type OptionRole = 'input' | 'output' | 'param';

/** The valibot schema of a stage's options: one entry per option, every one with a description. */
export type StageOptionsSchema = v.ObjectSchema<v.ObjectEntries, undefined>;

/** One stage's options declared once: the CLI, the library's types and defaults, and the Nx plugin derive from it. */
export interface StageSpec<S extends StageOptionsSchema = StageOptionsSchema> {
  /** The npm package, e.g. `@tbpipe/train` (what pipeline.json's `package` names). */
  package: string;
  /** The bin, e.g. `tbpipe-train`. */
  bin: string;
  /** What the stage does, a paragraph: `--help` prints it under the usage line; it is the JSON Schema's description. */
  summary: string;
  /** `--help`'s closing text (how to rerun, exit codes). */
  notes: string;
  /** The options. */
  options: S;
}

/** The library's view of a stage's options: what a caller may pass (params optional, with defaults). */
export type StageInput<S extends StageOptionsSchema> = v.InferInput<S>;
/** The options after {@link resolveStageOptions}: every default applied. */
export type StageOutput<S extends StageOptionsSchema> = v.InferOutput<S>;

/**
 * A required upstream artifact directory (`dataDir` ← `--data`).
 * @example dataDir: inputDir('data', "the ingest stage's output: train.arrow + manifest.json")
 */
export function inputDir(flag: string, description: string) {
  return v.pipe(v.string(), v.minLength(1), v.description(description), v.metadata({ 'x-role': 'input', 'x-flag': flag }));
}

/** A required directory the stage writes (`outDir` ← `--out`, `runDir` ← `--run-dir`). */
export function outputDir(flag: string, description: string) {
  return v.pipe(v.string(), v.minLength(1), v.description(description), v.metadata({ 'x-role': 'output', 'x-flag': flag }));
}

/** The JSON Schema `format` of an option whose value names a file or folder (see {@link pathParam}). */
export const PATH_FORMAT = 'path';

/** How a path option may also be given: inline JSON, or one of the names the stage knows (see {@link pathMetadata}). */
export interface PathOptions {
  /** pipeline.json may give a JSON object or array, passed to the stage as the JSON text of its flag. */
  inline?: boolean;
  /** Values that are names the stage knows (built-in networks), not paths: passed through as they are. */
  names?: readonly string[];
}

/**
 * The valibot metadata that marks a string option as a path: its JSON Schema gets `"format": "path"` (with `inline`,
 * `"x-inline": "json"`; with `names`, `"x-names": […]`). The Nx plugin then resolves such a param in pipeline.json
 * relative to the pipeline's folder, checks that the file or folder exists, passes the stage a workspace-relative path
 * and hashes the content into the stage's cache key, so editing the file reruns the stage and what follows. A value
 * among `names` (a built-in such as `wide`) is passed through as it is; any other string is a path. With `inline`,
 * pipeline.json may also give a JSON object or array, which the stage receives as the JSON text of its flag
 * (`--network '{"layers":[…]}'`).
 * @example network: v.optional(v.pipe(v.string(), v.minLength(1), v.description('…'), pathMetadata({ inline: true, names: BUILTIN_NETWORKS })), 'tutorial')
 */
export function pathMetadata<TInput = string>(options: PathOptions = {}) {
  const marker: Record<string, unknown> = { format: PATH_FORMAT };
  if (options.inline) marker['x-inline'] = 'json';
  if (options.names) marker['x-names'] = [...options.names];
  return v.metadata<TInput, Record<string, unknown>>(marker);
}

/**
 * A param naming a file or folder (`pathMetadata`'s marker on a non-empty string): resolved, checked and hashed by
 * the Nx plugin relative to the pipeline folder; taken as given (relative to the working directory) on the CLI.
 * @example predictionsFile: v.optional(pathParam('predictions made elsewhere: Arrow IPC or Parquet'))
 */
export function pathParam(description: string, options: PathOptions = {}) {
  return v.pipe(v.string(), v.minLength(1), v.description(description), pathMetadata(options));
}

/** One option as the CLI, the help text and the Nx plugin see it. */
export interface OptionInfo {
  /** camelCase name (the library's and pipeline.json's). */
  name: string;
  /** kebab-case CLI flag, without `--`. */
  flag: string;
  role: OptionRole;
  required: boolean;
  /** The option's JSON Schema (type, range, default, description, `x-` annotations). */
  json: OptionJsonSchema;
  /** The valibot schema of the option. */
  schema: v.GenericSchema;
}

/** JSON Schema draft the generated schemas declare. */
export const JSON_SCHEMA_DRAFT = 'http://json-schema.org/draft-07/schema#';

const jsonCache = new WeakMap<StageSpec, StageJsonSchema>();

/** A stage's options as JSON Schema (what `options.schema.json` holds and the Nx plugin reads). */
export interface StageJsonSchema {
  $schema: string;
  title: string;
  description: string;
  type: 'object';
  properties: Record<string, OptionJsonSchema>;
  required: string[];
  additionalProperties: false;
  'x-bin': string;
}

/** The JSON Schema of a stage's options, generated from its valibot schema (annotations kept). */
export function stageJsonSchema(spec: StageSpec): StageJsonSchema {
  let json = jsonCache.get(spec);
  if (!json) {
    const generated = toJsonSchema(spec.options) as { properties: Record<string, OptionJsonSchema>; required?: string[] };
    json = {
      $schema: JSON_SCHEMA_DRAFT,
      title: spec.package,
      description: spec.summary,
      type: 'object',
      properties: generated.properties,
      required: generated.required ?? [],
      additionalProperties: false,
      'x-bin': spec.bin,
    };
    jsonCache.set(spec, json);
  }
  return json;
}

/** Every option of a stage, in declaration order. */
export function stageOptionInfo(spec: StageSpec): OptionInfo[] {
  const json = stageJsonSchema(spec);
  return Object.entries(spec.options.entries).map(([name, schema]) => {
    const property = json.properties[name]!;
    return {
      name,
      flag: optionFlag(name, property),
      role: property['x-role'] ?? 'param',
      required: json.required.includes(name),
      json: property,
      schema: schema as v.GenericSchema,
    };
  });
}

/**
 * Validate a stage's options and apply its defaults: the one check behind the CLI, the library function and (through
 * the generated JSON Schema) the Nx plugin. Keys the schema does not declare (`logger`, `signal`, injected engines)
 * pass through untouched.
 * @throws {UsageError} `--batch-size is 0, expected an integer ≥ 1`; `--out is required`
 */
export function resolveStageOptions<S extends StageOptionsSchema, T extends StageInput<S>>(spec: StageSpec<S>, options: T): T & StageOutput<S> {
  const resolved: Record<string, unknown> = { ...options };
  for (const option of stageOptionInfo(spec)) {
    const value = resolved[option.name];
    if (value === undefined || (value === '' && option.role !== 'param')) {
      if (option.required) throw new UsageError(`--${option.flag} is required`);
      const fallback = v.getDefault(option.schema as v.OptionalSchema<v.GenericSchema, unknown>);
      if (fallback === undefined) delete resolved[option.name];
      else resolved[option.name] = fallback;
      continue;
    }
    if (!v.is(option.schema, value)) throw badOption(option, formatOptionValue(value));
  }
  return resolved as T & StageOutput<S>;
}

/** `--<flag> is <shown>, expected <what the schema accepts>`. */
export function badOption(option: OptionInfo, shown: string): UsageError {
  return new UsageError(`--${option.flag} is ${shown}, expected ${describeExpected(option.json)}`);
}

/**
 * Turn one CLI flag's text into the option's value (numbers for numeric options) and check it, so the message quotes
 * what the user typed: `--batch-size is "0", expected an integer ≥ 1`.
 */
export function parseOptionFlag(option: OptionInfo, raw: string | boolean): unknown {
  const numeric = option.json.type === 'integer' || option.json.type === 'number';
  const value = numeric && typeof raw === 'string' ? (raw.trim() === '' ? Number.NaN : Number(raw)) : raw;
  if (!v.is(option.schema, value)) throw badOption(option, JSON.stringify(raw));
  return value;
}
