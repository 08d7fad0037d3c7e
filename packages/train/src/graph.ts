import type { GraphDef, GraphNode } from '@tbpipe/eventlog';

/**
 * The tutorial's network as a TensorBoard GraphDef, shaped like what torch's `add_graph(net, images)` writes
 * (../shared/golden/graph_reference): nodes scoped `Net/Conv2d[conv1]/…`, `Net/MaxPool2d[pool]/…`, `Net/Linear[fc1]/…`
 * so the GRAPHS tab can collapse and expand each layer, `IO Node`s `input/…` and `output/…`, the same node names
 * and ops for every tensor, and `_output_shapes` on each so edges show tensor shapes.
 * N.B. torch's trace also emits TorchScript plumbing (prim::Constant, prim::ListConstruct: 35 of its 59 nodes, and
 * GetAttr inputs naming nodes that do not exist); we drop those and put the layer's hyper-parameters into the
 * op node's `attr` text instead, so the picture is the same with less clutter. Parameter nodes carry their shapes.
 */

/** A tensor shape. */
export type Shape = readonly number[];

const node = (name: string, op: string, input: string[], attr: string, shape: Shape): GraphNode => ({
  name,
  op,
  input,
  attr: { attr: { s: attr } },
  outputShapes: [shape],
});

/** Parameter nodes of one layer, named as torch names them (`…/weight/weight.5`, `…/bias/bias.5`). */
function params(scope: string, suffix: string, weight: Shape, bias: Shape): [GraphNode, GraphNode] {
  return [
    node(`${scope}/weight/weight${suffix}`, 'prim::GetAttr', [], '{ name :  weight }', weight),
    node(`${scope}/bias/bias${suffix}`, 'prim::GetAttr', [], '{ name :  bias }', bias),
  ];
}

/**
 * The graph for a forward pass on `batchSize` images (the shapes carry the batch dimension, like torch's trace of
 * the first batch).
 * @example writer.addGraph(buildGraphDefinition(4));
 */
export function buildGraphDefinition(batchSize: number): GraphDef {
  const b = batchSize;
  const conv = (name: string, suffix: string, input: string, output: string, cin: number, cout: number, out: Shape) => {
    const scope = `Net/Conv2d[${name}]`;
    const [w, bias] = params(scope, suffix, [cout, cin, 5, 5], [cout]);
    const attr = `{ in_channels : ${cin}, out_channels : ${cout}, kernel_size : [5, 5], stride : [1, 1], padding : [0, 0], dilation : [1, 1], groups : 1 }`;
    return [w, bias, node(`${scope}/${output}`, 'aten::_convolution', [input, w.name, bias.name], attr, out)];
  };
  const pool = (input: string, output: string, out: Shape) =>
    node(`Net/MaxPool2d[pool]/${output}`, 'aten::max_pool2d', [input], '{ kernel_size : [2, 2], stride : [2, 2], padding : [0, 0], dilation : [1, 1], ceil_mode : 0 }', out);
  const relu = (input: string, output: string, out: Shape) => node(`Net/${output}`, 'aten::relu', [input], '{}', out);
  const linear = (name: string, suffix: string, input: string, output: string, fin: number, fout: number) => {
    const scope = `Net/Linear[${name}]`;
    const [w, bias] = params(scope, suffix, [fout, fin], [fout]);
    return [w, bias, node(`${scope}/${output}`, 'aten::linear', [input, w.name, bias.name], `{ in_features : ${fin}, out_features : ${fout} }`, [b, fout])];
  };

  const nodes: GraphNode[] = [
    node('input/x.1', 'IO Node', [], '', [b, 1, 28, 28]),
    ...conv('conv1', '.5', 'input/x.1', 'input.1', 1, 6, [b, 6, 24, 24]),
    relu('Net/Conv2d[conv1]/input.1', 'input.3', [b, 6, 24, 24]),
    pool('Net/input.3', 'input.5', [b, 6, 12, 12]),
    ...conv('conv2', '.7', 'Net/MaxPool2d[pool]/input.5', 'input.7', 6, 16, [b, 16, 8, 8]),
    relu('Net/Conv2d[conv2]/input.7', 'input.9', [b, 16, 8, 8]),
    pool('Net/input.9', 'x', [b, 16, 4, 4]),
    node('Net/input.11', 'aten::view', ['Net/MaxPool2d[pool]/x'], '{ size : [-1, 256] }', [b, 256]),
    ...linear('fc1', '.9', 'Net/input.11', 'input.13', 256, 120),
    relu('Net/Linear[fc1]/input.13', 'input.15', [b, 120]),
    ...linear('fc2', '.11', 'Net/input.15', 'input.17', 120, 84),
    relu('Net/Linear[fc2]/input.17', 'input', [b, 84]),
    ...linear('fc3', '', 'Net/input', '194', 84, 10),
    node('output/output.1', 'IO Node', ['Net/Linear[fc3]/194'], '', [b, 10]),
  ];
  return { node: nodes, versions: { producer: 22 } };
}
