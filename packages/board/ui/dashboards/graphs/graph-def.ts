/** A GraphDef in the shape the GRAPHS dashboard needs, read from the parsed text format. */
import type { TextMessage, TextValue } from './pbtxt.ts';

/** One input of a node: `name`, `name:1` (output 1) or `^name` (control dependency). */
export interface NodeInput {
  node: string;
  output: number;
  control: boolean;
}

/** One node of the GraphDef. */
export interface OpDef {
  name: string;
  op: string;
  device: string;
  inputs: NodeInput[];
  /** Attributes other than `_output_shapes`, as display strings. */
  attrs: [string, string][];
  /** Per output, its dims (-1 = unknown), or null when unknown rank / not recorded. */
  outputShapes: (number[] | null)[];
}

const first = <T extends TextValue>(m: TextMessage, field: string): T | undefined => m[field]?.[0] as T | undefined;
const messages = (m: TextMessage, field: string): TextMessage[] => (m[field] ?? []) as TextMessage[];

/** Dims of a TensorShapeProto, or null for unknown rank. */
function shapeDims(shape: TextMessage): number[] | null {
  if (first<boolean>(shape, 'unknown_rank')) return null;
  return messages(shape, 'dim').map((d) => Number(first(d, 'size') ?? -1));
}

/** `4×1×28×28`, `?` for unknown dims, `scalar` for rank 0. */
export function formatShape(dims: number[] | null): string {
  if (dims === null) return '?';
  if (dims.length === 0) return 'scalar';
  return dims.map((d) => (d < 0 ? '?' : String(d))).join('×');
}

/** An AttrValue as TensorBoard's info card shows it (short; lists joined). */
export function formatAttr(value: TextMessage): string {
  const list = first<TextMessage>(value, 'list');
  if (list) {
    const parts: string[] = [];
    for (const [field, values] of Object.entries(list)) {
      for (const v of values) parts.push(field === 'shape' ? formatShape(shapeDims(v as TextMessage)) : formatScalar(field, v));
    }
    return `[${parts.join(', ')}]`;
  }
  for (const [field, values] of Object.entries(value)) {
    const v = values[0]!;
    if (field === 'shape') return formatShape(shapeDims(v as TextMessage));
    if (field === 'tensor') return tensorSummary(v as TextMessage);
    if (field === 'func') return String(first(v as TextMessage, 'name') ?? '');
    return formatScalar(field, v);
  }
  return '';
}

function formatScalar(field: string, v: TextValue): string {
  if (typeof v === 'object') return JSON.stringify(v);
  if (field === 's') return String(v);
  return String(v);
}

function tensorSummary(t: TextMessage): string {
  const dtype = String(first(t, 'dtype') ?? '');
  const shape = first<TextMessage>(t, 'tensor_shape');
  return `${dtype} ${shape ? formatShape(shapeDims(shape)) : ''}`.trim();
}

/** Parses an input reference. */
export function parseInput(raw: string): NodeInput {
  const control = raw.startsWith('^');
  const name = control ? raw.slice(1) : raw;
  const m = /^(.*):(\d+)$/.exec(name);
  return m ? { node: m[1]!, output: Number(m[2]), control } : { node: name, output: 0, control };
}

/** The nodes of a parsed GraphDef (`node { ... }` fields; functions in `library` are not drawn). */
export function readGraphDef(graph: TextMessage): OpDef[] {
  return messages(graph, 'node').map((n) => {
    const attrs: [string, string][] = [];
    let outputShapes: (number[] | null)[] = [];
    for (const a of messages(n, 'attr')) {
      const key = String(first(a, 'key') ?? '');
      const value = first<TextMessage>(a, 'value') ?? {};
      if (key === '_output_shapes') {
        const list = first<TextMessage>(value, 'list');
        outputShapes = list ? messages(list, 'shape').map(shapeDims) : [];
      } else attrs.push([key, formatAttr(value)]);
    }
    return {
      name: String(first(n, 'name') ?? ''),
      op: String(first(n, 'op') ?? ''),
      device: String(first(n, 'device') ?? ''),
      inputs: (n.input ?? []).map((i) => parseInput(String(i))),
      attrs,
      outputShapes,
    };
  });
}
