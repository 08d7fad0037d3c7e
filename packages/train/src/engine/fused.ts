/**
 * The seam between the trainer and the fused WebAssembly engine. `createFusedStep(context)` returns a fused
 * training step for the context's network and optimizer, or the reason it cannot run it (the trainer then uses
 * the stock tfjs step and logs that reason once). `fusedForward` likewise runs the forward pass, or returns
 * undefined to let the stock ops do it.
 *
 * The fused engine owns what is behind this seam (`src/kernels/`, `wasm/`). Today it is the fixed kernel of the
 * tutorial's Net (wasm/assembly/cnn.ts), so only a network of exactly that shape, SGD without Nesterov or weight
 * decay, runs fused; the plan built from a ResolvedNetwork replaces it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { ResolvedNetwork } from '../network/resolve.ts';
import type { OptimizerConfig } from './optimizer.ts';
import { FUSED_FORWARD, FUSED_TRAIN_STEP, MOMENTUM_INPUTS, PARAM_INPUTS } from '../kernels/fused-train-step.ts';
import { tutorialNetwork } from './model-io.ts';

/** What the trainer hands the fused engine: the network, the optimizer, and the trainer's own variables. */
export interface FusedStepContext {
  network: ResolvedNetwork;
  optimizer: OptimizerConfig;
  /** Parameters, `network.params` order, tfjs layout; the fused step updates them in place. */
  params: readonly tf.Variable[];
  /** SGD momentum buffers or Adam first moments, same order and layout. */
  momentum: readonly tf.Variable[];
  /** Adam second moments (zeros, unused by SGD). */
  secondMoment: readonly tf.Variable[];
  /** Batch-norm running means/variances, `network.buffers` order. */
  buffers: readonly tf.Variable[];
}

/** A fused training step bound to a trainer's variables. */
export interface FusedStep {
  /**
   * One step on `images` (batch × H × W × C, NHWC) and `labels`; `masks` are the step's dropout masks
   * (network/layout.ts `dropoutMasks`), `step` its 1-based count (Adam's t). Returns the loss before the update.
   */
  trainStep(images: Float32Array, labels: Int32Array, masks: readonly Float32Array[], step: number): number;
  /** Free what the step allocated (not the trainer's variables). */
  dispose(): void;
}

/** Same layer types and shapes as the tutorial's Net (what the fixed kernel computes). */
function isTutorialShaped(net: ResolvedNetwork): boolean {
  const t = tutorialNetwork();
  return (
    net.layers.length === t.layers.length &&
    net.layers.every((l, i) => l.type === t.layers[i]!.type && l.outShape.join() === t.layers[i]!.outShape.join() && l.inShape.join() === t.layers[i]!.inShape.join()) &&
    net.params.every((p, i) => p.tfShape.join() === t.params[i]!.tfShape.join())
  );
}

/** A fused step for `context`, or why there is none (one line for the log). */
export function createFusedStep(context: FusedStepContext): FusedStep | { unsupported: string } {
  if (!isTutorialShaped(context.network)) return { unsupported: "the fused kernel runs only the tutorial's Net shape" };
  const o = context.optimizer;
  if (o.name !== 'sgd' || o.nesterov || o.weightDecay !== 0) return { unsupported: 'the fused kernel runs only SGD with momentum, no nesterov or weight decay' };
  const cache = new Map<number, { x: tf.Tensor; labels: tf.Tensor; inputs: Record<string, tf.Tensor> }>();
  return {
    trainStep(images, labels) {
      const batch = labels.length;
      let f = cache.get(batch);
      if (!f) {
        const x = tf.zeros([batch, 28, 28, 1]);
        const y = tf.zeros([batch], 'int32');
        const inputs: Record<string, tf.Tensor> = { x, labels: y };
        context.params.forEach((p, i) => {
          inputs[PARAM_INPUTS[i]!] = p;
          inputs[MOMENTUM_INPUTS[i]!] = context.momentum[i]!;
        });
        cache.set(batch, (f = { x, labels: y, inputs }));
      }
      // Write the batch straight into the persistent input tensors' heap memory: no tensor allocation per step.
      const backend = tf.backend() as BackendWasm;
      const heap = backend.wasm as unknown as { HEAPF32: Float32Array; HEAP32: Int32Array };
      heap.HEAPF32.set(images, backend.dataIdMap.get(f.x.dataId)!.memoryOffset >>> 2);
      heap.HEAP32.set(labels, backend.dataIdMap.get(f.labels.dataId)!.memoryOffset >>> 2);
      const loss = tf.engine().runKernel(FUSED_TRAIN_STEP, f.inputs as never, { learningRate: o.learningRate, momentum: o.momentum } as never) as tf.Tensor;
      const value = loss.dataSync()[0]!;
      loss.dispose();
      return value;
    },
    dispose() {
      for (const f of cache.values()) tf.dispose([f.x, f.labels]);
      cache.clear();
    },
  };
}

/** Images per forward pass with the fused wasm kernel (its scratch grows with the batch: ~17 KB per image). */
export const FUSED_PREDICT_BATCH = 256;

/**
 * The forward pass (logits, features) of `x` with the fused kernel, or undefined when it cannot run `net`
 * (the caller then uses the stock ops). Call inside a tidy.
 */
export function fusedForward(net: ResolvedNetwork, params: readonly tf.Tensor[], _buffers: readonly tf.Tensor[], x: tf.Tensor4D): [tf.Tensor, tf.Tensor] | undefined {
  if (tf.getBackend() !== 'wasm' || tf.getKernel(FUSED_FORWARD, 'wasm') === undefined || !isTutorialShaped(net)) return undefined;
  const inputs: Record<string, tf.Tensor> = { x };
  params.forEach((p, i) => (inputs[PARAM_INPUTS[i]!] = p));
  return tf.engine().runKernel(FUSED_FORWARD, inputs as never, {}) as [tf.Tensor, tf.Tensor];
}

/** Whether {@link fusedForward} can run `net` on the active backend (decides the predict chunk size). */
export function canFuseForward(net: ResolvedNetwork): boolean {
  return tf.getBackend() === 'wasm' && tf.getKernel(FUSED_FORWARD, 'wasm') !== undefined && isTutorialShaped(net);
}
