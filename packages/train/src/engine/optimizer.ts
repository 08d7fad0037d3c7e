/**
 * The optimizers as PyTorch 1.13 defines them (torch.optim.SGD and torch.optim.Adam, single-tensor path), written
 * with stock tfjs ops on the trainer's variables. Weight decay is L2 added to the gradient (`g + wd·w`) in both, as
 * torch does (Adam here is not AdamW).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerName } from './types.ts';

/** Every optimizer hyper-parameter, defaults applied. */
export interface OptimizerConfig {
  name: OptimizerName;
  learningRate: number;
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
}

/** torch.optim.Adam's defaults, and SGD's. */
export const OPTIMIZER_DEFAULTS = { nesterov: false, weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;

/** The optimizer's per-parameter state: SGD's momentum buffer or Adam's exp_avg, and Adam's exp_avg_sq. */
export interface OptimizerSlots {
  momentum: readonly tf.Variable[];
  secondMoment: readonly tf.Variable[];
}

/**
 * Apply one update to `params` from `grads` (same order). `step` is the 1-based count of this update (Adam's t).
 * SGD: d = g + wd·w; v = μ·v + d; d = nesterov ? d + μ·v : v; w −= lr·d. (μ = 0 leaves v = d, as torch's no-buffer path.)
 * Adam: g += wd·w; m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; w −= lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε).
 * Call inside a tidy.
 */
export function applyUpdate(c: OptimizerConfig, params: readonly tf.Variable[], grads: readonly tf.Tensor[], slots: OptimizerSlots, step: number): void {
  const lr = tf.scalar(c.learningRate);
  const wd = c.weightDecay > 0 ? tf.scalar(c.weightDecay) : undefined;
  if (c.name === 'sgd') {
    const mu = tf.scalar(c.momentum);
    for (let i = 0; i < params.length; i++) {
      const w = params[i]!;
      const d = wd ? tf.add(grads[i]!, tf.mul(w, wd)) : grads[i]!;
      // The tutorial's path (μ > 0, no decay, no nesterov) keeps exactly these two ops, for byte-identical weights.
      const v = tf.add(tf.mul(slots.momentum[i]!, mu), d);
      slots.momentum[i]!.assign(v);
      const step = c.nesterov ? tf.add(d, tf.mul(v, mu)) : v;
      w.assign(tf.sub(w, tf.mul(step, lr)));
    }
    return;
  }
  const b1 = tf.scalar(c.beta1);
  const b2 = tf.scalar(c.beta2);
  const oneMinusB1 = tf.scalar(1 - c.beta1);
  const oneMinusB2 = tf.scalar(1 - c.beta2);
  const stepSize = tf.scalar(c.learningRate / (1 - c.beta1 ** step));
  const bc2Sqrt = tf.scalar(Math.sqrt(1 - c.beta2 ** step));
  const eps = tf.scalar(c.eps);
  for (let i = 0; i < params.length; i++) {
    const w = params[i]!;
    const g = wd ? tf.add(grads[i]!, tf.mul(w, wd)) : grads[i]!;
    const m = tf.add(tf.mul(slots.momentum[i]!, b1), tf.mul(g, oneMinusB1));
    const v = tf.add(tf.mul(slots.secondMoment[i]!, b2), tf.mul(tf.mul(g, g), oneMinusB2));
    slots.momentum[i]!.assign(m);
    slots.secondMoment[i]!.assign(v);
    const denom = tf.add(tf.div(tf.sqrt(v), bc2Sqrt), eps);
    w.assign(tf.sub(w, tf.mul(tf.div(m, denom), stepSize)));
  }
}
