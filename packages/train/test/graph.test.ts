import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { GraphNode } from '@tbpipe/eventlog';
import { buildGraphDefinition } from '../src/graph.ts';

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

test("every tensor node of torch's add_graph reference exists with the same name, op, shape and tensor inputs", () => {
  const ours = new Map(buildGraphDefinition(4).node.map((n) => [n.name, n]));
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
  const graph = buildGraphDefinition(7);
  const names = new Set(graph.node.map((n) => n.name));
  for (const n of graph.node) for (const i of n.input ?? []) assert.ok(names.has(i), `${n.name} ← ${i}`);
  for (const scope of ['Net/Conv2d[conv1]/', 'Net/Conv2d[conv2]/', 'Net/MaxPool2d[pool]/', 'Net/Linear[fc1]/', 'Net/Linear[fc3]/']) {
    assert.ok(graph.node.some((n) => n.name.startsWith(scope)), scope);
  }
  assert.deepEqual(shapeOf(graph.node.find((n) => n.name === 'output/output.1')!), [[7, 10]]);
  assert.deepEqual(shapeOf(graph.node.find((n) => n.name === 'Net/Conv2d[conv1]/weight/weight.5')!), [[6, 1, 5, 5]]);
  assert.deepEqual(graph.versions, { producer: 22 });
});
