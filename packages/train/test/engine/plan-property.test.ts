import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRandom, type Random } from '@tbpipe/core';
import { resolveNetwork, type ResolvedNetwork } from '../../src/network/resolve.ts';
import type { LayerSpec, NetworkSpec } from '../../src/network/spec.ts';
import { createFusedStep, type FusedOptimizer } from '../../src/kernels/plan.ts';
import { selectBackend } from '../../src/engine/backend.ts';
import { relDiff, referenceStep, type RefState } from './plan-reference.ts';

const SPECS = 60;
const STEPS = 3;
const TOLERANCE = 1e-4;

const int = (r: Random, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Random, xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;

/** A random valid network: conv blocks (any channels, kernel, stride, padding; batch norm; pools), then dense layers. */
function randomSpec(r: Random, classes: number, batchNorm: boolean): NetworkSpec {
  const layers: LayerSpec[] = [];
  const act = () => layers.push({ type: pick(r, ['relu', 'relu', 'tanh', 'sigmoid'] as const) });
  const convs = int(r, 0, 3);
  for (let i = 0; i < convs; i++) {
    const stride = int(r, 1, 2);
    const padding = stride === 1 && r() < 0.3 ? 'same' : int(r, 0, 2);
    layers.push({ type: 'conv2d', filters: int(r, 1, 9), kernelSize: int(r, 1, 4), stride, padding });
    if (batchNorm && r() < 0.3) layers.push({ type: 'batchNorm' });
    act();
    if (r() < 0.5) layers.push({ type: pick(r, ['maxPool2d', 'avgPool2d'] as const), poolSize: int(r, 1, 3), stride: int(r, 1, 3) });
    if (r() < 0.15) layers.push({ type: 'dropout', rate: pick(r, [0.2, 0.5]) });
  }
  // (No batch norm right after flatten: features a padded conv leaves constant over the batch make its gradient
  // pure float noise on both sides; 1-D batch norm is exercised after dense layers.)
  layers.push({ type: 'flatten' });
  const dense = int(r, 0, 2);
  for (let i = 0; i < dense; i++) {
    layers.push({ type: 'dense', units: int(r, 2, 21) });
    if (batchNorm && r() < 0.25) layers.push({ type: 'batchNorm' });
    act();
    if (r() < 0.25) layers.push({ type: 'dropout', rate: pick(r, [0.1, 0.5]) });
  }
  layers.push({ type: 'dense', units: classes });
  return { layers };
}

function randomOptimizer(r: Random): FusedOptimizer {
  const wd = r() < 0.3 ? 0.01 : 0;
  if (r() < 0.35) return { type: 'adam', learningRate: 0.01, weightDecay: wd };
  const momentum = pick(r, [0, 0.9, 0.9]);
  return { type: 'sgd', learningRate: 0.05, momentum, nesterov: momentum > 0 && r() < 0.4, weightDecay: wd };
}

function initialState(net: ResolvedNetwork, r: Random, opt: FusedOptimizer): RefState {
  const params = net.params.map((p) => {
    const n = p.tfShape.reduce((a, b) => a * b, 1);
    const lim = p.kind === 'gamma' ? 0.2 : 1 / Math.sqrt(p.fanIn);
    return Float32Array.from({ length: n }, () => (p.kind === 'gamma' ? 1 : 0) + (r() * 2 - 1) * lim);
  });
  const slots = (opt.type === 'adam' ? [0, 1] : [0]).map(() => params.map((p) => new Float32Array(p.length)));
  return { params, slots, buffers: net.buffers.map((b) => new Float32Array(b.shape[0]).fill(b.initial)), step: 0 };
}

// Both builds of the plan interpreter: plan.wasm (multiply, then add) and plan-fma.wasm (fused multiply-add), on the same specs.
for (const binary of ['plan', 'plan-fma'] as const) {
  test(`the fused plan (${binary}.wasm) equals stock tfjs autodiff (losses, weights, optimizer state, batch-norm buffers) after ${STEPS} steps on ${SPECS} random specs`, async () => {
    await selectBackend('cpu');
    const r = createRandom(20261204);
    const failures: string[] = [];
    let built = 0;
    let strict = 0; // tensors outside 1e-4 of their own magnitude (reported, not asserted)
    let tensors = 0;
    let attempts = 0;
    while (built < SPECS && attempts < SPECS * 20) {
      attempts++;
      const classes = int(r, 2, 5);
      const input = { channels: int(r, 1, 3), height: int(r, 4, 13), width: int(r, 4, 13) };
      // Adam divides each gradient by its own magnitude, so a parameter whose true gradient is zero — a bias feeding
      // a batch norm, directly or through an always-active ReLU — takes ±lr steps driven by float noise, differently
      // on each side. Adam is drawn with batch-norm-free specs; batch norm with SGD (whose state stays comparable).
      const opt = randomOptimizer(r);
      const spec = randomSpec(r, classes, opt.type === 'sgd');
      let net: ResolvedNetwork;
      try {
        net = resolveNetwork(spec, input, classes);
      } catch {
        continue; // shapes below 1×1: draw again
      }
      const seed = built;
      built++;
      // 1-D batch norm over fewer than 4 rows is degenerate (2 rows normalise to ±1 whatever the input).
      const batch = int(r, 4, 6);
      const ref = initialState(net, r, opt);
      const fused = createFusedStep(net, { seed, optimizer: opt, binary });
      fused.setParams(ref.params.map((p) => p.slice()));
      const per = input.channels * input.height * input.width;
      const label = `spec ${seed} ${JSON.stringify({ input, opt, batch, layers: spec.layers })}`;
      for (let s = 0; s < STEPS; s++) {
        const images = Float32Array.from({ length: batch * per }, () => r() * 2 - 1);
        const labels = Int32Array.from({ length: batch }, () => int(r, 0, classes - 1));
        const lf = fused.step(images, labels);
        const masks = new Map(fused.lastDropoutMasks(batch).map((m) => [m.layer, m.mask]));
        const lr = referenceStep(net, opt, ref, images, labels, masks);
        if (!(Math.abs(lf - lr) <= TOLERANCE * Math.max(1, Math.abs(lr)))) failures.push(`${label}: step ${s} loss ${lf} vs ${lr}`);
      }
      // The bias of a layer right before a batch norm has an analytically zero gradient: both sides hold float
      // noise there (~1e-7 absolute), which Adam normalises into full-size steps (and the running mean follows).
      // Such tensors are compared absolutely under SGD and skipped under Adam.
      const noise = new Set<string>();
      for (const l of net.layers) {
        if (net.layers[l.index + 1]?.type !== 'batchNorm' || l.params.length === 0) continue;
        noise.add(l.params[1]!.torchName);
        noise.add(net.layers[l.index + 1]!.buffers[0]!.torchName);
      }
      // Relative to the tensor's largest magnitude, floored at 10 % of the largest magnitude of its kind (parameters,
      // one optimizer slot, buffers) in the network: a tensor whose gradient nearly cancels (below a batch norm over
      // 4–6 rows, whose input gradient sums to zero by construction) holds float32 summation-order noise of the
      // network's scale, not of its own. The count against the tensor's own magnitude alone is printed.
      const check = (what: string, got: Float32Array[], want: Float32Array[], names: string[]) => {
        const scale = Math.max(...want.map((w) => w.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
        got.forEach((g, i) => {
          tensors++;
          const name = names[i]!;
          if (noise.has(name) && opt.type === 'adam') return;
          const d = relDiff(g, want[i]!, noise.has(name) ? 1 : Math.max(1e-3, 0.1 * scale));
          if (!(relDiff(g, want[i]!) <= TOLERANCE)) strict++;
          if (!(d <= TOLERANCE)) failures.push(`${label}: ${what} ${name} relative diff ${d}`);
        });
      };
      const paramNames = net.params.map((p) => p.torchName);
      check('param', fused.getParams(), ref.params, paramNames);
      const st = fused.getOptimizerState();
      st.slots.forEach((slot, k) => check(slot.name, slot.values, ref.slots[k]!, paramNames));
      check('buffer', fused.getBuffers(), ref.buffers, net.buffers.map((b) => b.torchName));
      assert.equal(st.step, STEPS);
    }
    console.log(`# ${binary}.wasm: ${tensors} tensors compared; ${strict} beyond 1e-4 of their own largest magnitude (floor 1e-3)`);
    assert.equal(built, SPECS, `only ${built} valid specs in ${attempts} draws`);
    assert.deepEqual(failures.map((f) => f.replace(/\{"input.*\]\}/, '')), [], failures.join('\n'));
  });
}
