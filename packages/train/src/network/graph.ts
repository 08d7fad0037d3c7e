/**
 * A resolved network as a TensorBoard GraphDef, shaped like what torch's `add_graph(net, images)` writes
 * (../shared/golden/graph_reference): a module's nodes scoped `Net/Conv2d[conv1]/…`, `Net/BatchNorm2d[bn1]/…`,
 * `Net/Linear[fc1]/…` so the GRAPHS tab can collapse and expand each layer; an unnamed parameter-free layer is a
 * functional call directly in `Net/` (`F.relu`, `x.view`), as in the tutorial's `forward`; `IO Node`s `input/…` and
 * `output/…`; `_output_shapes` on every node so edges show tensor shapes.
 * Value names follow the tutorial's trace: layer outputs `input.1`, `input.3`, …, the one a functional flatten reads
 * `x`, the one the last dense reads `input`, the logits `194` (torch numbers unnamed values with a trace-wide counter;
 * we keep the tutorial's for every network). Parameter nodes are `…/weight/weight.5`, `.7`, … per module, the last
 * module's without a suffix, as torch names them; the tutorial spec gives exactly the graph torch wrote.
 * N.B. torch's trace also emits TorchScript plumbing (prim::Constant, prim::ListConstruct, and GetAttr inputs naming
 * nodes that do not exist); we drop those and put the layer's hyper-parameters into the op node's `attr` text.
 */
import type { GraphDef, GraphNode } from '@tbpipe/eventlog';
import type { ResolvedLayer, ResolvedNetwork } from './resolve.ts';

type Shape = readonly number[];

const node = (name: string, op: string, input: string[], attr: string, shape: Shape): GraphNode => ({
  name,
  op,
  input,
  attr: { attr: { s: attr } },
  outputShapes: [shape],
});

const pair = (n: number) => `[${n}, ${n}]`;

/** The aten op and its attribute text for one layer. */
function opOf(l: ResolvedLayer): [string, string] {
  const s = l.spec;
  switch (s.type) {
    case 'conv2d': {
      const p = l.padding!;
      return [
        'aten::_convolution',
        `{ in_channels : ${l.inShape[0]}, out_channels : ${s.filters}, kernel_size : ${pair(s.kernelSize)}, stride : ${pair(l.stride!)}, padding : [${p.top}, ${p.left}], dilation : [1, 1], groups : 1 }`,
      ];
    }
    case 'maxPool2d':
      return ['aten::max_pool2d', `{ kernel_size : ${pair(s.poolSize)}, stride : ${pair(l.stride!)}, padding : [0, 0], dilation : [1, 1], ceil_mode : 0 }`];
    case 'avgPool2d':
      return ['aten::avg_pool2d', `{ kernel_size : ${pair(s.poolSize)}, stride : ${pair(l.stride!)}, padding : [0, 0], ceil_mode : 0, count_include_pad : 1 }`];
    case 'flatten':
      return l.module ? ['aten::flatten', '{ start_dim : 1, end_dim : -1 }'] : ['aten::view', `{ size : [-1, ${l.outShape[0]}] }`];
    case 'dense':
      return ['aten::linear', `{ in_features : ${l.inShape[0]}, out_features : ${s.units} }`];
    case 'dropout':
      return ['aten::dropout', `{ p : ${s.rate}, train : 1 }`];
    case 'batchNorm':
      return ['aten::batch_norm', `{ num_features : ${l.inShape[0]}, eps : 1e-05, momentum : 0.1, affine : 1, track_running_stats : 1 }`];
    default:
      return [`aten::${s.type}`, '{}'];
  }
}

/** Torch's attribute names of a module's parameters and buffers, in its GetAttr order. */
const ATTRS: Partial<Record<ResolvedLayer['type'], string[]>> = {
  conv2d: ['weight', 'bias'],
  dense: ['weight', 'bias'],
  batchNorm: ['weight', 'bias', 'running_mean', 'running_var'],
};

/**
 * The graph for a forward pass on `batchSize` images (the shapes carry the batch dimension, like torch's trace of
 * the first batch).
 * @example writer.addGraph(buildGraphDefinition(resolveNetwork(spec, shape, 10), 4));
 */
export function buildGraphDefinition(net: ResolvedNetwork, batchSize: number): GraphDef {
  const b = batchSize;
  const withParams = net.layers.filter((l) => ATTRS[l.type]);
  const suffix = (l: ResolvedLayer) => {
    const j = withParams.indexOf(l);
    return j === withParams.length - 1 ? '' : `.${5 + 2 * j}`;
  };
  const inputNode = node('input/x.1', 'IO Node', [], '', [b, ...net.inputShape]);
  const nodes: GraphNode[] = [inputNode];
  let previous = inputNode.name;
  let counter = 1;
  net.layers.forEach((l, i) => {
    const next = net.layers[i + 1];
    let value: string;
    if (i === net.layers.length - 1) value = '194';
    else if (i === net.featureLayer - 1) value = 'input';
    else if (next?.type === 'flatten' && !next.module) value = 'x';
    else {
      value = `input.${counter}`;
      counter += 2;
    }
    const scope = l.module ? `Net/${l.torchClass}[${l.scope}]` : 'Net';
    const inputs = [previous];
    for (const [k, attr] of (ATTRS[l.type] ?? []).entries()) {
      const spec = k < 2 ? l.params[k]! : l.buffers[k - 2]!;
      const p = node(`${scope}/${attr}/${attr}${suffix(l)}`, 'prim::GetAttr', [], `{ name :  ${attr} }`, spec.torchShape);
      nodes.push(p);
      inputs.push(p.name);
    }
    const [op, attr] = opOf(l);
    const n = node(`${scope}/${value}`, op, inputs, attr, [b, ...l.outShape]);
    nodes.push(n);
    previous = n.name;
  });
  nodes.push(node('output/output.1', 'IO Node', [previous], '', [b, net.classCount]));
  return { node: nodes, versions: { producer: 22 } };
}
