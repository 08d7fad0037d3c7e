import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { backend_util, Conv2DBackpropFilter, MaxPoolGrad, type TensorInfo } from '@tensorflow/tfjs-core';
import { createRandom } from '@tbpipe/core';
import { selectBackend } from '../../src/engine/backend.ts';
import { replacedKernel } from '../../src/kernels/register.ts';

interface ConvCase {
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  stride: number;
  pad: 'valid' | 'same';
}

/** Seeded random conv problems: stride 1 and 2, valid and same padding, odd sizes. */
function convCases(n: number): ConvCase[] {
  const random = createRandom(7);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const out: ConvCase[] = [];
  for (let i = 0; i < n; i++) {
    const h = int(5, 13), w = int(5, 13), k = int(1, 5);
    out.push({
      xShape: [int(1, 3), h, w, int(1, 4)],
      filterShape: [k, int(1, 5), int(1, 4), int(1, 5)].map((v, j) => (j === 1 ? Math.min(v, w) : v)) as ConvCase['filterShape'],
      stride: 1 + (i % 2),
      pad: i % 4 < 2 ? 'valid' : 'same',
    });
  }
  // filterShape[2] must equal the input channels
  for (const c of out) c.filterShape[2] = c.xShape[3];
  return out;
}

function randomArray(n: number, seed: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length: n }, () => random() - 0.5);
}

function dyShape(c: ConvCase): number[] {
  return backend_util.computeConv2DInfo(c.xShape, c.filterShape, c.stride, 1, c.pad).outShape;
}

function runFilterGrad(c: ConvCase, x: Float32Array, dy: Float32Array): Float32Array {
  return tf.tidy(() => {
    const out = tf.engine().runKernel(
      Conv2DBackpropFilter,
      { x: tf.tensor4d(x, c.xShape), dy: tf.tensor(dy, dyShape(c)) },
      { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: c.filterShape } as never,
    ) as tf.Tensor;
    return out.dataSync() as Float32Array;
  });
}

test('the wasm Conv2DBackpropFilter equals the cpu backend within 1e-4 on random shapes, strides 1/2, valid/same', async () => {
  const cases = convCases(24);
  const inputs = cases.map((c, i) => ({
    x: randomArray(c.xShape.reduce((a, b) => a * b), 100 + i),
    dy: randomArray(dyShape(c).reduce((a, b) => a * b), 200 + i),
  }));
  await selectBackend('cpu');
  const expected = cases.map((c, i) => runFilterGrad(c, inputs[i]!.x, inputs[i]!.dy));
  await selectBackend('wasm');
  cases.forEach((c, i) => {
    const got = runFilterGrad(c, inputs[i]!.x, inputs[i]!.dy);
    assert.equal(got.length, expected[i]!.length);
    let worst = 0;
    for (let j = 0; j < got.length; j++) worst = Math.max(worst, Math.abs(got[j]! - expected[i]![j]!));
    assert.ok(worst <= 1e-4, `case ${JSON.stringify(c)}: max |diff| ${worst}`);
  });
});

function callKernel(kernel: { kernelFunc: Function }, inputs: Record<string, tf.Tensor>, attrs: object): Float32Array {
  const backend = tf.backend();
  const info = kernel.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
  const values = backend.readSync(info.dataId) as Float32Array;
  backend.disposeData(info.dataId);
  return values;
}

test("the cpu backend's direct-indexing Conv2DBackpropFilter is bit-identical to tfjs's stock kernel", async () => {
  await selectBackend('cpu');
  const stock = replacedKernel(Conv2DBackpropFilter, 'cpu')!;
  const ours = tf.getKernel(Conv2DBackpropFilter, 'cpu')!;
  assert.ok(stock && stock !== ours, 'the stock kernel was replaced and kept');
  convCases(16).forEach((c, i) => {
    tf.tidy(() => {
      const inputs = {
        x: tf.tensor4d(randomArray(c.xShape.reduce((a, b) => a * b), 300 + i), c.xShape),
        dy: tf.tensor(randomArray(dyShape(c).reduce((a, b) => a * b), 400 + i), dyShape(c)),
      };
      const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filterShape };
      assert.deepEqual(callKernel(ours, inputs, attrs), callKernel(stock, inputs, attrs), JSON.stringify(c));
    });
  });
});

test("the cpu backend's direct-indexing MaxPoolGrad is bit-identical to tfjs's stock kernel", async () => {
  await selectBackend('cpu');
  const stock = replacedKernel(MaxPoolGrad, 'cpu')!;
  const ours = tf.getKernel(MaxPoolGrad, 'cpu')!;
  assert.ok(stock && stock !== ours);
  const random = createRandom(11);
  for (let i = 0; i < 16; i++) {
    const shape: [number, number, number, number] = [1 + (i % 3), 4 + Math.floor(random() * 9), 4 + Math.floor(random() * 9), 1 + (i % 4)];
    const size = 2 + (i % 2);
    const stride = 1 + Math.floor(i / 2) % 2;
    const pad = i % 4 < 2 ? 'valid' : 'same';
    tf.tidy(() => {
      // Quantised values so ties happen, and the tie rule is compared too.
      const x = tf.tensor4d(randomArray(shape.reduce((a, b) => a * b), 500 + i).map((v) => Math.round(v * 4)), shape);
      const output = tf.maxPool(x, size, stride, pad);
      const dy = tf.tensor(randomArray(output.size, 600 + i), output.shape);
      const inputs = { dy, input: x, output };
      const attrs = { filterSize: size, strides: stride, pad, dimRoundingMode: undefined };
      assert.deepEqual(callKernel(ours, inputs, attrs), callKernel(stock, inputs, attrs), JSON.stringify({ shape, size, stride, pad }));
    });
  }
});
