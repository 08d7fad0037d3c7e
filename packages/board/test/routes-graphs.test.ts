import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { encodeGraphDef, encodeRunMetadata, readAllEvents } from '@tbpipe/eventlog';
import { filterLargeAttrs, graphsRoutes, GRAPH_PLUGINS, mergeGraphDefs } from '../src/routes/graphs.ts';
import { PROJECTOR_SCHEMA } from '../src/routes/projector.ts';
import { GRAPH_SCHEMA } from '../src/routes/graph-protos.ts';
import { cEscape, decodeMessage, getMessage, getRepeated, messageToJson, messageType, newMessage, parseText, printMessage, shortestFloat32Repr, type Message } from '../src/routes/pbtxt.ts';
import { BadRequest, type RouteReply } from '../src/routes/types.ts';
import { RUN_GRAPH_TAG } from '../src/store/provider.ts';
import { openLogdir } from '../src/load/index.ts';
import type { DataProvider } from '../src/store/provider.ts';
import { GOLDEN_HTTP, goldenBody, goldenRecords, pluginRoute } from './golden-http.ts';
import { getRequest, memoryProvider, routeContext, type BlobPoint, type MemorySeries } from './memory-provider.ts';

const utf8 = new TextEncoder();
const ONE = utf8.encode('1');

/** The graph data of the golden `tutorial` run, as the loader hands it to the provider (dataclass_compat's forms). */
async function tutorialGraphSeries(): Promise<MemorySeries<BlobPoint>[]> {
  const dir = `${GOLDEN_HTTP}logdir/tutorial/`;
  const series: MemorySeries<BlobPoint>[] = [];
  for (const file of readdirSync(dir).filter((f) => f.includes('tfevents')).sort()) {
    for (const e of await readAllEvents(dir + file)) {
      if (e.graphDef) series.push({ run: 'tutorial', plugin: 'graphs', tag: RUN_GRAPH_TAG, points: [{ step: e.step, wallTime: e.wallTime, blobs: [e.graphDef] }] });
      if (e.taggedRunMetadata) {
        series.push({
          run: 'tutorial',
          plugin: GRAPH_PLUGINS.taggedRunMetadata,
          tag: e.taggedRunMetadata.tag,
          points: [{ step: e.step, wallTime: e.wallTime, blobs: [e.taggedRunMetadata.runMetadata] }],
        });
      }
    }
  }
  return series;
}

async function call(path: string, query: Record<string, string>, blobs: MemorySeries<BlobPoint>[]): Promise<RouteReply> {
  const { ctx } = routeContext(memoryProvider({ logdir: `${GOLDEN_HTTP}logdir`, runs: [], blobs }));
  return graphsRoutes.routes[path](getRequest(path, query), ctx);
}

const text = (reply: RouteReply): string => (typeof reply.body === 'string' ? reply.body : Buffer.from(reply.body).toString('utf8'));

/** Replays the recorded graphs requests of one sampling mode against `provider`. */
async function replayGolden(provider: DataProvider, sampling: 'all' | 'default'): Promise<void> {
  const { ctx } = routeContext(provider);
  const records = goldenRecords('/graphs/', sampling);
  assert.ok(records.length >= 5);
  for (const record of records) {
    const query = record.query as Record<string, string>;
    const path = pluginRoute(record.path);
    let reply: RouteReply;
    try {
      reply = await graphsRoutes.routes[path](getRequest(path, query), ctx);
    } catch (err) {
      assert.ok(err instanceof BadRequest, String(err));
      assert.equal(err.status, record.status, `${record.path} ${JSON.stringify(query)}`);
      continue;
    }
    assert.equal(reply.status, record.status, record.path);
    assert.equal(reply.contentType.split(';')[0], record.content_type.split(';')[0]);
    if (record.body_json !== undefined) assert.deepEqual(JSON.parse(text(reply)), record.body_json);
    else assert.equal(text(reply), goldenBody(record).toString('utf8'), `${record.path} ${JSON.stringify(query)}`);
  }
}

describe('graphs routes', () => {
  for (const sampling of ['all', 'default'] as const) {
    it(`answer every recorded graphs request (${sampling} sampling) from the loaded golden logdir, bodies byte for byte`, async () => {
      const store = await openLogdir({ logdir: `${GOLDEN_HTTP}logdir`, reloadIntervalSeconds: 0, samplesPerPlugin: sampling === 'all' ? { scalars: 1000000 } : {} });
      try {
        await replayGolden(store, sampling);
      } finally {
        await store.close();
      }
    });
  }

  it('answer every recorded graphs request from the tutorial graph records alone (memory provider)', async () => {
    const blobs = await tutorialGraphSeries();
    const records = goldenRecords('/graphs/');
    for (const record of records) {
      const query = record.query as Record<string, string>;
      let reply: RouteReply;
      try {
        reply = await call(pluginRoute(record.path), query, blobs);
      } catch (err) {
        assert.ok(err instanceof BadRequest, String(err));
        assert.equal(err.status, record.status, `${record.path} ${JSON.stringify(query)}`);
        continue;
      }
      assert.equal(reply.status, record.status, record.path);
      assert.equal(reply.contentType.split(';')[0], record.content_type.split(';')[0]);
      if (record.body_json !== undefined) assert.deepEqual(JSON.parse(text(reply)), record.body_json);
      else assert.equal(text(reply), goldenBody(record).toString('utf8'), `${record.path} ${JSON.stringify(query)}`);
    }
  });

  it('list op graphs, profiles and conceptual graphs per tag as TensorBoard flags them, skipping unknown versions', async () => {
    const blob = (plugin: string, tag: string, content = ONE): MemorySeries<BlobPoint> => ({
      run: 'r',
      plugin,
      tag,
      pluginContent: content,
      points: [{ step: 0, wallTime: 1, blobs: [new Uint8Array(0)] }],
    });
    const reply = await call('/info', {}, [
      blob(GRAPH_PLUGINS.runMetadata, 'both'),
      blob(GRAPH_PLUGINS.runMetadataWithGraph, 'op'),
      blob(GRAPH_PLUGINS.kerasModel, 'keras'),
      blob(GRAPH_PLUGINS.kerasModel, 'future', utf8.encode('2')),
    ]);
    assert.deepEqual(JSON.parse(text(reply)), {
      r: {
        run: 'r',
        run_graph: false,
        tags: {
          both: { tag: 'both', conceptual_graph: false, op_graph: true, profile: true },
          op: { tag: 'op', conceptual_graph: false, op_graph: true, profile: false },
          keras: { tag: 'keras', conceptual_graph: true, op_graph: false, profile: false },
        },
      },
    });
  });

  it('move attributes larger than limit_attr_size into the large_attrs_key list, like process_graph', async () => {
    const big = 'x'.repeat(2000);
    const graphDef = encodeGraphDef({ node: [{ name: 'n', op: 'Const', attr: { small: { i: 3 }, value: { s: big }, dtype: { type: 1 } } }] });
    const blobs = [{ run: 'r', plugin: 'graphs', tag: RUN_GRAPH_TAG, points: [{ step: 0, wallTime: 1, blobs: [graphDef] }] }];
    const full = text(await call('/graph', { run: 'r' }, blobs));
    assert.ok(full.includes(big));
    const limited = text(await call('/graph', { run: 'r', limit_attr_size: '1024', large_attrs_key: '_too_large_attrs' }, blobs));
    assert.equal(
      limited,
      [
        'node {',
        '  name: "n"',
        '  op: "Const"',
        '  attr {',
        '    key: "_too_large_attrs"',
        '    value {',
        '      list {',
        '        s: "value"',
        '      }',
        '    }',
        '  }',
        '  attr {',
        '    key: "dtype"',
        '    value {',
        '      type: DT_FLOAT',
        '    }',
        '  }',
        '  attr {',
        '    key: "small"',
        '    value {',
        '      i: 3',
        '    }',
        '  }',
        '}',
        'versions {',
        '  producer: 22',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('refuse a missing run, a non-integer or non-positive limit, and answer 404 for a run without a graph', async () => {
    const blobs = await tutorialGraphSeries();
    const status = async (query: Record<string, string>, path = '/graph') => {
      try {
        await call(path, query, blobs);
        return 200;
      } catch (err) {
        assert.ok(err instanceof BadRequest);
        return err.status;
      }
    };
    assert.equal(await status({}), 400);
    assert.equal(await status({ run: 'tutorial', limit_attr_size: 'big', large_attrs_key: 'k' }), 400);
    assert.equal(await status({ run: 'tutorial', limit_attr_size: '0', large_attrs_key: 'k' }), 400);
    assert.equal(await status({ run: 'tutorial', limit_attr_size: '10' }), 400);
    assert.equal(await status({ run: 'nope' }), 404);
    assert.equal(await status({ run: 'tutorial' }, '/run_metadata'), 400);
    assert.equal(await status({ run: 'tutorial', tag: 'nope' }, '/run_metadata'), 404);
  });

  it('merge the function graphs of a graph_run_metadata tag under graph_<i>/ prefixes', async () => {
    // RunMetadata { function_graphs { pre_optimization_graph { node { name: "a" op: "X" } versions { producer: 5 } } } × 2 }
    const graph = (name: string, input?: string) => encodeGraphDef({ node: [{ name, op: 'PartitionedCall', input: input ? [input] : [] }], versions: { producer: 5 } });
    const wrap = (field: number, payload: Uint8Array) => Uint8Array.from([(field << 3) | 2, payload.length, ...payload]);
    const runMetadata = Uint8Array.from([...wrap(4, wrap(2, graph('a'))), ...wrap(4, wrap(2, graph('b', 'a')))]);
    const blobs = [{ run: 'r', plugin: GRAPH_PLUGINS.runMetadata, tag: 't', pluginContent: ONE, points: [{ step: 0, wallTime: 1, blobs: [runMetadata] }] }];
    const body = text(await call('/graph', { run: 'r', tag: 't' }, blobs));
    assert.match(body, /name: "graph_1\/a"/);
    assert.match(body, /name: "graph_2\/b"\n {2}op: "PartitionedCall"\n {2}input: "graph_2\/a"/);
    assert.match(body, /key: "f"\n {4}value {\n {6}func {\n {8}name: "graph_2_"/);
    assert.match(body, /versions {\n {2}producer: 5\n}\n$/);
  });
});

describe('conceptual graphs', () => {
  it('turn Keras model configs into the layer graphs that keras_util builds, byte for byte', async () => {
    const dir = new URL('./fixtures/keras-graph/', import.meta.url);
    const models = JSON.parse(readFileSync(new URL('models.json', dir), 'utf8')) as unknown[];
    const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as string[];
    assert.equal(models.length, expected.length);
    for (const [i, model] of models.entries()) {
      const blobs = [{ run: 'r', plugin: GRAPH_PLUGINS.kerasModel, tag: 'keras', pluginContent: ONE, points: [{ step: 0, wallTime: 1, blobs: [utf8.encode(JSON.stringify(model))] }] }];
      assert.equal(text(await call('/graph', { run: 'r', tag: 'keras', conceptual: 'true' }, blobs)), expected[i], `model ${i}`);
    }
  });
});

describe('protobuf text format printing', () => {
  it('prints random GraphDefs and RunMetadata exactly as protobuf-python 4.21.12 does, before and after the large-attr filter', () => {
    const cases = JSON.parse(readFileSync(new URL('./fixtures/pbtxt/cases.json', import.meta.url), 'utf8')) as {
      type: string;
      bytes?: string;
      text: string;
      limit?: number;
      filtered?: string;
      merged?: string;
      merge_error?: string;
      json?: unknown;
    }[];
    let checked = 0;
    for (const [i, c] of cases.entries()) {
      if (c.type === 'ProjectorConfig') {
        const config = parseText(PROJECTOR_SCHEMA, messageType(PROJECTOR_SCHEMA, 'ProjectorConfig'), c.text);
        assert.equal(printMessage(PROJECTOR_SCHEMA, config), c.text, `case ${i}`);
        assert.deepEqual(messageToJson(PROJECTOR_SCHEMA, config), c.json, `case ${i}`);
        checked++;
        continue;
      }
      const message = decodeMessage(GRAPH_SCHEMA, messageType(GRAPH_SCHEMA, c.type), Buffer.from(c.bytes as string, 'hex'));
      assert.equal(printMessage(GRAPH_SCHEMA, message), c.text, `case ${i} (${c.type})`);
      if (c.filtered !== undefined) {
        filterLargeAttrs(message, c.limit as number, '_too_large_attrs');
        assert.equal(printMessage(GRAPH_SCHEMA, message), c.filtered, `case ${i} filtered at ${c.limit}`);
      }
      if (c.merged !== undefined || c.merge_error !== undefined) {
        const graphs = getRepeated<Message>(message, 'function_graphs').map((fg) => getMessage(fg, 'pre_optimization_graph') ?? newMessage(messageType(GRAPH_SCHEMA, 'GraphDef')));
        if (c.merge_error !== undefined) assert.throws(() => mergeGraphDefs(graphs), BadRequest, `case ${i}`);
        else assert.equal(printMessage(GRAPH_SCHEMA, mergeGraphDefs(graphs)), c.merged, `case ${i} merged`);
      }
      checked++;
    }
    assert.equal(checked, 90);
  });

  it('prints float fields as protobuf-python does: the shortest %g that survives float32, then repr', () => {
    assert.equal(shortestFloat32Repr(Math.fround(0.1)), '0.1');
    assert.equal(shortestFloat32Repr(1), '1.0');
    assert.equal(shortestFloat32Repr(Math.fround(1e-5)), '1e-05');
    assert.equal(shortestFloat32Repr(Math.fround(3.4028234663852886e38)), '3.4028235e+38');
    assert.equal(shortestFloat32Repr(Math.fround(16777216)), '16777216.0');
    assert.equal(shortestFloat32Repr(2 ** -10), '0.0009765625');
    assert.equal(shortestFloat32Repr(-Infinity), '-inf');
  });

  it('C-escapes strings byte by byte: quotes, backslash, control bytes and UTF-8 as octal', () => {
    assert.equal(cEscape(utf8.encode('a"b\'c\\d\n\t\r\u0001ü')), 'a\\"b\\\'c\\\\d\\n\\t\\r\\001\\303\\274');
  });

  it('prints oneof members even at their default, proto3 scalars only when set, empty messages as braces', () => {
    const attr = messageType(GRAPH_SCHEMA, 'AttrValue');
    // AttrValue { s: "" } then AttrValue { i: 0 }, and a RunMetadata with an empty step_stats.
    assert.equal(printMessage(GRAPH_SCHEMA, decodeMessage(GRAPH_SCHEMA, attr, Uint8Array.from([0x12, 0]))), 's: ""\n');
    assert.equal(printMessage(GRAPH_SCHEMA, decodeMessage(GRAPH_SCHEMA, attr, Uint8Array.from([0x12, 0, 0x18, 0]))), 'i: 0\n');
    const runMetadata = messageType(GRAPH_SCHEMA, 'RunMetadata');
    assert.equal(printMessage(GRAPH_SCHEMA, decodeMessage(GRAPH_SCHEMA, runMetadata, Uint8Array.from([0x0a, 0]))), 'step_stats {\n}\n');
    assert.equal(printMessage(GRAPH_SCHEMA, decodeMessage(GRAPH_SCHEMA, runMetadata, encodeRunMetadata())), 'step_stats {\n  dev_stats {\n    device: "/device:CPU:0"\n  }\n}\n');
  });
});
