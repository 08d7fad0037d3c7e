import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  SummaryWriter,
  crc32c,
  decodeGraphDef,
  decodePng,
  encodeEvent,
  encodeGraphDef,
  encodeRunMetadata,
  frameRecord,
  imageFromPixels,
  imageToPixels,
  maskCrc,
  readAllEvents,
  tensorflowDefaultBins,
  unmaskCrc,
  type Event,
  type GraphDef,
} from '../src/index.ts';
import { FIXED_TIME, GOLDEN, expectEventMatches, hex, loadCase, num, tempDir, unhex, type Json } from './helpers.ts';

const now = () => FIXED_TIME;

/** Open a writer with torch's pinned clock, run `calls`, close, return the bytes of the one event file. */
async function writeWith(dir: string, calls: (w: SummaryWriter) => void | Promise<void>): Promise<{ bytes: Uint8Array; writer: SummaryWriter }> {
  const writer = new SummaryWriter(dir, { now, hostname: 'golden' });
  await calls(writer);
  await writer.close();
  return { bytes: readFileSync(writer.filePath), writer };
}

function goldenFile(name: string, file = 'events.out.tfevents.golden'): Uint8Array {
  return readFileSync(join(GOLDEN, name, file));
}

function f32(hexLE: string): Float32Array {
  const b = Buffer.from(hexLE, 'hex');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

describe('framing and CRC-32C', () => {
  const c = loadCase('framing');
  it('computes every crc32c and mask vector of the golden corpus', () => {
    for (const v of c.crc32c_vectors) {
      assert.equal(crc32c(unhex(v.data_hex)), v.crc32c, v.data_hex);
      assert.equal(maskCrc(v.crc32c), v.masked);
      assert.equal(unmaskCrc(v.masked), v.crc32c);
    }
    assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
  });

  it('frames each record exactly as the golden framing_records', () => {
    for (const r of c.framing_records) assert.equal(hex(frameRecord(unhex(r.data_hex))), r.record_hex);
  });

  it('writes the framing case file byte for byte through SummaryWriter', async (t) => {
    const { bytes } = await writeWith(tempDir(t), (w) => w.addScalar('x', 0.5, 1, 1700000001.25));
    assert.equal(hex(bytes), c.file_hex);
  });
});

describe('writing the golden cases byte for byte', () => {
  it('scalars: simple_value with 0, negative, NaN, +Inf; new_style float and double; double_precision alone ignored', async (t) => {
    const c = loadCase('scalars');
    const { bytes } = await writeWith(tempDir(t), (w) => {
      c.inputs.values.forEach((v: number | string, i: number) => w.addScalar(c.inputs.tag, num(v), c.inputs.steps[i], c.inputs.walltimes[i]));
      for (const e of c.inputs.extra) w.addScalar(e.tag, e.value, e.step, e.walltime, { newStyle: e.new_style, doublePrecision: e.double_precision });
    });
    assert.equal(hex(bytes), hex(goldenFile('scalars')));
  });

  it('scalars: the generic encoder and the addScalar fast path give the same bytes', () => {
    const c = loadCase('scalars');
    const file = c.event_files[0];
    file.events.slice(1, 8).forEach((g: Json, i: number) => {
      const ev: Event = { wallTime: g.wall_time, step: g.step, summary: { value: [{ tag: 'training loss', simpleValue: num(g.summary_values[0].simple_value) }] } };
      assert.equal(hex(encodeEvent(ev)), file.records[i + 1].event_hex);
    });
  });

  it('text: tag/text_summary, plugin text, DT_STRING [1] with the UTF-8 bytes', async (t) => {
    const c = loadCase('text');
    const { bytes } = await writeWith(tempDir(t), (w) => w.addText(c.inputs.tag, c.inputs.text, c.inputs.global_step, c.inputs.walltime));
    assert.equal(hex(bytes), hex(goldenFile('text')));
  });

  it("histogram: bins='tensorflow' and bins=10 give torch's buckets, limits and float64 statistics", async (t) => {
    const c = loadCase('histogram');
    const values = f32(c.inputs.values_f32le_hex);
    assert.deepEqual(Array.from(tensorflowDefaultBins()), c.inputs.tensorflow_default_bins);
    const { bytes } = await writeWith(tempDir(t), (w) => {
      for (const call of c.inputs.calls) w.addHistogram(call.tag, values, c.inputs.global_step, call.bins, call.walltime);
    });
    assert.equal(hex(bytes), hex(goldenFile('histogram')));
  });

  it('pr_curve: the tutorial example, raw counts and all eight reference vectors, incl. float32 bucket edges and the 127 cap', async (t) => {
    const c = loadCase('pr_curve');
    const s = c.inputs.seed_example;
    const r = c.inputs.raw;
    const predictions = (v: Json) => (v.predictions_dtype === 'torch.float32' ? Float32Array.from(v.predictions) : Float64Array.from(v.predictions));
    const { bytes } = await writeWith(tempDir(t), (w) => {
      w.addPrCurve(s.tags['num_thresholds=127'], s.labels, Float32Array.from(s.predictions), 0, 127, undefined, s.walltimes[0]);
      w.addPrCurve(s.tags['num_thresholds=5'], s.labels, Float32Array.from(s.predictions), 0, 5, undefined, s.walltimes[1]);
      w.addPrCurveRaw(r.tag, r.true_positive_counts, r.false_positive_counts, r.true_negative_counts, r.false_negative_counts, r.precision, r.recall, 0, r.num_thresholds, undefined, r.walltime);
      for (const v of c.inputs.pr_vectors) w.addPrCurve(v.tag, v.labels, predictions(v), v.global_step, v.num_thresholds_requested, undefined, v.walltime);
    });
    assert.equal(hex(bytes), hex(goldenFile('pr_curve')));
  });

  it('image: float CHW truncated like torch and a uint8 NCHW batch tiled by make_grid decode to the golden pixels', async (t) => {
    const c = loadCase('image');
    const a = c.inputs.add_image;
    const b = c.inputs.add_images;
    const { writer } = await writeWith(tempDir(t), (w) => {
      w.addImage(a.tag, { data: f32(a.values_f32le_hex), shape: a.shape }, a.global_step, a.walltime);
      w.addImages(b.tag, { data: unhex(b.values_hex), shape: b.shape }, b.global_step, b.walltime);
    });
    const events = await readAllEvents(writer.filePath);
    // PNG bytes are encoder-specific (README): compare everything decoded, pixels included.
    c.event_files[0].events.forEach((g: Json, i: number) => expectEventMatches(events[i], g, `image event ${i}`));
  });

  it('image: HWC and NHWC layouts give the same pixels as CHW and NCHW', () => {
    const c = loadCase('image');
    const a = c.inputs.add_image;
    const chw = f32(a.values_f32le_hex);
    const [C, H, W] = a.shape;
    const hwc = new Float32Array(chw.length);
    for (let ch = 0; ch < C; ch++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) hwc[(y * W + x) * C + ch] = chw[(ch * H + y) * W + x];
    const golden = c.event_files[0].events[1].summary_values[0].image.pixels_hex;
    const pixels = (data: Float32Array, shape: number[], fmt: string) => hex(decodePng(encodeImage(data, shape, fmt)).data);
    assert.equal(pixels(hwc, [H, W, C], 'HWC'), golden);
    assert.equal(pixels(hwc, [1, H, W, C], 'NHWC'), golden);
  });

  it('embedding: tensors.tsv, metadata.tsv (with and without header), projector_config.pbtxt bytes and sprite pixels', async (t) => {
    const c = loadCase('embedding');
    const e1 = c.inputs.embedding_1;
    const e2 = c.inputs.embedding_2;
    const dir = tempDir(t);
    const { bytes } = await writeWith(dir, async (w) => {
      await w.addEmbedding({ data: Float32Array.from(e1.mat.flat()), shape: e1.mat_shape }, {
        metadata: e1.metadata,
        labelImg: { data: f32(e1.label_img_f32le_hex), shape: e1.label_img_shape },
        globalStep: e1.global_step,
        tag: e1.tag,
      });
      await w.addEmbedding({ data: Float32Array.from(e2.mat.flat()), shape: e2.mat_shape }, { metadata: e2.metadata, globalStep: e2.global_step, tag: e2.tag, metadataHeader: e2.metadata_header });
    });
    assert.equal(hex(bytes), hex(goldenFile('embedding')));
    for (const [file, spec] of Object.entries(c.files) as [string, Json][]) {
      const ours = readFileSync(join(dir, file));
      if (spec.compare === 'bytes') assert.equal(hex(ours), spec.hex, file);
      else {
        const px = decodePng(ours);
        assert.deepEqual([px.height, px.width, px.channels], spec.decoded_shape_hwc, file);
        assert.equal(hex(px.data), spec.pixels_hex, file);
      }
    }
    assert.deepEqual(readdirSync(dir).sort(), ['00000', '00007', readdirSync(dir).find((n) => n.startsWith('events.out'))!, 'projector_config.pbtxt'].sort());
  });

  it('embedding: plain number rows are narrowed to float32 like a torch tensor, Float64Array rows are not', async (t) => {
    const dir = tempDir(t);
    const w = new SummaryWriter(dir, { now, hostname: 'golden' });
    await w.addEmbedding([[0.1, 1]], { tag: 'plain' });
    await w.addEmbedding({ data: Float64Array.from([0.1, 1]), shape: [1, 2] }, { tag: 'f64' });
    await w.close();
    assert.equal(readFileSync(join(dir, '00000/plain/tensors.tsv'), 'utf8'), '0.10000000149011612\t1.0\n');
    assert.equal(readFileSync(join(dir, '00000/f64/tensors.tsv'), 'utf8'), '0.1\t1.0\n');
  });

  it('hparams: parent file and sub-run 1700000000.0/ with experiment, session start/end and metric scalars', async (t) => {
    const c = loadCase('hparams');
    const dir = tempDir(t);
    const { bytes } = await writeWith(dir, (w) => w.addHparams(c.inputs.hparam_dict, c.inputs.metric_dict));
    const files = Object.fromEntries(c.event_files.map((f: Json) => [f.file, f]));
    assert.equal(hex(bytes), hex(goldenFile('hparams')));
    const sub = readdirSync(join(dir, '1700000000.0'));
    assert.equal(sub.length, 1);
    const ours = readFileSync(join(dir, '1700000000.0', sub[0]));
    // session_start_info's map order is not deterministic in torch; ours is the dict's insertion order.
    const expected = files['1700000000.0/events.out.tfevents.golden'].records.map((r: Json) =>
      hex(frameRecord(unhex(r.event_hex_variants?.hparams_map_in_dict_insertion_order ?? r.event_hex))),
    );
    assert.equal(hex(ours), expected.join(''));
    const events = await readAllEvents(join(dir, '1700000000.0', sub[0]));
    files['1700000000.0/events.out.tfevents.golden'].events.forEach((g: Json, i: number) => {
      if (g.summary_values?.[0]?.tag === '_hparams_/session_start_info') return; // content checked via bytes above
      expectEventMatches(events[i], g, `hparams event ${i}`);
    });
  });

  it('hparams: the sub-run name is the caller’s when given', async (t) => {
    const dir = tempDir(t);
    const w = new SummaryWriter(dir, { now, hostname: 'golden' });
    await w.addHparams({ lr: 0.01 }, { 'hparam/accuracy': 0.5 }, { runName: 'trial-1' });
    await w.close();
    assert.equal(readdirSync(join(dir, 'trial-1')).length, 1);
  });
});

describe('graphs (golden/graph_reference)', () => {
  const c = loadCase('graph_reference');
  const order: Record<string, string[]> = JSON.parse(readFileSync(new URL('./fixtures/graph-attr-order.json', import.meta.url), 'utf8')).order;
  const graph = (keyOrder: (name: string) => string[]): GraphDef => ({
    node: c.graph.nodes.map((n: Json) => ({
      name: n.name,
      op: n.op,
      input: n.input,
      attr: Object.fromEntries(keyOrder(n.name).map((k) => [k, k === 'attr' ? { s: n.attr_attr } : { list: { shape: n._output_shapes } }])),
    })),
  });

  it("reproduces torch's GraphDef bytes (sha256) given each node's attr map order", () => {
    const bytes = encodeGraphDef(graph((name) => order[name] ?? ['attr']), { attrOrder: 'insertion' });
    const record = c.source_event_file_records.find((r: Json) => r.what === 'graph_def');
    assert.equal(bytes.length, record.graph_def_size);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), record.graph_def_sha256);
  });

  it('encodes the same graph in sorted attr order by default and decodes it back node for node', () => {
    const g = graph((name) => (order[name] ? ['attr', '_output_shapes'] : ['attr']));
    const decoded = decodeGraphDef(encodeGraphDef(g));
    assert.equal(decoded.versions?.producer, c.graph.versions.producer);
    assert.equal(decoded.node.length, c.graph.n_nodes);
    decoded.node.forEach((n, i) => {
      const gn = c.graph.nodes[i];
      assert.deepEqual([n.name, n.op, n.input], [gn.name, gn.op, gn.input]);
      assert.deepEqual(Object.keys(n.attr ?? {}), gn.attr_keys);
      if (gn._output_shapes) assert.deepEqual(n.attr?._output_shapes, { list: { shape: gn._output_shapes } });
    });
  });

  it('writes graph_def then tagged_run_metadata step1 with the reference RunMetadata', async (t) => {
    const dir = tempDir(t);
    const w = new SummaryWriter(dir, { now, hostname: 'golden' });
    w.addGraph({ node: [{ name: 'input/x', op: 'IO Node', outputShapes: [[4, 1, 28, 28]] }, { name: 'Net/Linear[fc]/y', op: 'aten::linear', input: ['input/x'] }] });
    await w.close();
    const events = await readAllEvents(w.filePath);
    const trm = c.source_event_file_records.find((r: Json) => r.what === 'tagged_run_metadata');
    assert.deepEqual(
      events.map((e) => Object.keys(e).filter((k) => !['wallTime', 'step'].includes(k))),
      [['fileVersion', 'sourceMetadata'], ['graphDef'], ['taggedRunMetadata']],
    );
    assert.equal(events[2].taggedRunMetadata!.tag, trm.tag);
    assert.equal(hex(events[2].taggedRunMetadata!.runMetadata), trm.run_metadata_hex);
    assert.equal(hex(encodeRunMetadata()), trm.run_metadata_hex);
    const g = decodeGraphDef(events[1].graphDef!);
    assert.deepEqual(g.node[0].attr?._output_shapes, { list: { shape: [[4, 1, 28, 28]] } });
  });
});

function encodeImage(data: Float32Array, shape: number[], fmt: string): Uint8Array {
  return imageFromPixels(imageToPixels({ data, shape }, fmt)).encodedImageString;
}
