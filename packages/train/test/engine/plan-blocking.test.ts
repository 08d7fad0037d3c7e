import { test } from 'node:test';
import { createRandom } from '@tbpipe/core';
import { resolveNetwork } from '../../src/network/resolve.ts';
import type { LayerSpec } from '../../src/network/spec.ts';
import { createFusedStep } from '../../src/kernels/plan.ts';
import { selectBackend } from '../../src/engine/backend.ts';
import { stepsMatchReference, type RefState } from './plan-reference.ts';

// plan-property.test.ts draws batches of 4–6; the dense kernels block 4 batch rows and pack weight strips from 8 rows
// on, so larger batches (and remainders) are checked here, on both binaries.
for (const binary of ['plan', 'plan-fma'] as const) {
  test(`dense layers at batches 8–13 (packed weight strips, 4-row blocks and remainders; ${binary}.wasm) equal stock tfjs autodiff after 3 steps`, async () => {
    await selectBackend('cpu');
    const r = createRandom(44);
    for (const [batch, nin, hidden] of [[8, 37, 21], [9, 16, 8], [12, 50, 13], [13, 7, 30]] as const) {
      const layers: LayerSpec[] = [{ type: 'flatten' }, { type: 'dense', units: hidden }, { type: 'relu' }, { type: 'dense', units: 9 }, { type: 'tanh' }, { type: 'dense', units: 3 }];
      const net = resolveNetwork({ layers }, { channels: 1, height: 1, width: nin }, 3);
      const params = net.params.map((p) => Float32Array.from({ length: p.tfShape.reduce((a, b) => a * b, 1) }, () => (r() * 2 - 1) / Math.sqrt(p.fanIn)));
      const opt = { type: 'sgd' as const, learningRate: 0.05, momentum: 0.9 };
      const ref: RefState = { params, slots: [params.map((p) => new Float32Array(p.length))], buffers: [], step: 0 };
      const fused = createFusedStep(net, { seed: 0, optimizer: opt, binary });
      fused.setParams(params.map((p) => p.slice()));
      stepsMatchReference(`batch ${batch}`, net, opt, fused, ref, batch, r);
    }
  });
}
