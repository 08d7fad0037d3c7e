/**
 * The pure modules behind GRAPHS, PROJECTOR and HISTOGRAMS (no DOM): the text-format parser, the GraphDef reader,
 * the scope hierarchy and its per-metanode layout, histogram re-binning, metadata parsing, colouring, k-NN and PCA.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatShape, readGraphDef } from '../ui/dashboards/graphs/graph-def.ts';
import { ancestors, buildHierarchy, initialExpansion, visibleOwner } from '../ui/dashboards/graphs/hierarchy.ts';
import { GraphLayout } from '../ui/dashboards/graphs/layout.ts';
import { parseTextProto } from '../ui/dashboards/graphs/pbtxt.ts';
import { rebinSeries } from '../ui/dashboards/histograms/rebin.ts';
import { colorBy } from '../ui/dashboards/projector/colors.ts';
import { parseMetadata } from '../ui/dashboards/projector/metadata.ts';
import { nearestNeighbors } from '../ui/dashboards/projector/knn.ts';
import { pcaWorkerMain } from '../ui/dashboards/projector/pca-core.ts';

interface PcaResult {
  positions: Float32Array;
  explained: number[];
}

const tutorialGraph = fileURLToPath(new URL('fixtures/golden-http/bodies/db8bab4ac1829616.pbtxt', import.meta.url));

test('the text-format parser reads nested messages, repeated fields, lists, escapes and numbers', () => {
  const m = parseTextProto('a: 1\nb { c: "x\\303\\251\\n" c: \'y\' }\nb <c: "z">\nd: [1, -2.5, inf]\ne: DT_FLOAT # comment\nf: true');
  assert.deepEqual(m, { a: [1], b: [{ c: ['xé\n', 'y'] }, { c: ['z'] }], d: [1, -2.5, Infinity], e: ['DT_FLOAT'], f: [true] });
});

test('the text-format parser names the offset and what it expected on truncated input', () => {
  assert.throws(() => parseTextProto('node { name: "x"'), {
    message: 'pbtxt: end of text at offset 16, expected "}"; is this a protobuf text-format message?',
  });
  assert.throws(() => parseTextProto('name: "x'), { message: /^pbtxt: end of text inside a string at offset 8, expected a closing "/ });
});

test("PyTorch's tutorial graph reads as 59 ops with shapes, and groups into Net's layer metanodes", async () => {
  const defs = readGraphDef(parseTextProto(await readFile(tutorialGraph, 'utf8')));
  assert.equal(defs.length, 59);
  const conv = defs.find((d) => d.name === 'Net/Conv2d[conv1]/input.1')!;
  assert.equal(conv.op, 'aten::_convolution');
  assert.deepEqual(conv.outputShapes.map(formatShape), ['4×6×24×24']);
  const h = buildHierarchy(defs);
  assert.deepEqual(h.root.children.map((c) => c.label).sort(), ['Net', 'input', 'output']);
  const net = h.groups.get('Net')!;
  assert.deepEqual(net.children.filter((c) => c.kind === 'group').map((c) => c.label).sort(),
    ['Conv2d[conv1]', 'Conv2d[conv2]', 'Linear[fc1]', 'Linear[fc2]', 'Linear[fc3]', 'MaxPool2d[pool]']);
  const open = initialExpansion(h);
  assert.deepEqual([...open].sort(), ['g:', 'g:Net']);
  assert.equal(visibleOwner(h.ops.get('Net/Conv2d[conv1]/input.1')!, open).id, 'g:Net/Conv2d[conv1]');
  assert.equal(visibleOwner(h.ops.get('Net/Conv2d[conv1]/input.1')!, new Set([...open, 'g:Net/Conv2d[conv1]'])).id, 'op:Net/Conv2d[conv1]/input.1');
});

test('inputs name output indices and control dependencies; a flat graph has no metanodes', () => {
  const defs = readGraphDef(parseTextProto('node { name: "a" op: "Const" } node { name: "b" op: "Split" input: "a" } node { name: "c" op: "Add" input: "b:1" input: "^a" }'));
  assert.deepEqual(defs[2]!.inputs, [{ node: 'b', output: 1, control: false }, { node: 'a', output: 0, control: true }]);
  const h = buildHierarchy(defs);
  assert.equal(h.groups.size, 1);
  assert.equal(h.edges.length, 3);
  const scene = new GraphLayout(h).layout(initialExpansion(h));
  assert.equal(scene.nodes.length, 3);
  assert.equal(scene.edges.length, 3);
  assert.ok(scene.edges.find((e) => e.from.id === 'op:a' && e.to.id === 'op:c')!.control);
});

test('an open metanode contains its children, and opening one re-lays out only it and its ancestors', async () => {
  const h = buildHierarchy(readGraphDef(parseTextProto(await readFile(tutorialGraph, 'utf8'))));
  const layout = new GraphLayout(h);
  const first = initialExpansion(h);
  layout.layout(first);
  const conv1 = h.groups.get('Net/Conv2d[conv1]')!;
  const scene = layout.layout(new Set([...first, conv1.id]));
  assert.equal(layout.stats.dagreRuns, ancestors(conv1).length + 1, 'conv1, Net and the root');
  const box = scene.nodes.find((n) => n.item.id === conv1.id)!;
  for (const n of scene.nodes.filter((s) => s.item.parent === conv1)) {
    assert.ok(n.x - n.width / 2 >= box.x - box.width / 2 && n.x + n.width / 2 <= box.x + box.width / 2, n.item.id);
    assert.ok(n.y - n.height / 2 >= box.y - box.height / 2 && n.y + n.height / 2 <= box.y + box.height / 2, n.item.id);
  }
  const edge = scene.edges.find((e) => e.from.id === 'op:Net/Conv2d[conv1]/input.1')!;
  assert.equal(edge.label, '4×6×24×24');
});

test('shape labels sit where dagre reserved room for them: on no node, inside open blocks only as a whole', async () => {
  const h = buildHierarchy(readGraphDef(parseTextProto(await readFile(tutorialGraph, 'utf8'))));
  const layout = new GraphLayout(h);
  const first = initialExpansion(h);
  const views = [first, ...[...h.groups.values()].filter((g) => g.parent).map((g) => new Set([...first, ...ancestors(g).map((a) => a.id), g.id])),
    new Set([...h.groups.values()].map((g) => g.id))];
  for (const open of views) {
    const scene = layout.layout(open);
    assert.ok(scene.labels.some((l) => l.text === '4×16×8×8'));
    for (const l of scene.labels) {
      for (const n of scene.nodes) {
        const apart = l.x + l.width / 2 <= n.x - n.width / 2 || l.x - l.width / 2 >= n.x + n.width / 2
          || l.y + l.height / 2 <= n.y - n.height / 2 || l.y - l.height / 2 >= n.y + n.height / 2;
        const inside = n.expanded && l.x - l.width / 2 >= n.x - n.width / 2 && l.x + l.width / 2 <= n.x + n.width / 2
          && l.y - l.height / 2 >= n.y - n.height / 2 + 22 && l.y + l.height / 2 <= n.y + n.height / 2;
        assert.ok(apart || inside, `${l.text} at ${l.x},${l.y} on ${n.item.id} (open: ${[...open].join(' ')})`);
      }
    }
  }
});

test('re-binning keeps every count and spreads a bucket over the bins it overlaps', () => {
  const r = rebinSeries([[0, 1, [[0, 1, 4], [1, 3, 8]]], [0, 2, [[2, 4, 2]]]], 4);
  assert.deepEqual([r.min, r.max, r.binWidth], [0, 4, 1]);
  assert.deepEqual(Array.from(r.steps[0]!.counts), [4, 4, 4, 0]);
  assert.deepEqual(Array.from(r.steps[1]!.counts), [0, 0, 1, 1]);
  assert.equal(r.maxCount, 4);
});

test('metadata with one column has no header and is called label; several columns have a header row', () => {
  assert.deepEqual(parseMetadata('Bag\nCoat\n', 2), { columns: ['label'], values: [['Bag', 'Coat']] });
  assert.deepEqual(parseMetadata('label\tindex\nBag\t0\nCoat\t1\n', 2), { columns: ['label', 'index'], values: [['Bag', 'Coat'], ['0', '1']] });
});

test('ten labels colour as ten legend entries; a numeric column as a gradient', () => {
  const labels = Array.from({ length: 100 }, (_, i) => `class ${i % 10}`);
  const c = colorBy(labels, 100);
  assert.equal(c.kind, 'categorical');
  assert.deepEqual(c.legend.map((e) => e.count), new Array(10).fill(10));
  assert.equal(colorBy(Array.from({ length: 100 }, (_, i) => String(i / 7)), 100).kind, 'numeric');
});

test('k-NN lists the nearest points by cosine or euclidean distance, ties by index', () => {
  const x = Float32Array.from([1, 0, 2, 0, 0, 1, 1, 1, -1, 0]);
  assert.deepEqual(nearestNeighbors(x, 2, 0, 4, 'cosine').map((n) => n.index), [1, 3, 2, 4]);
  assert.deepEqual(nearestNeighbors(x, 2, 0, 2, 'euclidean').map((n) => n.index), [1, 3]);
  assert.deepEqual(nearestNeighbors(x, 2, 0, 4, 'euclidean').map((n) => n.index), [1, 3, 2, 4]);
});

test('PCA (the worker body) finds the variance shares of data on a plane and projects onto it', async () => {
  const rows = 400;
  const dim = 6;
  const x = new Float32Array(rows * dim);
  for (let i = 0; i < rows; i++) {
    const a = ((i % 20) - 9.5) * 3;
    const b = Math.floor(i / 20) - 9.5;
    // An orthonormal pair of directions in 6-D: (1,1,0,0,0,0)/√2 and (0,0,1,-1,0,0)/√2.
    x.set([a / Math.SQRT2, a / Math.SQRT2, b / Math.SQRT2, -b / Math.SQRT2, 0, 0], i * dim);
  }
  const result = await new Promise<PcaResult>((resolve) => {
    // The worker body talks to globalThis (a worker's `self`): stand in for it, then restore.
    const scope = globalThis as unknown as { onmessage?: (e: { data: unknown }) => void; postMessage?: unknown };
    const saved = { onmessage: scope.onmessage, postMessage: scope.postMessage };
    scope.postMessage = (m: PcaResult) => {
      Object.assign(scope, saved);
      resolve(m);
    };
    pcaWorkerMain();
    scope.onmessage!({ data: { vectors: x, rows, dim, k: 3 } });
  });
  assert.ok(Math.abs(result.explained[0]! - 0.9) < 1e-6 && Math.abs(result.explained[1]! - 0.1) < 1e-6, String(result.explained));
  assert.ok(result.explained[2]! < 1e-9);
  // The first coordinate is ±a (up to the component's sign).
  for (let i = 0; i < rows; i += 37) assert.ok(Math.abs(Math.abs(result.positions[i * 3]!) - Math.abs(((i % 20) - 9.5) * 3)) < 1e-3);
});

test('five or more numbered same-op siblings fold into a series block, which stays closed at first; four do not', () => {
  const node = (name: string, op: string, input: string[] = []) => ({ name, op, device: '', attrs: [], outputShapes: [], inputs: input.map((n) => ({ node: n, output: 0, control: false })) });
  const defs = [node('input', 'Placeholder'), ...[1, 2, 3, 4, 5, 6, 7].map((i) => node(`dense_${i}`, 'MatMul', [i === 1 ? 'input' : `dense_${i - 1}`])),
    ...[1, 2, 3, 4].map((i) => node(`relu_${i}`, 'Relu'))];
  const h = buildHierarchy(defs);
  const series = h.groups.get('dense_[1-7]')!;
  assert.ok(series.series);
  assert.equal(series.opCount, 7);
  assert.deepEqual(h.root.children.map((c) => c.label), ['input', 'dense_[1-7]', 'relu_1', 'relu_2', 'relu_3', 'relu_4']);
  assert.deepEqual([...initialExpansion(h)], ['g:']);
  assert.equal(visibleOwner(h.ops.get('dense_4')!, initialExpansion(h)).id, 'g:dense_[1-7]');
});
