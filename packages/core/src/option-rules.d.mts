// Types of option-rules.mjs (hand-written: the file is plain JavaScript so the Nx plugin can load it without tsx).
export interface OptionJsonSchema {
  type?: 'string' | 'integer' | 'number' | 'boolean';
  enum?: readonly unknown[];
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  default?: unknown;
  description?: string;
  /** Input directory, output (directory), or param (the default). */
  'x-role'?: 'input' | 'output' | 'param';
  /** The CLI flag when it is not the kebab-case name. */
  'x-flag'?: string;
  /** The value's name in `--help` (`<url>`) when the type's (`<n>`, `<x>`) will not do. */
  'x-placeholder'?: string;
  /** The default in words, where it depends on the machine (`~/.cache/tbpipe`). */
  'x-default'?: string;
  /** `path`: the value names a file or folder (core's `pathMetadata`); the Nx plugin resolves, checks and hashes it. */
  format?: 'path';
  /** `json`: pipeline.json may give the value inline as a JSON object or array, passed to the stage as JSON text. */
  'x-inline'?: 'json';
  /** Values of a path option that are names the stage knows (built-ins such as `wide`), not paths. */
  'x-names'?: string[];
}
export function toKebab(name: string): string;
export function optionFlag(name: string, schema: OptionJsonSchema): string;
export function describeExpected(schema: OptionJsonSchema): string;
export function describeBounds(schema: OptionJsonSchema): string[];
export function checkOptionValue(schema: OptionJsonSchema, value: unknown): boolean;
export function formatOptionValue(value: unknown): string;
export function closestName(name: string, names: Iterable<string>): string | undefined;
