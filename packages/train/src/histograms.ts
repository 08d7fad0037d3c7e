import type { NamedTensor, OptimizerName, TrainerState } from './engine/types.ts';

/** What {@link gradientsFromMomentum} needs to know about the optimizer. */
export interface GradientRecovery {
  optimizer: OptimizerName;
  momentum: number;
  beta1: number;
  weightDecay: number;
}

/**
 * The gradient of every parameter for the step that turned `before` into `after`, recovered from the optimizer's
 * momentum buffers: with PyTorch's SGD (v ← μ·v + g; w ← w − lr·v) the gradient is g = v_after − μ·v_before. The
 * engine contract exposes state, not gradients, so this costs two `getState()` calls on a logging step and nothing
 * on the others. Equal to the engine's gradient up to float32 rounding of μ·v.
 */
export function gradientsFromMomentum(before: TrainerState, after: TrainerState, o: GradientRecovery | number): NamedTensor[] {
  const { optimizer, momentum, beta1, weightDecay } = typeof o === 'number' ? { optimizer: 'sgd', momentum: o, beta1: 0, weightDecay: 0 } : o;
  return after.momentum.map((v, k) => {
    const previous = before.momentum[k]!.data;
    const w = weightDecay > 0 ? before.weights[k]!.data : undefined;
    const g = new Float32Array(v.data.length);
    // Adam: m ← β1·m + (1 − β1)·(g + wd·w). SGD: v ← μ·v + (g + wd·w). torch's p.grad excludes the decay term.
    if (optimizer === 'adam') for (let i = 0; i < g.length; i++) g[i] = (v.data[i]! - beta1 * previous[i]!) / (1 - beta1) - (w ? weightDecay * w[i]! : 0);
    else if (weightDecay > 0) for (let i = 0; i < g.length; i++) g[i] = v.data[i]! - Math.fround(momentum * previous[i]!) - weightDecay * w![i]!;
    else for (let i = 0; i < g.length; i++) g[i] = v.data[i]! - Math.fround(momentum * previous[i]!);
    return { name: v.name, shape: v.shape, data: g };
  });
}
