/**
 * The valibot schema of a network spec, checked one layer at a time so that a bad spec fails with one line naming
 * the layer index and the field (`network: layer 3 (dropout) rate 1.5, expected < 1; …`). Unknown fields are errors
 * too: a typo such as `kernel_size` must not silently fall back to a default.
 */
import * as v from 'valibot';
import { layerError, specError } from './errors.ts';
import { LAYER_TYPES, type LayerSpec, type LayerType, type NetworkSpec } from './spec.ts';

const positiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));
/** A module name PyTorch accepts as an attribute (no dots: they separate parameter names). */
const name = v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an identifier such as conv1')));

/** One strict object schema per layer type; defaults are applied by resolveNetwork, not here. */
export const LAYER_SCHEMAS: Record<LayerType, v.GenericSchema> = {
  conv2d: v.strictObject({
    type: v.literal('conv2d'),
    name,
    filters: positiveInt,
    kernelSize: positiveInt,
    stride: v.optional(positiveInt),
    padding: v.optional(v.union([v.pipe(v.number(), v.integer(), v.minValue(0)), v.literal('same')], 'an integer ≥ 0 or "same"')),
  }),
  maxPool2d: v.strictObject({ type: v.literal('maxPool2d'), name, poolSize: positiveInt, stride: v.optional(positiveInt) }),
  avgPool2d: v.strictObject({ type: v.literal('avgPool2d'), name, poolSize: positiveInt, stride: v.optional(positiveInt) }),
  relu: v.strictObject({ type: v.literal('relu'), name }),
  tanh: v.strictObject({ type: v.literal('tanh'), name }),
  sigmoid: v.strictObject({ type: v.literal('sigmoid'), name }),
  flatten: v.strictObject({ type: v.literal('flatten'), name }),
  dense: v.strictObject({ type: v.literal('dense'), name, units: positiveInt }),
  dropout: v.strictObject({ type: v.literal('dropout'), name, rate: v.pipe(v.number(), v.minValue(0), v.ltValue(1)) }),
  batchNorm: v.strictObject({ type: v.literal('batchNorm'), name }),
};

/** The spec's top level: an optional description and the layer list (checked per layer by {@link parseNetworkSpec}). */
export const NetworkSpecSchema = v.strictObject({
  description: v.optional(v.string()),
  layers: v.pipe(v.array(v.unknown()), v.minLength(1)),
});

const show = (x: unknown) => (typeof x === 'string' ? `'${x}'` : x === undefined ? 'missing' : JSON.stringify(x));

function expectedOf(issue: v.BaseIssue<unknown>): string {
  if (issue.type === 'min_value') return `≥ ${String(issue.requirement)}`;
  if (issue.type === 'lt_value') return `< ${String(issue.requirement)}`;
  if (issue.type === 'integer') return 'an integer';
  if (issue.type === 'regex') return 'an identifier such as conv1';
  if (issue.type === 'union') return 'an integer ≥ 0 or "same"';
  return issue.expected ?? 'a valid value';
}

/**
 * Check a parsed JSON value against the spec format and return it typed. Throws a `NetworkError` naming the layer
 * index and field of the first problem.
 * @example parseNetworkSpec(JSON.parse(readFileSync('networks/wide.json', 'utf8')))
 */
export function parseNetworkSpec(value: unknown): NetworkSpec {
  const top = v.safeParse(NetworkSpecSchema, value);
  if (!top.success) {
    const issue = top.issues[0];
    const key = issue.path?.map((p) => String(p.key)).join('.') ?? 'the spec';
    if (issue.type === 'strict_object' && issue.path) return fail(`field '${key}'`, 'only description and layers');
    return fail(`${key} ${show(issue.input)}`, key === 'layers' ? 'a non-empty array of layers' : expectedOf(issue));
  }
  const layers = top.output.layers.map((layer, index): LayerSpec => {
    if (typeof layer !== 'object' || layer === null || Array.isArray(layer)) {
      throw layerError(index, '?', 'value', show(layer), 'an object with a type');
    }
    const type = (layer as { type?: unknown }).type;
    if (typeof type !== 'string' || !(LAYER_TYPES as readonly string[]).includes(type)) {
      throw layerError(index, String(type), 'type', show(type), LAYER_TYPES.join(' | '));
    }
    const parsed = v.safeParse(LAYER_SCHEMAS[type as LayerType], layer);
    if (parsed.success) {
      const l = parsed.output as LayerSpec;
      // Data-independent, so checked here too (resolveNetwork repeats it): PyTorch allows 'same' only at stride 1.
      if (l.type === 'conv2d' && l.padding === 'same' && (l.stride ?? 1) !== 1) {
        throw layerError(index, type, 'padding', `'same' with stride ${l.stride}`, "stride 1 for 'same' (or a number)");
      }
      return l;
    }
    const issue = parsed.issues[0];
    const field = issue.path?.map((p) => String(p.key)).join('.') ?? 'value';
    if (issue.type === 'strict_object' && issue.input === undefined) throw layerError(index, type, field, 'missing', 'a value (required)');
    if (issue.type === 'strict_object') {
      const fields = Object.keys((LAYER_SCHEMAS[type as LayerType] as unknown as { entries: object }).entries);
      throw layerError(index, type, field, 'is unknown', `one of ${fields.join(', ')}`);
    }
    throw layerError(index, type, field, show(issue.input), expectedOf(issue));
  });
  return { ...(top.output.description === undefined ? {} : { description: top.output.description }), layers };
}

function fail(seen: string, expected: string): never {
  throw specError(seen, expected);
}
