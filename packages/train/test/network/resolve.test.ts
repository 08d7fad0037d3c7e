import assert from 'node:assert/strict';
import { test } from 'node:test';
import { builtinNetwork, BUILTIN_NETWORKS, loadNetwork, NetworkError, parseNetworkSpec, resolveNetwork, type NetworkSpec } from '../../src/network/index.ts';

const GREY = { height: 28, width: 28, channels: 1 };
const RGB = { height: 32, width: 32, channels: 3 };

test("the tutorial spec resolves to today's Net: shapes, parameter names and shapes in named_parameters order", () => {
  const net = resolveNetwork(builtinNetwork('tutorial'), GREY, 10);
  assert.deepEqual(
    net.layers.map((l) => l.outShape),
    [[6, 24, 24], [6, 24, 24], [6, 12, 12], [16, 8, 8], [16, 8, 8], [16, 4, 4], [256], [120], [120], [84], [84], [10]],
  );
  assert.deepEqual(
    net.params.map((p) => [p.torchName, p.tfName, p.torchShape, p.tfShape, p.fanIn, p.kind]),
    [
      ['conv1.weight', 'conv1/kernel', [6, 1, 5, 5], [5, 5, 1, 6], 25, 'conv'],
      ['conv1.bias', 'conv1/bias', [6], [6], 25, 'bias'],
      ['conv2.weight', 'conv2/kernel', [16, 6, 5, 5], [5, 5, 6, 16], 150, 'conv'],
      ['conv2.bias', 'conv2/bias', [16], [16], 150, 'bias'],
      ['fc1.weight', 'fc1/kernel', [120, 256], [256, 120], 256, 'dense'],
      ['fc1.bias', 'fc1/bias', [120], [120], 256, 'bias'],
      ['fc2.weight', 'fc2/kernel', [84, 120], [120, 84], 120, 'dense'],
      ['fc2.bias', 'fc2/bias', [84], [84], 120, 'bias'],
      ['fc3.weight', 'fc3/kernel', [10, 84], [84, 10], 84, 'dense'],
      ['fc3.bias', 'fc3/bias', [10], [10], 84, 'bias'],
    ],
  );
  assert.deepEqual(net.params[4]!.flattenedFrom, [16, 4, 4]);
  assert.equal(net.params[6]!.flattenedFrom, undefined);
  assert.deepEqual([net.featureLayer, net.featureWidth], [11, 84]);
  assert.deepEqual(net.buffers, []);
  // The shared pool module is one scope; its two tfjs layers get ordinals, as today's model.json names them.
  assert.deepEqual(net.layers.map((l) => l.tfName), ['conv1', 'relu1', 'pool1', 'conv2', 'relu2', 'pool2', 'flatten', 'fc1', 'relu3', 'fc2', 'relu4', 'fc3']);
  assert.deepEqual(net.layers.filter((l) => l.module).map((l) => `${l.torchClass}[${l.scope}]`), [
    'Conv2d[conv1]', 'MaxPool2d[pool]', 'Conv2d[conv2]', 'MaxPool2d[pool]', 'Linear[fc1]', 'Linear[fc2]', 'Linear[fc3]',
  ]);
});

test('every built-in network resolves on the data it is made for', () => {
  const widths: Record<string, number> = {};
  for (const name of BUILTIN_NETWORKS) {
    const net = resolveNetwork(builtinNetwork(name), name === 'lenet5-rgb' ? RGB : GREY, 10);
    widths[name] = net.featureWidth;
  }
  assert.deepEqual(widths, { tutorial: 84, wide: 128, 'lenet5-rgb': 84, mlp: 128, batchnorm: 64 });
});

test("'same' padding keeps H × W, putting an even kernel's extra row and column at the bottom and right as PyTorch does", () => {
  const wide = resolveNetwork(builtinNetwork('wide'), GREY, 10);
  assert.deepEqual(wide.layers[0]!.outShape, [32, 28, 28]);
  assert.deepEqual(wide.layers[0]!.padding, { top: 1, left: 1, bottom: 1, right: 1 });
  const even = resolveNetwork(spec({ type: 'conv2d', filters: 2, kernelSize: 4, padding: 'same' }, { type: 'flatten' }, { type: 'dense', units: 3 }), { height: 5, width: 7, channels: 2 }, 3);
  assert.deepEqual(even.layers[0]!.padding, { top: 1, left: 1, bottom: 2, right: 2 });
  assert.deepEqual(even.layers[0]!.outShape, [2, 5, 7]);
});

test('conv stride and numeric padding follow floor((H + 2p − k) / s) + 1; pools floor; batch norm is 2-D after a conv and 1-D after flatten', () => {
  const net = resolveNetwork(
    spec(
      { type: 'conv2d', name: 'c', filters: 4, kernelSize: 3, stride: 2, padding: 1 },
      { type: 'batchNorm' },
      { type: 'avgPool2d', poolSize: 3, stride: 2 },
      { type: 'flatten' },
      { type: 'batchNorm', name: 'bnf' },
      { type: 'dropout', rate: 0.5 },
      { type: 'dense', units: 5 },
    ),
    { height: 11, width: 9, channels: 3 },
    5,
  );
  assert.deepEqual(net.layers.map((l) => l.outShape), [[4, 6, 5], [4, 6, 5], [4, 2, 2], [16], [16], [16], [5]]);
  assert.deepEqual(net.layers.map((l) => l.torchClass), ['Conv2d', 'BatchNorm2d', 'AvgPool2d', 'Flatten', 'BatchNorm1d', 'Dropout', 'Linear']);
  assert.deepEqual(net.params.map((p) => p.torchName), ['c.weight', 'c.bias', 'batchNorm1.weight', 'batchNorm1.bias', 'bnf.weight', 'bnf.bias', 'dense6.weight', 'dense6.bias']);
  assert.deepEqual(net.buffers.map((b) => [b.torchName, b.tfName, b.initial]), [
    ['batchNorm1.running_mean', 'batchNorm1/moving_mean', 0],
    ['batchNorm1.running_var', 'batchNorm1/moving_variance', 1],
    ['bnf.running_mean', 'bnf/moving_mean', 0],
    ['bnf.running_var', 'bnf/moving_variance', 1],
  ]);
  // Both the 1-D batch norm and the dense read flattened [4, 2, 2] features.
  assert.deepEqual(net.params[4]!.flattenedFrom, [4, 2, 2]);
  assert.deepEqual(net.buffers[2]!.flattenedFrom, [4, 2, 2]);
  assert.deepEqual(net.params[6]!.flattenedFrom, [4, 2, 2]);
  assert.equal(net.params[2]!.flattenedFrom, undefined);
  assert.equal(net.featureWidth, 16);
});

function spec(...layers: unknown[]): NetworkSpec {
  return parseNetworkSpec({ layers });
}

/** The error's message, asserting it is one line from a NetworkError. */
function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof NetworkError, String(err));
    assert.equal(err.code, 'TRAIN_BAD_NETWORK');
    assert.ok(!err.message.includes('\n'), err.message);
    return err.message;
  }
  assert.fail('no error');
}

const tail = [{ type: 'flatten' }, { type: 'dense', units: 10 }];

test('an unknown layer type fails naming the layer index and the type field', () => {
  const m = failure(() => spec({ type: 'conv2d', filters: 2, kernelSize: 3 }, { type: 'softmax' }, ...tail));
  assert.match(m, /^network: layer 1 \(softmax\) type 'softmax', expected conv2d \| maxPool2d .*batchNorm; /);
});

test('a shape that goes below 1×1 fails naming the layer and kernelSize or poolSize', () => {
  const conv = failure(() => resolveNetwork(spec({ type: 'conv2d', filters: 2, kernelSize: 5 }, { type: 'maxPool2d', poolSize: 2 }, { type: 'conv2d', filters: 2, kernelSize: 13 }, ...tail), GREY, 10));
  assert.match(conv, /^network: layer 2 \(conv2d\) kernelSize 13 on a 12×12 input .*expected an output of at least 1×1/);
  const pool = failure(() => resolveNetwork(spec({ type: 'maxPool2d', poolSize: 4 }, ...tail), { height: 3, width: 8, channels: 1 }, 10));
  assert.match(pool, /^network: layer 0 \(maxPool2d\) poolSize 4 on a 3×8 input/);
});

test('a dense without a flatten before it fails naming the layer', () => {
  const m = failure(() => resolveNetwork(spec({ type: 'conv2d', filters: 2, kernelSize: 3 }, { type: 'dense', units: 10 }), GREY, 10));
  assert.match(m, /^network: layer 1 \(dense\) type on a \[2, 26, 26\] input, expected a flatten before it/);
});

test("a last dense whose units differ from the data's class count fails naming units", () => {
  const m = failure(() => resolveNetwork(builtinNetwork('tutorial'), GREY, 7));
  assert.match(m, /^network: layer 11 \(dense\) units 10, expected 7 \(the data's class count\)/);
  assert.match(failure(() => resolveNetwork(spec({ type: 'flatten' }, { type: 'dense', units: 10 }, { type: 'relu' }), GREY, 10)), /layer 2 \(relu\) type after the last dense/);
  assert.match(failure(() => resolveNetwork(spec({ type: 'relu' }), GREY, 10)), /^network: no dense layer/);
});

test('a negative dropout rate, or one of 1 or more, fails naming rate', () => {
  assert.match(failure(() => spec({ type: 'dropout', rate: -0.1 }, ...tail)), /^network: layer 0 \(dropout\) rate -0\.1, expected ≥ 0;/);
  assert.match(failure(() => spec(...tail.slice(0, 1), { type: 'dropout', rate: 1 }, tail[1])), /^network: layer 1 \(dropout\) rate 1, expected < 1;/);
});

test("'same' padding with a stride other than 1 fails naming padding", () => {
  const m = failure(() => spec({ type: 'conv2d', filters: 2, kernelSize: 3, stride: 2, padding: 'same' }, ...tail));
  assert.match(m, /^network: layer 0 \(conv2d\) padding 'same' with stride 2, expected stride 1/);
  const resolved = failure(() =>
    resolveNetwork({ layers: [{ type: 'conv2d', filters: 2, kernelSize: 3, stride: 3, padding: 'same' }, { type: 'flatten' }, { type: 'dense', units: 10 }] }, GREY, 10),
  );
  assert.match(resolved, /^network: layer 0 \(conv2d\) padding 'same' with stride 3, expected stride 1/);
});

test('bad fields fail naming the field: a typo, a non-integer, a missing one, a conv after flatten, a shared name with parameters', () => {
  assert.match(failure(() => spec({ type: 'conv2d', filters: 2, kernel_size: 3 })), /layer 0 \(conv2d\) kernelSize missing, expected a value/);
  assert.match(failure(() => spec({ type: 'conv2d', filters: 2, kernelSize: 3, kernel_size: 3 })), /layer 0 \(conv2d\) kernel_size is unknown, expected one of type, name, filters/);
  assert.match(failure(() => spec({ type: 'dense', units: 2.5 })), /layer 0 \(dense\) units 2\.5, expected an integer/);
  assert.match(failure(() => spec({ type: 'conv2d', filters: 0, kernelSize: 3 })), /layer 0 \(conv2d\) filters 0, expected ≥ 1/);
  assert.match(failure(() => spec({ type: 'conv2d', filters: 2, kernelSize: 3, padding: 'valid' })), /layer 0 \(conv2d\) padding 'valid', expected an integer ≥ 0 or "same"/);
  assert.match(failure(() => resolveNetwork(spec({ type: 'flatten' }, { type: 'conv2d', filters: 2, kernelSize: 1 }, { type: 'dense', units: 10 }), GREY, 10)), /layer 1 \(conv2d\) type on a flat \[784\] input/);
  assert.match(
    failure(() => resolveNetwork(spec({ type: 'flatten' }, { type: 'dense', name: 'fc', units: 5 }, { type: 'dense', name: 'fc', units: 10 }), GREY, 10)),
    /layer 2 \(dense\) name 'fc' \(also layer 1, dense\)/,
  );
  assert.match(failure(() => spec({ type: 'dense', name: 'fc.1', units: 5 })), /layer 0 \(dense\) name 'fc\.1', expected an identifier/);
  assert.match(failure(() => parseNetworkSpec({ layers: [] })), /^network: layers \[\], expected a non-empty array of layers/);
  assert.match(failure(() => parseNetworkSpec({ layers: tail, extra: 1 })), /^network: field 'extra', expected only description and layers/);
});

test('loadNetwork takes a built-in name, a file path or an inline object, and names a missing one', () => {
  assert.equal(loadNetwork('mlp').source, 'mlp');
  assert.equal(loadNetwork({ layers: tail }).source, 'inline');
  const file = new URL('../../networks/wide.json', import.meta.url).pathname;
  assert.equal(loadNetwork(file).spec.layers.length, 11);
  assert.match(failure(() => loadNetwork('nope')), /^network: 'nope' is neither a built-in nor an existing file, expected tutorial \| wide/);
});

test("FLOP counts follow the layers' arithmetic: the tutorial's forward pass is ~0.58 MFLOP per image", async () => {
  const { forwardFlops, trainStepFlops } = await import('../../src/network/flops.ts');
  const net = resolveNetwork(builtinNetwork('tutorial'), GREY, 10);
  // conv1 2·25·6·576 + 3456, conv2 2·150·16·64 + 1024, fc 2·(256·120 + 120·84 + 84·10) + 214, pools, relus.
  const conv = 2 * 25 * 3456 + 3456 + 2 * 150 * 1024 + 1024;
  const dense = 2 * (256 * 120 + 120 * 84 + 84 * 10) + 214;
  const rest = 4 * 864 + 4 * 256 + 3456 + 1024 + 120 + 84;
  assert.equal(forwardFlops(net), conv + dense + rest);
  assert.ok(trainStepFlops(net, 4) > 4 * 2.5 * forwardFlops(net));
});
