import type { NamedTensor, TrainerState } from './engine/types.ts';

/**
 * The gradient of every parameter for the step that turned `before` into `after`, recovered from the optimizer's
 * momentum buffers: with PyTorch's SGD (v ← μ·v + g; w ← w − lr·v) the gradient is g = v_after − μ·v_before. The
 * engine contract exposes state, not gradients, so this costs two `getState()` calls on a logging step and nothing
 * on the others. Equal to the engine's gradient up to float32 rounding of μ·v.
 */
export function gradientsFromMomentum(before: TrainerState, after: TrainerState, momentum: number): NamedTensor[] {
  return after.momentum.map((v, k) => {
    const previous = before.momentum[k]!.data;
    const g = new Float32Array(v.data.length);
    for (let i = 0; i < g.length; i++) g[i] = v.data[i]! - Math.fround(momentum * previous[i]!);
    return { name: v.name, shape: v.shape, data: g };
  });
}
