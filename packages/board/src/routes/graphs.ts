/**
 * TensorBoard's graphs plugin routes (`/data/plugin/graphs/...`): `/info` (which runs have a run graph, and which
 * tags hold op graphs, profiles or conceptual graphs), `/graph` (a GraphDef as protobuf text, with TensorBoard's
 * large-attribute filter; `conceptual=true`: a Keras model's layer graph) and `/run_metadata` (a RunMetadata as protobuf text). Bodies are byte for byte what
 * TensorBoard 2.20's `str(proto)` gives (see pbtxt.ts).
 */
import { RUN_GRAPH_TAG, type DataProvider } from '../store/provider.ts';
import { GRAPH_SCHEMA } from './graph-protos.ts';
import {
  WireError,
  byteSize,
  cloneMessage,
  decodeMessage,
  fieldOf,
  getMap,
  getMessage,
  getRepeated,
  getString,
  messageType,
  newMessage,
  printMessage,
  setString,
  type MapEntry,
  type Message,
} from './pbtxt.ts';
import { kerasModelToGraphDef } from './keras-graph.ts';
import { pythonInt } from './python-numbers.ts';
import { BadRequest, jsonReply, type PluginRoutes, type RouteContext, type RouteReply, type RouteRequest } from './types.ts';

/** Plugin names of the graph data kinds (TensorBoard's `graphs/metadata.py`). */
export const GRAPH_PLUGINS = {
  runGraph: 'graphs',
  runMetadata: 'graph_run_metadata',
  runMetadataWithGraph: 'graph_run_metadata_graph',
  kerasModel: 'graph_keras_model',
  taggedRunMetadata: 'graph_tagged_run_metadata',
} as const;

const PROTOBUF_TEXT = 'text/x-protobuf; charset=utf-8';
const GRAPH_DEF = messageType(GRAPH_SCHEMA, 'GraphDef');
const RUN_METADATA = messageType(GRAPH_SCHEMA, 'RunMetadata');
const utf8 = new TextEncoder();

/** One run of `/info`. */
export interface GraphRunInfo {
  run: string;
  tags: Record<string, { tag: string; conceptual_graph: boolean; op_graph: boolean; profile: boolean }>;
  run_graph: boolean;
}

/** The provider's content marker for TensorFlow's run-metadata summaries (`summary_ops_v2`: the string "1"). */
const isVersionOne = (content: Uint8Array) => content.length === 1 && content[0] === 0x31;

/** `/info`: every run with graph data, as TensorBoard's `info_impl` builds it. */
export function graphsInfo(provider: DataProvider, warn: RouteContext['warn'] = () => {}): Record<string, GraphRunInfo> {
  const result: Record<string, GraphRunInfo> = {};
  const row = (run: string, tag?: string) => {
    const runItem = (result[run] ??= { run, tags: {}, run_graph: false });
    if (tag === undefined) return { runItem, tagItem: undefined };
    const tagItem = (runItem.tags[tag] ??= { tag, conceptual_graph: false, op_graph: false, profile: false });
    return { runItem, tagItem };
  };
  const versioned = (plugin: string, mark: (item: GraphRunInfo['tags'][string]) => void) => {
    for (const [run, tags] of provider.listBlobSequences(plugin)) {
      for (const [tag, info] of tags) {
        if (!isVersionOne(info.pluginContent)) {
          warn({ run, tag, plugin }, 'graphs: ignoring an unrecognizable version of RunMetadata');
          continue;
        }
        mark(row(run, tag).tagItem as GraphRunInfo['tags'][string]);
      }
    }
  };
  versioned(GRAPH_PLUGINS.runMetadataWithGraph, (t) => (t.op_graph = true));
  versioned(GRAPH_PLUGINS.runMetadata, (t) => {
    t.profile = true;
    t.op_graph = true;
  });
  versioned(GRAPH_PLUGINS.kerasModel, (t) => (t.conceptual_graph = true));
  for (const [run, tags] of provider.listBlobSequences(GRAPH_PLUGINS.runGraph)) {
    if (tags.has(RUN_GRAPH_TAG)) row(run).runItem.run_graph = true;
  }
  for (const [run, tags] of provider.listBlobSequences(GRAPH_PLUGINS.taggedRunMetadata)) {
    for (const tag of tags.keys()) (row(run, tag).tagItem as GraphRunInfo['tags'][string]).profile = true;
  }
  return result;
}

/** The newest blob of (run, tag) in the first of `plugins` that has one (TensorBoard's `_read_blob`). */
function readNewestBlob(provider: DataProvider, plugins: readonly string[], run: string, tag: string): Uint8Array {
  for (const plugin of plugins) {
    const data = provider.readBlobSequences(plugin, 1, { runs: [run], tags: [tag] }).get(run)?.get(tag);
    const key = data?.[data.length - 1]?.blobKeys[0];
    if (key === undefined) continue;
    const blob = provider.readBlob(key);
    if (blob) return blob;
  }
  throw new BadRequest(`graphs: no graph data for run ${JSON.stringify(run)}, tag ${JSON.stringify(tag)}`, 404);
}

function decodeOrFail(type: typeof GRAPH_DEF, bytes: Uint8Array, what: string): Message {
  try {
    return decodeMessage(GRAPH_SCHEMA, type, bytes);
  } catch (err) {
    if (err instanceof WireError) throw new BadRequest(`graphs: the stored ${what} does not parse (${err.message})`, 400);
    throw err;
  }
}

/**
 * TensorBoard's `process_graph.prepare_graph_for_ui`: every node attribute whose serialized size exceeds
 * `limitAttrSize` bytes is removed and its key appended to the node's `largeAttrsKey` attribute (a list of strings).
 * Modifies `graph` in place.
 */
export function filterLargeAttrs(graph: Message, limitAttrSize: number, largeAttrsKey: string): void {
  const attrValue = messageType(GRAPH_SCHEMA, 'AttrValue');
  const listValue = messageType(GRAPH_SCHEMA, 'ListValue');
  const keyBytes = utf8.encode(largeAttrsKey);
  const keyId = Buffer.from(keyBytes).toString('latin1');
  for (const node of getRepeated<Message>(graph, 'node')) {
    const attrs = getMap(node, 'attr');
    for (const [id, entry] of [...attrs]) {
      const size = byteSize(GRAPH_SCHEMA, entry.value as Message);
      if (size <= limitAttrSize) continue;
      attrs.delete(id);
      // `node.attr[key].list.s.append(...)`: creates the entry, switches its oneof to `list` if it held another kind.
      let large = attrs.get(keyId);
      if (!large) {
        large = { key: keyBytes, value: newMessage(attrValue) };
        attrs.set(keyId, large);
      }
      const holder = large.value as Message;
      let list = getMessage(holder, 'list');
      if (!list) {
        for (const f of holder.type.fields) holder.fields.delete(f.number);
        list = newMessage(listValue);
        holder.fields.set(fieldOf(holder, 'list').number, list);
      }
      const s = fieldOf(list, 's').number;
      list.fields.set(s, [...getRepeated(list, 's'), entry.key]);
    }
  }
}

/**
 * TensorBoard's `graph_util.merge_graph_defs`: one graph unchanged, none empty, several prefixed `graph_<i>/` (nodes)
 * and `graph_<i>_` (functions) so their names cannot collide; differing `versions.producer` is an error.
 */
export function mergeGraphDefs(graphs: Message[]): Message {
  if (graphs.length === 1) return graphs[0];
  const merged = newMessage(GRAPH_DEF);
  if (graphs.length === 0) return merged;
  const producerOf = (g: Message) => {
    const v = getMessage(g, 'versions');
    return v ? Number(v.fields.get(1) ?? 0) : 0;
  };
  const firstVersions = getMessage(graphs[0], 'versions');
  if (firstVersions && producerOf(graphs[0]) !== 0) merged.fields.set(fieldOf(merged, 'versions').number, cloneMessage(firstVersions));
  const nodes: Message[] = [];
  const functions: Message[] = [];
  const gradients: Message[] = [];
  graphs.forEach((graph, index) => {
    if (producerOf(merged) !== producerOf(graph)) throw new BadRequest('graphs: cannot combine GraphDefs of different versions');
    const prefix = `graph_${index + 1}`;
    for (const node of getRepeated<Message>(graph, 'node')) {
      const copy = cloneMessage(node);
      setString(copy, 'name', `${prefix}/${getString(node, 'name')}`);
      const inputs = getRepeated<Uint8Array>(node, 'input').map((i) => utf8.encode(`${prefix}/${new TextDecoder().decode(i)}`));
      if (inputs.length) copy.fields.set(fieldOf(copy, 'input').number, inputs);
      if (getString(copy, 'op') === 'PartitionedCall') {
        // `new_node.attr["f"]` creates the entry when missing (an empty AttrValue is truthy in Python).
        const attrNumber = fieldOf(copy, 'attr').number;
        const attrs = getMap(copy, 'attr');
        copy.fields.set(attrNumber, attrs);
        let f = attrs.get('f');
        if (!f) attrs.set('f', (f = { key: utf8.encode('f'), value: newMessage(messageType(GRAPH_SCHEMA, 'AttrValue')) } as MapEntry));
        const holder = f.value as Message;
        let func = getMessage(holder, 'func');
        if (!func) {
          for (const fld of holder.type.fields) holder.fields.delete(fld.number);
          func = newMessage(messageType(GRAPH_SCHEMA, 'NameAttrList'));
          holder.fields.set(fieldOf(holder, 'func').number, func);
        }
        setString(func, 'name', `${prefix}_${getString(func, 'name')}`);
      }
      nodes.push(copy);
    }
    const library = getMessage(graph, 'library');
    if (!library) return;
    for (const fn of getRepeated<Message>(library, 'function')) {
      const copy = cloneMessage(fn);
      let signature = getMessage(copy, 'signature');
      if (!signature) copy.fields.set(fieldOf(copy, 'signature').number, (signature = newMessage(messageType(GRAPH_SCHEMA, 'OpDef'))));
      setString(signature, 'name', `${prefix}_${getString(signature, 'name')}`);
      functions.push(copy);
    }
    for (const gradient of getRepeated<Message>(library, 'gradient')) {
      const copy = cloneMessage(gradient);
      setString(copy, 'function_name', `${prefix}_${getString(gradient, 'function_name')}`);
      setString(copy, 'gradient_func', `${prefix}_${getString(gradient, 'gradient_func')}`);
      gradients.push(copy);
    }
  });
  if (nodes.length) merged.fields.set(fieldOf(merged, 'node').number, nodes);
  if (functions.length || gradients.length) {
    const library = newMessage(messageType(GRAPH_SCHEMA, 'FunctionDefLibrary'));
    if (functions.length) library.fields.set(1, functions);
    if (gradients.length) library.fields.set(2, gradients);
    merged.fields.set(fieldOf(merged, 'library').number, library);
  }
  return merged;
}

function graphRoute(req: RouteRequest, ctx: RouteContext): RouteReply {
  const run = req.query.get('run');
  const tag = req.query.get('tag');
  if (run === null) throw new BadRequest('query parameter "run" is required');
  const limitText = req.query.get('limit_attr_size');
  let limit: number | undefined;
  if (limitText !== null) {
    limit = pythonInt(limitText);
    if (limit === undefined) throw new BadRequest('query parameter `limit_attr_size` must be an integer');
  }
  const largeAttrsKey = req.query.get('large_attrs_key');
  if (limit !== undefined) {
    if (largeAttrsKey === null) throw new BadRequest('graphs: large_attrs_key is required when limit_attr_size is given');
    if (limit <= 0) throw new BadRequest(`graphs: limit_attr_size must be > 0, but is ${limit}`);
  }
  let graph: Message;
  if (req.query.get('conceptual') === 'true') {
    if (tag === null) throw new BadRequest('graphs: a conceptual graph needs a tag', 404);
    const json = new TextDecoder().decode(readNewestBlob(ctx.provider, [GRAPH_PLUGINS.kerasModel], run, tag));
    let model: unknown;
    try {
      model = JSON.parse(json);
    } catch {
      throw new BadRequest(`graphs: the Keras model config of run ${JSON.stringify(run)}, tag ${JSON.stringify(tag)} is not JSON`);
    }
    graph = kerasModelToGraphDef(model as Parameters<typeof kerasModelToGraphDef>[0]);
  } else if (tag === null) {
    graph = decodeOrFail(GRAPH_DEF, readNewestBlob(ctx.provider, [GRAPH_PLUGINS.runGraph], run, RUN_GRAPH_TAG), 'GraphDef');
  } else {
    const bytes = readNewestBlob(ctx.provider, [GRAPH_PLUGINS.runMetadata, GRAPH_PLUGINS.runMetadataWithGraph], run, tag);
    const runMetadata = decodeOrFail(RUN_METADATA, bytes, 'RunMetadata');
    const graphs = getRepeated<Message>(runMetadata, 'function_graphs').map((fg) => getMessage(fg, 'pre_optimization_graph') ?? newMessage(GRAPH_DEF));
    graph = mergeGraphDefs(graphs);
  }
  if (limit !== undefined) filterLargeAttrs(graph, limit, largeAttrsKey as string);
  return { status: 200, contentType: PROTOBUF_TEXT, body: printMessage(GRAPH_SCHEMA, graph) };
}

function runMetadataRoute(req: RouteRequest, ctx: RouteContext): RouteReply {
  const tag = req.query.get('tag');
  const run = req.query.get('run');
  if (tag === null) throw new BadRequest('query parameter "tag" is required');
  if (run === null) throw new BadRequest('query parameter "run" is required');
  const bytes = readNewestBlob(ctx.provider, [GRAPH_PLUGINS.taggedRunMetadata, GRAPH_PLUGINS.runMetadata], run, tag);
  return { status: 200, contentType: PROTOBUF_TEXT, body: printMessage(GRAPH_SCHEMA, decodeOrFail(RUN_METADATA, bytes, 'RunMetadata')) };
}

/** The graphs plugin's routes. */
export const graphsRoutes: PluginRoutes = {
  plugin: 'graphs',
  routes: {
    '/info': (_req, ctx) => jsonReply(graphsInfo(ctx.provider, ctx.warn)),
    '/graph': graphRoute,
    '/run_metadata': runMetadataRoute,
  },
};
