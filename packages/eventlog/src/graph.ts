import { BinaryWriter, WireType, readFields, readInt64, readRepeatedFloat, readRepeatedVarint, readString } from './proto/wire.ts';
import { decodeShape, writeShape } from './proto/messages.ts';

const LD = WireType.LengthDelimited;

/** An `AttrValue`: exactly one of its keys. Shapes are dim sizes, -1 for unknown. */
export type AttrValue =
  | { s: string | Uint8Array }
  | { i: number }
  | { f: number }
  | { b: boolean }
  | { type: number }
  | { shape: readonly number[] }
  | {
      list: {
        s?: readonly (string | Uint8Array)[];
        i?: readonly number[];
        f?: readonly number[];
        b?: readonly boolean[];
        type?: readonly number[];
        shape?: readonly (readonly number[])[];
      };
    };

/**
 * One node of a {@link GraphDef}. TensorBoard's GRAPHS tab groups nodes into expandable boxes by the `/`-separated
 * scopes of `name` (torch names them like `Net/Conv2d[conv1]/input.1`; inputs/outputs `input/x.1`, `output/output.1`
 * with op `IO Node`), and draws an edge for every `input`.
 */
export interface GraphNode {
  name: string;
  op: string;
  /** Names of the nodes feeding this one (edges). */
  input?: readonly string[];
  device?: string;
  /** Attributes; torch sets `attr` (a string, TorchScript attribute text, e.g. `{ value : 1}`) on every node. */
  attr?: Record<string, AttrValue>;
  /**
   * Shorthand for `attr._output_shapes = { list: { shape: outputShapes } }` — the tensor shapes TensorBoard prints on
   * edges (torch sets one per tensor-valued node).
   */
  outputShapes?: readonly (readonly number[])[];
}

/** A TensorFlow `GraphDef` as {@link SummaryWriter.addGraph} takes it. `versions.producer` defaults to 22 (torch's). */
export interface GraphDef {
  node: readonly GraphNode[];
  versions?: { producer?: number; minConsumer?: number };
}

const encoder = new TextEncoder();
const bytesOf = (s: string | Uint8Array) => (typeof s === 'string' ? encoder.encode(s) : s);

/**
 * Serialize a {@link GraphDef}. Attribute map entries are written in sorted key order by default, for deterministic
 * bytes; C++ protobuf (under torch) writes map entries in hash-table order, which varies from map to map and run to
 * run, so torch's own bytes are not reproducible. `attrOrder: 'insertion'` keeps each node's `attr` key order
 * (`outputShapes` last).
 */
export function encodeGraphDef(graph: GraphDef, options: { attrOrder?: 'sorted' | 'insertion' } = {}): Uint8Array {
  const w = new BinaryWriter();
  for (const node of graph.node) {
    w.tag(1, LD).fork();
    if (node.name) w.tag(1, LD).string(node.name);
    if (node.op) w.tag(2, LD).string(node.op);
    for (const input of node.input ?? []) w.tag(3, LD).string(input);
    if (node.device) w.tag(4, LD).string(node.device);
    const attr: Record<string, AttrValue> = { ...node.attr };
    if (node.outputShapes) attr._output_shapes = { list: { shape: node.outputShapes } };
    const keys = Object.keys(attr);
    for (const key of options.attrOrder === 'insertion' ? keys : keys.sort()) {
      w.tag(5, LD).fork();
      w.tag(1, LD).string(key);
      w.tag(2, LD).fork();
      writeAttr(w, attr[key]);
      w.join();
      w.join();
    }
    w.join();
  }
  const versions = { producer: 22, ...graph.versions };
  if (versions.producer || versions.minConsumer) {
    w.tag(4, LD).fork();
    if (versions.producer) w.tag(1, WireType.Varint).int32(versions.producer);
    if (versions.minConsumer) w.tag(2, WireType.Varint).int32(versions.minConsumer);
    w.join();
  }
  return w.finish();
}

function writeShapeField(w: BinaryWriter, field: number, dims: readonly number[]): void {
  w.tag(field, LD).fork();
  writeShape(w, { dim: dims.map((size) => ({ size })) });
  w.join();
}

function writeAttr(w: BinaryWriter, v: AttrValue): void {
  if ('list' in v) {
    const l = v.list;
    w.tag(1, LD).fork();
    for (const s of l.s ?? []) w.tag(2, LD).bytes(bytesOf(s));
    const packed = (field: number, values: readonly number[] | undefined, write: (x: number) => void) => {
      if (!values || values.length === 0) return;
      w.tag(field, LD).fork();
      values.forEach(write);
      w.join();
    };
    packed(3, l.i, (x) => w.int64(x));
    packed(4, l.f, (x) => w.float(Math.fround(x)));
    packed(5, l.b?.map(Number), (x) => w.bool(x !== 0));
    packed(6, l.type, (x) => w.int32(x));
    for (const shape of l.shape ?? []) writeShapeField(w, 7, shape);
    w.join();
  } else if ('s' in v) w.tag(2, LD).bytes(bytesOf(v.s));
  else if ('i' in v) w.tag(3, WireType.Varint).int64(v.i);
  else if ('f' in v) w.tag(4, WireType.Bit32).float(Math.fround(v.f));
  else if ('b' in v) w.tag(5, WireType.Varint).bool(v.b);
  else if ('type' in v) w.tag(6, WireType.Varint).int32(v.type);
  else if ('shape' in v) writeShapeField(w, 7, v.shape);
}

/**
 * Parse `GraphDef` bytes (from `Event.graphDef`) back into a {@link GraphDef}; `_output_shapes` stays in `attr`.
 * String attributes are returned as text.
 */
export function decodeGraphDef(bytes: Uint8Array): GraphDef {
  const nodes: GraphNode[] = [];
  const graph: GraphDef = { node: nodes };
  readFields(bytes, (r, f, wt) => {
    if (f === 1 && wt === LD) {
      const input: string[] = [];
      const attr: Record<string, AttrValue> = {};
      const node: GraphNode = { name: '', op: '', input, attr };
      readFields(r.bytes(), (s, g, w) => {
        if (w !== LD) return false;
        if (g === 1) node.name = readString(s);
        else if (g === 2) node.op = readString(s);
        else if (g === 3) input.push(readString(s));
        else if (g === 4) node.device = readString(s);
        else if (g === 5) {
          let key = '';
          let value: AttrValue = { s: '' };
          readFields(s.bytes(), (q, h, x) => {
            if (h === 1 && x === LD) key = readString(q);
            else if (h === 2 && x === LD) value = decodeAttr(q.bytes());
            else return false;
            return true;
          });
          attr[key] = value;
        } else return false;
        return true;
      });
      nodes.push(node);
    } else if (f === 4 && wt === LD) {
      const versions = { producer: 0, minConsumer: 0 };
      readFields(r.bytes(), (s, g, w) => {
        if (g === 1 && w === WireType.Varint) versions.producer = s.int32();
        else if (g === 2 && w === WireType.Varint) versions.minConsumer = s.int32();
        else return false;
        return true;
      });
      graph.versions = versions;
    } else return false;
    return true;
  });
  return graph;
}

function decodeAttr(bytes: Uint8Array): AttrValue {
  let v: AttrValue = { s: '' };
  readFields(bytes, (r, f, wt) => {
    if (f === 2 && wt === LD) v = { s: readString(r) };
    else if (f === 3 && wt === WireType.Varint) v = { i: readInt64(r) };
    else if (f === 4 && wt === WireType.Bit32) v = { f: r.float() };
    else if (f === 5 && wt === WireType.Varint) v = { b: r.bool() };
    else if (f === 6 && wt === WireType.Varint) v = { type: r.int32() };
    else if (f === 7 && wt === LD) v = { shape: decodeShape(r.bytes()).dim.map((d) => d.size) };
    else if (f === 1 && wt === LD) {
      const list: { s: string[]; i: number[]; f: number[]; b: boolean[]; type: number[]; shape: number[][] } = { s: [], i: [], f: [], b: [], type: [], shape: [] };
      readFields(r.bytes(), (s, g, w) => {
        if (g === 2 && w === LD) list.s.push(readString(s));
        else if (g === 3) return readRepeatedVarint(s, w, list.i);
        else if (g === 4) return readRepeatedFloat(s, w, list.f);
        else if (g === 5) {
          const b: number[] = [];
          if (!readRepeatedVarint(s, w, b)) return false;
          list.b.push(...b.map((x) => x !== 0));
        } else if (g === 6) return readRepeatedVarint(s, w, list.type);
        else if (g === 7 && w === LD) list.shape.push(decodeShape(s.bytes()).dim.map((d) => d.size));
        else return false;
        return true;
      });
      const compact = Object.fromEntries(Object.entries(list).filter(([, a]) => a.length > 0));
      v = { list: compact };
    } else return false;
    return true;
  });
  return v;
}

/**
 * torch's `RunMetadata` for `add_graph`: `step_stats { dev_stats { device: "/device:CPU:0" } }`, written as
 * `tagged_run_metadata` with tag `step1` right after the graph.
 */
export function encodeRunMetadata(device = '/device:CPU:0'): Uint8Array {
  const w = new BinaryWriter();
  w.tag(1, LD).fork().tag(1, LD).fork().tag(1, LD).string(device).join().join();
  return w.finish();
}
