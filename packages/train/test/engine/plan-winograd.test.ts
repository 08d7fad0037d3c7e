import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRandom } from '@tbpipe/core';
import { resolveNetwork } from '../../src/network/resolve.ts';
import type { LayerSpec } from '../../src/network/spec.ts';
import { createFusedStep } from '../../src/kernels/plan.ts';
import { selectBackend } from '../../src/engine/backend.ts';
import { stepsMatchReference, type RefState } from './plan-reference.ts';

// The random specs of plan-property.test.ts rarely reach the Winograd path (3×3, stride 1, channels in multiples
// of 4); these always do, odd and even output sizes, `same` and explicit padding, ReLU folded or not.
for (const binary of ['plan', 'plan-fma'] as const) {
  test(`3×3 stride-1 convs on Winograd F(2×2, 3×3) (${binary}.wasm) equal stock tfjs autodiff after 3 steps (losses, weights, momentum)`, async () => {
    await selectBackend('cpu');
    const r = createRandom(33);
    for (let spec = 0; spec < 8; spec++) {
      const channels = spec % 2 ? 4 : 8;
      const size = 5 + spec; // 5–12 px: odd and even outputs
      const padding = spec % 3 === 0 ? 'same' : spec % 3;
      const layers: LayerSpec[] = [
        { type: 'conv2d', filters: 4 + 4 * (spec % 3), kernelSize: 3, padding },
        { type: spec % 4 === 3 ? 'tanh' : 'relu' },
        { type: 'conv2d', filters: 8, kernelSize: 3, padding: 'same' },
        { type: 'relu' },
        { type: 'flatten' },
        { type: 'dense', units: 3 },
      ];
      const net = resolveNetwork({ layers }, { channels, height: size, width: size - 1 }, 3);
      const params = net.params.map((p) => Float32Array.from({ length: p.tfShape.reduce((a, b) => a * b, 1) }, () => (r() * 2 - 1) / Math.sqrt(p.fanIn)));
      const opt = { type: 'sgd' as const, learningRate: 0.05, momentum: 0.9 };
      const ref: RefState = { params, slots: [params.map((p) => new Float32Array(p.length))], buffers: [], step: 0 };
      const fused = createFusedStep(net, { seed: spec, optimizer: opt, binary });
      fused.setParams(params.map((p) => p.slice()));
      const batch = 4 + (spec % 3);
      const per = channels * size * (size - 1);
      stepsMatchReference(`spec ${spec}`, net, opt, fused, ref, batch, r);
      // The evaluation-mode forward (the predict program) runs the same kernel.
      const images = Float32Array.from({ length: 2 * per }, () => r() * 2 - 1);
      assert.equal(fused.predict(images, 2).logits.every(Number.isFinite), true);
    }
  });
}
