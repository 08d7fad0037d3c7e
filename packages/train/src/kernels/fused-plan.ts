/**
 * The fused plan on the tfjs wasm backend: the trainer's own variables (parameters, optimizer slots, batch-norm
 * buffers) are read and updated in place in the backend's heap; activations and gradients come from its malloc once
 * per batch size. This is what `engine/fused.ts`'s seam calls: {@link createPlanStep} for training,
 * {@link planForward} for predict.
 *
 * Hazard: the step MUTATES tfjs variables behind tfjs's back. Only the trainer's
 * own variables may be passed (never shared, never a clone of something still in use).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { OptimizerConfig } from '../engine/optimizer.ts';
import type { ResolvedNetwork } from '../network/resolve.ts';
import { createFusedStep, fusedUnsupportedReason, type FusedEngine, type FusedOptimizer, type PlanBinary, type PlanHost } from './plan.ts';
import type { WasmMemory } from './webassembly.ts';

/** The optimizer as the trainer configures it. */
export type TrainerOptimizer = OptimizerConfig;

/** The trainer's variables, in `network.params` / `network.buffers` order, tfjs layout. */
export interface PlanVariables {
  params: readonly tf.Tensor[];
  momentum?: readonly tf.Tensor[];
  secondMoment?: readonly tf.Tensor[];
  buffers?: readonly tf.Tensor[];
}

interface Heap {
  _malloc(bytes: number): number;
  HEAPU8: Uint8Array;
  asm: { memory: WasmMemory };
}

export function backendWasm(): BackendWasm {
  if (tf.getBackend() !== 'wasm') throw new Error(`train: the fused plan runs on the wasm backend, got ${tf.getBackend()}; select wasm first`);
  return tf.backend() as BackendWasm;
}

/** A host on the wasm backend's heap whose state tensors are `vars` (re-read each call: assign moves them). */
export function tfjsHost(vars: () => PlanVariables): PlanHost {
  const backend = backendWasm();
  const heap = backend.wasm as unknown as Heap;
  const at = (t: tf.Tensor) => backend.dataIdMap.get(t.dataId)!.memoryOffset as number;
  return {
    memory: heap.asm.memory,
    alloc(bytes) {
      const p = (heap._malloc(bytes + 64 + 16) + 15) & ~15;
      heap.HEAPU8.fill(0, p, p + bytes + 64);
      return p;
    },
    addresses() {
      const v = vars();
      return {
        params: v.params.map(at),
        m1: (v.momentum ?? []).map(at),
        m2: (v.secondMoment ?? []).map(at),
        buffers: (v.buffers ?? []).map(at),
      };
    },
  };
}

export function toFusedOptimizer(o: TrainerOptimizer): FusedOptimizer {
  return o.name === 'sgd'
    ? { type: 'sgd', learningRate: o.learningRate, momentum: o.momentum, nesterov: o.nesterov, weightDecay: o.weightDecay }
    : { type: 'adam', learningRate: o.learningRate, beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: o.weightDecay };
}

/** A fused training step bound to a trainer's variables (the seam's `FusedStep`). */
export interface PlanStep {
  /** `masks`: the step's dropout masks, one per dropout layer (batch × features, NHWC); `step`: 1-based (Adam's t). */
  trainStep(images: Float32Array, labels: Int32Array, masks: readonly Float32Array[], step: number): number;
  /** The plan binary the step runs (what the results depend on, with the seed and backend). */
  readonly binary: PlanBinary;
  dispose(): void;
}

/** The fused step for `network` + `optimizer` on the trainer's variables, or why there is none (one log line). */
export function createPlanStep(
  network: ResolvedNetwork,
  optimizer: TrainerOptimizer,
  vars: PlanVariables,
): PlanStep | { unsupported: string } {
  const why = fusedUnsupportedReason(network);
  if (why) return { unsupported: why };
  if (tf.getBackend() !== 'wasm') return { unsupported: `the fused engine runs on the wasm backend, not ${tf.getBackend()}` };
  const engine = createFusedStep(network, { seed: 0, optimizer: toFusedOptimizer(optimizer), externalMasks: true }, tfjsHost(() => vars));
  return {
    binary: engine.binary,
    trainStep: (images, labels, masks, step) => engine.step(images, labels, masks, step),
    // Its heap blocks are a few hundred KB per batch size, kept for the backend's life (malloc'd once).
    dispose() {},
  };
}

const forwardEngines = new WeakMap<ResolvedNetwork, { engine: FusedEngine; vars: PlanVariables }>();

/**
 * Evaluation-mode forward pass of `x` ([n, H, W, C]) with the fused plan on the wasm backend: [logits, features]
 * tensors, or undefined when the plan cannot run it (the caller uses stock ops). `buffers` are required when the
 * network has batch norm.
 */
export function planForward(
  network: ResolvedNetwork,
  params: readonly tf.Tensor[],
  x: tf.Tensor,
  buffers: readonly tf.Tensor[] = [],
): [tf.Tensor, tf.Tensor] | undefined {
  if (tf.getBackend() !== 'wasm' || fusedUnsupportedReason(network) || buffers.length !== network.buffers.length) return undefined;
  let f = forwardEngines.get(network);
  if (!f) {
    const vars: PlanVariables = { params, buffers, momentum: params, secondMoment: params };
    const engine = createFusedStep(network, { seed: 0, optimizer: { type: 'sgd', learningRate: 0 } }, tfjsHost(() => vars));
    forwardEngines.set(network, (f = { engine, vars }));
  }
  f.vars.params = params;
  f.vars.momentum = params;
  f.vars.secondMoment = params;
  f.vars.buffers = buffers;
  const n = x.shape[0]!;
  const out = f.engine.predict(x.dataSync() as Float32Array, n, n);
  return [tf.tensor2d(out.logits, [n, network.classCount]), tf.tensor2d(out.features, [n, network.featureWidth])];
}
