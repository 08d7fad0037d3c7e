/**
 * The reference the fused plan is tested against: the same network written with stock tfjs ops (autodiff on the
 * cpu backend), batch norm and dropout as PyTorch defines them, and the optimizers as torch.optim's update rules
 * computed in float32. Test-only; it shares nothing with the engine but the resolved network.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers tfjs-core's gradients (its bundle imports register_all_gradients)
import type { ResolvedNetwork } from '../../src/network/resolve.ts';
import type { FusedOptimizer } from '../../src/kernels/plan.ts';

export interface RefState {
  params: Float32Array[];
  /** SGD: [momentum]; Adam: [exp_avg, exp_avg_sq]. */
  slots: Float32Array[][];
  buffers: Float32Array[];
  step: number;
}

/**
 * One step with tfjs autodiff: returns the loss and mutates `state` (params, slots, buffers). `masks` maps a dropout
 * layer's index to the mask the fused engine drew for this step.
 */
export function referenceStep(
  net: ResolvedNetwork,
  opt: FusedOptimizer,
  state: RefState,
  images: Float32Array,
  labels: Int32Array,
  masks: Map<number, Float32Array>,
): number {
  const B = labels.length;
  const [C, H, W] = net.inputShape;
  const newBuffers: Float32Array[] = state.buffers.map((b) => b.slice());
  const lossAndGrads = tf.tidy(() => {
    const x = tf.tensor4d(images, [B, H, W, C]);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), net.classCount);
    const ps = net.params.map((p, i) => tf.tensor(state.params[i]!, p.tfShape));
    const f = (...vars: tf.Tensor[]) => {
      let h: tf.Tensor = x;
      for (const l of net.layers) {
        const own = l.params.map((p) => vars[net.params.indexOf(p)]!);
        switch (l.type) {
          case 'conv2d': {
            const p = l.padding!;
            if (p.top + p.bottom + p.left + p.right > 0) h = tf.pad(h, [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]]);
            h = tf.add(tf.conv2d(h as tf.Tensor4D, own[0] as tf.Tensor4D, l.stride!, 'valid'), own[1]!);
            break;
          }
          case 'maxPool2d':
            h = tf.maxPool(h as tf.Tensor4D, l.kernelSize!, l.stride!, 'valid');
            break;
          case 'avgPool2d':
            h = tf.avgPool(h as tf.Tensor4D, l.kernelSize!, l.stride!, 'valid');
            break;
          case 'flatten':
            h = tf.reshape(h, [B, -1]);
            break;
          case 'dense':
            h = tf.add(tf.matMul(h as tf.Tensor2D, own[0] as tf.Tensor2D), own[1]!);
            break;
          case 'relu':
            h = tf.relu(h);
            break;
          case 'tanh':
            h = tf.tanh(h);
            break;
          case 'sigmoid':
            h = tf.sigmoid(h);
            break;
          case 'dropout':
            h = tf.mul(h, tf.tensor(masks.get(l.index)!, h.shape));
            break;
          case 'batchNorm': {
            const axes = h.rank === 4 ? [0, 1, 2] : [0];
            const { mean, variance } = tf.moments(h, axes);
            const P = h.size / l.inShape[0]!;
            const bi = net.buffers.findIndex((b) => b.layer === l.index);
            const m = l.momentum!;
            const mv = mean.dataSync() as Float32Array;
            const vv = variance.dataSync() as Float32Array;
            for (let c = 0; c < mv.length; c++) {
              newBuffers[bi]![c] = Math.fround((1 - m) * state.buffers[bi]![c]! + m * mv[c]!);
              newBuffers[bi + 1]![c] = Math.fround((1 - m) * state.buffers[bi + 1]![c]! + (m * vv[c]! * P) / (P - 1));
            }
            h = tf.add(tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, l.eps!))), own[0]!), own[1]!);
            break;
          }
        }
      }
      return tf.losses.softmaxCrossEntropy(y, h) as tf.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(f)(ps);
    return { loss: value.dataSync()[0]!, grads: grads.map((g) => g.dataSync() as Float32Array) };
  });
  state.buffers = newBuffers;
  state.step++;
  const t = state.step;
  const fr = Math.fround;
  net.params.forEach((_, i) => {
    const w = state.params[i]!;
    const g0 = lossAndGrads.grads[i]!;
    const wd = opt.weightDecay ?? 0;
    for (let k = 0; k < w.length; k++) {
      let g = wd ? fr(g0[k]! + fr(wd * w[k]!)) : g0[k]!;
      if (opt.type === 'sgd') {
        const mu = opt.momentum ?? 0;
        if (mu) {
          const buf = fr(fr(state.slots[0]![i]![k]! * mu) + g);
          state.slots[0]![i]![k] = buf;
          g = opt.nesterov ? fr(g + fr(mu * buf)) : buf;
        }
        w[k] = fr(w[k]! - fr(opt.learningRate * g));
      } else {
        const b1 = opt.beta1 ?? 0.9;
        const b2 = opt.beta2 ?? 0.999;
        const eps = opt.eps ?? 1e-8;
        const m = fr(fr(state.slots[0]![i]![k]! * b1) + fr(g * (1 - b1)));
        const v = fr(fr(state.slots[1]![i]![k]! * b2) + fr(fr(g * g) * (1 - b2)));
        state.slots[0]![i]![k] = m;
        state.slots[1]![i]![k] = v;
        const bc1 = 1 - b1 ** t;
        const bc2 = 1 - b2 ** t;
        const denom = fr(fr(Math.sqrt(v) / Math.sqrt(bc2)) + eps);
        w[k] = fr(w[k]! - fr((opt.learningRate / bc1) * fr(m / denom)));
      }
    }
  });
  return lossAndGrads.loss;
}

/** max |a − b| relative to the larger of b's largest magnitude and `floor`. */
export function relDiff(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-3): number {
  if (a.length !== b.length) throw new Error(`relDiff: lengths ${a.length} and ${b.length}, expected equal`);
  let d = 0;
  let m = floor;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / m;
}

/** What {@link stepsMatchReference} compares: a fused step and its reference state, from the same parameters. */
export interface FusedUnderTest {
  step(images: Float32Array, labels: Int32Array): number;
  getParams(): Float32Array[];
  getOptimizerState(): { slots: { values: Float32Array[] }[] };
}

/**
 * Runs `steps` SGD-with-momentum steps of `fused` and of the stock reference on the same random batches (inputs in
 * [−1, 1], labels below the class count) and throws, naming `label`, when a loss, parameter or momentum buffer differs
 * by more than 1e-4 relative. For networks without dropout or batch norm (the reference gets no masks).
 */
export function stepsMatchReference(
  label: string,
  net: ResolvedNetwork,
  opt: FusedOptimizer,
  fused: FusedUnderTest,
  ref: RefState,
  batch: number,
  random: () => number,
  steps = 3,
): void {
  const [C, H, W] = net.inputShape;
  for (let s = 0; s < steps; s++) {
    const images = Float32Array.from({ length: batch * C * H * W }, () => random() * 2 - 1);
    const labels = Int32Array.from({ length: batch }, () => Math.floor(random() * net.classCount));
    const lf = fused.step(images, labels);
    const lr = referenceStep(net, opt, ref, images, labels, new Map());
    if (!(Math.abs(lf - lr) <= 1e-4 * Math.max(1, Math.abs(lr)))) throw new Error(`${label} step ${s}: loss ${lf} vs ${lr}`);
  }
  fused.getParams().forEach((p, i) => {
    const d = relDiff(p, ref.params[i]!);
    if (!(d <= 1e-4)) throw new Error(`${label} ${net.params[i]!.torchName}: relative difference ${d}, expected ≤ 1e-4`);
  });
  fused.getOptimizerState().slots[0]!.values.forEach((m, i) => {
    const d = relDiff(m, ref.slots[0]![i]!);
    if (!(d <= 1e-4)) throw new Error(`${label} momentum ${i}: relative difference ${d}, expected ≤ 1e-4`);
  });
}
