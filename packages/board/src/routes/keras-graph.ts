/**
 * A Keras model config (`model.to_json()`, what a `graph_keras_model` summary stores) as a GraphDef of its layers,
 * the way TensorBoard's `keras_util.keras_model_to_graph_def` builds the "conceptual graph": one node per layer,
 * nested models as name scopes, edges from `inbound_nodes` (Keras 3 form) or, in Sequential models, from the layer
 * before; attributes `keras_class` and `dtype`.
 */
import { GRAPH_SCHEMA } from './graph-protos.ts';
import { messageType, newMessage, type MapEntry, type Message } from './pbtxt.ts';
import { BadRequest } from './types.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

/** tensorflow_stub `dtypes.as_dtype` for what JSON can hold: a type name (`float32`, `half`, `int64_ref`, …). */
const DTYPE_NAMES: Record<string, number> = {};
{
  const base: [string, number][] = [
    ['float16', 19], ['float32', 1], ['float64', 2], ['int32', 3], ['uint8', 4], ['uint16', 17], ['uint32', 22],
    ['uint64', 23], ['int16', 5], ['int8', 6], ['string', 7], ['complex64', 8], ['complex128', 18], ['int64', 9],
    ['bool', 10], ['qint8', 11], ['quint8', 12], ['qint16', 15], ['quint16', 16], ['qint32', 13], ['bfloat16', 14],
    ['resource', 20], ['variant', 21],
  ];
  for (const [name, n] of base) {
    DTYPE_NAMES[name] = n;
    DTYPE_NAMES[`${name}_ref`] = n + 100;
  }
  Object.assign(DTYPE_NAMES, { half: 19, half_ref: 119, float: 1, float_ref: 101, double: 2, double_ref: 102 });
}
const DTYPE_ENUMS = new Set(Object.values(DTYPE_NAMES));

function asDatatypeEnum(dtype: Json): number | undefined {
  if (typeof dtype === 'string') return DTYPE_NAMES[dtype];
  // A number (or a bool, which Python hashes as 0/1) is looked up as a DataType enum value.
  if (typeof dtype === 'number' || typeof dtype === 'boolean') {
    const n = Number(dtype);
    return DTYPE_ENUMS.has(n) ? n : undefined;
  }
  return undefined;
}

const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(what: string): never {
  throw new BadRequest(`graphs: the Keras model config ${what}; cannot draw its conceptual graph`);
}

/** Python's `str()` of a JSON value (used where TensorBoard formats a list into a name with `%s`). */
function pyStr(v: Json | undefined): string {
  if (v === undefined || v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  const repr = (x: Json): string => (typeof x === 'string' ? `'${x.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : pyStr(x));
  if (Array.isArray(v)) return `[${v.map(repr).join(', ')}]`;
  return `{${Object.entries(v).map(([k, x]) => `${repr(k)}: ${repr(x)}`).join(', ')}}`;
}

const scoped = (scope: string, name: Json | undefined) => (scope ? `${scope}/${pyStr(name)}` : pyStr(name));

function configOf(layer: Json): Obj {
  if (!isObj(layer) || !isObj(layer.config)) fail('has a layer without a "config" object');
  return layer.config;
}

function* walkLayers(layer: Json): Generator<[string, Obj]> {
  if (!isObj(layer)) fail('has a layer that is not an object');
  yield ['', layer];
  const config = configOf(layer);
  const layers = config.layers;
  if (Array.isArray(layers) && layers.length > 0) {
    const scope = pyStr(config.name);
    for (const sub of layers) {
      for (const [subScope, sublayer] of walkLayers(sub)) yield [subScope ? `${scope}/${subScope}` : scope, sublayer];
    }
  }
}

/** `_get_inbound_nodes`: [name, size, index] of every `keras_history` in the layer's inbound nodes. */
function inboundNodes(layer: Obj): Json[][] {
  const out: Json[][] = [];
  if (!Array.isArray(layer.inbound_nodes)) return out;
  for (const node of layer.inbound_nodes) {
    if (!isObj(node)) continue; // Keras 2 form: not understood by TensorBoard either
    for (const args of Array.isArray(node.args) ? node.args : []) {
      for (const arg of Array.isArray(args) ? args : [args]) {
        const history = isObj(arg) && isObj(arg.config) ? arg.config.keras_history : undefined;
        if (Array.isArray(history) && history.length >= 3) out.push(history.slice(0, 3));
      }
    }
  }
  return out;
}

/** Python list indexing (negative from the end); undefined where Python raises IndexError. */
const pyIndex = <T>(list: T[], i: number): T | undefined => (i < 0 ? list[list.length + i] : list[i]);

/** `keras_util.keras_model_to_graph_def` of a parsed `model.to_json()`. Throws a 400 for configs it cannot walk. */
export function kerasModelToGraphDef(model: Json): Message {
  const graph = newMessage(messageType(GRAPH_SCHEMA, 'GraphDef'));
  const nodeType = messageType(GRAPH_SCHEMA, 'NodeDef');
  const attrType = messageType(GRAPH_SCHEMA, 'AttrValue');
  const nodes: Message[] = [];
  const inputToLayer = new Map<string, string>();
  const modelOutputs = new Map<string, string[]>();
  let prev: string | undefined;
  const utf8 = new TextEncoder();

  for (const [scope, layer] of walkLayers(model)) {
    const config = configOf(layer);
    if (config.layers !== undefined && config.layers !== null) {
      // `_update_dicts`: link a nested model's inputs and remember its outputs.
      if (!Array.isArray(config.layers) || config.layers.length === 0) fail(`has a model "${pyStr(config.name)}" without layers`);
      const nodeName = scoped(scope, config.name);
      const inputs = config.input_layers;
      const outputs = config.output_layers;
      const inbound = inboundNodes(layer);
      const functional = Boolean(Array.isArray(inputs) ? inputs.length : inputs) && Boolean(Array.isArray(outputs) ? outputs.length : outputs);
      const parentFunctional = inbound.length > 0;
      if (parentFunctional && functional) {
        (inputs as Json[]).forEach((input, i) => {
          if (i < inbound.length) inputToLayer.set(scoped(nodeName, input), scoped(scope, inbound[i][0]));
        });
      } else if (parentFunctional) {
        prev = scoped(scope, inbound[0][0]);
      } else if (prev !== undefined && functional) {
        if (!Array.isArray(inputs) || inputs.length !== 1) fail('has a multi-input Functional model inside a non-Functional one');
        inputToLayer.set(scoped(nodeName, inputs[0]), prev);
      }
      if (functional && Array.isArray(outputs)) {
        const list = Array.isArray(outputs[0]) ? (outputs as Json[][]) : [outputs];
        modelOutputs.set(nodeName, list.map((l) => scoped(nodeName, Array.isArray(l) ? l[0] : undefined)));
      } else {
        const last = config.layers[config.layers.length - 1];
        modelOutputs.set(nodeName, [scoped(nodeName, configOf(last).name)]);
      }
      continue;
    }

    const name = scoped(scope, config.name);
    const node = newMessage(nodeType);
    node.fields.set(1, utf8.encode(name));
    const attrs = new Map<string, MapEntry>();
    const setAttr = (key: string, field: number, value: Uint8Array | number) => {
      const v = newMessage(attrType);
      v.fields.set(field, value);
      attrs.set(key, { key: utf8.encode(key), value: v });
    };
    if (layer.class_name !== undefined && layer.class_name !== null) {
      const cls = pyStr(layer.class_name);
      if (/[^\x00-\x7f]/.test(cls)) fail(`has a non-ASCII class name ${JSON.stringify(cls)}`);
      setAttr('keras_class', 2, utf8.encode(cls));
    }
    const policy = config.dtype;
    const dtype = isObj(policy) && 'config' in policy ? (isObj(policy.config) ? policy.config.name : fail('has a dtype policy without a config')) : policy;
    if (dtype !== undefined && dtype !== null) {
      const type = asDatatypeEnum(dtype);
      if (type !== undefined) setAttr('dtype', 6, type); // else TensorBoard logs "Unsupported dtype value" and omits it
    }
    if (attrs.size) node.fields.set(5, attrs);
    const inputs: string[] = [];
    if (layer.inbound_nodes !== undefined && layer.inbound_nodes !== null) {
      for (const [inboundName, , index] of inboundNodes(layer)) {
        const full = scoped(scope, inboundName);
        const names = modelOutputs.get(full) ?? [full];
        const i = typeof index === 'number' ? index : Number(index);
        const picked = i < names.length ? pyIndex(names, i) : names[names.length - 1];
        if (picked === undefined) fail(`has an inbound node index ${pyStr(index)} out of range`);
        inputs.push(picked);
      }
    } else if (prev !== undefined) {
      inputs.push(prev);
    }
    const linked = inputToLayer.get(name);
    if (linked !== undefined) inputs.push(linked);
    if (inputs.length) node.fields.set(3, inputs.map((s) => utf8.encode(s)));
    nodes.push(node);
    prev = name;
  }
  if (nodes.length) graph.fields.set(1, nodes);
  return graph;
}
