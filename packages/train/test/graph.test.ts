import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { GraphNode } from '@tbpipe/eventlog';
import { buildGraphDefinition } from '../src/network/graph.ts';
import { builtinNetwork, parseNetworkSpec, resolveNetwork } from '../src/network/index.ts';

const TUTORIAL = resolveNetwork(builtinNetwork('tutorial'), { height: 28, width: 28, channels: 1 }, 10);

interface GoldenNode {
  name: string;
  op: string;
  input: string[];
  _output_shapes?: number[][];
}
const golden = JSON.parse(
  readFileSync(new URL('./fixtures/graph_reference.case.json', import.meta.url), 'utf8'),
) as { graph: { nodes: GoldenNode[] } };

const shapeOf = (n: GraphNode) => n.outputShapes?.map((s) => [...s]);

test("from the tutorial spec, every tensor node of torch's add_graph reference exists with the same name, op, shape and tensor inputs", () => {
  const ours = new Map(buildGraphDefinition(TUTORIAL, 4).node.map((n) => [n.name, n]));
  const tensorNodes = golden.graph.nodes.filter((n) => n._output_shapes);
  assert.equal(tensorNodes.length, 14);
  for (const g of tensorNodes) {
    const n = ours.get(g.name);
    assert.ok(n, `missing ${g.name}`);
    assert.equal(n.op, g.op, g.name);
    assert.deepEqual(shapeOf(n), g._output_shapes, g.name);
    // torch also feeds TorchScript constants; the tensor edges (and parameters) must be the same.
    assert.deepEqual(n.input, g.input.filter((i) => ours.has(i)), g.name);
  }
});

test('the graph is layer-scoped, connected, and its shapes follow the batch size', () => {
  const graph = buildGraphDefinition(TUTORIAL, 7);
  const names = new Set(graph.node.map((n) => n.name));
  for (const n of graph.node) for (const i of n.input ?? []) assert.ok(names.has(i), `${n.name} ← ${i}`);
  for (const scope of ['Net/Conv2d[conv1]/', 'Net/Conv2d[conv2]/', 'Net/MaxPool2d[pool]/', 'Net/Linear[fc1]/', 'Net/Linear[fc3]/']) {
    assert.ok(graph.node.some((n) => n.name.startsWith(scope)), scope);
  }
  assert.deepEqual(shapeOf(graph.node.find((n) => n.name === 'output/output.1')!), [[7, 10]]);
  assert.deepEqual(shapeOf(graph.node.find((n) => n.name === 'Net/Conv2d[conv1]/weight/weight.5')!), [[6, 1, 5, 5]]);
  assert.deepEqual(graph.versions, { producer: 22 });
});

test('any spec gets module scopes, batch-norm running statistics and shapes for its input: RGB, batch norm, dropout, a named flatten', () => {
  const spec = parseNetworkSpec({
    layers: [
      { type: 'conv2d', name: 'conv1', filters: 4, kernelSize: 3, padding: 1 },
      { type: 'batchNorm', name: 'bn1' },
      { type: 'tanh' },
      { type: 'avgPool2d', poolSize: 2 },
      { type: 'flatten', name: 'flat' },
      { type: 'dropout', rate: 0.5 },
      { type: 'dense', units: 3 },
    ],
  });
  const graph = buildGraphDefinition(resolveNetwork(spec, { height: 6, width: 8, channels: 3 }, 3), 2);
  const byName = new Map(graph.node.map((n) => [n.name, n]));
  for (const n of graph.node) for (const i of n.input ?? []) assert.ok(byName.has(i), `${n.name} ← ${i}`);
  assert.deepEqual(shapeOf(byName.get('input/x.1')!), [[2, 3, 6, 8]]);
  assert.deepEqual(shapeOf(byName.get('Net/Conv2d[conv1]/input.1')!), [[2, 4, 6, 8]]);
  const bn = byName.get('Net/BatchNorm2d[bn1]/input.3')!;
  assert.equal(bn.op, 'aten::batch_norm');
  assert.deepEqual(bn.input, [
    'Net/Conv2d[conv1]/input.1',
    'Net/BatchNorm2d[bn1]/weight/weight.7',
    'Net/BatchNorm2d[bn1]/bias/bias.7',
    'Net/BatchNorm2d[bn1]/running_mean/running_mean.7',
    'Net/BatchNorm2d[bn1]/running_var/running_var.7',
  ]);
  assert.equal(byName.get('Net/input.5')!.op, 'aten::tanh');
  assert.deepEqual(shapeOf(byName.get('Net/input.7')!), [[2, 4, 3, 4]]);
  assert.equal(byName.get('Net/Flatten[flat]/input.9')!.op, 'aten::flatten');
  assert.equal(byName.get('Net/input')!.op, 'aten::dropout');
  assert.deepEqual(shapeOf(byName.get('Net/Linear[dense6]/weight/weight')!), [[3, 48]]);
  assert.deepEqual(shapeOf(byName.get('output/output.1')!), [[2, 3]]);
});
